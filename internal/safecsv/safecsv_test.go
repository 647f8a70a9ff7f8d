package safecsv

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
)

func TestEscapeAndStrip(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"=SUM(A1:A2)", "'=SUM(A1:A2)"},
		{"+8613800000000", "'+8613800000000"},
		{"-3", "'-3"},
		{"@cmd", "'@cmd"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"'=1", "''=1"},
		{"''@", "'''@"},
		{"'0123", "'0123"},
		{"张三", "张三"},
		{"", ""},
		{"'", "'"},
		{"a=b", "a=b"},
		{"12", "12"},
	} {
		if got := Escape(c.in); got != c.out {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.out)
		}
		if got := Strip(Escape(c.in)); got != c.in {
			t.Errorf("Strip(Escape(%q)) = %q", c.in, got)
		}
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if err := w.WriteAll([][]string{{"姓名", "电话"}, {"=HYPERLINK(\"x\")", "+86 138"}}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || !slices.Equal(recs[1], []string{"'=HYPERLINK(\"x\")", "'+86 138"}) || !slices.Equal(recs[0], []string{"姓名", "电话"}) {
		t.Fatalf("%q %v", recs, err)
	}
}
