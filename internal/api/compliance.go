package api

import (
	"strconv"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/compliance"
	"carecircle/internal/tracker"
)

type tallyOut struct {
	Count    int                   `json:"count"`
	Required int                   `json:"required"`
	Records  []compliance.RecordID `json:"records"`
}

// statusOut is one period's status, in the shape `compliance evaluate`
// prints.
type statusOut struct {
	Standard     string                `json:"standard"`
	Period       string                `json:"period"`
	Kind         calendar.Kind         `json:"kind"`
	Status       compliance.Outcome    `json:"status"`
	Count        int                   `json:"count"`
	Required     int                   `json:"required"`
	Records      []compliance.RecordID `json:"records"`
	Also         []tallyOut            `json:"also,omitempty"`
	Start        string                `json:"start"`
	End          string                `json:"end"`
	Deadline     string                `json:"deadline"`
	Occasion     string                `json:"occasion,omitempty"`
	OccasionDate string                `json:"occasion_date,omitempty"`
}

func toStatus(s compliance.Status, loc *time.Location) statusOut {
	out := statusOut{Standard: s.Standard, Period: s.Period.Label, Kind: s.Period.Kind, Status: s.Outcome, Count: s.Count,
		Required: s.Required, Records: orEmpty(s.Records), Start: s.Period.Start.In(loc).Format(time.RFC3339),
		End: s.Closes.In(loc).Format(time.RFC3339), Deadline: s.Deadline.In(loc).Format(time.RFC3339)}
	for _, a := range s.Also {
		out.Also = append(out.Also, tallyOut{Count: a.Count, Required: a.Required, Records: orEmpty(a.Records)})
	}
	if s.Period.Kind == calendar.KindFestival {
		out.Occasion, out.OccasionDate = s.Period.Occasion.Code, s.Period.Occasion.Date.String()
	}
	return out
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// trackedOut is a tracked pairing: a real pairing ("p12", pairing_id 12)
// or an elder's assigned clinic ("k7", no pairing_id).
type trackedOut struct {
	Pairing     string      `json:"pairing"`
	PairingID   *int64      `json:"pairing_id"`
	ElderID     int64       `json:"elder_id"`
	CommunityID int64       `json:"community_id"`
	VolunteerID *int64      `json:"volunteer_id"`
	Role        string      `json:"role"`
	From        string      `json:"from"`
	To          *string     `json:"to"`
	Month       string      `json:"month,omitempty"`
	Statuses    []statusOut `json:"statuses,omitempty"`
}

func toTracked(p tracker.PairingInfo) trackedOut {
	out := trackedOut{Pairing: p.Key, ElderID: p.ElderID, CommunityID: p.CommunityID, VolunteerID: p.VolunteerID, Role: p.Role, From: p.From.String()}
	if id, err := strconv.ParseInt(p.Key[1:], 10, 64); err == nil && p.Key[0] == 'p' {
		out.PairingID = &id
	}
	if p.To != nil {
		to := p.To.String()
		out.To = &to
	}
	return out
}

func (s *Server) month(r *request) string {
	if m := r.URL.Query().Get("month"); m != "" {
		return m
	}
	return s.db.Now().In(s.db.Loc).Format("2006-01")
}

func (s *Server) report(rep tracker.PairingReport, month string) trackedOut {
	out := toTracked(rep.PairingInfo)
	out.Month, out.Statuses = month, []statusOut{}
	for _, st := range rep.Statuses {
		out.Statuses = append(out.Statuses, toStatus(st, s.db.Loc))
	}
	return out
}

// pairingCompliance is a pairing's statuses for a month.
func (s *Server) pairingCompliance(r *request) (int, any, error) {
	if err := s.needTracker(); err != nil {
		return 0, nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	month := s.month(r)
	rep, err := s.tracker.PairingReport(r.ctx, r.actor, "p"+strconv.FormatInt(id, 10), month)
	if err != nil {
		return 0, nil, err
	}
	return 0, s.report(*rep, month), nil
}

// elderCompliance is the statuses of every tracked pairing of an elder,
// the clinic's included.
func (s *Server) elderCompliance(r *request) (int, any, error) {
	if err := s.needTracker(); err != nil {
		return 0, nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	month := s.month(r)
	reps, err := s.tracker.ElderReport(r.ctx, r.actor, id, month)
	if err != nil {
		return 0, nil, err
	}
	out := []trackedOut{}
	for _, rep := range reps {
		out = append(out, s.report(rep, month))
	}
	return 0, map[string]any{"elder_id": id, "month": month, "pairings": out}, nil
}

type countsOut struct {
	Met     int      `json:"met"`
	Due     int      `json:"due"`
	Overdue int      `json:"overdue"`
	Missed  int      `json:"missed"`
	Rate    *float64 `json:"rate"` // percent of judged periods met; null before any is judged
}

func toCounts(c tracker.Counts) countsOut {
	out := countsOut{Met: c.Met, Due: c.Due, Overdue: c.Overdue, Missed: c.Missed}
	if pct, ok := c.Rate(); ok {
		pct = float64(int(pct*10+0.5)) / 10
		out.Rate = &pct
	}
	return out
}

type tableRowOut struct {
	CommunityID int64  `json:"community_id"`
	Role        string `json:"role"`
	Standard    string `json:"standard"`
	countsOut
}

// complianceTable is the station's table by community, role and standard
// for a month (community staff: their own community).
func (s *Server) complianceTable(r *request) (int, any, error) {
	if err := s.needTracker(); err != nil {
		return 0, nil, err
	}
	community, err := queryInt64(r, "community_id")
	if err != nil {
		return 0, nil, err
	}
	month := s.month(r)
	rows, err := s.tracker.Table(r.ctx, r.actor, month, community)
	if err != nil {
		return 0, nil, err
	}
	out := []tableRowOut{}
	var total tracker.Counts
	for _, row := range rows {
		out = append(out, tableRowOut{CommunityID: row.CommunityID, Role: row.Role, Standard: row.Standard, countsOut: toCounts(row.Counts)})
		total.Met, total.Due, total.Overdue, total.Missed = total.Met+row.Met, total.Due+row.Due, total.Overdue+row.Overdue, total.Missed+row.Missed
	}
	body := map[string]any{"month": month, "rows": out, "total": toCounts(total)}
	if s.tracker.Rebuilding(r.actor.StreetID) {
		body["rebuilding"] = true // the last state, while the street's is rebuilt
	}
	return 0, body, nil
}

// complianceCommunity drills into a community: each pairing's outcomes
// per standard in the month.
func (s *Server) complianceCommunity(r *request) (int, any, error) {
	if err := s.needTracker(); err != nil {
		return 0, nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	month := s.month(r)
	list, err := s.tracker.CommunityPairings(r.ctx, r.actor, id, month)
	if err != nil {
		return 0, nil, err
	}
	type standardOut struct {
		Standard string `json:"standard"`
		countsOut
	}
	type lineOut struct {
		trackedOut
		Standards []standardOut `json:"standards"`
	}
	out := []lineOut{}
	for _, ps := range list {
		line := lineOut{trackedOut: toTracked(ps.PairingInfo), Standards: []standardOut{}}
		for _, c := range ps.Standards {
			line.Standards = append(line.Standards, standardOut{Standard: c.Standard, countsOut: toCounts(c.Counts)})
		}
		out = append(out, line)
	}
	return 0, map[string]any{"community_id": id, "month": month, "pairings": out}, nil
}

// today is a worklist, most urgent first: a volunteer's, clinic staff's
// (the clinic's inquiries and check-ups due for its elders in service; the
// tracker scopes it to the actor's clinic), or community staff's (the
// committee's visits due for the community's elders in service).
func (s *Server) today(r *request) (int, any, error) {
	if err := s.needTracker(); err != nil {
		return 0, nil, err
	}
	if r.actor.Role != care.RoleVolunteer && r.actor.Role != care.RoleClinic && r.actor.Role != care.RoleCommunity {
		return 0, nil, care.ErrForbidden()
	}
	// The clinic's worklist by community (issue 16 point 2): a community
	// the caller cannot see is 404, a malformed one 422.
	community, err := queryInt64(r, "community_id")
	if err != nil {
		return 0, nil, err
	}
	if err := s.db.CheckCommunityFilter(r.ctx, r.actor, community); err != nil {
		return 0, nil, err
	}
	duties, err := s.tracker.Today(r.ctx, r.actor)
	if err != nil {
		return 0, nil, err
	}
	type dutyOut struct {
		ElderID     int64  `json:"elder_id"`
		CommunityID int64  `json:"community_id"`
		Pairing     string `json:"pairing"`
		Role        string `json:"role"`
		Left        int    `json:"left"`
		statusOut
	}
	out := []dutyOut{}
	for _, d := range duties {
		if community != 0 && d.CommunityID != community {
			continue
		}
		st := compliance.Status{Standard: d.Standard, Period: d.Period, Outcome: d.Outcome,
			Tally: compliance.Tally{Count: d.Count, Required: d.Required}, Closes: d.Closes, Deadline: d.Deadline}
		out = append(out, dutyOut{ElderID: d.ElderID, CommunityID: d.CommunityID, Pairing: d.PairingKey, Role: d.Role, Left: d.Left, statusOut: toStatus(st, s.db.Loc)})
	}
	return 0, map[string]any{"day": s.db.Now().In(s.db.Loc).Format(time.DateOnly), "duties": out}, nil
}
