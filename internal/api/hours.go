package api

import (
	"net/http"
	"strconv"
	"time"

	"carecircle/internal/hours"
	"carecircle/internal/hourscert"
	"carecircle/internal/store"
)

// routesHours registers the hours ledger and time bank (README "服务时长 /
// Hours ledger and time bank").
func (s *Server) routesHours() {
	m := s.mux
	m.HandleFunc("GET /api/v1/volunteers/{id}/hours", s.handle(s.volunteerHours, true))
	m.HandleFunc("GET /api/v1/volunteers/{id}/hours/certificate", func(w http.ResponseWriter, r *http.Request) {
		s.handle(s.hoursCertificate, true)(&fileResponse{ResponseWriter: w}, r)
	})
	m.HandleFunc("POST /api/v1/volunteers/{id}/hours/donations", s.handle(s.donateHours, true))
}

type hoursEntryJSON struct {
	ID           int64   `json:"id"`
	Source       string  `json:"source"`
	Minutes      int     `json:"minutes"`
	Hours        float64 `json:"hours"`
	At           string  `json:"at"`
	RecordID     int64   `json:"record_id,omitempty"`
	AmendmentID  int64   `json:"amendment_id,omitempty"`
	ActivityID   int64   `json:"activity_id,omitempty"`
	TransferID   int64   `json:"transfer_id,omitempty"`
	Kind         string  `json:"kind,omitempty"`
	Type         string  `json:"type,omitempty"`
	Elder        string  `json:"elder,omitempty"`
	Counterparty string  `json:"counterparty,omitempty"`
	Note         string  `json:"note,omitempty"`
	EnteredAt    string  `json:"entered_at"`
}

func (s *Server) volunteerHours(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	limit, _ := page(r)
	acc, err := s.db.VolunteerHours(r.ctx, r.actor, id, limit)
	if err != nil {
		return 0, nil, err
	}
	entries := []hoursEntryJSON{}
	for _, e := range acc.Entries {
		entries = append(entries, hoursEntryJSON{ID: e.ID, Source: e.Source, Minutes: e.Minutes, Hours: float64(e.Minutes) / 60,
			At: e.At.In(s.db.Loc).Format(time.RFC3339), RecordID: e.RecordID, AmendmentID: e.AmendmentID, ActivityID: e.ActivityID,
			TransferID: e.TransferID, Kind: e.Kind, Type: e.Type, Elder: e.ElderName, Counterparty: e.Counterparty, Note: e.Note,
			EnteredAt: e.EnteredAt.In(s.db.Loc).Format(time.RFC3339)})
	}
	return 0, map[string]any{"volunteer_id": acc.VolunteerID, "name": acc.Name, "balance_minutes": acc.Balance,
		"balance_hours": float64(acc.Balance) / 60, "opening_minutes": acc.Opening, "earned_minutes": acc.Earned,
		"donated_out_minutes": acc.DonatedOut, "donated_in_minutes": acc.DonatedIn, "total_entries": acc.TotalEntries, "entries": entries}, nil
}

// hoursCertificate answers the printable certificate (HTML with print CSS).
func (s *Server) hoursCertificate(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	period := r.URL.Query().Get("period")
	if period == "" {
		period = strconv.Itoa(s.db.Now().In(s.db.Loc).Year())
	}
	c, err := s.db.GetHoursCertificate(r.ctx, r.actor, id, period)
	if err != nil {
		return 0, nil, err
	}
	page, err := hourscert.Render(c, r.lang, s.db.Loc)
	if err != nil {
		return 0, nil, err
	}
	name := "志愿服务时长证明-" + c.Name + "-" + c.Period.Label + ".html"
	ascii := "hours-certificate-" + strconv.FormatInt(c.VolunteerID, 10) + "-" + c.Period.Label + ".html"
	f := r.w.(*fileResponse)
	f.ResponseWriter.Header().Set("X-Content-Type-Options", "nosniff")
	f.send("text/html; charset=utf-8", name, ascii, page)
	return 0, nil, nil
}

type donationJSON struct {
	ToVolunteerID int64  `json:"to_volunteer_id"`
	ToElderID     int64  `json:"to_elder_id"`
	Minutes       int    `json:"minutes"`
	Note          string `json:"note"`
}

func (s *Server) donateHours(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var j donationJSON
	if err := decode(r, &j); err != nil {
		return 0, nil, err
	}
	t, err := s.db.DonateHours(r.ctx, r.actor, hours.Donation{From: id, To: hours.Account{VolunteerID: j.ToVolunteerID, ElderID: j.ToElderID},
		Minutes: j.Minutes, Note: j.Note})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, transferJSON(t), nil
}

func transferJSON(t *store.HoursTransfer) map[string]any {
	return map[string]any{"from_entry_id": t.OutID, "to_entry_id": t.InID, "from_volunteer_id": t.From,
		"to_volunteer_id": t.To.VolunteerID, "to_elder_id": t.To.ElderID, "minutes": t.Minutes, "balance_minutes": t.Balance}
}
