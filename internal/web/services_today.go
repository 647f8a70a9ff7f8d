package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

type todayElder struct {
	Elder    care.Elder
	Greeted  []care.ServiceRecord // today's greetings, first first (struck-out ones left out)
	Code     string               // scanned card code, on the scan page
	Verified string               // how the last greeting was verified
	Duties   []duty               // what is still due for this elder, most urgent first
	// Key names this rendering of the greeting form (see formAttempt).
	Key string
	// Notice confirms what was just stored; Refusal says why not.
	Notice, Refusal string
}

type todayData struct {
	text
	Elders []todayElder
	Day    time.Time
	Duties []duty // the volunteer's worklist, most urgent first
	// Activities counts the activities open to the volunteer from today
	// on (the 活动 button's badge).
	Activities int
}

// tell puts a confirmation or a refusal on an elder's card; false when the
// elder is not on the page.
func (d *todayData) tell(elderID int64, notice, refused string) bool {
	for i := range d.Elders {
		if d.Elders[i].Elder.ID == elderID {
			d.Elders[i].Notice, d.Elders[i].Refusal = notice, refused
			return true
		}
	}
	return false
}

// todayPage is the volunteer's phone page: their elders, each with one
// big button for the daily greeting, and what is still due, most urgent
// first. After a form sent without JavaScript (?done=RECORD) the elder's
// card says what was stored.
func (s *Server) todayPage(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleVolunteer {
		return care.ErrForbidden()
	}
	d, err := s.todayList(r, p)
	if err != nil {
		return err
	}
	// A visit recorded for the whole household (为全户记录) names every
	// member's record: each card says what was stored.
	for _, done := range r.URL.Query()["done"] {
		if elder, notice := s.doneNotice(r, p, done); notice != "" && !d.tell(elder, notice, "") {
			p.Flash = notice
		}
	}
	if acts, err := s.db.VolunteerActivities(r.Context(), p.Actor, p.Actor.VolunteerID); err == nil {
		d.Activities = len(acts)
	} else if !refusable(err) {
		return err
	}
	p.Title, p.Active, p.Data = "今日服务", "today", d
	s.render(w, http.StatusOK, "today", p)
	return nil
}

// todayList is the volunteer's elders with today's greetings and duties.
// The cards keep the order of the elder list, so a card does not move once
// its elder is greeted; the worklist above says what is most urgent.
func (s *Server) todayList(r *http.Request, p *page) (todayData, error) {
	d := todayData{Day: s.db.Now().In(s.db.Loc)}
	elders, _, err := s.db.ListElders(r.Context(), p.Actor, store.ElderFilter{Limit: 200, Status: "active"})
	if err != nil {
		return d, err
	}
	greeted, err := s.greetedToday(r, p)
	if err != nil {
		return d, err
	}
	for _, e := range elders {
		d.Elders = append(d.Elders, todayElder{Elder: e, Greeted: greeted[e.ID], Key: newAttemptKey()})
	}
	return d, s.addDuties(r, p, &d)
}

// greetedToday is today's greetings by elder, without those an amendment
// struck out: a greeting logged by mistake and corrected no longer shows
// as done.
func (s *Server) greetedToday(r *http.Request, p *page) (map[int64][]care.ServiceRecord, error) {
	now := s.db.Now().In(s.db.Loc)
	greeted, err := s.db.DayServices(r.Context(), p.Actor, now, "life", "greeting")
	if err != nil {
		return nil, err
	}
	for id, recs := range greeted {
		// Few elders are greeted by one account in a day; their cards tell
		// which greetings were struck out.
		c, err := s.db.GetCard(r.Context(), p.Actor, id, now.Format("2006-01"))
		if err != nil {
			return nil, err
		}
		voided := map[int64]bool{}
		for _, e := range c.Entries {
			if e.Voided {
				voided[e.ID] = true
			}
		}
		greeted[id] = slices.DeleteFunc(recs, func(r care.ServiceRecord) bool { return voided[r.ID] })
		if len(greeted[id]) == 0 {
			delete(greeted, id)
		}
	}
	return greeted, nil
}

// proofFromForm reads the verification a phone sends along: a scanned card
// code, a PIN, or the position the page's script adds when it has one.
func proofFromForm(f *form) store.Proof {
	pr := store.Proof{Method: "none"}
	switch {
	case f.str("code") != "":
		pr = store.Proof{Method: "qr", Code: f.str("code")}
	case f.str("pin") != "":
		pr = store.Proof{Method: "pin", PIN: f.str("pin")}
	case f.str("lat") != "" && f.str("lon") != "":
		pr = store.Proof{Method: "geo", Lat: f.optFloat("lat"), Lon: f.optFloat("lon")}
	}
	return pr
}

