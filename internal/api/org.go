package api

import (
	"net/http"

	"carecircle/internal/care"
	"carecircle/internal/report"
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
	c := &care.Community{ID: id, StreetID: j.StreetID, Name: j.Name, Code: j.Code, Buildings: j.Buildings}
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
	c := &care.Clinic{ID: id, StreetID: j.StreetID, Name: j.Name, Phone: j.Phone, Address: j.Address, CommunityIDs: j.CommunityIDs}
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
	streets, err := s.db.Streets(r.ctx, r.actor)
	if err != nil {
		return 0, nil, err
	}
	// A viewer's numbers go through the one mask the home page and the
	// reports use: small counts "<5", and "*" where a sum would give one back.
	o := report.NewOverview(st, streets, r.actor)
	items := []map[string]any{}
	for _, c := range st {
		id := c.CommunityID
		items = append(items, map[string]any{"community_id": id, "name": c.Name, "elders": o.Value(id, "elders"),
			"by_status": o.Values(id, "status.", care.ElderStatuses), "by_category": o.Values(id, "category.", care.Categories),
			"by_self_care": o.Values(id, "self_care.", care.SelfCareLevels), "paired": o.Value(id, "paired"),
			"volunteers_by_kind": o.Values(id, "volunteers.", care.VolunteerKinds)})
	}
	return 0, map[string]any{"items": items, "total": len(items)}, nil
}
