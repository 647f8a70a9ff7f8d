// Package upward is the work information a community sends up to the
// street's station (issue 15 point 5): typical-experience reports (典型经验)
// and the monthly statistics report's submit-and-receive step. It holds the
// rules (fields, states, who may move a report on) and knows nothing of SQL
// or HTTP.
package upward

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"carecircle/internal/care"
)

// States of an experience report and of a month's report submission.
const (
	Draft     = "draft"     // written, not yet sent (experience reports only)
	Submitted = "submitted" // sent to the station
	Received  = "received"  // the station took it
	Returned  = "returned"  // the station sent it back with a reason
)

// States lists the states with their labels, in the order of the work.
var States = []care.Choice{
	{Code: Draft, Label: care.Msg{ZH: "草稿", EN: "Draft"}},
	{Code: Submitted, Label: care.Msg{ZH: "已上报", EN: "Submitted"}},
	{Code: Received, Label: care.Msg{ZH: "街道已接收", EN: "Received"}},
	{Code: Returned, Label: care.Msg{ZH: "已退回", EN: "Returned"}},
}

// Limits of an experience report's text.
const (
	MaxTitle  = 100
	MaxBody   = 5000
	MaxReason = 500
	MaxPhotos = 6
)

// Experience is a community's typical-experience report.
type Experience struct {
	ID          int64
	StreetID    int64
	CommunityID int64
	Community   string // the community's name, for lists
	Month       string // 2026-11: the month whose work it tells of
	Title       string
	Body        string
	Status      string
	Reason      string // why the station returned it
	PhotoIDs    []int64
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SubmittedAt time.Time
	SubmittedBy string
	ReadAt      time.Time // when the station first opened it
	ReadBy      string
	DecidedAt   time.Time // received or returned
	DecidedBy   string
}

var monthRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// ValidMonth reports whether s is a month written 2026-11.
func ValidMonth(s string) bool { return monthRE.MatchString(s) }

// MsgBadMonth is the reason for a month not written 2026-11.
var MsgBadMonth = care.Msg{ZH: "月份应写成 2026-11", EN: "the month is written like 2026-11"}

// Normalize trims the text fields.
func (e *Experience) Normalize() {
	e.Title, e.Body, e.Month = strings.TrimSpace(e.Title), strings.TrimSpace(e.Body), strings.TrimSpace(e.Month)
}

// Validate checks what community staff write, every field at once; the
// month may not be after thisMonth (a report tells of work done).
func (e *Experience) Validate(thisMonth string) error {
	f := care.FieldErrors{}
	switch {
	case e.Title == "":
		f.Add("title", care.MsgRequired)
	case utf8.RuneCountInString(e.Title) > MaxTitle:
		f.Add("title", care.Msg{ZH: "标题不超过100字", EN: "the title is at most 100 characters"})
	}
	switch {
	case e.Body == "":
		f.Add("body", care.MsgRequired)
	case utf8.RuneCountInString(e.Body) > MaxBody:
		f.Add("body", care.Msg{ZH: "正文不超过5000字", EN: "the text is at most 5,000 characters"})
	}
	switch {
	case e.Month == "":
		f.Add("month", care.MsgRequired)
	case !ValidMonth(e.Month):
		f.Add("month", MsgBadMonth)
	case e.Month > thisMonth:
		f.Add("month", care.Msg{ZH: "不能是将来的月份", EN: "cannot be a month still to come"})
	}
	if len(e.PhotoIDs) > MaxPhotos {
		f.Add("photo_ids", care.Msg{ZH: "照片最多6张", EN: "at most 6 photos"})
	}
	return f.Err()
}

// Editable reports whether community staff may still change the report:
// a draft, or a report the station returned.
func (e *Experience) Editable() bool { return e.Status == Draft || e.Status == Returned }

// Move checks that role may move a report (or a submission) from state
// from to state to, with reason (required to return). Community staff
// submit a draft or a returned report; the station receives or returns a
// submitted one. The error names the field "status" or "reason".
func Move(role, from, to, reason string) error {
	f := care.FieldErrors{}
	switch to {
	case Submitted:
		if role != care.RoleCommunity {
			return care.ErrForbidden()
		}
		if from != Draft && from != Returned && from != "" {
			f.Add("status", care.Msg{ZH: "已上报，等待街道接收，不能重复上报", EN: "already submitted; the station has not yet received or returned it"})
			if from == Received {
				f["status"] = care.Msg{ZH: "街道已接收，不能再上报", EN: "the station has received it; it cannot be submitted again"}
			}
		}
	case Received, Returned:
		if role != care.RoleStation {
			return care.ErrForbidden()
		}
		if from != Submitted {
			f.Add("status", care.Msg{ZH: "只有已上报、待接收的才能接收或退回", EN: "only a submitted report can be received or returned"})
		}
		if to == Returned && strings.TrimSpace(reason) == "" {
			f.Add("reason", care.Msg{ZH: "退回时须写明原因", EN: "say why it is returned"})
		}
	default:
		f.Add("status", care.Msg{ZH: "状态应为 submitted（上报）、received（接收）或 returned（退回）", EN: "the status is submitted, received or returned"})
	}
	if utf8.RuneCountInString(reason) > MaxReason {
		f.Add("reason", care.Msg{ZH: "原因不超过500字", EN: "the reason is at most 500 characters"})
	}
	return f.Err()
}

// Submission is a community's monthly report on its way up: submitted by
// the community, received (or returned) by the station.
type Submission struct {
	CommunityID int64
	Community   string
	Month       string
	Status      string // "" when the community has not submitted yet
	SubmittedAt time.Time
	SubmittedBy string
	DecidedAt   time.Time
	DecidedBy   string
	Reason      string
}

// MonthEnded reports whether month (2026-11) has ended by today: a month's
// report is submitted once the month is over.
func MonthEnded(month string, today time.Time) bool {
	return month < today.Format("2006-01")
}
