package care

import (
	"testing"
)

// FuzzParseIDNumber: any input is either refused with a message or is a
// number whose parts agree: the check digit, and a birth date and gender
// that make the same number again.
func FuzzParseIDNumber(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "320102194103050027", "", "ＡＢＣ", "000000000000000000", "11010519491231002x", "110105194902300021"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		info, msg := ParseIDNumber(s)
		if msg != nil {
			if msg.ZH == "" || msg.EN == "" {
				t.Fatalf("%q refused without a message", s)
			}
			return
		}
		if len(s) != 18 || IDCheckChar(s[:17]) != s[17] {
			t.Fatalf("%q accepted with a wrong check character", s)
		}
		if info.BirthDate.Format("20060102") != s[6:14] {
			t.Fatalf("%q: birth date %v", s, info.BirthDate)
		}
		if m := MaskIDNumber(s); len(m) == 0 || m == s {
			t.Fatalf("%q masked as %q", s, m)
		}
	})
}
