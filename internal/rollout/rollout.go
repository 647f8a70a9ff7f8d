// Package rollout holds the rules of the programme's rollout (工作推进,
// SPEC §8, the documents' 实施步骤): the phases a community goes through —
// launch with its implementation plan, the pilot survey that builds the
// registry and ends with the station's approval of the elder list,
// supervision, experience exchange — what is outstanding in each, and the
// forms of a supervision visit and an exchange meeting. It is pure: no
// SQL, no HTTP, no clock (the caller passes today).
package rollout

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"carecircle/internal/care"
)

// Phases of a community, in the documents' order (实施步骤).
const (
	PhaseNotJoined   = "not_joined"  // not yet in the programme: the station spreads it here later
	PhaseLaunch      = "launch"      // 启动实施: the community writes its implementation plan
	PhasePilot       = "pilot"       // 进行试点: survey, classify, review, count; ends with the approved list
	PhaseSupervision = "supervision" // 督导检查: the street checks the pilot
	PhaseExchange    = "exchange"    // 交流经验: the community takes part in a 座谈会
	PhaseRegular     = "regular"     // 全面推开: every phase done
)

// Phases names the phases in order.
var Phases = []care.Choice{
	{Code: PhaseNotJoined, Label: care.Msg{ZH: "未纳入", EN: "not yet joined"}},
	{Code: PhaseLaunch, Label: care.Msg{ZH: "启动实施", EN: "launch"}},
	{Code: PhasePilot, Label: care.Msg{ZH: "进行试点（调查摸底）", EN: "pilot (needs survey)"}},
	{Code: PhaseSupervision, Label: care.Msg{ZH: "督导检查", EN: "supervision"}},
	{Code: PhaseExchange, Label: care.Msg{ZH: "交流经验", EN: "experience exchange"}},
	{Code: PhaseRegular, Label: care.Msg{ZH: "全面推开", EN: "running in full"}},
}

// Facts are what the store knows of one community's rollout.
type Facts struct {
	Joined             bool
	HasPlan            bool
	InService          int // elders active or paused
	Surveyed           int // of them, with a survey on record
	PendingProposals   int
	Approved           bool
	AddedSinceApproval int // elders registered after the approval
	Supervisions       int
	Meetings           int
}

// Progress is a community's phase and what is outstanding in it, most
// pressing first.
type Progress struct {
	Phase       string
	Outstanding []care.Msg
}

// Assess places a community in its phase: the first phase whose work is
// not done. Outstanding lists every open item of the phases reached, so a
// community that is behind on surveys while already supervised still sees
// them.
func Assess(f Facts) Progress {
	if !f.Joined {
		return Progress{Phase: PhaseNotJoined, Outstanding: []care.Msg{{ZH: "尚未纳入本街道的关爱老人志愿帮扶活动", EN: "not yet part of the street's programme"}}}
	}
	var out []care.Msg
	phase := ""
	set := func(p string) {
		if phase == "" {
			phase = p
		}
	}
	if !f.HasPlan {
		set(PhaseLaunch)
		out = append(out, care.Msg{ZH: "未提交社区实施方案", EN: "no implementation plan yet"})
	}
	// The pilot ends with the station's approval of the list; elders
	// not surveyed or proposals left after it stay outstanding.
	if !f.Approved {
		set(PhasePilot)
	}
	if n := f.InService - f.Surveyed; n > 0 {
		out = append(out, care.Msg{ZH: fmt.Sprintf("%d 位老人尚未调查摸底", n), EN: fmt.Sprintf("%d elder(s) not yet surveyed", n)})
	}
	if f.PendingProposals > 0 {
		out = append(out, care.Msg{ZH: fmt.Sprintf("%d 份调查待社区审核", f.PendingProposals), EN: fmt.Sprintf("%d survey proposal(s) awaiting review", f.PendingProposals)})
	}
	if !f.Approved {
		out = append(out, care.Msg{ZH: "老年人名单未经街道审核", EN: "the elder list is not approved by the station"})
	} else if f.AddedSinceApproval > 0 {
		out = append(out, care.Msg{ZH: fmt.Sprintf("审核后新增 %d 位老人，名单待重新审核", f.AddedSinceApproval),
			EN: fmt.Sprintf("%d elder(s) added since the approval; the list awaits approval again", f.AddedSinceApproval)})
	}
	if f.Supervisions == 0 {
		set(PhaseSupervision)
		out = append(out, care.Msg{ZH: "街道尚未督导检查", EN: "not yet supervised by the street"})
	}
	if f.Meetings == 0 {
		set(PhaseExchange)
		out = append(out, care.Msg{ZH: "尚未参加经验交流座谈会", EN: "has not yet taken part in an experience exchange"})
	}
	set(PhaseRegular)
	return Progress{Phase: phase, Outstanding: out}
}

// PhaseIndex is the position of a phase in Phases (for sorting and bars).
func PhaseIndex(code string) int {
	for i, p := range Phases {
		if p.Code == code {
			return i
		}
	}
	return -1
}

