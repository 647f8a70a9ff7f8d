package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

type todayElder struct {
	Elder    care.Elder
	Greeted  []care.ServiceRecord
	Code     string // scanned card code, on the scan page
	Verified string // how the last greeting was verified
	Duties   []duty // what is still due for this elder, most urgent first
}

type todayData struct {
	text
	Elders []todayElder
	Day    time.Time
	Duties []duty // the volunteer's worklist, most urgent first
}

// todayPage is the volunteer's phone page: their elders, each with one
// big button for the daily greeting, and what is still due, most urgent
// first.
func (s *Server) todayPage(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleVolunteer {
		return care.ErrForbidden()
	}
	d, err := s.todayList(r, p)
	if err != nil {
		return err
	}
	p.Title, p.Active, p.Data = "今日服务", "today", d
	s.render(w, http.StatusOK, "today", p)
	return nil
}

// todayList is the volunteer's elders with today's greetings and duties.
func (s *Server) todayList(r *http.Request, p *page) (todayData, error) {
	d := todayData{Day: s.db.Now().In(s.db.Loc)}
	elders, _, err := s.db.ListElders(r.Context(), p.Actor, store.ElderFilter{Limit: 200, Status: "active"})
	if err != nil {
		return d, err
	}
	greeted, err := s.db.DayServices(r.Context(), p.Actor, s.db.Now().In(s.db.Loc), "life", "greeting")
	if err != nil {
		return d, err
	}
	for _, e := range elders {
		d.Elders = append(d.Elders, todayElder{Elder: e, Greeted: greeted[e.ID]})
	}
	return d, s.addDuties(r, p, &d)
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

// todayGreet logs the daily greeting with one tap and answers the elder's
// updated row (htmx) or goes back to the list.
func (s *Server) todayGreet(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("服务对象 / elder")
	}
	f := newForm(r)
	rec := &care.ServiceRecord{ElderID: id, Kind: "life", Type: "greeting", At: s.db.Now()}
	if err := s.db.AddService(r.Context(), p.Actor, rec, proofFromForm(f)); err != nil {
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
		p.setError(err)
	}
	if r.Header.Get("HX-Request") != "true" {
		http.Redirect(w, r, "/today", http.StatusSeeOther)
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
		greeted, err := s.db.DayServices(r.Context(), p.Actor, s.db.Now().In(s.db.Loc), "life", "greeting")
		if err != nil {
			return err
		}
		item = todayElder{Elder: *e, Greeted: greeted[id]}
	}
	var worklist any
	if s.tracker != nil {
		worklist = map[string]any{"Page": p, "Item": d, "OOB": true}
	}
	s.renderFragmentData(w, http.StatusOK, "today", "today-greeted", map[string]any{"Page": p, "Item": item, "Worklist": worklist})
	return nil
}

// scanPage opens when a volunteer's phone camera reads the QR code on an
// elder's card: the greeting can then be logged, verified by the card.
func (s *Server) scanPage(w http.ResponseWriter, r *http.Request, p *page) error {
	code := r.PathValue("code")
	id, ok := store.ParseCardCode(code)
	if !ok {
		return care.ErrNotFound("服务卡 / card")
	}
	e, err := s.db.GetElder(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	greeted, err := s.db.DayServices(r.Context(), p.Actor, s.db.Now().In(s.db.Loc), "life", "greeting")
	if err != nil {
		return err
	}
	p.Title, p.Active = "扫码问候", "today"
	p.Data = todayData{Elders: []todayElder{{Elder: *e, Greeted: greeted[id], Code: code}}, Day: s.db.Now().In(s.db.Loc)}
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
}

func (s *Server) showServiceForm(w http.ResponseWriter, r *http.Request, p *page, e *care.Elder, rec *care.ServiceRecord, status int) error {
	d := serviceFormData{Elder: e, Types: care.ServiceTypes, Record: rec, Staff: p.Actor.EditsRegistry(),
		Now: rec.At.In(s.db.Loc).Format("2006-01-02T15:04"), Chosen: rec.Kind + "/" + rec.Type}
	if rec.AmountCents > 0 {
		d.Amount = strconv.FormatFloat(float64(rec.AmountCents)/100, 'f', -1, 64)
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
	if p.Actor.EditsRegistry() {
		rec.Source = "paper"
	}
	return s.showServiceForm(w, r, p, e, rec, http.StatusOK)
}

// serviceCreate records any service in a few taps: what (kind/type), when
// (now unless changed), a note, an amount for donations, and a proof.
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
	if err := f.errs.Err(); err == nil {
		err = s.db.AddService(r.Context(), p.Actor, rec, proofFromForm(f))
		if err == nil {
			back := "/today"
			if p.Actor.Role != care.RoleVolunteer {
				back = "/elders/" + strconv.FormatInt(e.ID, 10) + "/card?month=" + rec.Month
			}
			http.Redirect(w, r, back, http.StatusSeeOther)
			return nil
		}
		if ce, ok := err.(*care.Error); !ok || (ce.Code != care.EInvalid && ce.Code != care.EConflict) {
			return err
		}
		p.setError(err)
	} else {
		p.setError(err)
	}
	return s.showServiceForm(w, r, p, e, rec, http.StatusUnprocessableEntity)
}
