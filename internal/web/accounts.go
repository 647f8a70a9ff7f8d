package web

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strconv"

	"carecircle/internal/care"
	"carecircle/internal/notify"
	"carecircle/internal/ratelimit"
	"carecircle/internal/store"
)

// routesAccounts: every user's own account page (password, sessions) and
// the administrator's actions on /users.
func (s *Server) routesAccounts(m *http.ServeMux) {
	m.Handle("GET /account", s.auth(s.accountPage))
	m.Handle("POST /account/password", s.auth(s.accountPassword))
	m.Handle("POST /account/sessions/{id}/end", s.auth(s.accountEndSession))
	m.Handle("POST /users/{id}/disable", s.auth(s.userAction))
	m.Handle("POST /users/{id}/enable", s.auth(s.userAction))
	m.Handle("POST /users/{id}/reset-password", s.auth(s.userAction))
	m.Handle("POST /users/{id}/revoke", s.auth(s.userAction))
}

type accountData struct {
	Sessions []store.SessionInfo
	// Notify is how the person is reached (the saved settings, or the
	// form as typed when it was refused).
	Notify notify.Settings
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.showAccount(w, r, p, http.StatusOK)
}

func (s *Server) showAccount(w http.ResponseWriter, r *http.Request, p *page, status int) error {
	return s.showAccountWith(w, r, p, status, nil)
}

// showAccountWith shows the account page with the notification settings
// given (nil: the saved ones).
func (s *Server) showAccountWith(w http.ResponseWriter, r *http.Request, p *page, status int, n *notify.Settings) error {
	var d accountData
	var err error
	if d.Sessions, err = s.db.UserSessions(r.Context(), p.User.ID, p.token); err != nil {
		return err
	}
	if n != nil {
		d.Notify = *n
	} else if d.Notify, err = s.db.NotifySettings(r.Context(), p.User.ID); err != nil {
		return err
	}
	p.Title, p.Active, p.Data = "我的账号", "account", d
	s.render(w, status, "account", p)
	return nil
}

// accountPassword changes the user's own password; the old one is checked
// like a login, counted by the limiter first.
func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request, p *page) error {
	old, next := r.PostFormValue("old"), r.PostFormValue("new")
	if next != r.PostFormValue("confirm") {
		p.setError(care.FieldErrors{"confirm": {ZH: "两次输入的新密码不一致", EN: "the two new passwords differ"}}.Err())
		return s.showAccount(w, r, p, http.StatusUnprocessableEntity)
	}
	keys := ratelimit.Keys(p.User.Username, clientIP(r))
	if err := s.limiter.Begin(r.Context(), keys); err != nil {
		return err
	}
	if err := s.db.ChangePassword(r.Context(), p.User, p.token, old, next); err != nil {
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
		p.setError(err)
		return s.showAccount(w, r, p, http.StatusUnprocessableEntity)
	}
	if err := s.limiter.Succeeded(r.Context(), keys); err != nil {
		return err
	}
	if p.User.MustChangePassword {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	p.Flash = p.T("密码已修改，其他设备上的登录已退出")
	return s.showAccount(w, r, p, http.StatusOK)
}

func (s *Server) accountEndSession(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := s.db.EndUserSession(r.Context(), p.User, r.PathValue("id")); err != nil {
		return err
	}
	if r.Header.Get("HX-Request") == "true" { // the row goes
		w.WriteHeader(http.StatusOK)
		return nil
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

// userRow is one account's row on /users, re-rendered in place after an
// action with the action's result.
type userRow struct {
	*page
	U      care.User
	Result string
	Temp   string // a temporary password, shown once
}

// UserRow is the row of u on /users, before any action.
func (p *page) UserRow(u care.User) userRow { return userRow{page: p, U: u} }

// userAction disables, enables, resets or revokes an account; htmx gets
// the account's row back with the result, a plain form post the page.
func (s *Server) userAction(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("账号 / account")
	}
	row := userRow{page: p}
	ctx := r.Context()
	switch action := r.Pattern[len("POST /users/{id}/"):]; action {
	case "disable", "enable":
		err = s.db.SetUserDisabled(ctx, p.Actor, id, action == "disable")
		row.Result = map[string]string{"disable": "已停用，所有登录已退出", "enable": "已启用"}[action]
	case "reset-password":
		row.Temp = temporaryPassword()
		err = s.db.ResetPassword(ctx, p.Actor, id, row.Temp)
		row.Result = "已重置。请把临时密码告诉本人，下次登录时须修改："
	case "revoke":
		var n int64
		n, err = s.db.RevokeSessions(ctx, p.Actor, id)
		row.Result = fmt.Sprintf(p.T("已退出 %d 个登录"), n)
	}
	if err != nil {
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
		row.Result, row.Temp = invalidText(err, p.Lang), ""
	}
	users, err := s.db.Users(ctx, p.Actor)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.ID == id {
			row.U = u
		}
	}
	if r.Header.Get("HX-Request") == "true" {
		s.renderFragmentData(w, http.StatusOK, "users", "user-row", row)
		return nil
	}
	p.Flash = row.U.Username + ": " + p.T(row.Result) + " " + row.Temp
	return s.showUsers(w, r, p, care.User{Role: care.RoleCommunity}, http.StatusOK)
}

// temporaryPassword is 15 random characters in groups of five, without
// letters easily confused when read out (0/o, 1/l/i).
func temporaryPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	for {
		out := make([]byte, 0, 17)
		b := make([]byte, 1)
		for len(out) < cap(out) {
			if len(out)%6 == 5 {
				out = append(out, '-')
				continue
			}
			rand.Read(b)
			if int(b[0]) < 256/len(alphabet)*len(alphabet) { // no modulo bias
				out = append(out, alphabet[int(b[0])%len(alphabet)])
			}
		}
		if _, bad := care.PasswordProblem("", string(out)); !bad {
			return string(out)
		}
	}
}
