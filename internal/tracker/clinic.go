package tracker

import (
	"context"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// clinicTable is clinic staff's compliance table (issue 16 point 2): the
// clinic's own standards (the half-month inquiry, the quarterly check-up)
// for the elders in service assigned to the actor's clinic, by community.
// Another clinic's elders in the same community are not counted, and no
// other role's rows are shown; a community of another street is 404.
func (t *Tracker) clinicTable(ctx context.Context, a care.Actor, first, last string, community int64) ([]TableRow, error) {
	if a.ClinicID == 0 {
		return nil, care.ErrForbidden()
	}
	if err := t.db.CheckCommunityFilter(ctx, a, community); err != nil {
		return nil, err
	}
	var out []TableRow
	err := t.with(ctx, a.StreetID, func(st *street) error {
		keys := st.keys(community, func(p *store.TrackedPairing) bool {
			e := st.elders[p.ElderID]
			return isClinic(p) && e != nil && e.ClinicID != nil && *e.ClinicID == a.ClinicID
		})
		var err error
		out, err = st.aggregate(keys, first, last, t.db.Now())
		return err
	})
	return out, err
}
