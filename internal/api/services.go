package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

type verificationJSON struct {
	Method string   `json:"method"`
	Code   string   `json:"code,omitempty"`
	PIN    string   `json:"pin,omitempty"`
	Lat    *float64 `json:"lat,omitempty"`
	Lon    *float64 `json:"lon,omitempty"`
}

type serviceIn struct {
	Kind         string           `json:"kind"`
	Type         string           `json:"type"`
	At           string           `json:"at"`
	EndAt        string           `json:"end_at"`
	Note         string           `json:"note"`
	AmountCents  int64            `json:"amount_cents"`
	VolunteerID  *int64           `json:"volunteer_id"`
	ServedBy     string           `json:"served_by"`
	Source       string           `json:"source"`
	ByCommittee  bool             `json:"by_committee"`
	Verification verificationJSON `json:"verification"`
}

type recordJSON struct {
	ID          int64   `json:"id"`
	ElderID     int64   `json:"elder_id"`
	Seq         int64   `json:"seq"`
	Month       string  `json:"month"`
	Kind        string  `json:"kind"`
	Type        string  `json:"type"`
	TypeLabel   string  `json:"type_label"`
	At          string  `json:"at"`
	EndAt       *string `json:"end_at"`
	VolunteerID *int64  `json:"volunteer_id"`
	ServedBy    string  `json:"served_by"`
	Note        string  `json:"note"`
	AmountCents int64   `json:"amount_cents"`
	ByCommittee bool    `json:"by_committee"`
	// HouseholdVisitID groups the records of one household visit (包户).
	HouseholdVisitID string         `json:"household_visit_id,omitempty"`
	Verification     map[string]any `json:"verification"`
	Source           string         `json:"source"`
	Late             bool           `json:"late"`
	EnteredBy        string         `json:"entered_by"`
	EnteredAt        string         `json:"entered_at"`
	Amends           *int64         `json:"amends,omitempty"`
	AmendReason      string         `json:"amend_reason,omitempty"`
	Changes          map[string]any `json:"changes,omitempty"`
	PrevHash         string         `json:"prev_hash"`
	Hash             string         `json:"hash"`
}

func toRecordJSON(r *care.ServiceRecord, lang string, loc *time.Location) recordJSON {
	j := recordJSON{ID: r.ID, ElderID: r.ElderID, Seq: r.Seq, Month: r.Month, Kind: r.Kind, Type: r.Type,
		TypeLabel: care.ServiceTypeLabel(r.Kind, r.Type, lang), At: r.At.In(loc).Format(time.RFC3339), VolunteerID: r.VolunteerID,
		ServedBy: r.ServedBy, Note: r.Note, AmountCents: r.AmountCents, ByCommittee: r.ByCommittee, HouseholdVisitID: r.HouseholdVisitID, Source: r.Source, Late: r.Late(), EnteredBy: r.EnteredBy,
		EnteredAt: r.EnteredAt.In(loc).Format(time.RFC3339), Amends: r.Amends, AmendReason: r.AmendReason, Changes: r.Changes,
		PrevHash: r.PrevHash, Hash: r.Hash,
		Verification: map[string]any{"method": r.Method, "verified": r.Verified, "detail": r.VerifyDetail}}
	if r.EndAt != nil {
		s := r.EndAt.In(loc).Format(time.RFC3339)
		j.EndAt = &s
	}
	return j
}

func parseTime(f care.FieldErrors, field, s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		f.Add(field, care.Msg{ZH: "时间格式应为 2026-11-29T08:00:00+08:00", EN: "the time must be RFC 3339, e.g. 2026-11-29T08:00:00+08:00"})
		return nil
	}
	return &t
}

func (s *Server) addService(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in serviceIn
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	rec := &care.ServiceRecord{ElderID: id, Kind: in.Kind, Type: in.Type, Note: in.Note, AmountCents: in.AmountCents,
		VolunteerID: in.VolunteerID, ServedBy: in.ServedBy, Source: in.Source, ByCommittee: in.ByCommittee, At: s.db.Now()}
	if t := parseTime(f, "at", in.At); t != nil {
		rec.At = *t
	}
	rec.EndAt = parseTime(f, "end_at", in.EndAt)
	switch in.Verification.Method {
	case "", "none", "qr", "pin", "geo":
	default:
		f.Add("verification", care.MsgBadChoice)
	}
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	v := in.Verification
	replay, err := s.db.AddServiceOnce(r.ctx, r.actor, rec, store.Proof{Method: v.Method, Code: v.Code, PIN: v.PIN, Lat: v.Lat, Lon: v.Lon},
		attempt(r, "service", id, in))
	if err != nil {
		return 0, nil, err
	}
	r.w.Header().Set("Location", "/api/v1/services/"+strconv.FormatInt(rec.ID, 10))
	return createdOrReplayed(r, replay), toRecordJSON(rec, r.lang, s.db.Loc), nil
}

