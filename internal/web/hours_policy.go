package web

import (
	"net/http"
	"strconv"

	"carecircle/internal/care"
	"carecircle/internal/hours"
)

// The street's hours rule (README "服务时长 / Hours ledger and time
// bank"): which records earn, and the standard duration of each service
// type for records without an end. The station sets it.

type hoursPolicyRow struct {
	Key, Label string
	Default    int
	Value      string
}

type hoursPolicyData struct {
	Earn  string
	Rules []care.Choice
	Rows  []hoursPolicyRow
}

func (s *Server) hoursPolicyPage(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	pol, err := s.db.HoursPolicy(r.Context(), p.Actor.StreetID)
	if err != nil {
		return err
	}
	typed := map[string]string{}
	for _, t := range care.ServiceTypes {
		k := hours.TypeKey(t.Kind, t.Code)
		typed[k] = strconv.Itoa(pol.StandardMinutes(t.Kind, t.Code))
	}
	if r.URL.Query().Get("saved") == "1" {
		p.Flash = p.T("已保存")
	}
	return s.showHoursPolicy(w, p, pol.Earn, typed, http.StatusOK)
}

func (s *Server) showHoursPolicy(w http.ResponseWriter, p *page, earn string, typed map[string]string, status int) error {
	d := hoursPolicyData{Earn: earn, Rules: hours.EarnRules}
	for _, t := range care.ServiceTypes {
		k := hours.TypeKey(t.Kind, t.Code)
		d.Rows = append(d.Rows, hoursPolicyRow{Key: k, Label: care.Label(care.ServiceKinds, t.Kind, p.Lang) + " · " + t.Label.In(p.Lang),
			Default: hours.DefaultStandard[k], Value: typed[k]})
	}
	p.Title, p.Active, p.Data = p.T("服务时长规则"), "hours-policy", d
	s.render(w, status, "hours_policy", p)
	return nil
}

func (s *Server) hoursPolicySave(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	f := newForm(r)
	pol := hours.Policy{Earn: f.str("earn"), Standard: map[string]int{}}
	typed := map[string]string{}
	bad := map[string]string{}
	for _, t := range care.ServiceTypes {
		k := hours.TypeKey(t.Kind, t.Code)
		v := f.str("standard." + k)
		typed[k] = v
		n, err := strconv.Atoi(v)
		if err != nil {
			bad["standard."+k] = care.Msg{ZH: "请填写分钟数（整数）", EN: "a whole number of minutes"}.In(p.Lang)
			continue
		}
		pol.Standard[k] = n
	}
	err := pol.Validate()
	if err == nil && len(bad) == 0 {
		if err = s.db.SaveHoursPolicy(r.Context(), p.Actor, pol); err == nil {
			http.Redirect(w, r, "/hours/policy?saved=1", http.StatusSeeOther)
			return nil
		}
	}
	if err != nil && care.ErrorCode(err) != care.EInvalid {
		return err
	}
	if ce, ok := err.(*care.Error); ok {
		for field, m := range ce.Fields {
			if bad[field] == "" {
				bad[field] = m.In(p.Lang)
			}
		}
	}
	p.Errors = bad
	return s.showHoursPolicy(w, p, pol.Earn, typed, http.StatusUnprocessableEntity)
}