// CheckItem is one line of a supervision checklist.
type CheckItem struct {
	Item string `json:"item"`
	OK   bool   `json:"ok"`
	Note string `json:"note,omitempty"`
}

// Checklist is the default supervision checklist, taken from what the
// documents ask of a community (实施方案, 调查摸底, 信息库, 帮扶协议,
// 服务卡, 每月检查签字, 责任卡).
var Checklist = []care.Msg{
	{ZH: "制定了社区实施方案", EN: "the community has its implementation plan"},
	{ZH: "完成调查摸底，老人分类准确", EN: "the survey is done and elders are classified correctly"},
	{ZH: "老年人信息库建立健全", EN: "the elder registry is complete"},
	{ZH: "志愿者结对并签订帮扶协议", EN: "volunteers are paired and agreements signed"},
	{ZH: "服务卡记录及时、真实", EN: "service cards are filled in promptly and truthfully"},
	{ZH: "每月检查并签字认可", EN: "cards are inspected and signed monthly"},
	{ZH: "责任卡明确帮扶责任人", EN: "responsibility cards name the responsible person"},
}

// Supervision is a supervision visit (督导检查) of one community.
type Supervision struct {
	ID          int64
	CommunityID int64
	VisitedOn   time.Time
	Inspectors  string
	Checklist   []CheckItem
	Findings    string
	By          string
	CreatedAt   time.Time
}

// Normalize trims what people type and drops empty checklist lines.
func (s *Supervision) Normalize() {
	s.Inspectors = strings.TrimSpace(s.Inspectors)
	s.Findings = strings.TrimSpace(s.Findings)
	var items []CheckItem
	for _, c := range s.Checklist {
		c.Item, c.Note = strings.TrimSpace(c.Item), strings.TrimSpace(c.Note)
		if c.Item != "" {
			items = append(items, c)
		}
	}
	s.Checklist = items
}

// Validate checks every field at once; today is the programme's day.
func (s *Supervision) Validate(today time.Time) error {
	f := care.FieldErrors{}
	if s.CommunityID <= 0 {
		f.Add("community_id", care.MsgRequired)
	}
	checkDay(f, "visited_on", s.VisitedOn, today)
	checkText(f, "inspectors", s.Inspectors, true, 200)
	if len(s.Checklist) == 0 {
		f.Add("checklist", care.Msg{ZH: "请至少填写一项检查内容", EN: "give at least one checklist item"})
	}
	for i, c := range s.Checklist {
		checkText(f, fmt.Sprintf("checklist[%d].item", i), c.Item, true, 100)
		checkText(f, fmt.Sprintf("checklist[%d].note", i), c.Note, false, 500)
	}
	checkText(f, "findings", s.Findings, true, 4000)
	return f.Err()
}

// Meeting is an experience exchange (座谈会) of the street.
type Meeting struct {
	ID           int64
	HeldOn       time.Time
	Place        string
	Participants string
	CommunityIDs []int64
	Minutes      string
	Lessons      string
	By           string
	CreatedAt    time.Time
}

// Normalize trims what people type and drops repeated communities.
func (m *Meeting) Normalize() {
	m.Place, m.Participants = strings.TrimSpace(m.Place), strings.TrimSpace(m.Participants)
	m.Minutes, m.Lessons = strings.TrimSpace(m.Minutes), strings.TrimSpace(m.Lessons)
	var ids []int64
	for _, id := range m.CommunityIDs {
		dup := false
		for _, x := range ids {
			dup = dup || x == id
		}
		if !dup {
			ids = append(ids, id)
		}
	}
	m.CommunityIDs = ids
}

// Validate checks every field at once.
func (m *Meeting) Validate(today time.Time) error {
	f := care.FieldErrors{}
	checkDay(f, "held_on", m.HeldOn, today)
	checkText(f, "place", m.Place, false, 100)
	checkText(f, "participants", m.Participants, true, 1000)
	if len(m.CommunityIDs) == 0 {
		f.Add("community_ids", care.Msg{ZH: "请选择参加座谈会的社区", EN: "choose the communities that took part"})
	}
	checkText(f, "minutes", m.Minutes, true, 8000)
	checkText(f, "lessons", m.Lessons, true, 4000)
	return f.Err()
}

// ValidatePlan checks a written implementation plan; attached says an
// uploaded file stands in for the text.
func ValidatePlan(text string, attached bool) error {
	f := care.FieldErrors{}
	checkText(f, "plan_text", strings.TrimSpace(text), !attached, 20000)
	return f.Err()
}

func checkDay(f care.FieldErrors, field string, d, today time.Time) {
	switch {
	case d.IsZero():
		f.Add(field, care.MsgRequired)
	case d.After(today):
		f.Add(field, care.MsgFutureDate)
	}
}

func checkText(f care.FieldErrors, field, v string, required bool, max int) {
	if v == "" {
		if required {
			f.Add(field, care.MsgRequired)
		}
		return
	}
	if utf8.RuneCountInString(v) > max {
		f.Add(field, care.MsgTooLong)
	}
}
