package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// elderJSON is an elder on the wire. id_number is write-only: reads carry
// only id_number_masked.
type elderJSON struct {
	ID                  int64          `json:"id"`
	Name                string         `json:"name"`
	Gender              string         `json:"gender"`
	BirthDate           string         `json:"birth_date"`
	LunarBirthday       bool           `json:"lunar_birthday"`
	IDNumber            string         `json:"id_number,omitempty"`
	IDNumberMasked      string         `json:"id_number_masked"`
	Phone               string         `json:"phone"`
	CommunityID         int64          `json:"community_id"`
	Building            string         `json:"building"`
	Unit                string         `json:"unit"`
	Room                string         `json:"room"`
	Lat                 *float64       `json:"lat"`
	Lon                 *float64       `json:"lon"`
	LivingSituation     string         `json:"living_situation"`
	SelfCare            string         `json:"self_care"`
	Categories          []string       `json:"categories"`
	Needs               []string       `json:"needs"`
	EmergencyContacts   []care.Contact `json:"emergency_contacts"`
	Wishes              care.Wishes    `json:"wishes"`
	Notes               string         `json:"notes"`
	Status              string         `json:"status"`
	StatusReason        string         `json:"status_reason,omitempty"`
	Priority            *int           `json:"priority"`
	PriorityReason      string         `json:"priority_reason"`
	PriorityOverridden  bool           `json:"priority_overridden"`
	PriorityExplanation []string       `json:"priority_explanation"`
	ClinicID            *int64         `json:"clinic_id"`
	Consent             bool           `json:"consent"`
	CreatedAt           string         `json:"created_at,omitempty"`
	UpdatedAt           string         `json:"updated_at,omitempty"`
}

// elderServeJSON is what a volunteer gets: only what serving needs (SPEC §1).
// It has no coordinates: a volunteer who had them could post them back as
// the phone's position and "verify" a visit never made (README "Verification").
type elderServeJSON struct {
	ID                int64          `json:"id"`
	Name              string         `json:"name"`
	Gender            string         `json:"gender"`
	Phone             string         `json:"phone"`
	CommunityID       int64          `json:"community_id"`
	Building          string         `json:"building"`
	Unit              string         `json:"unit"`
	Room              string         `json:"room"`
	Needs             []string       `json:"needs"`
	EmergencyContacts []care.Contact `json:"emergency_contacts"`
	Status            string         `json:"status"`
}

func elderOut(a care.Actor, e *care.Elder, today time.Time, lang string) any {
	if a.Role == care.RoleVolunteer {
		return elderServeJSON{ID: e.ID, Name: e.Name, Gender: string(e.Gender), Phone: e.Phone, CommunityID: e.CommunityID,
			Building: e.Building, Unit: e.Unit, Room: e.Room, Needs: nonNil(e.Needs),
			EmergencyContacts: nonNilContacts(e.EmergencyContacts), Status: e.Status}
	}
	return toElderJSON(e, today, lang)
}

