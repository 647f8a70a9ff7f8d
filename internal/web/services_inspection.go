package web

import (
	"net/http"
	"strconv"

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
}

// inspectionPage is the station's monthly inspection (每月检查): each
// community's cards of the month with their flags and the signing progress.
func (s *Server) inspectionPage(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	month := monthOrNow(r.URL.Query().Get("month"), s.db.Now().In(s.db.Loc))
	only, _ := strconv.ParseInt(r.URL.Query().Get("community_id"), 10, 64)
	comms, err := s.db.Communities(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	rows, err := s.db.Inspection(r.Context(), p.Actor, month, only)
	if err != nil {
		return err
	}
	d := inspectionData{Month: month, Prev: shiftMonth(month, -1), Next: shiftMonth(month, 1), Only: only}
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
	p.Title, p.Active, p.Data = "每月检查", "inspection", d
	if r.URL.Query().Get("signed") != "" {
		p.Flash = p.T("已保存") + ": " + r.URL.Query().Get("signed")
	}
	s.render(w, http.StatusOK, "inspection", p)
	return nil
}

// inspectionSignClean signs every clean card of a community's month at
// once; each signature is audited on its own.
func (s *Server) inspectionSignClean(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	month := f.str("month")
	rows, err := s.db.Inspection(r.Context(), p.Actor, month, f.int64("community_id"))
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
		return err
	}
	http.Redirect(w, r, "/inspection?month="+month+"&signed="+strconv.Itoa(n), http.StatusSeeOther)
	return nil
}
