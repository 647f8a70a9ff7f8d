package care

import (
	"strings"
	"time"
	"unicode/utf8"
)

// ServiceType is a sub-type of one of the six kinds of service (SPEC §4).
type ServiceType struct {
	Kind  string
	Code  string
	Label Msg
	// Amount marks donations, which record goods or money.
	Amount bool
	// Opens tells which case a record of this type opens: "legal" (a
	// complaint tracked to resolution) or "emergency" (urgent).
	Opens string
}

// ServiceTypes is the catalogue of services, in the order the card lists them.
var ServiceTypes = []ServiceType{
	{Kind: "life", Code: "greeting", Label: Msg{"敲门问候", "knock-on-the-door greeting"}},
	{Kind: "life", Code: "shopping", Label: Msg{"买菜购物", "shopping"}},
	{Kind: "life", Code: "cooking", Label: Msg{"做饭", "cooking"}},
	{Kind: "life", Code: "housework", Label: Msg{"做家务", "housework"}},
	{Kind: "life", Code: "bathing", Label: Msg{"陪老人洗澡", "help with bathing"}},
	{Kind: "life", Code: "escort_doctor", Label: Msg{"陪同看病", "escort to the doctor"}},
	{Kind: "life", Code: "haircut", Label: Msg{"理发修甲", "haircut and nails"}},
	{Kind: "life", Code: "cleaning", Label: Msg{"打扫卫生", "cleaning"}},
	{Kind: "life", Code: "donation", Label: Msg{"捐赠物品或资金", "donation of goods or money"}, Amount: true},
	{Kind: "life", Code: "daily_care", Label: Msg{"日常照料", "daily care"}},
	{Kind: "spirit", Code: "chat", Label: Msg{"聊天交流", "chat"}},
	{Kind: "spirit", Code: "reading", Label: Msg{"讲故事、读书读报", "stories and reading"}},
	{Kind: "spirit", Code: "walk", Label: Msg{"陪同散步", "walk together"}},
	{Kind: "spirit", Code: "outing", Label: Msg{"陪同游览", "outing"}},
	{Kind: "spirit", Code: "culture", Label: Msg{"文化娱乐活动", "cultural activity"}},
	{Kind: "festival", Code: "festival_visit", Label: Msg{"节日探望", "festival visit"}, Amount: true},
	{Kind: "health", Code: "health_record", Label: Msg{"建立/更新健康档案", "health record update"}},
	{Kind: "health", Code: "health_inquiry", Label: Msg{"电话或登门问讯健康", "health inquiry"}},
	{Kind: "health", Code: "checkup", Label: Msg{"体检", "check-up"}},
	{Kind: "health", Code: "sick_care", Label: Msg{"生病时照顾", "care when ill"}},
	{Kind: "legal", Code: "complaint", Label: Msg{"听取反映、转交有关部门", "complaint heard and passed on"}, Opens: "legal"},
	{Kind: "emergency", Code: "safety_education", Label: Msg{"防灾避险、急救知识宣传", "safety education"}},
	{Kind: "emergency", Code: "emergency_help", Label: Msg{"应急求助", "emergency help request"}, Opens: "emergency"},
	{Kind: "emergency", Code: "repair", Label: Msg{"设施抢修", "emergency repair"}},
}

// FindServiceType returns the type of kind and code, or false.
func FindServiceType(kind, code string) (ServiceType, bool) {
	for _, t := range ServiceTypes {
		if t.Kind == kind && t.Code == code {
			return t, true
		}
	}
	return ServiceType{}, false
}

// ServiceTypeLabel is the label of a type in lang, or the code.
func ServiceTypeLabel(kind, code, lang string) string {
	if t, ok := FindServiceType(kind, code); ok {
		return t.Label.In(lang)
	}
	return code
}

// Verification methods of a visit (SPEC §4).
var VerificationMethods = []Choice{
	{"qr", Msg{"扫服务卡二维码", "scanned the card's QR code"}},
	{"pin", Msg{"老人确认码", "the elder's PIN"}},
	{"geo", Msg{"手机定位", "phone position"}},
	{"none", Msg{"未核验", "not verified"}},
}

// Sources of a record.
var RecordSources = []Choice{
	{"spot", Msg{"现场记录", "on the spot"}},
	{"paper", Msg{"据纸质服务卡录入", "copied from the paper card"}},
}

// ServiceRecord is one service on an elder's card. Records are never changed
// once stored; a correction is a new record that amends the original.
type ServiceRecord struct {
	ID          int64
	ElderID     int64
	Seq         int64 // position in the elder's hash chain
	Month       string
	Kind        string
	Type        string
	At          time.Time
	EndAt       *time.Time
	VolunteerID *int64 // who served, when a volunteer did
	ServedBy    string // name of who served (volunteer or organisation)
	Note        string
	AmountCents int64
	Method      string // verification method
	Verified    bool
	// VerifyDetail says how it was verified (distance in metres, card version).
	VerifyDetail string
	Source       string
	EnteredBy    string
	EnteredAt    time.Time
	Amends       *int64
	AmendReason  string
	// Changes are the corrected fields of an amendment (type, note, at,
	// amount_cents, void).
	Changes  map[string]any
	PrevHash string
	Hash     string
}

// Unverified reports whether the record carries a flag for inspection.
func (r *ServiceRecord) Unverified() bool { return !r.Verified && r.Amends == nil }

// Validate checks a new record; now bounds how far in the future a time may be.
func (r *ServiceRecord) Validate(now time.Time) error {
	f := FieldErrors{}
	t, ok := FindServiceType(r.Kind, r.Type)
	switch {
	case !isChoice(ServiceKinds, r.Kind):
		f.Add("kind", choiceMsg(r.Kind == ""))
	case !ok:
		f.Add("type", choiceMsg(r.Type == ""))
	}
	if r.At.IsZero() {
		f.Add("at", MsgRequired)
	} else if r.At.After(now.Add(10 * time.Minute)) {
		f.Add("at", Msg{"服务时间不能在将来", "the time of service cannot be in the future"})
	} else if r.At.Before(now.AddDate(-1, 0, 0)) {
		f.Add("at", Msg{"服务时间早于一年前，请核对", "the time is more than a year ago; please check"})
	}
	if r.EndAt != nil && r.EndAt.Before(r.At) {
		f.Add("end_at", Msg{"结束时间不能早于开始时间", "the end cannot be before the start"})
	}
	if r.AmountCents < 0 {
		f.Add("amount_cents", Msg{"金额不能为负", "the amount cannot be negative"})
	} else if r.AmountCents > 0 && !t.Amount {
		f.Add("amount_cents", Msg{"只有捐赠和节日探望可以记录金额", "only donations and festival visits carry an amount"})
	}
	if utf8.RuneCountInString(r.Note) > 500 {
		f.Add("note", MsgTooLong)
	}
	if !isChoice(VerificationMethods, r.Method) {
		f.Add("verification", MsgBadChoice)
	}
	if !isChoice(RecordSources, r.Source) {
		f.Add("source", MsgBadChoice)
	}
	if t.Opens != "" && strings.TrimSpace(r.Note) == "" {
		f.Add("note", Msg{"请写明老人反映的情况", "describe what the elder reported"})
	}
	return f.Err()
}
