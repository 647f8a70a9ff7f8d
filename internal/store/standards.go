package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/compliance"
)

// StandardVersion is one stored version of a service standard.
type StandardVersion struct {
	ID        int64 // 0 for the programme's defaults, which are not stored until the station first edits
	Standard  compliance.Standard
	CreatedBy string
	CreatedAt time.Time
}

// StreetFestival is a festival the station keeps besides the four major ones.
type StreetFestival struct {
	calendar.FestivalDef
	// EffectiveFrom is the first day festival standards count it; windows
	// of earlier years keep the occasions that applied then.
	EffectiveFrom calendar.Date
	CreatedBy     string
	CreatedAt     time.Time
}

// StandardSet is a street's service standards (服务要求) and festivals.
type StandardSet struct {
	StreetID int64
	// Version counts changes; the compliance tracker rebuilds its state
	// when it moves.
	Version   int64
	Default   bool // nothing stored yet: the programme's defaults apply
	Standards []StandardVersion
	Festivals []StreetFestival
}

// List returns the standards in the form the compliance engine takes.
func (s *StandardSet) List() []compliance.Standard {
	out := make([]compliance.Standard, len(s.Standards))
	for i, v := range s.Standards {
		out[i] = v.Standard
	}
	return out
}

// Defs returns the station's festivals as calendar definitions.
func (s *StandardSet) Defs() []calendar.FestivalDef {
	out := make([]calendar.FestivalDef, len(s.Festivals))
	for i, f := range s.Festivals {
		out[i] = f.FestivalDef
	}
	return out
}

// Config returns the engine's configuration: a calendar in loc with the
// station's festivals, and the standards.
func (s *StandardSet) Config(loc *time.Location) (compliance.Config, error) {
	cal, err := calendar.New(loc, s.Defs())
	if err != nil {
		return compliance.Config{}, err
	}
	return compliance.Config{Calendar: cal, Standards: s.List()}, nil
}

// Standards returns the standards of the actor's street. They are not
// personal data: every role of a street may read them.
func (db *DB) Standards(ctx context.Context, a care.Actor) (*StandardSet, error) {
	if a.StreetID == 0 {
		return nil, care.ErrForbidden()
	}
	return db.StreetStandards(ctx, a.StreetID)
}

// StreetStandards returns a street's standards for the compliance tracker.
func (db *DB) StreetStandards(ctx context.Context, streetID int64) (*StandardSet, error) {
	return db.streetStandards(ctx, db.read, streetID)
}

