// Package care holds CareCircle's domain: the people of the programme, their
// validation rules, roles and error codes. It knows nothing of SQL or HTTP.
package care

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Error codes, mapped to HTTP statuses in one place (internal/api, internal/web).
const (
	EInvalid   = "invalid"
	ENotFound  = "not_found"
	EConflict  = "conflict"
	EForbidden = "forbidden"
	EUnauth    = "unauthorized"
	EInternal  = "internal"
	// EMonthNotEnded refuses signing a month that has not ended: a signed
	// month is locked, and the month's visits are still being made.
	EMonthNotEnded = "month_not_ended"
	// ERateLimited refuses a login attempt that came too soon (429).
	ERateLimited = "rate_limited"
	// EPasswordChange refuses everything but choosing a new password after
	// an administrator reset it (403).
	EPasswordChange = "password_change_required"
	// ETooLarge refuses a request body or an uploaded file over a limit (413).
	ETooLarge = "too_large"
)

// Error is the one error type that crosses layers: a code, a message safe to
// show the user, and per-field reasons for invalid input.
type Error struct {
	Code    string
	Message string
	// Fields maps a field name (the JSON name) to a Msg, so the UI can show
	// the reason beside the field in the user's language.
	Fields map[string]Msg
	// RetryAfter is how long to wait before trying again (ERateLimited).
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Code + ": " + e.Message
	}
	names := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	s := e.Code + ": " + e.Message
	for _, n := range names {
		s += "; " + n + ": " + e.Fields[n].In("en")
	}
	return s
}

// Errorf returns an Error with the given code and message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EInternal for errors that are not *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EInternal
}

// ErrorMessage returns the user-safe message of err; internal errors get a
// generic message so that nothing about the system leaks.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// FieldErrors gathers every field's reason so validation reports all of them at once.
type FieldErrors map[string]Msg

// Add records the first reason for a field; later ones are dropped because
// one clear reason per field is what a form can show.
func (f FieldErrors) Add(field string, m Msg) {
	if _, ok := f[field]; !ok {
		f[field] = m
	}
}

// Err returns nil when there are no field errors.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Message: "输入有误，请检查标出的字段 / invalid input", Fields: map[string]Msg(f)}
}

// Merge adds a validation error's field reasons to f, so that checks made
// one after another can report every field at once, and tells whether err
// was such an error.
func (f FieldErrors) Merge(err error) bool {
	var ce *Error
	if !errors.As(err, &ce) || ce.Code != EInvalid || len(ce.Fields) == 0 {
		return false
	}
	for k, m := range ce.Fields {
		f.Add(k, m)
	}
	return true
}

// ErrRateLimited refuses a login attempt that must wait for wait.
func ErrRateLimited(wait time.Duration) error {
	return &Error{Code: ERateLimited, RetryAfter: wait,
		Message: "登录失败次数过多，请稍后再试 / too many failed logins; try again later"}
}

// ErrPasswordChange refuses a request of a user who must first replace a
// temporary password.
func ErrPasswordChange() error {
	return &Error{Code: EPasswordChange, Message: "请先修改临时密码 / change your temporary password first"}
}

// MessageIn returns the user-safe message of err in one language: messages
// written as "中文 / English" give the part of lang ("en" or anything else
// for Chinese), so a page never shows both.
func MessageIn(err error, lang string) string {
	return SplitMsg(ErrorMessage(err)).In(lang)
}

// SplitMsg reads a message written as "中文 / English" into its two
// languages; a message without the separator is the same in both.
func SplitMsg(s string) Msg {
	zh, en, ok := strings.Cut(s, " / ")
	if !ok {
		return Msg{ZH: s, EN: s}
	}
	return Msg{ZH: zh, EN: en}
}
