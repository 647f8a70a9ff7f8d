package api

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

type volunteerJSON struct {
	ID           int64    `json:"id"`
	Name         string   `json:"name"`
	Gender       string   `json:"gender"`
	BirthDate    string   `json:"birth_date"`
	Phone        string   `json:"phone"`
	Kind         string   `json:"kind"`
	CommunityID  int64    `json:"community_id"`
	Address      string   `json:"address"`
	Lat          *float64 `json:"lat"`
	Lon          *float64 `json:"lon"`
	Capacity     int      `json:"capacity"`
	Skills       []string `json:"skills"`
	Availability string   `json:"availability"`
	Team         string   `json:"team"`
	Status       string   `json:"status"`
	Training     string   `json:"training"`
	Honours      string   `json:"honours"`
	Hours        float64  `json:"hours"`
	CreatedAt    string   `json:"created_at,omitempty"`
	UpdatedAt    string   `json:"updated_at,omitempty"`
}

func toVolunteerJSON(v *care.Volunteer) volunteerJSON {
	j := volunteerJSON{ID: v.ID, Name: v.Name, Gender: string(v.Gender), BirthDate: date(v.BirthDate), Phone: v.Phone, Kind: v.Kind,
		CommunityID: v.CommunityID, Address: v.Address, Lat: v.Lat, Lon: v.Lon, Capacity: v.Capacity, Skills: nonNil(v.Skills),
		Availability: v.Availability, Team: v.Team, Status: v.Status, Training: v.Training, Honours: v.Honours,
		Hours: float64(v.HoursTenths) / 10}
	if !v.CreatedAt.IsZero() {
		j.CreatedAt, j.UpdatedAt = v.CreatedAt.Format(time.RFC3339), v.UpdatedAt.Format(time.RFC3339)
	}
	return j
}

func (j *volunteerJSON) toVolunteer() (*care.Volunteer, error) {
	f := care.FieldErrors{}
	v := &care.Volunteer{ID: j.ID, Name: j.Name, Gender: care.Gender(j.Gender), BirthDate: parseDateField(f, "birth_date", j.BirthDate),
		Phone: j.Phone, Kind: j.Kind, CommunityID: j.CommunityID, Address: j.Address, Lat: j.Lat, Lon: j.Lon, Capacity: j.Capacity,
		Skills: j.Skills, Availability: j.Availability, Team: j.Team, Status: j.Status, Training: j.Training, Honours: j.Honours,
		HoursTenths: int64(j.Hours*10 + 0.5)}
	return v, f.Err()
}

// volunteerFilter reads the volunteer list's filters, which the export
// takes too; a malformed one is refused, never ignored.
func volunteerFilter(r *request) (store.VolunteerFilter, error) {
	q := r.URL.Query()
	f := store.VolunteerFilter{Kind: q.Get("kind"), Status: q.Get("status"), Q: q.Get("q")}
	var err error
	f.CommunityID, err = queryInt64(r, "community_id")
	f.Limit, f.Offset = page(r)
	return f, err
}

func (s *Server) listVolunteers(r *request) (int, any, error) {
	f, err := volunteerFilter(r)
	if err != nil {
		return 0, nil, err
	}
	items, total, err := s.db.ListVolunteers(r.ctx, r.actor, f)
	if err != nil {
		return 0, nil, err
	}
	out := list[volunteerJSON]{Items: []volunteerJSON{}, Total: total, Limit: f.Limit, Offset: f.Offset}
	for i := range items {
		out.Items = append(out.Items, toVolunteerJSON(&items[i]))
	}
	return 0, out, nil
}

func (s *Server) getVolunteer(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	v, err := s.db.GetVolunteer(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, toVolunteerJSON(v), nil
}

func (s *Server) createVolunteer(r *request) (int, any, error) {
	if !r.actor.EditsRegistry() {
		return 0, nil, care.ErrForbidden()
	}
	var j volunteerJSON
	if err := decode(r, &j); err != nil {
		return 0, nil, err
	}
	j.ID = 0
	v, err := j.toVolunteer()
	if err != nil {
		return 0, nil, err
	}
	if err := s.db.CreateVolunteer(r.ctx, r.actor, v); err != nil {
		return 0, nil, err
	}
	r.w.Header().Set("Location", "/api/v1/volunteers/"+strconv.FormatInt(v.ID, 10))
	return http.StatusCreated, toVolunteerJSON(v), nil
}

func (s *Server) patchVolunteer(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	if !r.actor.EditsRegistry() {
		return 0, nil, care.ErrForbidden()
	}
	cur, err := s.db.GetVolunteer(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	j := toVolunteerJSON(cur)
	body, err := readBody(r)
	if err != nil {
		return 0, nil, err
	}
	r.Body = nopCloser{bytes.NewReader(body)}
	if err := decode(r, &j); err != nil {
		return 0, nil, err
	}
	j.ID = id
	v, err := j.toVolunteer()
	if err != nil {
		return 0, nil, err
	}
	if v.Training != cur.Training {
		return 0, nil, care.FieldErrors{"training": care.Msg{ZH: "培训情况是原登记的记录，只读；新的培训请在培训记录中登记（/api/v1/trainings）",
			EN: "training is the register's text, read-only; record training as a session (/api/v1/trainings)"}}.Err()
	}
	if err := s.db.UpdateVolunteer(r.ctx, r.actor, v); err != nil {
		return 0, nil, err
	}
	return 0, toVolunteerJSON(v), nil
}
