// Package compliance decides, for every pairing of an elder with a carer,
// whether each service standard (服务要求) was met in each period. It is
// pure and incremental: State is updated record by record and answers
// status queries without reading records again, so the cost of a status
// does not grow with the length of the history.
//
// The rules, where the programme documents are silent:
//   - A record counts for a pairing when its author is the pairing's
//     volunteer, its elder the pairing's elder, and its local date lies in
//     the pairing's days [From, To]. It counts in every period holding that
//     date, including overlapping festival windows (a visit on a birthday
//     that falls during 春节 serves both).
//   - A period is listed when it overlaps the pairing and has started by
//     as_of. A period the pairing covers only partly needs the required
//     number scaled to the days covered, rounded up, never below 1.
//   - A period closes at its end or at the end of the pairing's last day,
//     whichever is first; unmet, it is then missed.
//   - Only festival windows are overdue: unmet after the festival day while
//     the window is still open. A day, week or month is due until it closes.
//   - The version of a standard in force on a period's first day judges the
//     period. When a change also changes the period kind, periods of the old
//     kind that started before the change run to their end, and the new kind
//     starts with its first period beginning on or after the change.
package compliance

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"carecircle/internal/calendar"
)

// Role is the kind of carer a pairing puts beside an elder; the standards
// differ by role.
type Role string

// The roles of SPEC §2.
const (
	RoleNeighbour Role = "neighbour" // 邻里低龄老年志愿者
	RoleSocial    Role = "social"    // 社会志愿者
	RoleCommittee Role = "committee" // 居委会工作人员
	RoleClinic    Role = "clinic"    // 卫生机构人员
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleNeighbour, RoleSocial, RoleCommittee, RoleClinic:
		return true
	}
	return false
}

// isServiceKind reports whether k is one of the six kinds of service (SPEC §4).
func isServiceKind(k string) bool {
	switch k {
	case "life", "spirit", "festival", "health", "legal", "emergency":
		return true
	}
	return false
}

// Match says which service records count towards a requirement.
type Match struct {
	Kind string `json:"kind"`
	// Type is the sub-type; empty matches every sub-type of Kind.
	Type string `json:"type,omitempty"`
	// WithAmount counts only records with a positive amount, i.e. a
	// donation of money made during the service.
	WithAmount bool `json:"with_amount,omitempty"`
}

func (m Match) matches(r *Record) bool {
	return m.Kind == r.Kind && (m.Type == "" || m.Type == r.Type) && (!m.WithAmount || r.Amount > 0)
}

// Requirement is a number of matching records needed in a period.
type Requirement struct {
	Counts   []Match `json:"counts"`
	Required int     `json:"required"`
}

// Standard is one version of a service standard, as the station edits it.
// Several versions may share a code: each period is judged by the version
// in force on the period's first day, so past periods keep their rule.
type Standard struct {
	Code   string
	Role   Role
	Period calendar.Kind
	// Counts and Required are the main requirement, reported as the
	// status's count and required.
	Counts   []Match
	Required int
	// Also lists further requirements that must be met in the same period,
	// e.g. the committee's donation with its festival visit.
	Also []Requirement
	// Festivals limits a festival standard to these occasion codes
	// (calendar codes, "birthday" included); empty means every festival
	// the calendar knows plus the elder's birthday.
	Festivals []string
	Window    calendar.Window // festival standards only
	// EffectiveFrom is the first day the version is in force; the zero
	// Date (1970-01-01, before any programme record) means always.
	EffectiveFrom calendar.Date
}

// standardJSON is the form the station edits; pointers tell an omitted
// window (the default) from an explicit zero.
type standardJSON struct {
	Code          string         `json:"code"`
	Role          Role           `json:"role"`
	Period        calendar.Kind  `json:"period"`
	Counts        []Match        `json:"counts"`
	Required      int            `json:"required"`
	Also          []Requirement  `json:"also,omitempty"`
	Festivals     []string       `json:"festivals,omitempty"`
	WindowBefore  *int           `json:"window_before_days,omitempty"`
	WindowAfter   *int           `json:"window_after_days,omitempty"`
	EffectiveFrom *calendar.Date `json:"effective_from,omitempty"`
}

