package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/compliance"
	"carecircle/internal/store"
)

type carerOut struct {
	VolunteerID int64  `json:"volunteer_id"`
	Name        string `json:"name"`
	Phone       string `json:"phone"`
}

func toCarers(cs []store.Carer) []carerOut {
	out := []carerOut{}
	for _, c := range cs {
		out = append(out, carerOut{VolunteerID: c.VolunteerID, Name: c.Name, Phone: c.Phone})
	}
	return out
}

// notGreeted lists the active elders not greeted today: those living alone
// first, with their neighbour volunteers and emergency contacts.
func (s *Server) notGreeted(r *request) (int, any, error) {
	community, err := queryInt64(r, "community_id")
	if err != nil {
		return 0, nil, err
	}
	now := s.db.Now().In(s.db.Loc)
	list, err := s.db.NotGreeted(r.ctx, r.actor, community, now)
	if err != nil {
		return 0, nil, err
	}
	type elderOut struct {
		ElderID     int64          `json:"elder_id"`
		Name        string         `json:"name"`
		CommunityID int64          `json:"community_id"`
		Building    string         `json:"building"`
		Unit        string         `json:"unit"`
		Room        string         `json:"room"`
		Phone       string         `json:"phone"`
		Alone       bool           `json:"lives_alone"`
		Priority    int            `json:"priority"`
		Neighbours  []carerOut     `json:"neighbours"`
		Contacts    []care.Contact `json:"emergency_contacts"`
	}
	out := []elderOut{}
	for _, u := range list {
		out = append(out, elderOut{ElderID: u.ElderID, Name: u.Name, CommunityID: u.CommunityID, Building: u.Building, Unit: u.Unit,
			Room: u.Room, Phone: u.Phone, Alone: u.Alone, Priority: u.Priority, Neighbours: toCarers(u.Neighbours), Contacts: orEmpty(u.Contacts)})
	}
	return 0, map[string]any{"day": now.Format(time.DateOnly), "items": out, "total": len(out)}, nil
}

type alertOut struct {
	ID            int64          `json:"id"`
	Kind          string         `json:"kind"`
	Day           string         `json:"day"`
	Status        string         `json:"status"`
	ElderID       int64          `json:"elder_id"`
	ElderName     string         `json:"elder_name"`
	ElderPhone    string         `json:"elder_phone"`
	Address       string         `json:"address"`
	CommunityID   int64          `json:"community_id"`
	CommunityName string         `json:"community_name"`
	RaisedAt      string         `json:"raised_at"`
	RaisedBy      string         `json:"raised_by"`
	UpdatedAt     string         `json:"updated_at"`
	Note          string         `json:"note"`
	GreetedAt     *string        `json:"greeted_at"` // a greeting logged that day after all
	Neighbours    []carerOut     `json:"neighbours"`
	Contacts      []care.Contact `json:"emergency_contacts"`
}

func (s *Server) toAlert(a *store.Alert) alertOut {
	out := alertOut{ID: a.ID, Kind: a.Kind, Day: a.Day.Format(time.DateOnly), Status: a.Status, ElderID: a.ElderID, ElderName: a.ElderName,
		ElderPhone: a.ElderPhone, Address: a.Building + a.Unit + a.Room, CommunityID: a.CommunityID, CommunityName: a.CommunityName,
		RaisedAt: a.RaisedAt.In(s.db.Loc).Format(time.RFC3339), RaisedBy: a.RaisedBy, UpdatedAt: a.UpdatedAt.In(s.db.Loc).Format(time.RFC3339),
		Note: a.Note, Neighbours: toCarers(a.Neighbours), Contacts: orEmpty(a.Contacts)}
	if a.GreetedAt != nil {
		g := a.GreetedAt.In(s.db.Loc).Format(time.RFC3339)
		out.GreetedAt = &g
	}
	return out
}

// listAlerts lists the not-greeted alerts: ?status=open (not resolved, the
// default) or all.
func (s *Server) listAlerts(r *request) (int, any, error) {
	community, err := queryInt64(r, "community_id")
	if err != nil {
		return 0, nil, err
	}
	status := r.URL.Query().Get("status")
	if status != "" && status != "open" && status != "all" {
		return 0, nil, care.FieldErrors{"status": care.MsgBadChoice}.Err()
	}
	limit, _ := page(r)
	list, err := s.db.Alerts(r.ctx, r.actor, store.AlertFilter{CommunityID: community, Open: status != "all", Limit: limit})
	if err != nil {
		return 0, nil, err
	}
	out := []alertOut{}
	for i := range list {
		out = append(out, s.toAlert(&list[i]))
	}
	return 0, map[string]any{"items": out, "total": len(out)}, nil
}

type alertEventOut struct {
	At     string `json:"at"`
	By     string `json:"by"`
	Status string `json:"status"`
	Note   string `json:"note"`
}

func (s *Server) getAlert(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	al, events, err := s.db.GetAlert(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		alertOut
		Events     []alertEventOut `json:"events"`
		Escalation []escalationOut `json:"escalation"`
		Stopped    string          `json:"escalation_stopped"`
	}{alertOut: s.toAlert(al), Events: []alertEventOut{}, Escalation: s.escalationOut(al.Escalation), Stopped: al.EscalationStopped}
	for _, e := range events {
		out.Events = append(out.Events, alertEventOut{At: e.At.In(s.db.Loc).Format(time.RFC3339), By: e.By, Status: e.Status, Note: e.Note})
	}
	return 0, out, nil
}

