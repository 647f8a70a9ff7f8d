package web

import (
	"html"
	"math"
	"net/http"
	"strconv"

	"carecircle/internal/care"
	"carecircle/internal/hours"
	"carecircle/internal/hourscert"
	"carecircle/internal/store"
)

// routesHours registers the hours ledger's pages (README "服务时长 / Hours
// ledger and time bank"): a volunteer's balance and history (their own
// on the phone, in large type), the time bank's donation, and the
// printable certificate.
func (s *Server) routesHours(m *http.ServeMux) {
	m.Handle("GET /hours", s.auth(s.myHours))
	m.Handle("GET /volunteers/{id}/hours", s.auth(s.hoursPage))
	m.Handle("POST /volunteers/{id}/hours/donations", s.auth(s.hoursDonate))
	m.Handle("GET /volunteers/{id}/hours/certificate", s.auth(s.hoursCertificate))
	m.Handle("GET /volunteers/{id}/hours/balance", s.auth(s.hoursBalance))
	m.Handle("GET /hours/policy", s.auth(s.hoursPolicyPage))
	m.Handle("POST /hours/policy", s.auth(s.hoursPolicySave))
}

var navHours = []navItem{
	{"hours", "/hours", "我的时长", []string{"volunteer"}},
	{"hours-policy", "/hours/policy", "时长规则", []string{"station"}},
}

type hoursData struct {
	Account *store.HoursAccount
	Own     bool
	Staff   bool
	Year    int
	Typed   map[string]string
	// Receivers named for the donation form: a volunteer's paired elders,
	// staff's volunteers; the other kind of receiver is given by number.
	Elders     []care.Choice
	Volunteers []care.Choice
}

// HoursOf shows minutes as hours with one decimal.
func (hoursData) HoursOf(minutes int) string { return hours.Format(minutes) }

// Signed shows minutes as signed hours (+1.5, -0.5).
func (hoursData) Signed(minutes int) string {
	if minutes > 0 {
		return "+" + hours.Format(minutes)
	}
	return hours.Format(minutes)
}

// SourceLabel names an entry's source in lang.
func (hoursData) SourceLabel(src, lang string) string { return care.Label(hours.Sources, src, lang) }

// TypeLabel names a service type in lang.
func (hoursData) TypeLabel(kind, typ, lang string) string {
	return care.ServiceTypeLabel(kind, typ, lang)
}

func (s *Server) myHours(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleVolunteer {
		http.Redirect(w, r, "/volunteers", http.StatusSeeOther)
		return nil
	}
	return s.showHours(w, r, p, p.Actor.VolunteerID, nil, http.StatusOK)
}

func (s *Server) hoursPage(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("志愿者 / volunteer")
	}
	return s.showHours(w, r, p, id, nil, http.StatusOK)
}

func (s *Server) showHours(w http.ResponseWriter, r *http.Request, p *page, id int64, typed map[string]string, status int) error {
	acc, err := s.db.VolunteerHours(r.Context(), p.Actor, id, 100)
	if err != nil {
		return err
	}
	own := p.Actor.Role == care.RoleVolunteer && p.Actor.VolunteerID == id
	var elders, vols []care.Choice
	switch {
	case own:
		list, _, err := s.db.ListElders(r.Context(), p.Actor, store.ElderFilter{Status: "active", Limit: 50})
		if err != nil {
			return err
		}
		for _, e := range list {
			elders = append(elders, care.Choice{Code: strconv.FormatInt(e.ID, 10), Label: care.Msg{ZH: e.Name, EN: e.Name}})
		}
	case p.Actor.Role == care.RoleCommunity || p.Actor.Role == care.RoleStation:
		list, _, err := s.db.ListVolunteers(r.Context(), p.Actor, store.VolunteerFilter{Status: "active", Limit: 500})
		if err != nil {
			return err
		}
		for _, v := range list {
			if v.ID != id {
				vols = append(vols, care.Choice{Code: strconv.FormatInt(v.ID, 10), Label: care.Msg{ZH: v.Name, EN: v.Name}})
			}
		}
	}
	if r.URL.Query().Get("donated") == "1" {
		p.Flash = p.T("已捐赠")
	}
	p.Title, p.Data = p.T("服务时长")+" · "+acc.Name, hoursData{Account: acc, Own: own,
		Staff: p.Actor.Role == care.RoleCommunity || p.Actor.Role == care.RoleStation, Year: s.db.Now().In(s.db.Loc).Year(), Typed: typed,
		Elders: elders, Volunteers: vols}
	if own {
		p.Active = "hours"
	} else {
		p.Active = "volunteers"
	}
	s.render(w, status, "hours", p)
	return nil
}

func (s *Server) hoursDonate(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("志愿者 / volunteer")
	}
	f := newForm(r)
	typed := map[string]string{"hours": f.str("hours"), "to_volunteer_id": f.str("to_volunteer_id"), "to_elder_id": f.str("to_elder_id"), "note": f.str("note")}
	bad := map[string]string{}
	h, err := strconv.ParseFloat(typed["hours"], 64)
	if err != nil || math.IsNaN(h) || math.IsInf(h, 0) {
		bad["hours"] = care.Msg{ZH: "请填写捐赠的小时数", EN: "give the number of hours"}.In(p.Lang)
	}
	d := hours.Donation{From: id, To: hours.Account{VolunteerID: f.int64("to_volunteer_id"), ElderID: f.int64("to_elder_id")},
		Minutes: int(math.Round(h * 60)), Note: typed["note"]}
	for k, m := range f.errs {
		bad[k] = m.In(p.Lang)
	}
	if len(bad) == 0 {
		_, err = s.db.DonateHours(r.Context(), p.Actor, d)
		if err == nil {
			http.Redirect(w, r, "/volunteers/"+strconv.FormatInt(id, 10)+"/hours?donated=1", http.StatusSeeOther)
			return nil
		}
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
		if ce, ok := err.(*care.Error); ok {
			for field, m := range ce.Fields {
				if field == "minutes" {
					field = "hours"
				}
				bad[field] = m.In(p.Lang)
			}
		}
	}
	p.Errors = bad
	return s.showHours(w, r, p, id, typed, http.StatusUnprocessableEntity)
}

// hoursCertificate answers the printable certificate of a period
// (?period=2026, 2026-Q1 or 2026-11; this year by default).
func (s *Server) hoursCertificate(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("志愿者 / volunteer")
	}
	period := r.URL.Query().Get("period")
	if period == "" {
		period = strconv.Itoa(s.db.Now().In(s.db.Loc).Year())
	}
	c, err := s.db.GetHoursCertificate(r.Context(), p.Actor, id, period)
	if err != nil {
		return err
	}
	c.IssuedBy = s.who(c.IssuedBy, p.Lang)
	body, err := hourscert.Render(c, p.Lang, s.db.Loc)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
	return nil
}

// hoursBalance answers the balance as a link to the ledger: the fragment
// the volunteer's page and form load in place of a typed number.
func (s *Server) hoursBalance(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("志愿者 / volunteer")
	}
	acc, err := s.db.VolunteerHours(r.Context(), p.Actor, id, 1)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write([]byte(`<a href="/volunteers/` + strconv.FormatInt(id, 10) + `/hours" data-balance="` + strconv.Itoa(acc.Balance) + `">` +
		html.EscapeString(hours.Format(acc.Balance)+" "+p.T("小时")+"（"+p.T("查看时长台账")+"）") + `</a>`))
	return err
}
