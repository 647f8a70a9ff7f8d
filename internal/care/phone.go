package care

import "strings"

// NormalizePhone removes the separators people type (spaces, dashes) and a
// leading +86 country code.
func NormalizePhone(s string) string {
	s = strings.TrimSpace(s)
	s = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", "（", "", "）", "").Replace(s)
	s = strings.TrimPrefix(s, "+86")
	return s
}

// ValidPhone accepts a mainland mobile number (11 digits, 1[3-9]…) or a
// landline with area code (0 + 2–3 digit area code + 7–8 digit number).
func ValidPhone(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	switch {
	case len(s) == 11 && s[0] == '1' && s[1] >= '3':
		return true
	case s != "" && s[0] == '0' && len(s) >= 10 && len(s) <= 12:
		return true
	}
	return false
}