// tapTime is when a greeting happened: now, or for a tap the phone kept
// while it was offline, the tap's time (RFC 3339 "at"). An old phone's
// clock may be wrong; when the phone also says when it sent ("sent") and
// its clock is more than two minutes off, the time is now less what the
// phone measured since the tap.
func (s *Server) tapTime(f *form) time.Time {
	now := s.db.Now()
	raw := f.str("at")
	if raw == "" {
		return now
	}
	at, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		f.errs.Add("at", care.Msg{ZH: "时间格式不正确", EN: "the time is not valid"})
		return now
	}
	if sent, err := time.Parse(time.RFC3339, f.str("sent")); err == nil {
		if skew := now.Sub(sent); (skew > 2*time.Minute || skew < -2*time.Minute) && !sent.Before(at) {
			return now.Add(-sent.Sub(at))
		}
	}
	return at
}

// todayGreet logs the daily greeting with one tap. The form's key makes a
// double tap, a reload or a retry one greeting. It answers the elder's card
// with a confirmation (htmx) or goes back to the list at the elder's card;
// a refusal is shown on the card, with the button still there.
func (s *Server) todayGreet(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("服务对象 / elder")
	}
	f := newForm(r)
	rec := &care.ServiceRecord{ElderID: id, Kind: "life", Type: "greeting", At: s.tapTime(f)}
	// The fingerprint leaves out the position and the time: the two
	// submissions of a double tap may differ there.
	if err = f.errs.Err(); err == nil {
		_, err = s.db.AddServiceOnce(r.Context(), p.Actor, rec, proofFromForm(f), formAttempt(r, f, "greeting/"+strconv.FormatInt(id, 10)))
	}
	hx := r.Header.Get("HX-Request") == "true"
	if err != nil {
		return s.greetRefused(w, r, p, id, err, hx)
	}
	if !hx {
		back := "/today?done=" + strconv.FormatInt(rec.ID, 10) + "#elder-" + strconv.FormatInt(id, 10)
		if p.Actor.Role != care.RoleVolunteer { // staff greeting from a scanned card: the card tells them
			back = "/elders/" + strconv.FormatInt(id, 10) + "/card?month=" + rec.Month + "&done=" + strconv.FormatInt(rec.ID, 10) + "#record-" + strconv.FormatInt(rec.ID, 10)
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	d, err := s.todayList(r, p)
	if err != nil {
		return err
	}
	var item todayElder
	if i := slices.IndexFunc(d.Elders, func(x todayElder) bool { return x.Elder.ID == id }); i >= 0 {
		item = d.Elders[i]
	} else { // not on the volunteer's list (paused, or staff greeting): the elder alone
		e, err := s.db.GetElder(r.Context(), p.Actor, id)
		if err != nil {
			return err
		}
		greeted, err := s.greetedToday(r, p)
		if err != nil {
			return err
		}
		item = todayElder{Elder: *e, Greeted: greeted[id], Key: newAttemptKey()}
	}
	item.Notice = s.recordedNotice(r.Context(), p, rec, &item.Elder)
	var worklist any
	if s.tracker != nil {
		worklist = map[string]any{"Page": p, "Item": d, "OOB": true}
	}
	s.renderFragmentData(w, http.StatusOK, "today", "today-greeted", map[string]any{"Page": p, "Item": item, "Worklist": worklist})
	return nil
}

// greetRefused shows why a greeting was not stored, on the elder's card:
// through htmx only the card's message line (the button stays as it is),
// without JavaScript the whole page with the message on the card.
func (s *Server) greetRefused(w http.ResponseWriter, r *http.Request, p *page, id int64, err error, hx bool) error {
	if !refusable(err) {
		s.log.Error("greeting", "elder", id, "err", err)
	}
	msg, status := refusal(p, err), refusalStatus(err)
	if hx {
		w.Header().Set("HX-Retarget", "#elder-"+strconv.FormatInt(id, 10)+" .greet-status")
		w.Header().Set("HX-Reswap", "innerHTML")
		s.renderFragmentData(w, status, "today", "today-refusal", map[string]any{"Page": p, "Item": msg})
		return nil
	}
	if p.Actor.Role != care.RoleVolunteer {
		return err
	}
	d, lerr := s.todayList(r, p)
	if lerr != nil {
		return lerr
	}
	if !d.tell(id, "", msg) {
		p.Error = msg
	}
	p.Title, p.Active, p.Data = "今日服务", "today", d
	s.render(w, status, "today", p)
	return nil
}

// scanPage opens when a volunteer's phone camera reads the QR code on an
// elder's card: the greeting can then be logged, verified by the card.
func (s *Server) scanPage(w http.ResponseWriter, r *http.Request, p *page) error {
	code := r.PathValue("code")
	// Before the tap: a void or forged code, another month's card, or an
	// elder not on the volunteer's list is said at once, with no button.
	e, err := s.db.Scan(r.Context(), p.Actor, code)
	if code := care.ErrorCode(err); code == care.EInvalid || code == care.EForbidden {
		msg := care.ErrorMessage(err) // "中文 / English"
		if zh, en, ok := strings.Cut(msg, " / "); ok {
			msg = zh
			if p.Lang == "en" {
				msg = en
			}
		}
		p.Title, p.Active, p.Error = "扫码问候", "today", msg
		status := http.StatusUnprocessableEntity
		if code == care.EForbidden {
			status = http.StatusForbidden
		}
		s.render(w, status, "error", p)
		return nil
	}
	if err != nil {
		return err
	}
	id := e.ID
	greeted, err := s.greetedToday(r, p)
	if err != nil {
		return err
	}
	p.Title, p.Active = "扫码问候", "today"
	p.Data = todayData{Elders: []todayElder{{Elder: *e, Greeted: greeted[id], Code: code, Key: newAttemptKey()}}, Day: s.db.Now().In(s.db.Loc)}
	s.render(w, http.StatusOK, "today", p)
	return nil
}

type serviceFormData struct {
	Elder   *care.Elder
	Types   []care.ServiceType
	Team    []store.TeamMember
	Record  *care.ServiceRecord
	Staff   bool
	Now     string
	Chosen  string
	Amount  string
	Methods []care.Choice
	// Key names this rendering of the form: sent twice, it stores one record.
	Key string
	// Kinds are the kinds of Types, in the catalogue's order: no empty
	// group in the picker. AmountField: some type takes an amount.
	Kinds       []care.Choice
	AmountField bool
	// CommitteeField: the visit can be marked 居委会组织 (not by clinics).
	CommitteeField bool
	// Back is where 取消 leads: the page the user came from.
	Back string
	// Household is the elder's household when the volunteer serves all
	// its current members (包户): the visit can be recorded for all of
	// them at once (为全户记录). ForHousehold: that was chosen.
	Household    *store.Household
	ForHousehold bool
}

func (s *Server) showServiceForm(w http.ResponseWriter, r *http.Request, p *page, e *care.Elder, rec *care.ServiceRecord, key string, status int) error {
	d := serviceFormData{Elder: e, Types: care.ServiceTypes, Record: rec, Staff: p.Actor.EditsRegistry(),
		Now: rec.At.In(s.db.Loc).Format("2006-01-02T15:04"), Chosen: rec.Kind + "/" + rec.Type, Key: key,
		CommitteeField: p.Actor.Role != care.RoleClinic}
	if rec.AmountCents > 0 {
		d.Amount = strconv.FormatFloat(float64(rec.AmountCents)/100, 'f', -1, 64)
	}
	if r.Method == http.MethodPost {
		// A refused form shows the time and amount as typed, even when
		// they could not be read.
		if v := strings.TrimSpace(r.PostFormValue("at")); v != "" {
			d.Now = v
		}
		if v := strings.TrimSpace(r.PostFormValue("amount")); v != "" {
			d.Amount = v
		}
	}
	if p.Actor.Role == care.RoleClinic {
		var health []care.ServiceType
		for _, t := range care.ServiceTypes {
			if t.Kind == "health" {
				health = append(health, t)
			}
		}
		d.Types = health
	}
	for _, k := range care.ServiceKinds {
		if slices.ContainsFunc(d.Types, func(t care.ServiceType) bool { return t.Kind == k.Code }) {
			d.Kinds = append(d.Kinds, k)
		}
	}
	d.AmountField = slices.ContainsFunc(d.Types, func(t care.ServiceType) bool { return t.Amount })
	fallback := "/today"
	switch {
	case d.Staff:
		fallback = "/elders/" + strconv.FormatInt(e.ID, 10) + "/card"
	case p.Actor.Role != care.RoleVolunteer:
		fallback = "/"
	}
	d.Back = backFrom(r, fallback)
	if p.Actor.Role == care.RoleVolunteer {
		// A volunteer sees only the members paired with them: the choice
		// is offered when they serve two or more of the household (the
		// store refuses, saying why, when a member is not theirs).
		h, err := s.db.ElderHousehold(r.Context(), p.Actor, e.ID)
		if err != nil {
			return err
		}
		if h != nil && len(h.CurrentMembers()) >= 2 {
			d.Household = h
			d.ForHousehold = r.Method == http.MethodPost && r.PostFormValue("for") == "household"
		}
	}
	if d.Staff {
		team, err := s.db.ElderTeam(r.Context(), p.Actor, e.ID)
		if err != nil {
			return err
		}
		d.Team = team
	}
	p.Title, p.Active, p.Data = "记录其他服务", "today", d
	s.render(w, status, "service_form", p)
	return nil
}

func (s *Server) serviceNew(w http.ResponseWriter, r *http.Request, p *page) error {
	e, err := s.elderFromPath(r, p)
	if err != nil {
		return err
	}
	rec := &care.ServiceRecord{Kind: "spirit", Type: "chat", At: s.db.Now()}
	if p.Actor.Role == care.RoleClinic {
		rec.Kind, rec.Type = "health", "health_inquiry" // the clinic's half-month call
	}
	if p.Actor.EditsRegistry() {
		rec.Source = "paper"
	}
	return s.showServiceForm(w, r, p, e, rec, newAttemptKey(), http.StatusOK)
}

// serviceCreate records any service in a few taps: what (kind/type), when
// (now unless changed), a note, an amount for donations, and a proof. The
// form's key makes a double submit one record. A volunteer goes back to
// the day's page, staff to the card, both told what was stored (and for
// a case, its number and who can see it).
func (s *Server) serviceCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	e, err := s.elderFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	kind, typ, _ := strings.Cut(f.str("what"), "/")
	rec := &care.ServiceRecord{ElderID: e.ID, Kind: kind, Type: typ, Note: f.str("note"), Source: f.str("source")}
	rec.At = s.db.Now()
	if at := f.str("at"); at != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", at, s.db.Loc)
		if err != nil {
			f.errs.Add("at", care.Msg{ZH: "时间格式不正确", EN: "the time is not valid"})
		} else {
			rec.At = t
		}
	}
	if amt := f.optFloat("amount"); amt != nil {
		rec.AmountCents = int64(*amt*100 + 0.5)
	}
	if v := f.int64("volunteer_id"); v > 0 {
		rec.VolunteerID = &v
	}
	rec.ByCommittee = f.bool("by_committee")
	// What the form asked for, as typed: the same form sent twice is the
	// same attempt; the same key with other values is another request.
	fp := strings.Join([]string{"service", strconv.FormatInt(e.ID, 10), f.str("what"), f.str("at"), f.str("note"),
		f.str("amount"), f.str("volunteer_id"), f.str("source"), f.str("by_committee")}, "\x1f")
	household := f.str("for") == "household"
	if household {
		fp += "\x1fhousehold\x1f" + f.str("household_id")
	}
	attempt := formAttempt(r, f, fp)
	err = f.errs.Err()
	if err == nil && household {
		// 为全户记录: one record on each member's card, one transaction.
		var recs []*care.ServiceRecord
		recs, _, err = s.db.AddHouseholdVisit(r.Context(), p.Actor, f.int64("household_id"), rec, proofFromForm(f), attempt)
		if err == nil {
			q := url.Values{}
			for _, x := range recs {
				q.Add("done", strconv.FormatInt(x.ID, 10))
			}
			back := "/today?" + q.Encode() + "#elder-" + strconv.FormatInt(e.ID, 10)
			if p.Actor.Role != care.RoleVolunteer {
				back = "/elders/" + strconv.FormatInt(e.ID, 10) + "/card?month=" + rec.Month + "&done=" + strconv.FormatInt(rec.ID, 10) + "#record-" + strconv.FormatInt(rec.ID, 10)
			}
			http.Redirect(w, r, back, http.StatusSeeOther)
			return nil
		}
	} else if err == nil {
		_, err = s.db.AddServiceOnce(r.Context(), p.Actor, rec, proofFromForm(f), attempt)
	}
	if err == nil {
		id := strconv.FormatInt(rec.ID, 10)
		back := "/today?done=" + id + "#elder-" + strconv.FormatInt(e.ID, 10)
		if p.Actor.Role != care.RoleVolunteer {
			back = "/elders/" + strconv.FormatInt(e.ID, 10) + "/card?month=" + rec.Month + "&done=" + id + "#record-" + id
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	if !refusable(err) {
		return err
	}
	p.setError(err)
	key := attempt.Key
	if _, reused := p.Errors["idempotency_key"]; reused {
		// This form was sent before with other values (the back button,
		// then an edit): a new key lets the person store it as a new record.
		p.Error = p.T("这张表已经提交过一次，内容不同；如确实要再记一条，请再点提交；如要改正已记的记录，请在服务卡上更正")
		key = ""
	} else if care.ErrorCode(err) != care.EInvalid {
		p.Error = refusal(p, err)
	}
	if key == "" {
		key = newAttemptKey()
	}
	return s.showServiceForm(w, r, p, e, rec, key, refusalStatus(err))
}