// attempt reads the Idempotency-Key header; the fingerprint is what was
// asked, re-encoded, so a retry of the same request matches whatever its
// spacing, and the same key for another elder or body does not.
func attempt(r *request, what string, id int64, in any) store.Attempt {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		if _, sent := r.Header["Idempotency-Key"]; !sent {
			return store.Attempt{}
		}
		key = " " // sent empty: refused as invalid by the store
	}
	b, _ := json.Marshal(in)
	sum := sha256.Sum256(append([]byte(what+"/"+strconv.FormatInt(id, 10)+"/"), b...))
	return store.Attempt{Key: key, Fingerprint: hex.EncodeToString(sum[:])}
}

// createdOrReplayed is 201 for a new record and 200, marked, for the
// record a retried attempt stored before.
func createdOrReplayed(r *request, replay bool) int {
	if replay {
		r.w.Header().Set("Idempotent-Replay", "true")
		return http.StatusOK
	}
	return http.StatusCreated
}

func (s *Server) getService(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	rec, err := s.db.GetRecord(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, toRecordJSON(rec, r.lang, s.db.Loc), nil
}

func (s *Server) amendService(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		Reason  string         `json:"reason"`
		Changes map[string]any `json:"changes"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	am, replay, err := s.db.AddAmendmentOnce(r.ctx, r.actor, id, in.Reason, in.Changes, attempt(r, "amendment", id, in))
	if err != nil {
		return 0, nil, err
	}
	r.w.Header().Set("Location", "/api/v1/services/"+strconv.FormatInt(am.ID, 10))
	return createdOrReplayed(r, replay), toRecordJSON(am, r.lang, s.db.Loc), nil
}

func (s *Server) getCard(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	month := r.URL.Query().Get("month")
	if month == "" {
		month = s.db.Now().In(s.db.Loc).Format("2006-01")
	}
	c, err := s.db.GetCard(r.ctx, r.actor, id, month)
	if err != nil {
		return 0, nil, err
	}
	return 0, s.cardJSON(r, c), nil
}

func (s *Server) cardJSON(r *request, c *store.Card) map[string]any {
	entries := []map[string]any{}
	for _, en := range c.Entries {
		ams := []recordJSON{}
		for i := range en.Amendments {
			ams = append(ams, toRecordJSON(&en.Amendments[i], r.lang, s.db.Loc))
		}
		entries = append(entries, map[string]any{"record": toRecordJSON(&en.ServiceRecord, r.lang, s.db.Loc), "amendments": ams, "voided": en.Voided})
	}
	team := []map[string]any{}
	for _, m := range c.Team {
		if m.EndedOn == nil {
			team = append(team, map[string]any{"volunteer_id": m.VolunteerID, "name": m.Name, "kind": m.Kind, "responsible": m.Responsible, "started_on": date(m.StartedOn)})
		}
	}
	var sig any
	if c.Signature != nil {
		sig = map[string]any{"result": c.Signature.Result, "comment": c.Signature.Comment, "signed_by": c.Signature.SignedBy,
			"signed_at": c.Signature.SignedAt.In(s.db.Loc).Format(time.RFC3339), "chain_len": c.Signature.ChainLen, "chain_head": c.Signature.ChainHead}
	}
	return map[string]any{"elder": elderOut(r.actor, c.Elder, s.db.Today(), r.lang), "month": c.Month, "team": team, "entries": entries,
		"signature": sig, "locked": c.Signature != nil,
		"flags": map[string]any{"services": c.Flags.Services, "unverified": c.Flags.Unverified, "unverified_greetings": c.Flags.UnverifiedGreetings,
			"amended": c.Flags.Amended, "missing": c.Flags.Missing, "geo_only": c.Flags.GeoOnly(), "greetings_only": c.Flags.GreetingsOnly(), "clean": c.Flags.Clean()}}
}

func (s *Server) signCard(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		Result  string `json:"result"`
		Comment string `json:"comment"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	sig, err := s.db.SignCard(r.ctx, r.actor, id, r.PathValue("month"), in.Result, in.Comment)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"elder_id": id, "month": sig.Month, "result": sig.Result, "comment": sig.Comment,
		"signed_by": sig.SignedBy, "signed_at": sig.SignedAt.In(s.db.Loc).Format(time.RFC3339), "chain_len": sig.ChainLen}, nil
}

