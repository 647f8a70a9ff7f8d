package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// serviceTerms say what each of the six services means in an agreement, in
// the programme documents' words.
var serviceTerms = map[string]care.Msg{
	"life":      {ZH: "每日敲门问候，了解老人需求，帮老人买菜、做饭、做家务、陪老人洗澡、看病等", EN: "a daily knock on the door; shopping, cooking, housework, help with bathing and doctor's visits as needed"},
	"spirit":    {ZH: "定期陪老人聊天交流，讲故事、读书读报，陪老人散步、游览，参与文化娱乐活动", EN: "regular conversation, stories and reading, walks and outings, cultural activities"},
	"festival":  {ZH: "春节、元宵节、重阳节、中秋节及老人生日等节日上门探望，陪老人过节", EN: "visits at the Spring Festival, Lantern Festival, Double Ninth, Mid-Autumn and the elder's birthday"},
	"health":    {ZH: "协助建立健康档案、定期体检，老人生病时及时就医和照顾", EN: "health record, regular check-ups, prompt care when ill"},
	"legal":     {ZH: "听取老人反映的问题，及时向有关部门反馈，协助依法调处涉老纠纷", EN: "listening to the elder's concerns and passing them on, help with disputes"},
	"emergency": {ZH: "宣传防灾避险、急救知识，遇紧急情况及时救助并通知家属和社区", EN: "safety and first-aid advice; help in emergencies and informing family and community"},
}

// kindStandards are each role's visit standard (服务要求) from the programme.
var kindStandards = map[string]care.Msg{
	"neighbour": {ZH: "敲门问候每天至少1次，聊天至少每周2次，在老人需要时帮助其购物、做家务、陪老人洗澡、看病等", EN: "a greeting at least once a day, a chat at least twice a week, help whenever needed"},
	"social":    {ZH: "至少每月到老人家探望一次，重大节日期间须进行探亲服务，在老人需要时提供帮助", EN: "a visit at least once a month and at every major festival, help whenever needed"},
	"committee": {ZH: "组织志愿者至少每月探望一次，重大节日期间必须进行探亲服务，为老人捐助必要的生活用品或资金", EN: "visits organised at least monthly and at every major festival, with goods or money as needed"},
	"clinic":    {ZH: "至少每半月一次电话或登门问讯健康情况，每季度至少体检一次，老人生病时随叫随到", EN: "a health inquiry at least every half-month, a check-up at least every quarter, on call when ill"},
}

type agreementData struct {
	Pairing   *store.Pairing
	Elder     *care.Elder
	Member    store.TeamMember
	Community string
	Age       int
	Agreement *store.Agreement // nil until recorded
	Form      *agreementForm   // non-nil: show the form instead
	Terms     []care.Msg       // the chosen services' terms
	Standard  care.Msg
	Parties   []care.Choice
}

type agreementForm struct {
	Services          []string
	StartOn, SignedOn string
	Terms             string
	Signatories       []store.Signatory
}

func (s *Server) agreementPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.showAgreement(w, r, p, nil, http.StatusOK)
}

// showAgreement shows the agreement in force, print-ready, or the form to
// record one (when none is recorded, when renewing with ?edit=1, or with
// the rejected input of form).
func (s *Server) showAgreement(w http.ResponseWriter, r *http.Request, p *page, form *agreementForm, status int) error {
	pr, err := s.pairingFromPath(r, p)
	if err != nil {
		return err
	}
	ctx := r.Context()
	e, err := s.db.GetElder(ctx, p.Actor, pr.ElderID)
	if err != nil {
		return err
	}
	d := agreementData{Pairing: pr, Elder: e, Form: form, Parties: store.AgreementParties}
	team, err := s.db.ElderTeam(ctx, p.Actor, e.ID)
	if err != nil {
		return err
	}
	for _, m := range team {
		if m.ID == pr.ID {
			d.Member = m
		}
	}
	if c, err := s.db.GetCommunity(ctx, p.Actor, e.CommunityID); err == nil {
		d.Community = c.Name
	}
	if !e.BirthDate.IsZero() {
		d.Age = care.Age(e.BirthDate, s.db.Today())
	}
	d.Agreement, err = s.db.AgreementOf(ctx, p.Actor, pr.ID)
	if err != nil && care.ErrorCode(err) != care.ENotFound {
		return err
	}
	canEdit := p.Actor.EditsRegistry() && pr.EndedOn == nil
	if d.Form == nil && canEdit && (d.Agreement == nil || r.URL.Query().Get("edit") == "1") {
		d.Form = s.defaultAgreementForm(&d)
	}
	if d.Form == nil && d.Agreement == nil {
		return care.ErrNotFound("帮扶协议 / agreement")
	}
	if d.Agreement != nil {
		for _, code := range d.Agreement.Services {
			d.Terms = append(d.Terms, serviceTerms[code])
		}
	}
	d.Standard = kindStandards[d.Member.Kind]
	p.Title, p.Active, p.Data = "帮扶协议", "pairing", d
	s.render(w, status, "pairing_agreement", p)
	return nil
}

