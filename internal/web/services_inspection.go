package web

import (
	"net/http"
	"strconv"

	"carecircle/internal/api"
	"carecircle/internal/care"
	"carecircle/internal/store"
)

type inspectionCommunity struct {
	Community care.Community
	Rows      []store.InspectionRow
	Signed    int
	Clean     int
}

type inspectionData struct {
	Month       string
	Prev, Next  string
	Communities []inspectionCommunity
	Only        int64
	// Ended tells whether Month has ended: only then are its cards signed.
	Ended     bool
	LastEnded string
	// Corrections are amendments made to signed months lately: the
	// signature stands, so the station reviews them here.
	Corrections []store.Correction
}

// reviewDays is how far back the inspection page lists corrections made
// to signed months.
const reviewDays = 62

// inspectionPage is the station's monthly inspection (每月检查): each
// community's cards of the month with their flags and the signing progress.
// It opens on the last month that has ended, the one to sign.
func (s *Server) inspectionPage(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	month := r.URL.Query().Get("month")
	if store.ValidMonth(month) != nil {
		month = s.db.LastEndedMonth()
	}
	only, err := queryCommunity(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("signed") != "" {
		p.Flash = p.T("已保存") + ": " + r.URL.Query().Get("signed")
	}
	return s.showInspection(w, r, p, month, only, http.StatusOK)
}

func (s *Server) showInspection(w http.ResponseWriter, r *http.Request, p *page, month string, only int64, status int) error {
	comms, err := s.db.Communities(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	rows, err := s.db.Inspection(r.Context(), p.Actor, month, only)
	if err != nil {
		return err
	}
	d := inspectionData{Month: month, Prev: shiftMonth(month, -1), Next: shiftMonth(month, 1), Only: only,
		Ended: s.monthEnded(month), LastEnded: s.db.LastEndedMonth()}
	for _, c := range comms {
		if only != 0 && c.ID != only {
			continue
		}
		ic := inspectionCommunity{Community: c}
		for _, row := range rows {
			if row.CommunityID != c.ID {
				continue
			}
			ic.Rows = append(ic.Rows, row)
			if row.Signed {
				ic.Signed++
			} else if row.Flags().Clean() {
				ic.Clean++
			}
		}
		d.Communities = append(d.Communities, ic)
	}
	if d.Corrections, err = s.db.CorrectionsAfterSigning(r.Context(), p.Actor, s.db.Now().AddDate(0, 0, -reviewDays)); err != nil {
		return err
	}
	p.Title, p.Active, p.Data = "每月检查", "inspection", d
	s.render(w, status, "inspection", p)
	return nil
}

// inspectionSignClean signs every clean card of a community's month at
// once; each signature is audited on its own. A month that has not ended
// is refused with its reason on the page.
func (s *Server) inspectionSignClean(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	f := newForm(r)
	month, only := f.str("month"), f.int64("community_id")
	if err := f.errs.Err(); err != nil {
		// A malformed community is refused, never read as every community.
		return err
	}
	refuse := func(err error) error {
		p.setError(err)
		p.Error = reason(p, err)
		if store.ValidMonth(month) != nil {
			month = s.db.LastEndedMonth()
		}
		return s.showInspection(w, r, p, month, only, api.Status(err))
	}
	if err := store.ValidMonth(month); err != nil {
		return refuse(err)
	}
	rows, err := s.db.Inspection(r.Context(), p.Actor, month, only)
	if err != nil {
		return err
	}
	var ids []int64
	for _, row := range rows {
		if !row.Signed && row.Flags().Clean() {
			ids = append(ids, row.ElderID)
		}
	}
	n, err := s.db.SignCleanCards(r.Context(), p.Actor, ids, month, f.str("comment"))
	if err != nil {
		switch care.ErrorCode(err) {
		case care.EInvalid, care.EMonthNotEnded, care.EConflict:
			return refuse(err)
		}
		return err
	}
	http.Redirect(w, r, "/inspection?month="+month+"&signed="+strconv.Itoa(n), http.StatusSeeOther)
	return nil
}