func (s *Server) signClean(r *request) (int, any, error) {
	var in struct {
		ElderIDs []int64 `json:"elder_ids"`
		Comment  string  `json:"comment"`
		// GreetingsOnly also signs the cards whose only flag is daily
		// greetings without proof (the web's summary and confirmation).
		GreetingsOnly bool `json:"greetings_only"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	var n int
	var err error
	if in.GreetingsOnly {
		n, err = s.db.SignGreetingsOnlyCards(r.ctx, r.actor, in.ElderIDs, r.PathValue("month"))
	} else {
		n, err = s.db.SignCleanCards(r.ctx, r.actor, in.ElderIDs, r.PathValue("month"), in.Comment)
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"signed": n, "month": r.PathValue("month")}, nil
}

func (s *Server) setPIN(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		PIN string `json:"pin"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.db.SetElderPIN(r.ctx, r.actor, id, in.PIN)
}

func (s *Server) reissueCard(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	code, err := s.db.ReissueCard(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"elder_id": id, "code": code}, nil
}

func (s *Server) inspection(r *request) (int, any, error) {
	month := r.URL.Query().Get("month")
	comm, err := queryInt64(r, "community_id")
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	filter := store.InspectionFilter{Month: month, CommunityID: comm, Flag: q.Get("flag"), Signed: q.Get("signed"), Sort: q.Get("sort")}
	if err := filter.Check(); err != nil {
		return 0, nil, err
	}
	all, err := s.db.Inspection(r.ctx, r.actor, month, comm)
	if err != nil {
		return 0, nil, err
	}
	rows := filter.Queue(all)
	items := []map[string]any{}
	signed := 0
	for _, row := range rows {
		if row.Signed {
			signed++
		}
		f := row.Flags()
		items = append(items, map[string]any{"elder_id": row.ElderID, "name": row.Name, "community_id": row.CommunityID,
			"services": row.Services, "unverified": row.Unverified, "unverified_greetings": row.UnverifiedGreetings,
			"proven": row.Proven, "positions": row.Positions, "late": row.Late, "amended": row.Amended, "missing": f.Missing,
			"geo_only": f.GeoOnly(), "greetings_only": f.GreetingsOnly(), "clean": f.Clean(), "signed": row.Signed, "result": row.Result})
	}
	corr, err := s.db.CorrectionsAfterSigning(r.ctx, r.actor, s.db.Now().AddDate(0, 0, -62))
	if err != nil {
		return 0, nil, err
	}
	corrections := []map[string]any{}
	for _, c := range corr {
		corrections = append(corrections, map[string]any{"record_id": c.RecordID, "amends": c.OriginalID, "elder_id": c.ElderID,
			"name": c.Name, "month": c.Month, "by": c.By, "at": c.At.In(s.db.Loc).Format(time.RFC3339), "reason": c.Reason, "void": c.Void})
	}
	return 0, map[string]any{"month": month, "items": items, "total": len(items), "signed": signed,
		"corrections_after_signing": corrections}, nil
}

func caseJSON(c *store.Case, loc *time.Location) map[string]any {
	events := []map[string]any{}
	for _, ev := range c.Events {
		events = append(events, map[string]any{"at": ev.At.In(loc).Format(time.RFC3339), "by": ev.By, "status": ev.Status, "note": ev.Note, "department": ev.Department})
	}
	out := map[string]any{"id": c.ID, "elder_id": c.ElderID, "elder_name": c.ElderName, "record_id": c.RecordID, "kind": c.Kind,
		"urgent": c.Urgent, "status": c.Status, "summary": c.Summary, "department": c.Department, "opened_by": c.OpenedBy,
		"opened_at": c.OpenedAt.In(loc).Format(time.RFC3339), "updated_at": c.UpdatedAt.In(loc).Format(time.RFC3339), "events": events}
	// GET /cases/{id}: whether staff acknowledged it (their first update)
	// and when the station was told of an emergency nobody acknowledged.
	stamp := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return t.In(loc).Format(time.RFC3339)
	}
	if len(c.Events) > 0 {
		out["acknowledged_at"], out["acknowledged_by"], out["escalated_at"] = stamp(c.AcknowledgedAt), c.AcknowledgedBy, stamp(c.EscalatedAt)
	}
	return out
}

func (s *Server) listCases(r *request) (int, any, error) {
	cs, err := s.db.Cases(r.ctx, r.actor, r.URL.Query().Get("open") == "1")
	if err != nil {
		return 0, nil, err
	}
	items := []map[string]any{}
	for i := range cs {
		items = append(items, caseJSON(&cs[i], s.db.Loc))
	}
	return 0, map[string]any{"items": items, "total": len(items)}, nil
}

func (s *Server) getCase(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	c, err := s.db.GetCase(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, caseJSON(c, s.db.Loc), nil
}

func (s *Server) caseEvent(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		Status     string `json:"status"`
		Department string `json:"department"`
		Note       string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := s.db.UpdateCase(r.ctx, r.actor, id, in.Status, in.Department, in.Note); err != nil {
		return 0, nil, err
	}
	c, err := s.db.GetCase(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, caseJSON(c, s.db.Loc), nil
}
