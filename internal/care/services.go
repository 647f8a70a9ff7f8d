package care

import (
	"strconv"
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

// Verification methods of a visit (SPEC §4), strongest first: the card's
// QR code and the elder's PIN are proof; a position is what the phone
// reports, and a phone can report any position (README "Verification").
var VerificationMethods = []Choice{
	{"qr", Msg{"扫服务卡二维码", "scanned the card's QR code"}},
	{"pin", Msg{"老人确认码", "the elder's PIN"}},
	{"geo", Msg{"手机定位（设备上报）", "phone position (reported by the device)"}},
	{"none", Msg{"未核验", "not verified"}},
	// household: another member's record of a household visit, verified
	// as the record of the member whose card or PIN was checked.
	{"household", Msg{"随同户记录核验", "verified with the household visit"}},
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
	// ByCommittee marks a visit the community committee organised (居委会
	// 组织): it counts for the committee's standards too.
	ByCommittee bool
	// HouseholdVisitID groups the records of one household visit (包户):
	// one record per member, the same id on each; "" for a record of its
	// own. The visit counts for every member; hours credit it once.
	HouseholdVisitID string
	Note             string
	AmountCents      int64
	Method           string // verification method
	Verified         bool
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

// LateAfter is how long after a service its record may be stored before it
// counts as entered late (补录) rather than on the spot.
const LateAfter = 2 * time.Hour

// Late reports whether the record was stored more than LateAfter after the
// service it describes: on the card and in inspection it is marked 补录.
func (r *ServiceRecord) Late() bool {
	return !r.EnteredAt.IsZero() && r.EnteredAt.Sub(r.At) > LateAfter
}

// Bounds of a record's values, checked wherever a record is made.
const (
	MaxNoteRunes   = 2000
	MaxAmountCents = 10_000_000 // 100,000 yuan
	MaxDuration    = 12 * time.Hour
	// DefaultLateEntry is how far back a volunteer may log a service.
	DefaultLateEntry = 48 * time.Hour
)

// EntryRules say when a service may be said to have happened, as judged
// at the moment its record is made.
type EntryRules struct {
	Now time.Time
	// LateEntry is how far back a volunteer may log a service; older
	// services are entered by community staff from the paper card.
	LateEntry time.Duration
	// ByVolunteer applies LateEntry (staff may enter up to a year back).
	ByVolunteer bool
}

// Validate checks a new record: what it is, its bounds and its times.
func (r *ServiceRecord) Validate(rules EntryRules) error {
	f := FieldErrors{}
	r.validateWhat(f)
	ValidateServiceTime(f, r.At, rules)
	if r.EndAt != nil && !r.At.IsZero() {
		switch {
		case r.EndAt.Before(r.At):
			f.Add("end_at", Msg{"结束时间不能早于开始时间", "the end cannot be before the start"})
		case r.EndAt.After(rules.Now.Add(10 * time.Minute)):
			f.Add("end_at", Msg{"结束时间不能在将来", "the end cannot be in the future"})
		case r.EndAt.Sub(r.At) > MaxDuration:
			f.Add("end_at", Msg{"一次服务最长12小时，请核对结束时间", "one service lasts at most 12 hours; check the end"})
		}
	}
	if r.ByCommittee && r.Kind != "life" && r.Kind != "spirit" && r.Kind != "festival" {
		f.Add("by_committee", Msg{"只有上门探访（生活照料、精神慰藉、节日探望）可以标为居委会组织", "only home visits (life, spirit, festival) can be marked as organised by the committee"})
	}
	if rules.ByVolunteer && r.Source != "spot" {
		f.Add("source", Msg{"志愿者只能记录现场服务；纸质服务卡上的记录请社区工作人员录入", "volunteers record on the spot only; community staff enter records from the paper card"})
	}
	return f.Err()
}

// ValidateServiceTime checks when a service is said to have happened: not
// in the future, not more than a year ago, and for a volunteer not longer
// ago than the late-entry window. Amendments that move a record obey it too.
func ValidateServiceTime(f FieldErrors, at time.Time, rules EntryRules) {
	switch {
	case at.IsZero():
		f.Add("at", MsgRequired)
	case at.After(rules.Now.Add(10 * time.Minute)):
		f.Add("at", Msg{"服务时间不能在将来", "the time of service cannot be in the future"})
	case at.Before(rules.Now.AddDate(-1, 0, 0)):
		f.Add("at", Msg{"服务时间早于一年前，请核对", "the time is more than a year ago; please check"})
	case rules.ByVolunteer && rules.LateEntry > 0 && at.Before(rules.Now.Add(-rules.LateEntry)):
		h := strconv.Itoa(int(rules.LateEntry / time.Hour))
		f.Add("at", Msg{"志愿者只能补记" + h + "小时内的服务；更早的服务请联系社区工作人员据纸质服务卡录入",
			"volunteers may log services up to " + h + " hours back; ask community staff to enter older ones from the paper card"})
	}
}

// ValidateAmount checks a record's amount against its type.
func ValidateAmount(f FieldErrors, cents int64, t ServiceType) {
	switch {
	case cents < 0:
		f.Add("amount_cents", Msg{"金额不能为负", "the amount cannot be negative"})
	case cents > MaxAmountCents:
		f.Add("amount_cents", Msg{"金额不能超过10万元，请核对", "the amount cannot exceed 100,000 yuan; please check"})
	case cents > 0 && !t.Amount:
		f.Add("amount_cents", Msg{"只有捐赠和节日探望可以记录金额", "only donations and festival visits carry an amount"})
	}
}

// ValidateNote checks a note's length.
func ValidateNote(f FieldErrors, note string) {
	if utf8.RuneCountInString(note) > MaxNoteRunes {
		f.Add("note", Msg{"备注最多2000字", "the note is at most 2,000 characters"})
	}
}

// validateWhat checks the type, amount, note, verification and source.
func (r *ServiceRecord) validateWhat(f FieldErrors) {
	t, ok := FindServiceType(r.Kind, r.Type)
	switch {
	case !isChoice(ServiceKinds, r.Kind):
		f.Add("kind", choiceMsg(r.Kind == ""))
	case !ok:
		f.Add("type", choiceMsg(r.Type == ""))
	}
	ValidateAmount(f, r.AmountCents, t)
	ValidateNote(f, r.Note)
	if !isChoice(VerificationMethods, r.Method) {
		f.Add("verification", MsgBadChoice)
	}
	if !isChoice(RecordSources, r.Source) {
		f.Add("source", MsgBadChoice)
	}
	if t.Opens != "" && strings.TrimSpace(r.Note) == "" {
		f.Add("note", Msg{"请写明老人反映的情况", "describe what the elder reported"})
	}
}

// ValidateAmended checks a record as an amendment would leave it: what it
// is, and its time only when the amendment moves it (the original's time
// may be long ago).
func (r *ServiceRecord) ValidateAmended(moved bool, rules EntryRules) error {
	f := FieldErrors{}
	r.validateWhat(f)
	if moved {
		ValidateServiceTime(f, r.At, rules)
	}
	return f.Err()
}

// ValidCoordinates checks a position sent by a phone.
func ValidCoordinates(f FieldErrors, lat, lon *float64) {
	if lat != nil && (*lat < -90 || *lat > 90 || *lat != *lat) {
		f.Add("lat", Msg{"纬度应在 -90 到 90 之间", "latitude must be between -90 and 90"})
	}
	if lon != nil && (*lon < -180 || *lon > 180 || *lon != *lon) {
		f.Add("lon", Msg{"经度应在 -180 到 180 之间", "longitude must be between -180 and 180"})
	}
}
