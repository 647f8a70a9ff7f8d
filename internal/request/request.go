// Package request holds the pure rules of requests for help (按需服务):
// what a request must say, which status changes are allowed, when a
// request is overdue, and how volunteers are suggested for dispatch.
// It has no SQL and no HTTP; internal/store keeps requests and calls it.
package request

import (
	"sort"
	"strings"
	"time"

	"carecircle/internal/care"
)

// Statuses of a request. open → dispatched → accepted → done;
// dispatched → declined (back to the community, which may dispatch again);
// any status but done may become cancelled.
const (
	Open       = "open"
	Dispatched = "dispatched"
	Accepted   = "accepted"
	Declined   = "declined"
	Done       = "done"
	Cancelled  = "cancelled"
)

// Urgencies of a request.
var Urgencies = []care.Choice{
	{Code: "normal", Label: care.Msg{ZH: "一般", EN: "normal"}},
	{Code: "soon", Label: care.Msg{ZH: "尽快", EN: "soon"}},
	{Code: "urgent", Label: care.Msg{ZH: "紧急", EN: "urgent"}},
}

// Channels: who recorded the request and on whose behalf.
var Channels = []care.Choice{
	{Code: "phone", Label: care.Msg{ZH: "社区（电话）", EN: "community (phone call)"}},
	{Code: "volunteer", Label: care.Msg{ZH: "结对志愿者", EN: "the elder's volunteer"}},
	{Code: "family", Label: care.Msg{ZH: "家属（经社区）", EN: "family (through staff)"}},
}

// AcceptWithin is how long a dispatched request may wait for acceptance.
const AcceptWithin = 2 * time.Hour

// Request is one request for help.
type Request struct {
	ID         string
	Elder      string
	Community  string
	Kind       string // one of care.ServiceKinds
	Type       string // a care.ServiceTypes code of that kind; "" when unknown
	Urgency    string
	WantedBy   time.Time
	Note       string
	Channel    string
	Status     string
	Assignee   string // volunteer id once dispatched
	Dispatched time.Time
	ServiceID  string // the service record that fulfilled it (done)
	Created    time.Time
}

func choice(cs []care.Choice, c string) bool {
	for _, x := range cs {
		if x.Code == c {
			return true
		}
	}
	return false
}

// Validate names each field that is wrong and why.
func Validate(r *Request) care.FieldErrors {
	f := care.FieldErrors{}
	if r.Elder == "" {
		f.Add("elder_id", care.Msg{ZH: "必填：老人", EN: "required: the elder"})
	}
	if !choice(care.ServiceKinds, r.Kind) {
		f.Add("kind", care.Msg{ZH: "须为六类服务之一", EN: "must be one of the six kinds of service"})
	} else if r.Type != "" {
		if _, ok := care.FindServiceType(r.Kind, r.Type); !ok {
			f.Add("type", care.Msg{ZH: "不是该类服务的项目", EN: "not a service type of this kind"})
		}
	}
	if !choice(Urgencies, r.Urgency) {
		f.Add("urgency", care.Msg{ZH: "须为一般、尽快或紧急", EN: "must be normal, soon or urgent"})
	}
	if !choice(Channels, r.Channel) {
		f.Add("channel", care.Msg{ZH: "须为社区电话、结对志愿者或家属", EN: "must be phone, volunteer or family"})
	}
	if r.WantedBy.IsZero() {
		f.Add("wanted_by", care.Msg{ZH: "必填：需要时间", EN: "required: when help is wanted"})
	}
	if len([]rune(r.Note)) > 1000 {
		f.Add("note", care.Msg{ZH: "最多1000字", EN: "at most 1000 characters"})
	}
	return f
}

// next lists the allowed status changes.
var next = map[string][]string{
	Open:       {Dispatched, Cancelled},
	Dispatched: {Accepted, Declined, Dispatched, Cancelled},
	Declined:   {Dispatched, Cancelled},
	Accepted:   {Done, Cancelled},
}