// MarshalJSON writes the station's form.
func (s Standard) MarshalJSON() ([]byte, error) {
	w := standardJSON{Code: s.Code, Role: s.Role, Period: s.Period, Counts: s.Counts, Required: s.Required,
		Also: s.Also, Festivals: s.Festivals}
	if s.Period == calendar.KindFestival {
		w.WindowBefore, w.WindowAfter = &s.Window.Before, &s.Window.After
	}
	if s.EffectiveFrom != 0 {
		w.EffectiveFrom = &s.EffectiveFrom
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the station's form; a festival standard without
// window days gets the default window.
func (s *Standard) UnmarshalJSON(b []byte) error {
	var w standardJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Standard{Code: w.Code, Role: w.Role, Period: w.Period, Counts: w.Counts, Required: w.Required,
		Also: w.Also, Festivals: w.Festivals}
	if w.Period == calendar.KindFestival {
		s.Window = calendar.DefaultWindow()
	}
	if w.WindowBefore != nil {
		s.Window.Before = *w.WindowBefore
	}
	if w.WindowAfter != nil {
		s.Window.After = *w.WindowAfter
	}
	if w.EffectiveFrom != nil {
		s.EffectiveFrom = *w.EffectiveFrom
	}
	return nil
}

// ParseStandards reads a JSON list of standards in the station's form.
// It checks the shape only; NewState validates the content.
func ParseStandards(data []byte) ([]Standard, error) {
	var stds []Standard
	if err := json.Unmarshal(data, &stds); err != nil {
		return nil, fmt.Errorf("standards: %w", err)
	}
	return stds, nil
}

// DefaultStandards returns the standards of the programme documents (SPEC §5).
// A "visit" is any life, spirit or festival service: those are done at the
// elder's home; health, legal and emergency services are counted by their
// own standards or are on call. A check-up also counts as a health inquiry.
// The committee visits at the major festivals only: the documents ask it
// to bring goods or money "as needed" (a donation is recorded, not
// required; DonationRequirement is what a street adds to require it), and
// leave birthdays to the street (off by default).
func DefaultStandards() []Standard {
	visit := []Match{{Kind: "life"}, {Kind: "spirit"}, {Kind: "festival"}}
	festivalVisit := []Match{{Kind: "festival", Type: "festival_visit"}}
	var major []string
	for _, f := range calendar.MajorFestivals() {
		major = append(major, f.Code)
	}
	return []Standard{
		{Code: "neighbour_daily_greeting", Role: RoleNeighbour, Period: calendar.KindDay, Required: 1,
			Counts: []Match{{Kind: "life", Type: "greeting"}}},
		{Code: "neighbour_weekly_chat", Role: RoleNeighbour, Period: calendar.KindISOWeek, Required: 2,
			Counts: []Match{{Kind: "spirit", Type: "chat"}}},
		{Code: "social_monthly_visit", Role: RoleSocial, Period: calendar.KindMonth, Required: 1, Counts: visit},
		{Code: "social_festival_visit", Role: RoleSocial, Period: calendar.KindFestival, Required: 1,
			Counts: festivalVisit, Window: calendar.DefaultWindow()},
		{Code: "committee_monthly_visit", Role: RoleCommittee, Period: calendar.KindMonth, Required: 1, Counts: visit},
		{Code: "committee_festival_visit", Role: RoleCommittee, Period: calendar.KindFestival, Required: 1,
			Counts: festivalVisit, Festivals: major, Window: calendar.DefaultWindow()},
		{Code: "clinic_halfmonth_inquiry", Role: RoleClinic, Period: calendar.KindHalfMonth, Required: 1,
			Counts: []Match{{Kind: "health", Type: "health_inquiry"}, {Kind: "health", Type: "checkup"}}},
		{Code: "clinic_quarterly_checkup", Role: RoleClinic, Period: calendar.KindQuarter, Required: 1,
			Counts: []Match{{Kind: "health", Type: "checkup"}}},
	}
}

var (
	codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	typePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
)

// maxAlso keeps a record's requirement set in one byte.
const maxAlso = 7

// ValidateStandards checks standards against the calendar's festivals and
// reports every problem at once.
func ValidateStandards(stds []Standard, cal *calendar.Calendar) error {
	var errs []error
	occasions := occasionCodes(cal)
	type seenVersion struct {
		role Role
		from calendar.Date
	}
	seen := map[string][]seenVersion{}
	for i, s := range stds {
		bad := func(format string, a ...any) {
			errs = append(errs, fmt.Errorf("standards[%d] (%s): %s", i, s.Code, fmt.Sprintf(format, a...)))
		}
		if !codePattern.MatchString(s.Code) {
			bad("code must be lower-case letters, digits and _")
		}
		if !s.Role.Valid() {
			bad("unknown role %q (want neighbour, social, committee or clinic)", s.Role)
		}
		if !s.Period.Valid() {
			bad("unknown period %q (want day, iso_week, half_month, month, quarter or festival)", s.Period)
		}
		for _, e := range validateRequirement(Requirement{Counts: s.Counts, Required: s.Required}) {
			bad("%s", e)
		}
		if len(s.Also) > maxAlso {
			bad("at most %d further requirements", maxAlso)
		}
		for j, r := range s.Also {
			for _, e := range validateRequirement(r) {
				bad("also[%d]: %s", j, e)
			}
		}
		for _, e := range validateFestivalFields(s, occasions) {
			bad("%s", e)
		}
		for _, v := range seen[s.Code] {
			if v.role != s.Role {
				bad("all versions of a standard must have the same role")
			}
			if v.from == s.EffectiveFrom {
				bad("two versions take effect on %s", s.EffectiveFrom)
			}
		}
		seen[s.Code] = append(seen[s.Code], seenVersion{s.Role, s.EffectiveFrom})
	}
	return errors.Join(errs...)
}

func validateRequirement(r Requirement) []string {
	var errs []string
	if r.Required < 1 || r.Required > 1000 {
		errs = append(errs, fmt.Sprintf("required must be between 1 and 1000, not %d", r.Required))
	}
	if len(r.Counts) == 0 {
		errs = append(errs, "counts must list at least one service kind")
	}
	for _, m := range r.Counts {
		if !isServiceKind(m.Kind) {
			errs = append(errs, fmt.Sprintf("unknown service kind %q", m.Kind))
		}
		if m.Type != "" && !typePattern.MatchString(m.Type) {
			errs = append(errs, fmt.Sprintf("bad service type %q", m.Type))
		}
	}
	return errs
}

func validateFestivalFields(s Standard, occasions []string) []string {
	var errs []string
	if s.Period != calendar.KindFestival {
		if len(s.Festivals) > 0 || s.Window != (calendar.Window{}) {
			errs = append(errs, "festivals and window days apply only to festival standards")
		}
		return errs
	}
	if err := s.Window.Validate(); err != nil {
		errs = append(errs, err.Error())
	}
	for j, code := range s.Festivals {
		if !slices.Contains(occasions, code) {
			errs = append(errs, fmt.Sprintf("unknown festival %q", code))
		} else if slices.Contains(s.Festivals[:j], code) {
			errs = append(errs, fmt.Sprintf("festival %q listed twice", code))
		}
	}
	return errs
}

// occasionCodes lists every occasion the calendar knows, birthday last.
func occasionCodes(cal *calendar.Calendar) []string {
	var codes []string
	for _, d := range append(calendar.MajorFestivals(), cal.Extra()...) {
		codes = append(codes, d.Code)
	}
	return append(codes, calendar.CodeBirthday)
}

// DonationRequirement is the committee's goods or money at a festival
// visit, for a street that requires it: a life/donation record, or a
// festival visit that carries an amount.
func DonationRequirement() Requirement {
	return Requirement{Required: 1, Counts: []Match{
		{Kind: "life", Type: "donation"}, {Kind: "festival", Type: "festival_visit", WithAmount: true}}}
}
