package web

import (
	"context"
	"html/template"
	"sync"
	"time"

	"carecircle/internal/calendar"
)

// People are named by their display name in every signature, history and
// print (issue 14 point 5): the templates' who turns a user name into it.
// The names are read at most every namesTTL; an account without a display
// name keeps its user name.
const namesTTL = 30 * time.Second

type nameCache struct {
	mu    sync.Mutex
	at    time.Time
	names map[string]string
}

// who names the account username in lang: its display name, 系统默认 for
// the programme's defaults, 命令行 for the command line.
func (s *Server) who(username, lang string) string {
	switch username {
	case "":
		return ""
	case "default":
		if lang == "en" {
			return "programme default"
		}
		return "系统默认"
	case "cli":
		if lang == "en" {
			return "command line"
		}
		return "命令行"
	}
	c := &s.names
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.names == nil || time.Since(c.at) > namesTTL {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if names, err := s.db.DisplayNames(ctx); err == nil {
			c.names, c.at = names, time.Now()
		} else {
			s.log.Error("display names", "err", err)
		}
	}
	if d := c.names[username]; d != "" {
		return d
	}
	return username
}

// nameFuncs are the template functions that name people and periods:
// who (a user name, lang) and period (a period label, lang: 2026-12-H1 →
// 2026年12月上半月).
func (s *Server) nameFuncs() template.FuncMap {
	return template.FuncMap{"who": s.who, "period": calendar.PeriodName, "needDetails": s.needDetails, "unapprovedLists": s.unapprovedLists}
}
