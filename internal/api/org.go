package api

import (
	"net/http"

	"carecircle/internal/care"
)

type communityJSON struct {
	ID        int64    `json:"id"`
	StreetID  int64    `json:"street_id"`
	Name      string   `json:"name"`
	Code      string   `json:"code"`
	Buildings []string `json:"buildings"`
}

func toCommunityJSON(c *care.Community) communityJSON {
	return communityJSON{ID: c.ID, StreetID: c.StreetID, Name: c.Name, Code: c.Code, Buildings: nonNil(c.Buildings)}
}

func (s *Server) listCommunities(r *request) (int, any, error) {
	cs, err := s.db.Communities(r.ctx, r.actor)
	if err != nil {
		return 0, nil, err
	}
	out := list[communityJSON]{Items: []communityJSON{}, Total: len(cs), Limit: len(cs)}
	for i := range cs {
		out.Items = append(out.Items, toCommunityJSON(&cs[i]))
	}
	return 0, out, nil
}

func (s *Server) getCommunity(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	c, err := s.db.GetCommunity(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, toCommunityJSON(c), nil
}

func (s *Server) createCommunity(r *request) (int, any, error) {
	var j communityJSON
	if err := decode(r, &j); err != nil {
		return 0, nil, err
	}
	c := &care.Community{StreetID: j.StreetID, Name: j.Name, Code: j.Code, Buildings: j.Buildings}
	if err := s.db.SaveCommunity(r.ctx, r.actor, c); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toCommunityJSON(c), nil
}

func (s *Server) patchCommunity(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	cur, err := s.db.GetCommunity(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	j := toCommunityJSON(cur)
	if err := decode(r, &j); err != nil {
		return 0, nil, err
	}
	c := &care.Community{ID: id, StreetID: cur.StreetID, Name: j.Name, Code: j.Code, Buildings: j.Buildings}
	if err := s.db.SaveCommunity(r.ctx, r.actor, c); err != nil {
		return 0, nil, err
	}
	return 0, toCommunityJSON(c), nil
}

type clinicJSON struct {
	ID           int64   `json:"id"`
	StreetID     int64   `json:"street_id"`
	Name         string  `json:"name"`
	Phone        string  `json:"phone"`
	Address      string  `json:"address"`
	CommunityIDs []int64 `json:"community_ids"`
}

func toClinicJSON(c *care.Clinic) clinicJSON {
	ids := c.CommunityIDs
	if ids == nil {
		ids = []int64{}
	}
	return clinicJSON{ID: c.ID, StreetID: c.StreetID, Name: c.Name, Phone: c.Phone, Address: c.Address, CommunityIDs: ids}
}

func (s *Server) listClinics(r *request) (int, any, error) {
	cs, err := s.db.Clinics(r.ctx, r.actor)
	if err != nil {
		return 0, nil, err
	}
	out := list[clinicJSON]{Items: []clinicJSON{}, Total: len(cs), Limit: len(cs)}
	for i := range cs {
		out.Items = append(out.Items, toClinicJSON(&cs[i]))
	}
	return 0, out, nil
}

func (s *Server) getClinic(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	c, err := s.db.GetClinic(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, toClinicJSON(c), nil
}

func (s *Server) createClinic(r *request) (int, any, error) {
	var j clinicJSON
	if err := decode(r, &j); err != nil {
		return 0, nil, err
	}
	c := &care.Clinic{StreetID: j.StreetID, Name: j.Name, Phone: j.Phone, Address: j.Address, CommunityIDs: j.CommunityIDs}
	if err := s.db.SaveClinic(r.ctx, r.actor, c); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toClinicJSON(c), nil
}

func (s *Server) patchClinic(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	cur, err := s.db.GetClinic(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	j := toClinicJSON(cur)
	if err := decode(r, &j); err != nil {
		return 0, nil, err
	}
	c := &care.Clinic{ID: id, StreetID: cur.StreetID, Name: j.Name, Phone: j.Phone, Address: j.Address, CommunityIDs: j.CommunityIDs}
	if err := s.db.SaveClinic(r.ctx, r.actor, c); err != nil {
		return 0, nil, err
	}
	return 0, toClinicJSON(c), nil
}

// elderStats answers aggregates; for the district viewer every count of
// fewer than five people is shown as "<5" so that no one can be singled out.
func (s *Server) elderStats(r *request) (int, any, error) {
	st, err := s.db.Stats(r.ctx, r.actor)
	if err != nil {
		return 0, nil, err
	}
	mask := r.actor.Role == care.RoleViewer
	cell := func(n int) any {
		if mask && n > 0 && n < 5 {
			return "<5"
		}
		return n
	}
	cells := func(m map[string]int) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			out[k] = cell(v)
		}
		return out
	}
	items := []map[string]any{}
	for _, c := range st {
		items = append(items, map[string]any{"community_id": c.CommunityID, "name": c.Name, "elders": cell(c.Elders),
			"by_status": cells(c.ByStatus), "by_category": cells(c.ByCategory), "by_self_care": cells(c.BySelfCare),
			"paired": cell(c.Paired), "volunteers_by_kind": cells(c.Volunteers)})
	}
	return 0, map[string]any{"items": items, "total": len(items)}, nil
}
