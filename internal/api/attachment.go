package api

import (
	"net/url"
	"strings"
)

// Attachment is a Content-Disposition for a download named name (which
// may be Chinese, such as 和平街道_2026年11月_统计表.xlsx): RFC 6266 with
// the RFC 5987 filename* in UTF-8, and an ASCII filename for old clients
// (fallback, or name with every other character replaced by _).
func Attachment(name, fallback string) string {
	if fallback == "" {
		fallback = name
	}
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '/' || r == '%' || r == ';' {
			return '_'
		}
		return r
	}, fallback)
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	// PathEscape leaves RFC 5987 attr-chars (and a few more that are
	// harmless in a quoted header value) as they are; spaces become %20.
	enc := strings.NewReplacer("'", "%27", "(", "%28", ")", "%29", "*", "%2A", ",", "%2C", ";", "%3B", "=", "%3D", "@", "%40", ":", "%3A").
		Replace(url.PathEscape(name))
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + enc
}