func (s *Server) ackAlert(r *request) (int, any, error) {
	return s.alertStep(r, s.db.AcknowledgeAlert)
}

func (s *Server) resolveAlert(r *request) (int, any, error) {
	return s.alertStep(r, s.db.ResolveAlert)
}

// alertStep acknowledges or resolves an alert with {"note": "..."} (a note
// is required to resolve) and answers the alert as it now stands.
func (s *Server) alertStep(r *request, step func(ctx context.Context, a care.Actor, id int64, note string) error) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, &in); err != nil {
			return 0, nil, err
		}
	}
	if err := step(r.ctx, r.actor, id, in.Note); err != nil {
		return 0, nil, err
	}
	return s.getAlert(r)
}

type standardOut struct {
	ID        int64               `json:"id,omitempty"`
	CreatedBy string              `json:"created_by"`
	CreatedAt *string             `json:"created_at,omitempty"`
	Standard  compliance.Standard `json:"standard"`
}

type festivalOut struct {
	calendar.FestivalDef
	EffectiveFrom string `json:"effective_from"`
	CreatedBy     string `json:"created_by"`
}

func (s *Server) standardsOut(set *store.StandardSet) map[string]any {
	stds, fests := []standardOut{}, []festivalOut{}
	for _, v := range set.Standards {
		o := standardOut{ID: v.ID, CreatedBy: v.CreatedBy, Standard: v.Standard}
		if !v.CreatedAt.IsZero() {
			at := v.CreatedAt.In(s.db.Loc).Format(time.RFC3339)
			o.CreatedAt = &at
		}
		stds = append(stds, o)
	}
	for _, f := range set.Festivals {
		fests = append(fests, festivalOut{FestivalDef: f.FestivalDef, EffectiveFrom: f.EffectiveFrom.String(), CreatedBy: f.CreatedBy})
	}
	return map[string]any{"version": set.Version, "default": set.Default, "standards": stds, "festivals": fests}
}

// getStandards returns every version of the street's standards and the
// station's festivals.
func (s *Server) getStandards(r *request) (int, any, error) {
	set, err := s.db.Standards(r.ctx, r.actor)
	if err != nil {
		return 0, nil, err
	}
	return 0, s.standardsOut(set), nil
}

// postStandard adds a version of a standard, in the form `compliance
// evaluate` reads, with its effective_from (today or later).
func (s *Server) postStandard(r *request) (int, any, error) {
	body, err := readBody(r)
	if err != nil {
		return 0, nil, err
	}
	var std compliance.Standard
	if err := json.Unmarshal(body, &std); err != nil {
		return 0, nil, badRequest("请求体不是有效的服务要求 / the body is not a valid standard: " + err.Error())
	}
	if err := s.db.SaveStandard(r.ctx, r.actor, std); err != nil {
		return 0, nil, err
	}
	return s.afterStandards(r)
}

// afterStandards rebuilds the compliance state and answers the new set.
func (s *Server) afterStandards(r *request) (int, any, error) {
	if s.tracker != nil {
		if err := s.tracker.Refresh(r.ctx, r.actor.StreetID); err != nil {
			s.log.Error("compliance rebuild after a change of standards", "err", err)
		}
	}
	set, err := s.db.Standards(r.ctx, r.actor)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, s.standardsOut(set), nil
}

// getFestivals lists a year's festivals with their dates, the station's
// included: {"year": 2027, "festivals": [{code, name, date}]} in date order.
func (s *Server) getFestivals(r *request) (int, any, error) {
	year := s.db.Now().In(s.db.Loc).Year()
	if y, err := queryInt64(r, "year"); err != nil {
		return 0, nil, err
	} else if y != 0 {
		year = int(y)
	}
	if err := calendar.CheckYear(year); err != nil {
		return 0, nil, care.FieldErrors{"year": care.Msg{ZH: err.Error(), EN: err.Error()}}.Err()
	}
	set, err := s.db.Standards(r.ctx, r.actor)
	if err != nil {
		return 0, nil, err
	}
	cal, err := calendar.New(s.db.Loc, set.Defs())
	if err != nil {
		return 0, nil, err
	}
	fs, err := cal.Festivals(year)
	if err != nil {
		return 0, nil, err
	}
	return 0, map[string]any{"year": year, "festivals": orEmpty(fs)}, nil
}

// postFestival adds a festival the station keeps:
// {"code", "name", "lunar", "month", "day", "effective_from"}.
func (s *Server) postFestival(r *request) (int, any, error) {
	var in struct {
		calendar.FestivalDef
		EffectiveFrom string `json:"effective_from"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	from, err := calendar.ParseDate(in.EffectiveFrom)
	if err != nil {
		return 0, nil, care.FieldErrors{"effective_from": care.MsgBadDate}.Err()
	}
	if err := s.db.AddFestival(r.ctx, r.actor, in.FestivalDef, from); err != nil {
		return 0, nil, err
	}
	return s.afterStandards(r)
}
