package api

import (
	"mime"
	"strings"
	"testing"
)

func TestAttachmentNamesInChinese(t *testing.T) {
	h := Attachment("和平街道_2026年11月_统计表.xlsx", "report-street-2026-11.xlsx")
	if !strings.HasPrefix(h, `attachment; filename="report-street-2026-11.xlsx"; filename*=UTF-8''`) {
		t.Fatalf("ASCII fallback first: %s", h)
	}
	_, params, err := mime.ParseMediaType(h)
	if err != nil || params["filename"] != "和平街道_2026年11月_统计表.xlsx" {
		t.Fatalf("a client reading filename* gets the Chinese name: %v %q (%s)", err, params["filename"], h)
	}
	for _, bad := range []string{"a\"b\r\n.csv", "../x;y.csv", "名册 (1).csv"} {
		h := Attachment(bad, "")
		if strings.ContainsAny(h, "\r\n") || strings.Count(h, `"`) != 2 {
			t.Fatalf("an unsafe name breaks the header: %q", h)
		}
		if _, _, err := mime.ParseMediaType(h); err != nil {
			t.Fatalf("%q: %v (%s)", bad, err, h)
		}
	}
}
