package store

import (
	"encoding/json"
	"strings"
	"time"
)

// Sets of codes are stored as ",a,b," so that "contains a" is the same
// portable LIKE '%,a,%' on both databases.
func joinSet(items []string) string {
	if len(items) == 0 {
		return ","
	}
	return "," + strings.Join(items, ",") + ","
}

func splitSet(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func setContains(code string) string { return "%," + code + ",%" }

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only domain structs are marshalled here
	}
	return string(b)
}

func dateString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func parseDate(s string) time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return t
}

// likeEscape makes user search text literal inside LIKE.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
