package store

import (
	"context"

	"carecircle/internal/care"
)

// elderScope returns the condition (on alias e) that limits elders to what
// the actor may see. Roles without access to personal data are refused.
func elderScope(a care.Actor) (string, []any, error) {
	switch a.Role {
	case care.RoleStation:
		return "e.street_id = ?", []any{a.StreetID}, nil
	case care.RoleCommunity:
		return "e.community_id = ?", []any{a.CommunityID}, nil
	case care.RoleVolunteer:
		return "e.id IN (SELECT elder_id FROM pairings WHERE volunteer_id = ? AND ended_on IS NULL)", []any{a.VolunteerID}, nil
	case care.RoleClinic:
		return "e.clinic_id = ?", []any{a.ClinicID}, nil
	}
	return "", nil, care.ErrForbidden()
}

// volunteerScope limits volunteers (alias v): the station sees its street,
// a community its own team, a volunteer only themself.
func volunteerScope(a care.Actor) (string, []any, error) {
	switch a.Role {
	case care.RoleStation:
		return "v.community_id IN (SELECT id FROM communities WHERE street_id = ?)", []any{a.StreetID}, nil
	case care.RoleCommunity:
		return "v.community_id = ?", []any{a.CommunityID}, nil
	case care.RoleVolunteer:
		return "v.id = ?", []any{a.VolunteerID}, nil
	}
	return "", nil, care.ErrForbidden()
}

// communityScope limits communities (alias c); organisation data is not
// personal, so every role of a street sees its street's communities.
func communityScope(a care.Actor) (string, []any) {
	if a.Role == care.RoleAdmin || (a.Role == care.RoleViewer && a.StreetID == 0) {
		return "1 = 1", nil
	}
	return "c.street_id = ?", []any{a.StreetID}
}

// redactElder keeps only the fields a role needs (SPEC §1): a volunteer
// gets what serving needs (name, address, phone, needs, emergency contact);
// a clinic also gets age and health-relevant fields but no ID or wishes.
func redactElder(a care.Actor, e *care.Elder) {
	switch a.Role {
	case care.RoleVolunteer:
		*e = care.Elder{ID: e.ID, Name: e.Name, Gender: e.Gender, Phone: e.Phone, CommunityID: e.CommunityID,
			Building: e.Building, Unit: e.Unit, Room: e.Room, Lat: e.Lat, Lon: e.Lon,
			Needs: e.Needs, EmergencyContacts: e.EmergencyContacts, Status: e.Status}
	case care.RoleClinic:
		e.IDMasked = ""
		e.Wishes = care.Wishes{}
		e.PriorityReason = ""
	}
}

// CheckCommunityFilter refuses a community filter the actor cannot see
// with 404 before anything runs, so that a foreign community_id is never
// answered with an empty list (or an empty, audited export). Zero means
// no filter. Community staff see only their own community; other roles
// the communities GetCommunity finds in their scope.
func (db *DB) CheckCommunityFilter(ctx context.Context, a care.Actor, id int64) error {
	if id == 0 {
		return nil
	}
	if id < 0 || (a.Role == care.RoleCommunity && id != a.CommunityID) {
		return care.ErrNotFound("社区 / community")
	}
	_, err := db.GetCommunity(ctx, a, id)
	return err
}