func toElderJSON(e *care.Elder, today time.Time, lang string) elderJSON {
	p, why := e.ComputePriority(today)
	if e.PriorityOverride != nil {
		p = *e.PriorityOverride
		why = []care.Msg{{ZH: "人工调整：" + e.PriorityReason, EN: "set by staff: " + e.PriorityReason}}
	}
	expl := make([]string, len(why))
	for i, m := range why {
		expl[i] = m.In(lang)
	}
	j := elderJSON{ID: e.ID, Name: e.Name, Gender: string(e.Gender), BirthDate: date(e.BirthDate), LunarBirthday: e.LunarBirthday,
		IDNumberMasked: e.IDMasked, Phone: e.Phone, CommunityID: e.CommunityID, Building: e.Building, Unit: e.Unit, Room: e.Room,
		Lat: e.Lat, Lon: e.Lon, LivingSituation: e.LivingSituation, SelfCare: e.SelfCare, Categories: nonNil(e.AllCategories(today)),
		Needs: nonNil(e.Needs), EmergencyContacts: nonNilContacts(e.EmergencyContacts), Wishes: e.Wishes, Notes: e.Notes,
		Status: e.Status, Priority: &p, PriorityReason: e.PriorityReason, PriorityOverridden: e.PriorityOverride != nil,
		PriorityExplanation: expl, ClinicID: e.ClinicID, Consent: e.Consent}
	if !e.CreatedAt.IsZero() {
		j.CreatedAt, j.UpdatedAt = e.CreatedAt.Format(time.RFC3339), e.UpdatedAt.Format(time.RFC3339)
	}
	return j
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilContacts(c []care.Contact) []care.Contact {
	if c == nil {
		return []care.Contact{}
	}
	return c
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// parseDateField parses a YYYY-MM-DD field; an empty string is the zero date.
func parseDateField(f care.FieldErrors, name, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		f.Add(name, care.MsgBadDate)
	}
	return t
}

// toElder converts the wire form to the domain. A priority that differs from
// the computed one becomes a staff override (which then needs a reason);
// null or the computed value clears an override.
func (j *elderJSON) toElder(today time.Time) (*care.Elder, error) {
	f := care.FieldErrors{}
	e := &care.Elder{ID: j.ID, Name: j.Name, Gender: care.Gender(j.Gender), BirthDate: parseDateField(f, "birth_date", j.BirthDate),
		LunarBirthday: j.LunarBirthday, IDNumber: j.IDNumber, Phone: j.Phone, CommunityID: j.CommunityID, Building: j.Building,
		Unit: j.Unit, Room: j.Room, Lat: j.Lat, Lon: j.Lon, LivingSituation: j.LivingSituation, SelfCare: j.SelfCare,
		Categories: j.Categories, Needs: j.Needs, EmergencyContacts: j.EmergencyContacts, Wishes: j.Wishes, Notes: j.Notes,
		Status: j.Status, PriorityReason: j.PriorityReason, ClinicID: j.ClinicID, Consent: j.Consent}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if j.Priority != nil {
		computed, _ := e.ComputePriority(today)
		if *j.Priority != computed {
			p := *j.Priority
			e.PriorityOverride = &p
		}
	}
	if e.PriorityOverride == nil {
		e.PriorityReason = ""
	}
	return e, nil
}

func elderFilter(r *request) (store.ElderFilter, error) {
	q := r.URL.Query()
	f := store.ElderFilter{Category: q.Get("category"), SelfCare: q.Get("self_care"), Status: q.Get("status"),
		LivingSituation: q.Get("living_situation"), Q: q.Get("q")}
	var err error
	if f.CommunityID, err = queryInt64(r, "community_id"); err != nil {
		return f, err
	}
	if f.ClinicID, err = queryInt64(r, "clinic_id"); err != nil {
		return f, err
	}
	p, err := queryInt64(r, "priority")
	f.Priority = int(p)
	f.Limit, f.Offset = page(r)
	return f, err
}

func (s *Server) listElders(r *request) (int, any, error) {
	f, err := elderFilter(r)
	if err != nil {
		return 0, nil, err
	}
	items, total, err := s.db.ListElders(r.ctx, r.actor, f)
	if err != nil {
		return 0, nil, err
	}
	out := list[any]{Items: []any{}, Total: total, Limit: f.Limit, Offset: f.Offset}
	for i := range items {
		out.Items = append(out.Items, elderOut(r.actor, &items[i], s.db.Today(), r.lang))
	}
	return 0, out, nil
}

func (s *Server) getElder(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	e, err := s.db.GetElder(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, elderOut(r.actor, e, s.db.Today(), r.lang), nil
}

func (s *Server) createElder(r *request) (int, any, error) {
	if !r.actor.EditsRegistry() {
		return 0, nil, care.ErrForbidden()
	}
	var j elderJSON
	if err := decode(r, &j); err != nil {
		return 0, nil, err
	}
	j.ID = 0
	e, err := j.toElder(s.db.Today())
	if err != nil {
		return 0, nil, err
	}
	if err := s.db.CreateElder(r.ctx, r.actor, e); err != nil {
		return 0, nil, err
	}
	r.w.Header().Set("Location", "/api/v1/elders/"+strconv.FormatInt(e.ID, 10))
	return s.elderAfterWrite(r, e.ID, http.StatusCreated)
}

// patchElder overlays the given fields on the stored elder, validates the
// whole, and saves it; fields not given keep their values.
func (s *Server) patchElder(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	if !r.actor.EditsRegistry() {
		return 0, nil, care.ErrForbidden()
	}
	cur, err := s.db.GetElder(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	j := toElderJSON(cur, s.db.Today(), r.lang)
	body, err := readBody(r)
	if err != nil {
		return 0, nil, err
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(body, &keys); err != nil {
		return 0, nil, badRequest("请求体不是 JSON 对象 / the body is not a JSON object")
	}
	if _, ok := keys["priority"]; !ok {
		j.Priority = nil // keep the computed priority or the existing override
	}
	r.Body = nopCloser{bytes.NewReader(body)}
	if err := decode(r, &j); err != nil {
		return 0, nil, err
	}
	j.ID = id
	e, err := j.toElder(s.db.Today())
	if err != nil {
		return 0, nil, err
	}
	if _, ok := keys["priority"]; !ok && cur.PriorityOverride != nil {
		e.PriorityOverride, e.PriorityReason = cur.PriorityOverride, j.PriorityReason
	}
	if err := s.db.UpdateElder(r.ctx, r.actor, e, j.StatusReason); err != nil {
		return 0, nil, err
	}
	return s.elderAfterWrite(r, id, http.StatusOK)
}

func (s *Server) elderAfterWrite(r *request, id int64, status int) (int, any, error) {
	e, err := s.db.GetElder(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return status, elderOut(r.actor, e, s.db.Today(), r.lang), nil
}

func (s *Server) revealElderID(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	plain, err := s.db.RevealElderID(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, map[string]any{"id": id, "id_number": plain}, nil
}

func (s *Server) elderHistory(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	h, err := s.db.ElderStatusHistory(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	out := []map[string]any{}
	for _, c := range h {
		out = append(out, map[string]any{"from": c.From, "to": c.To, "reason": c.Reason, "at": c.At.Format(time.RFC3339), "by": c.ByUser})
	}
	return 0, map[string]any{"items": out, "total": len(out)}, nil
}

func (s *Server) elderTeam(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	team, err := s.db.ElderTeam(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	out := []map[string]any{}
	for _, m := range team {
		var ended any
		if m.EndedOn != nil {
			ended = date(*m.EndedOn)
		}
		out = append(out, map[string]any{"pairing_id": m.ID, "volunteer_id": m.VolunteerID, "name": m.Name, "kind": m.Kind,
			"phone": m.Phone, "responsible": m.Responsible, "started_on": date(m.StartedOn), "ended_on": ended, "end_reason": m.EndReason})
	}
	return 0, map[string]any{"items": out, "total": len(out)}, nil
}