// queryer reads inside or outside a transaction.
type queryer interface {
	querier
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (db *DB) streetStandards(ctx context.Context, q queryer, streetID int64) (*StandardSet, error) {
	set := &StandardSet{StreetID: streetID}
	err := q.QueryRowContext(ctx, db.q(`SELECT settings_version FROM compliance_streets WHERE street_id = ?`), streetID).Scan(&set.Version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, db.q(`SELECT id, definition, created_by, created_at FROM standards WHERE street_id = ? ORDER BY id`), streetID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v StandardVersion
		var def, at string
		if err := rows.Scan(&v.ID, &def, &v.CreatedBy, &at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(def), &v.Standard); err != nil {
			return nil, err
		}
		v.CreatedAt = parseStamp(at)
		set.Standards = append(set.Standards, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(set.Standards) == 0 {
		set.Default = true
		for _, s := range compliance.DefaultStandards() {
			set.Standards = append(set.Standards, StandardVersion{Standard: s, CreatedBy: "default"})
		}
	}
	frows, err := q.QueryContext(ctx, db.q(`SELECT code, name, lunar, month, day, effective_from, created_by, created_at
 FROM street_festivals WHERE street_id = ? ORDER BY id`), streetID)
	if err != nil {
		return nil, err
	}
	defer frows.Close()
	for frows.Next() {
		var f StreetFestival
		var from, at string
		if err := frows.Scan(&f.Code, &f.Name, &f.Lunar, &f.Month, &f.Day, &from, &f.CreatedBy, &at); err != nil {
			return nil, err
		}
		f.EffectiveFrom, _ = calendar.ParseDate(from)
		f.CreatedAt = parseStamp(at)
		set.Festivals = append(set.Festivals, f)
	}
	return set, frows.Err()
}

// SaveStandard adds a version of a standard (or replaces the version with
// the same code and first day, which must not have begun yet). A change
// applies from its effective day, never to the past: that day must be today
// or later. The whole resulting set is validated before anything is saved.
func (db *DB) SaveStandard(ctx context.Context, a care.Actor, std compliance.Standard) error {
	if a.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	today := db.todayDate()
	if std.EffectiveFrom < today {
		return care.FieldErrors{"effective_from": care.Msg{ZH: "生效日期不能早于今天：过去的周期按当时的要求评判",
			EN: "the change cannot start before today: past periods keep the standard that applied then"}}.Err()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		set, err := db.streetStandards(ctx, tx, a.StreetID)
		if err != nil {
			return err
		}
		list := set.List()
		at := slices.IndexFunc(list, func(s compliance.Standard) bool { return s.Code == std.Code && s.EffectiveFrom == std.EffectiveFrom })
		if at >= 0 {
			list[at] = std
		} else {
			list = append(list, std)
		}
		if err := validateSet(list, set.Defs(), db.Loc); err != nil {
			return err
		}
		if set.Default {
			if err := db.seedDefaults(ctx, tx, a); err != nil {
				return err
			}
		}
		if err := db.putStandard(ctx, tx, a, std); err != nil {
			return err
		}
		return db.bumpSettings(ctx, tx, a.StreetID)
	})
}

// validateSet checks standards against the calendar they will be read with.
func validateSet(list []compliance.Standard, defs []calendar.FestivalDef, loc *time.Location) error {
	cal, err := calendar.New(loc, defs)
	if err == nil {
		err = compliance.ValidateStandards(list, cal)
	}
	if err == nil {
		return nil
	}
	msg := strings.ReplaceAll(err.Error(), "\n", "; ")
	return care.FieldErrors{"standard": care.Msg{ZH: "服务要求有误：" + msg, EN: msg}}.Err()
}

func (db *DB) seedDefaults(ctx context.Context, tx *sql.Tx, a care.Actor) error {
	for _, s := range compliance.DefaultStandards() {
		if err := db.putStandard(ctx, tx, a, s); err != nil {
			return err
		}
	}
	return nil
}

// putStandard inserts a version, or replaces the one with the same code and
// first day; either way the audit log keeps what it was.
func (db *DB) putStandard(ctx context.Context, tx *sql.Tx, a care.Actor, s compliance.Standard) error {
	def, err := json.Marshal(s)
	if err != nil {
		return err
	}
	from := s.EffectiveFrom.String()
	var id int64
	var before string
	err = tx.QueryRowContext(ctx, db.q(`SELECT id, definition FROM standards WHERE street_id = ? AND code = ? AND effective_from = ?`),
		a.StreetID, s.Code, from).Scan(&id, &before)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		err = tx.QueryRowContext(ctx, db.q(`INSERT INTO standards (street_id, code, effective_from, definition, created_by, created_at)
 VALUES (?,?,?,?,?,?) RETURNING id`), a.StreetID, s.Code, from, string(def), a.Username, db.now()).Scan(&id)
		if err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "create", "standard", id, nil, json.RawMessage(def))
	case err != nil:
		return err
	}
	if _, err := tx.ExecContext(ctx, db.q(`UPDATE standards SET definition = ?, created_by = ?, created_at = ? WHERE id = ?`),
		string(def), a.Username, db.now(), id); err != nil {
		return err
	}
	return db.audit(ctx, tx, a, "update", "standard", id, json.RawMessage(before), json.RawMessage(def))
}

// bumpSettings counts a change of a street's standards or festivals.
func (db *DB) bumpSettings(ctx context.Context, tx *sql.Tx, streetID int64) error {
	_, err := tx.ExecContext(ctx, db.q(`INSERT INTO compliance_streets (street_id, settings_version, updated_at) VALUES (?, 1, ?)
 ON CONFLICT (street_id) DO UPDATE SET settings_version = compliance_streets.settings_version + 1, updated_at = excluded.updated_at`),
		streetID, db.now())
	return err
}

