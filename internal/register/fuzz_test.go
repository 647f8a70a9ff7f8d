package register

import (
	"strings"
	"testing"
)

// FuzzReadTable: any uploaded bytes are read into a table within the
// limits, or refused with a message or a limit error; the reader never
// panics and never returns more rows or longer cells than allowed.
func FuzzReadTable(f *testing.F) {
	f.Add([]byte("姓名,性别,出生日期\n王秀英,女,1941-03-05\n"))
	f.Add([]byte("\xef\xbb\xbfname;gender\n=HYPERLINK(\"x\");'-1\n"))
	f.Add([]byte("PK\x03\x04 not really a zip"))
	f.Add([]byte{0xD0, 0xCF, 0x11, 0xE0})
	f.Add([]byte("a\tb\n\"unclosed"))
	isHeader := func(cells []string) bool { return len(cells) > 0 && strings.TrimSpace(cells[0]) != "" }
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, msg, err := readTable(data, isHeader)
		if err != nil || msg != nil {
			if tb != nil && err == nil && msg.ZH == "" {
				t.Fatal("a refusal without a reason")
			}
			return
		}
		if tb == nil {
			t.Fatal("no table and no reason")
		}
		if len(tb.rows) > MaxRows {
			t.Fatalf("%d rows read, the limit is %d", len(tb.rows), MaxRows)
		}
		for _, r := range tb.rows {
			for i := range r.ends {
				if n := len([]rune(r.cell(i))); n > MaxCellChars {
					t.Fatalf("a cell of %d characters", n)
				}
			}
		}
	})
}