// defaultAgreementForm starts from the agreement in force, else from the
// pairing: its start, today's signature, the services the elder needs and
// the three parties by name.
func (s *Server) defaultAgreementForm(d *agreementData) *agreementForm {
	if ag := d.Agreement; ag != nil {
		return &agreementForm{Services: ag.Services, StartOn: pairingDate(ag.StartOn), SignedOn: pairingDate(s.db.Today()),
			Terms: ag.Terms, Signatories: padSignatories(ag.Signatories)}
	}
	f := &agreementForm{Services: d.Elder.Needs, StartOn: pairingDate(d.Pairing.StartedOn), SignedOn: pairingDate(s.db.Today())}
	if len(f.Services) == 0 {
		f.Services = []string{"life", "spirit"}
	}
	f.Signatories = padSignatories([]store.Signatory{{Party: "elder", Name: d.Elder.Name}, {Party: "volunteer", Name: d.Member.Name},
		{Party: "community", Name: d.Community + "居委会"}})
	return f
}

// padSignatories leaves room on the form for a guardian or a clinic.
func padSignatories(ss []store.Signatory) []store.Signatory {
	out := slices.Clone(ss)
	for len(out) < 5 {
		out = append(out, store.Signatory{})
	}
	return out
}

// pairingDate formats a date as the forms want it, "" for none.
func pairingDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func (s *Server) agreementRecord(w http.ResponseWriter, r *http.Request, p *page) error {
	pr, err := s.pairingFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	ag := &store.Agreement{PairingID: pr.ID, Services: f.list("services"), StartOn: f.date("start_on"), SignedOn: f.date("signed_on"), Terms: f.str("terms")}
	parties, names := f.r.PostForm["sig_party"], f.r.PostForm["sig_name"]
	for i := range parties {
		if n := strings.TrimSpace(at(names, i)); n != "" {
			ag.Signatories = append(ag.Signatories, store.Signatory{Party: parties[i], Name: n})
		}
	}
	if len(f.errs) == 0 {
		err = s.db.RecordAgreement(r.Context(), p.Actor, ag)
	}
	if err != nil || len(f.errs) > 0 {
		form := &agreementForm{Services: ag.Services, StartOn: f.str("start_on"), SignedOn: f.str("signed_on"), Terms: ag.Terms,
			Signatories: padSignatories(ag.Signatories)}
		return s.formFailed(w, r, p, f, err, func(status int) error { return s.showAgreement(w, r, p, form, status) })
	}
	http.Redirect(w, r, "/pairings/"+r.PathValue("id")+"/agreement", http.StatusSeeOther)
	return nil
}

// responsibilityData is the responsibility card (责任卡): the elder's basic facts,
// every member of the team with phones, the responsible person first, and
// the clinic, with lines to write down what was done.
type responsibilityData struct {
	Elder      *care.Elder
	Age        int
	Categories []string
	Community  string
	Team       []store.TeamMember
	Agreements map[int64]store.Agreement
	Clinic     *care.Clinic
	Mode       string
	Today      string
	Lines      []int
}

// responsibilityCard prints an elder's 责任卡 for staff and the clinic.
func (s *Server) responsibilityCard(w http.ResponseWriter, r *http.Request, p *page) error {
	if !p.Actor.EditsRegistry() && p.Actor.Role != care.RoleClinic {
		return care.ErrForbidden()
	}
	e, err := s.elderFromPath(r, p)
	if err != nil {
		return err
	}
	ctx := r.Context()
	today := s.db.Today()
	d := responsibilityData{Elder: e, Categories: e.AllCategories(today), Today: pairingDate(today), Lines: make([]int, 6)}
	if !e.BirthDate.IsZero() {
		d.Age = care.Age(e.BirthDate, today)
	}
	team, err := s.db.ElderTeam(ctx, p.Actor, e.ID)
	if err != nil {
		return err
	}
	for _, m := range team {
		if m.EndedOn == nil {
			d.Team = append(d.Team, m)
		}
	}
	slices.SortStableFunc(d.Team, func(a, b store.TeamMember) int {
		if a.Responsible != b.Responsible {
			if a.Responsible {
				return -1
			}
			return 1
		}
		return a.StartedOn.Compare(b.StartedOn)
	})
	d.Mode = "一对一"
	if len(d.Team) > 1 {
		d.Mode = "多对一"
	}
	if d.Agreements, err = s.db.ElderAgreements(ctx, p.Actor, e.ID); err != nil {
		return err
	}
	if c, err := s.db.GetCommunity(ctx, p.Actor, e.CommunityID); err == nil {
		d.Community = c.Name
	}
	if e.ClinicID != nil {
		if c, err := s.db.GetClinic(ctx, p.Actor, *e.ClinicID); err == nil {
			d.Clinic = c
		}
	}
	p.Title, p.Active, p.Data = "责任卡", "pairing", d
	s.render(w, http.StatusOK, "pairing_card", p)
	return nil
}
