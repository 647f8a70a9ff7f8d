package care

import "testing"

func TestPasswordProblem(t *testing.T) {
	for _, c := range []struct {
		user, pw string
		bad      bool
	}{
		{"station", "fixture-password", false},
		{"admin", "carecircle-demo", false},
		{"alice", "short-pw", true},            // 8 characters
		{"alice", "exactly10!", false},         // 10 characters
		{"alice", "12345678", true},            // short and common
		{"longusername", "LongUserName", true}, // the username, in another case
		{"station", "my-station-2026", true},   // contains the username
		{"ab", "ab-is-a-fine-start", false},    // a short username may appear
		{"alice", "1234567890", true},
		{"alice", "Password123", true},
		{"alice", "woaini1314520", true},
		{"alice", "1q2w3e4r5t", true},
		{"alice", "qwertyuiop", true},
		{"alice", "zzzzzzzzzzzz", true},
		{"alice", "密码密码密码密码密码", true},
		{"alice", "春眠不觉晓处处闻啼鸟", false},
	} {
		_, bad := PasswordProblem(c.user, c.pw)
		if bad != c.bad {
			t.Errorf("PasswordProblem(%q, %q) = %v, want %v", c.user, c.pw, bad, c.bad)
		}
	}
}

func TestNormalizeUsername(t *testing.T) {
	for in, want := range map[string]string{" Alice ": "alice", "COMMUNITY1": "community1", "王Ab": "王ab", "": ""} {
		if got := NormalizeUsername(in); got != want {
			t.Errorf("NormalizeUsername(%q) = %q, want %q", in, got, want)
		}
	}
}