// AddFestival adds a festival the station keeps, counted by festival
// standards from the day given (today or later). Festival standards that
// meant "every occasion" keep, for earlier windows, the occasions known
// until then, so the new festival never turns past years into misses.
func (db *DB) AddFestival(ctx context.Context, a care.Actor, def calendar.FestivalDef, from calendar.Date) error {
	if a.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	if from < db.todayDate() {
		return care.FieldErrors{"effective_from": care.Msg{ZH: "生效日期不能早于今天", EN: "the festival cannot start before today"}}.Err()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		set, err := db.streetStandards(ctx, tx, a.StreetID)
		if err != nil {
			return err
		}
		defs := append(set.Defs(), def)
		if err := calendar.ValidateFestivalDefs(defs); err != nil {
			msg := strings.ReplaceAll(err.Error(), "\n", "; ")
			return care.FieldErrors{"festival": care.Msg{ZH: "节日有误：" + msg, EN: msg}}.Err()
		}
		list := set.List()
		changed, added := pinOccasions(list, occasionsOf(set.Defs()), from)
		if err := validateSet(append(slices.Clone(list), added...), defs, db.Loc); err != nil {
			return err
		}
		if set.Default {
			if err := db.seedDefaults(ctx, tx, a); err != nil {
				return err
			}
		}
		for _, i := range changed {
			if err := db.putStandard(ctx, tx, a, list[i]); err != nil {
				return err
			}
		}
		for _, s := range added {
			if err := db.putStandard(ctx, tx, a, s); err != nil {
				return err
			}
		}
		var id int64
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO street_festivals (street_id, code, name, lunar, month, day, effective_from,
 created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id`), a.StreetID, def.Code, def.Name, def.Lunar, def.Month, def.Day,
			from.String(), a.Username, db.now()).Scan(&id); err != nil {
			return err
		}
		if err := db.audit(ctx, tx, a, "create", "festival", id, nil, StreetFestival{FestivalDef: def, EffectiveFrom: from}); err != nil {
			return err
		}
		return db.bumpSettings(ctx, tx, a.StreetID)
	})
}

// occasionsOf lists the occasion codes a festival standard with no list
// counts: the major festivals, the station's, and the birthday.
func occasionsOf(extra []calendar.FestivalDef) []string {
	var out []string
	for _, d := range append(calendar.MajorFestivals(), extra...) {
		out = append(out, d.Code)
	}
	return append(out, calendar.CodeBirthday)
}

// pinOccasions prepares the standards for a festival added from day from:
// festival versions in force before it that count every occasion get the
// explicit list known until then (changed, by index into list, which is
// updated in place), and a version from that day on counts every occasion
// again (added), unless one already starts that day.
func pinOccasions(list []compliance.Standard, before []string, from calendar.Date) (changed []int, added []compliance.Standard) {
	latest := map[string]int{} // code → index of the version in force on from
	for i, s := range list {
		if s.Period != calendar.KindFestival || s.EffectiveFrom > from {
			continue
		}
		if j, ok := latest[s.Code]; !ok || list[j].EffectiveFrom < s.EffectiveFrom {
			latest[s.Code] = i
		}
	}
	codes := make([]string, 0, len(latest))
	for code := range latest {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		cur := list[latest[code]]
		if cur.EffectiveFrom < from && len(cur.Festivals) == 0 {
			next := cur
			next.EffectiveFrom = from
			added = append(added, next)
		}
	}
	for i, s := range list {
		if s.Period == calendar.KindFestival && s.EffectiveFrom < from && len(s.Festivals) == 0 {
			list[i].Festivals = slices.Clone(before)
			changed = append(changed, i)
		}
	}
	return changed, added
}

// todayDate is today in the programme's time zone as a calendar date.
func (db *DB) todayDate() calendar.Date {
	t := db.today()
	return calendar.NewDate(t.Year(), t.Month(), t.Day())
}