// CanMove tells whether a request in status from may move to to.
func CanMove(from, to string) bool {
	for _, s := range next[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Overdue tells why a request is overdue at now ("" when it is not):
// "not_accepted" when dispatched more than AcceptWithin ago and still not
// accepted (or, never dispatched or declined, made more than AcceptWithin
// ago), "not_done" when the wanted time has passed and it is not done.
func Overdue(r *Request, now time.Time) string {
	switch r.Status {
	case Done, Cancelled:
		return ""
	}
	if r.Status == Dispatched && !r.Dispatched.IsZero() && now.Sub(r.Dispatched) > AcceptWithin {
		return "not_accepted"
	}
	// Never dispatched, or declined and not dispatched again: nobody has
	// taken it since it was made.
	if (r.Status == Open || r.Status == Declined) && !r.Created.IsZero() && now.Sub(r.Created) > AcceptWithin {
		return "not_accepted"
	}
	if !r.WantedBy.IsZero() && now.After(r.WantedBy) {
		return "not_done"
	}
	return ""
}

// Candidate is a volunteer who might take a request.
type Candidate struct {
	ID       string
	InCircle bool    // already paired with the elder
	Metres   float64 // distance to the elder; <0 when unknown
	Skills   []string
	Load     int // requests accepted or dispatched and not yet done
}

// Rank orders candidates for a request: the elder's own circle first, then
// those with a skill matching the kind, then the lightest load, then the
// nearest (unknown distance last), then by id so the order is stable.
func Rank(kind string, cs []Candidate) []Candidate {
	out := append([]Candidate(nil), cs...)
	skill := func(c Candidate) bool {
		for _, s := range c.Skills {
			if s == kind {
				return true
			}
		}
		return false
	}
	dist := func(c Candidate) float64 {
		if c.Metres < 0 {
			return 1e18
		}
		return c.Metres
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.InCircle != b.InCircle {
			return a.InCircle
		}
		if sa, sb := skill(a), skill(b); sa != sb {
			return sa
		}
		if a.Load != b.Load {
			return a.Load < b.Load
		}
		if da, db := dist(a), dist(b); da != db {
			return da < db
		}
		return a.ID < b.ID
	})
	return out
}

// Statuses lists the statuses with their labels, in the order of a
// request's life.
var Statuses = []care.Choice{
	{Code: Open, Label: care.Msg{ZH: "待派单", EN: "open"}},
	{Code: Dispatched, Label: care.Msg{ZH: "已派单待接单", EN: "dispatched"}},
	{Code: Accepted, Label: care.Msg{ZH: "已接单", EN: "accepted"}},
	{Code: Declined, Label: care.Msg{ZH: "被婉拒待改派", EN: "declined"}},
	{Code: Done, Label: care.Msg{ZH: "已完成", EN: "done"}},
	{Code: Cancelled, Label: care.Msg{ZH: "已取消", EN: "cancelled"}},
}

// OverdueReasons labels what Overdue returns.
var OverdueReasons = []care.Choice{
	{Code: "not_accepted", Label: care.Msg{ZH: "超时：2小时内无人接单", EN: "overdue: not accepted within 2 hours"}},
	{Code: "not_done", Label: care.Msg{ZH: "超时：已过需要时间仍未完成", EN: "overdue: not done by the wanted time"}},
}

// Label is the label of code in cs (the code itself when unknown).
func Label(cs []care.Choice, code string) care.Msg {
	for _, c := range cs {
		if c.Code == code {
			return c.Label
		}
	}
	return care.Msg{ZH: code, EN: code}
}

// skillWords are the words of a volunteer's free-text skills (技能特长)
// that suit each kind of help.
var skillWords = map[string][]string{
	"life":      {"买菜", "购物", "做饭", "打扫", "家务", "保洁", "洗澡", "理发", "缝补", "维修", "代缴", "代办", "送餐", "助餐"},
	"spirit":    {"聊天", "谈心", "读报", "散步", "心理", "文艺", "书法", "摄影", "智能手机", "陪伴"},
	"festival":  {"慰问", "探亲", "节日"},
	"health":    {"健康", "血压", "血糖", "康复", "陪诊", "用药", "慢病", "急救", "护理", "医"},
	"legal":     {"法律", "政策", "调解", "维权", "救助申请"},
	"emergency": {"应急", "急救", "救助"},
}

// SkillFits reports whether a skill suits a request of kind and type: the
// kind's code or label, the type's label, or a word of the kind in it.
func SkillFits(kind, typ, skill string) bool {
	if skill == "" {
		return false
	}
	if skill == kind || skill == Label(care.ServiceKinds, kind).ZH {
		return true
	}
	if t, ok := care.FindServiceType(kind, typ); ok && (strings.Contains(t.Label.ZH, skill) || strings.Contains(skill, t.Label.ZH)) {
		return true
	}
	for _, w := range skillWords[kind] {
		if strings.Contains(skill, w) {
			return true
		}
	}
	return false
}
