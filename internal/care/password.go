package care

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

// Password rules, the one place that defines them.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 200 // argon2id takes any length; this bounds a form post
)

//go:embed common_passwords.txt
var commonPasswordList string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[line] = true
		}
	}
	return m
})

// NormalizeUsername is how a username is stored, looked up and throttled:
// trimmed and with ASCII letters in lower case (usernames are unique
// whatever their case; SQLite's lower() folds only ASCII, so we do too).
func NormalizeUsername(s string) string {
	s = strings.TrimSpace(s)
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// PasswordProblem tells why a password may not be used for username (and
// true), or returns false when it may: at least MinPasswordLength characters, not the
// username (nor containing it), not one of the common passwords shipped
// with the program (compared without case).
func PasswordProblem(username, password string) (Msg, bool) {
	n := utf8.RuneCountInString(password)
	lower := strings.ToLower(password)
	user := NormalizeUsername(username)
	switch {
	case n < MinPasswordLength:
		return Msg{ZH: "密码至少10位", EN: "password must have at least 10 characters"}, true
	case n > MaxPasswordLength:
		return Msg{ZH: "密码最多200位", EN: "password may have at most 200 characters"}, true
	case user != "" && (lower == strings.ToLower(user) || (utf8.RuneCountInString(user) >= 4 && strings.Contains(lower, strings.ToLower(user)))):
		return Msg{ZH: "密码不能包含用户名", EN: "password may not contain the username"}, true
	case commonPasswords()[lower] || repeated(lower):
		return Msg{ZH: "密码太常见，容易被猜到，请换一个", EN: "password is too common and easily guessed; choose another"}, true
	}
	return Msg{}, false
}

// repeated tells whether s is a unit of one to four characters repeated,
// like "zzzzzzzzzz" or "abcabcabcabc".
func repeated(s string) bool {
	r := []rune(s)
	for k := 1; k <= 4 && k < len(r); k++ {
		if len(r)%k == 0 && strings.Repeat(string(r[:k]), len(r)/k) == s {
			return true
		}
	}
	return false
}
