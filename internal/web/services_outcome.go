package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/api"
	"carecircle/internal/care"
	"carecircle/internal/store"
)

// Every service action answers in place: what was stored, naming the elder
// and the service, or why nothing was stored. Never silence.

// newAttemptKey names one rendered form: the same form sent twice (a double
// tap, a reload, a retry after a lost answer) stores one record.
func newAttemptKey() string { return randomString() }

// formAttempt is the attempt a posted form names: its hidden key, or the
// Idempotency-Key header a script may send. Without a key the write is
// unnamed (as before keys existed).
func formAttempt(r *http.Request, f *form, fingerprint string) store.Attempt {
	key := f.str("idempotency_key")
	if key == "" {
		key = strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	}
	if key == "" {
		return store.Attempt{}
	}
	return store.Attempt{Key: key, Fingerprint: fingerprint}
}

// refusable reports whether err is a refusal to show beside the action
// (the person can act on it) rather than a failure of the server.
func refusable(err error) bool {
	switch care.ErrorCode(err) {
	case care.EInvalid, care.EConflict, care.EForbidden, care.ENotFound, care.EMonthNotEnded:
		return true
	}
	return false
}

// inLang picks the page's half of a "中文 / English" message.
func inLang(lang, msg string) string {
	zh, en, ok := strings.Cut(msg, " / ")
	if !ok {
		return msg
	}
	if lang == "en" {
		return en
	}
	return zh
}

// refusal says why a service was not recorded, in the page's language.
func refusal(p *page, err error) string { return p.T("没有记录") + p.T("：") + reason(p, err) }

// reason says why an action was refused, in the page's language: the
// field messages of invalid input, the message of a conflict.
func reason(p *page, err error) string {
	var why string
	switch care.ErrorCode(err) {
	case care.EInvalid:
		var ce *care.Error
		if e, ok := err.(*care.Error); ok {
			ce = e
		}
		var msgs []string
		if ce != nil {
			names := make([]string, 0, len(ce.Fields))
			for k := range ce.Fields {
				names = append(names, k)
			}
			slices.Sort(names)
			for _, k := range names {
				msgs = append(msgs, ce.Fields[k].In(p.Lang))
			}
		}
		why = strings.Join(msgs, p.T("；"))
		if why == "" {
			why = care.MessageIn(err, p.Lang)
		}
	case care.ENotFound:
		why = p.T("找不到这位老人，或您已不再为其服务")
	case care.EForbidden:
		why = p.T("您没有为这位老人记录这项服务的权限")
	case care.EConflict, care.EMonthNotEnded:
		why = care.MessageIn(err, p.Lang)
	default:
		why = p.T("出错了，请稍后再试")
	}
	return why
}

// refusalStatus is the HTTP status of a refusal (422, 409, 403, 404).
func refusalStatus(err error) int { return api.Status(err) }

// recordedNotice confirms a stored record: the service, the elder, when;
// for a record that opened a case, its number and who can see it.
func (s *Server) recordedNotice(ctx context.Context, p *page, rec *care.ServiceRecord, e *care.Elder) string {
	when := rec.At.In(s.db.Loc)
	at := when.Format("15:04")
	if when.Format(time.DateOnly) != s.db.Now().In(s.db.Loc).Format(time.DateOnly) {
		at = when.Format("01-02 15:04")
	}
	msg := p.T("已记录") + p.T("：") + care.ServiceTypeLabel(rec.Kind, rec.Type, p.Lang) + " · " + e.Name + " · " + at
	if rec.Late() {
		msg += " · " + p.T("补录")
	}
	t, _ := care.FindServiceType(rec.Kind, rec.Type)
	if t.Opens == "" {
		return msg
	}
	community := p.T("社区居委会")
	if c, err := s.db.GetCommunity(ctx, p.Actor, e.CommunityID); err == nil {
		community = c.Name + p.T("居委会")
	}
	caseNo := "?"
	if cases, err := s.db.Cases(ctx, p.Actor, false); err == nil {
		for _, c := range cases {
			if c.RecordID == rec.ID {
				caseNo = strconv.FormatInt(c.ID, 10)
				break
			}
		}
	}
	if t.Opens == "emergency" {
		// There are no text messages yet: say truthfully who can see it,
		// and that a call is still the volunteer's to make.
		msg += p.T("。") + fmt.Sprintf(p.T("已通知%s和街道服务站：案件 #%s 已置顶在他们的首页和案件列表（系统暂不发短信）。"), community, caseNo)
		msg += p.T("情况危急请立即拨打 120")
		if len(e.EmergencyContacts) > 0 {
			var who []string
			for _, c := range e.EmergencyContacts {
				who = append(who, c.Name+" "+c.Phone)
			}
			msg += p.T("，并电话告知紧急联系人：") + strings.Join(who, p.T("、"))
		}
		return strings.TrimSpace(msg + p.T("。"))
	}
	return msg + p.T("。") + fmt.Sprintf(p.T("案件 #%s 已交%s跟进，可在案件列表查看进展。"), caseNo, community)
}

// doneNotice is the confirmation of ?done=RECORD after a form was sent
// without JavaScript (post, redirect, get): the record as the actor may see
// it, or nothing.
func (s *Server) doneNotice(r *http.Request, p *page, done string) (int64, string) {
	id, err := strconv.ParseInt(done, 10, 64)
	if err != nil || id <= 0 {
		return 0, ""
	}
	rec, err := s.db.GetRecord(r.Context(), p.Actor, id)
	if err != nil {
		return 0, ""
	}
	e, err := s.db.GetElder(r.Context(), p.Actor, rec.ElderID)
	if err != nil {
		return 0, ""
	}
	return rec.ElderID, s.recordedNotice(r.Context(), p, rec, e)
}
