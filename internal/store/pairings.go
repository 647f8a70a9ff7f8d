package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"carecircle/internal/care"
)

// Pairing is a volunteer's place in an elder's care team (服务圈). It is
// current while EndedOn is nil; ended pairings stay as the relay history.
type Pairing struct {
	ID          int64
	ElderID     int64
	VolunteerID int64
	// Responsible marks the 责任人; each elder with a team has exactly one
	// among the current pairings. An ended pairing keeps the flag it had.
	Responsible bool
	StartedOn   time.Time
	EndedOn     *time.Time
	EndReason   string
	// PredecessorID is the pairing this one took over in a relay (接力).
	PredecessorID *int64
	// NeedsSuccessor marks an ended pairing whose elder still waits for a
	// successor (待接力).
	NeedsSuccessor bool
}

// Messages of pairing validation.
var (
	msgVolunteerUnknown = care.Msg{ZH: "志愿者不存在或不在您的管辖范围", EN: "volunteer does not exist or is outside your scope"}
	msgRefusedByElder   = care.Msg{ZH: "老人已表示不愿由该志愿者结对（尊重自愿）", EN: "the elder has refused this volunteer"}
	msgAlreadyInTeam    = care.Msg{ZH: "该志愿者已在这位老人的服务圈中", EN: "this volunteer is already in the elder's team"}
	msgOtherStreet      = care.Msg{ZH: "志愿者不属于老人所在的街道", EN: "the volunteer belongs to another street"}
	msgNeighbourElse    = care.Msg{ZH: "邻里志愿者只与本社区的老人结对，请选择本社区的志愿者或登记为社会志愿者", EN: "a neighbour volunteer serves elders of their own community only"}
	msgTooEarly         = care.Msg{ZH: "日期过早，请核对", EN: "the date is too early; please check"}
)

// CreatePairing puts a volunteer in an elder's team after the checks of
// checkPairing. The first member becomes the responsible person; a new
// member marked Responsible takes the role over. An elder outside the
// actor's scope is not found.
func (db *DB) CreatePairing(ctx context.Context, a care.Actor, p *Pairing) error {
	return db.CreatePairings(ctx, a, []*Pairing{p})
}

// CreatePairings creates several pairings in one transaction: all or none.
// With one pairing its error comes as is; with several, every invalid one
// is reported at once as the field "pairings.N.FIELD" (N counts from 0).
func (db *DB) CreatePairings(ctx context.Context, a care.Actor, ps []*Pairing) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		bad := care.FieldErrors{}
		for i, p := range ps {
			err := db.addPairing(ctx, tx, a, p)
			if err == nil {
				continue
			}
			if len(ps) == 1 {
				return err
			}
			var ce *care.Error
			if !errors.As(err, &ce) || (ce.Code != care.EInvalid && ce.Code != care.ENotFound) {
				return err
			}
			prefix := fmt.Sprintf("pairings.%d.", i)
			if ce.Code == care.ENotFound {
				bad.Add(prefix+"elder_id", care.Msg{ZH: "服务对象不存在或不在您的管辖范围", EN: "elder does not exist or is outside your scope"})
			}
			for k, m := range ce.Fields {
				bad.Add(prefix+k, m)
			}
		}
		return bad.Err()
	})
}

func (db *DB) addPairing(ctx context.Context, tx *sql.Tx, a care.Actor, p *Pairing) error {
	e, err := db.getElder(ctx, tx, a, p.ElderID)
	if err != nil {
		return err
	}
	if err := db.lockRow(ctx, tx, "elders", e.ID); err != nil {
		return err
	}
	if err := db.checkPairing(ctx, tx, a, e, p); err != nil {
		return err
	}
	return db.insertPairing(ctx, tx, a, p)
}

// lockRow serialises team changes of one elder or volunteer on PostgreSQL,
// so two staff cannot both take a volunteer's last place; SQLite has a
// single writer already.
func (db *DB) lockRow(ctx context.Context, tx *sql.Tx, table string, id int64) error {
	if db.dialect.forUpdate == "" {
		return nil
	}
	var got int64
	return tx.QueryRowContext(ctx, db.q("SELECT id FROM "+table+" WHERE id = ?"+db.dialect.forUpdate), id).Scan(&got)
}

// checkPairing is the one place that decides whether a volunteer may join
// an elder's team, reporting every problem at once: the elder must be in
// service and not decline pairing; the volunteer must be visible to the
// actor, active, of the same street (a neighbour of the same community),
// not refused by the elder, not already in the team and below capacity;
// the start may not lie in the future.
func (db *DB) checkPairing(ctx context.Context, tx *sql.Tx, a care.Actor, e *care.Elder, p *Pairing) error {
	f := care.FieldErrors{}
	if m := elderPairable(e); m != nil {
		f.Add("elder_id", *m)
	}
	today := db.today()
	if p.StartedOn.IsZero() {
		p.StartedOn = today
	}
	checkPastDate(f, "started_on", p.StartedOn, today)
	m, err := db.checkVolunteerFor(ctx, tx, a, e, p.VolunteerID)
	if err != nil {
		return err
	}
	if m != nil {
		f.Add("volunteer_id", *m)
	}
	return f.Err()
}

// elderPairable says why an elder cannot get a new team member, or nil.
func elderPairable(e *care.Elder) *care.Msg {
	switch {
	case e.Status != "active":
		return &care.Msg{ZH: "老人当前状态为“" + care.Label(care.ElderStatuses, e.Status, "zh") + "”，不能结对",
			EN: "the elder is " + care.Label(care.ElderStatuses, e.Status, "en") + " and cannot be paired"}
	case e.Wishes.DeclinePairing:
		return &care.Msg{ZH: "老人不愿结对（" + e.Wishes.DeclineReason + "），请尊重老人意愿",
			EN: "the elder declines pairing (" + e.Wishes.DeclineReason + ")"}
	}
	return nil
}

func checkPastDate(f care.FieldErrors, field string, d, today time.Time) {
	switch {
	case d.After(today):
		f.Add(field, care.MsgFutureDate)
	case d.Year() < 2000:
		f.Add(field, msgTooEarly)
	}
}

// checkVolunteerFor says why volunteer id cannot join e's team, or nil.
func (db *DB) checkVolunteerFor(ctx context.Context, tx *sql.Tx, a care.Actor, e *care.Elder, id int64) (*care.Msg, error) {
	v, err := db.getVolunteer(ctx, tx, a, id)
	if care.ErrorCode(err) == care.ENotFound {
		return &msgVolunteerUnknown, nil
	}
	if err != nil {
		return nil, err
	}
	if err := db.lockRow(ctx, tx, "volunteers", id); err != nil {
		return nil, err
	}
	if v.Status != "active" {
		return &care.Msg{ZH: "志愿者当前状态为“" + care.Label(care.VolunteerStatuses, v.Status, "zh") + "”，不能结对",
			EN: "the volunteer is " + care.Label(care.VolunteerStatuses, v.Status, "en") + " and cannot be paired"}, nil
	}
	if slices.Contains(e.Wishes.Refuse, v.ID) {
		return &msgRefusedByElder, nil
	}
	var sameStreet, inTeam int
	if err := tx.QueryRowContext(ctx, db.q(`SELECT
 (SELECT COUNT(*) FROM communities c1 JOIN communities c2 ON c2.street_id = c1.street_id WHERE c1.id = ? AND c2.id = ?),
 (SELECT COUNT(*) FROM pairings WHERE elder_id = ? AND volunteer_id = ? AND ended_on IS NULL)`),
		e.CommunityID, v.CommunityID, e.ID, v.ID).Scan(&sameStreet, &inTeam); err != nil {
		return nil, err
	}
	load, newPlace, err := db.placesTaken(ctx, tx, v.ID, e.ID) // a household may count once (household_pairing.go)
	if err != nil {
		return nil, err
	}
	switch {
	case sameStreet == 0:
		return &msgOtherStreet, nil
	case v.Kind == "neighbour" && v.CommunityID != e.CommunityID:
		return &msgNeighbourElse, nil
	case inTeam > 0:
		return &msgAlreadyInTeam, nil
	case newPlace && load >= v.Capacity:
		return &care.Msg{ZH: fmt.Sprintf("该志愿者已结对 %d 位老人，达到可结对人数 %d", load, v.Capacity),
			EN: fmt.Sprintf("the volunteer already serves %d elders, their capacity is %d", load, v.Capacity)}, nil
	}
	return nil, nil
}

// insertPairing writes a checked pairing and keeps exactly one current
// responsible person: the first member takes the role, and a member added
// as responsible takes it over from the one before.
func (db *DB) insertPairing(ctx context.Context, tx *sql.Tx, a care.Actor, p *Pairing) error {
	current, err := db.currentResponsible(ctx, tx, p.ElderID)
	if err != nil {
		return err
	}
	switch {
	case current == 0:
		p.Responsible = true
	case p.Responsible:
		if err := db.setResponsibleFlag(ctx, tx, a, current, false); err != nil {
			return err
		}
	}
	if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO pairings (elder_id, volunteer_id, responsible, started_on, predecessor_id,
 created_by, created_at) VALUES (?,?,?,?,?,?,?) RETURNING id`), p.ElderID, p.VolunteerID, p.Responsible, dateString(p.StartedOn),
		p.PredecessorID, a.Username, db.now()).Scan(&p.ID); err != nil {
		return err
	}
	return db.audit(ctx, tx, a, "create", "pairing", p.ID, nil, p)
}

func (db *DB) currentResponsible(ctx context.Context, q querier, elderID int64) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, db.q(`SELECT id FROM pairings WHERE elder_id = ? AND ended_on IS NULL AND responsible = ?`), elderID, true).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

func (db *DB) setResponsibleFlag(ctx context.Context, tx *sql.Tx, a care.Actor, pairingID int64, on bool) error {
	if _, err := tx.ExecContext(ctx, db.q("UPDATE pairings SET responsible = ? WHERE id = ?"), on, pairingID); err != nil {
		return err
	}
	return db.audit(ctx, tx, a, "update", "pairing", pairingID, map[string]bool{"Responsible": !on}, map[string]bool{"Responsible": on})
}

// SetResponsible names the volunteer of a current pairing the elder's
// responsible person (责任人), in place of the one before.
func (db *DB) SetResponsible(ctx context.Context, a care.Actor, pairingID int64) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		p, err := db.getPairing(ctx, tx, a, pairingID)
		if err != nil {
			return err
		}
		if p.EndedOn != nil {
			return errPairingEnded
		}
		if err := db.lockRow(ctx, tx, "elders", p.ElderID); err != nil {
			return err
		}
		current, err := db.currentResponsible(ctx, tx, p.ElderID)
		if err != nil || current == p.ID {
			return err
		}
		if current != 0 {
			if err := db.setResponsibleFlag(ctx, tx, a, current, false); err != nil {
				return err
			}
		}
		return db.setResponsibleFlag(ctx, tx, a, p.ID, true)
	})
}

var errPairingEnded = &care.Error{Code: care.EConflict, Message: "该结对已结束 / this pairing has ended"}

const pairingColumns = `p.id, p.elder_id, p.volunteer_id, p.responsible, p.started_on, p.ended_on, p.end_reason, p.predecessor_id, p.needs_successor`

func scanPairing(row interface{ Scan(...any) error }, p *Pairing, more ...any) error {
	var started string
	var ended sql.NullString
	var pred sql.NullInt64
	dest := append([]any{&p.ID, &p.ElderID, &p.VolunteerID, &p.Responsible, &started, &ended, &p.EndReason, &pred, &p.NeedsSuccessor}, more...)
	if err := row.Scan(dest...); err != nil {
		return err
	}
	p.StartedOn = parseDate(started)
	if ended.Valid {
		t := parseDate(ended.String)
		p.EndedOn = &t
	}
	if pred.Valid {
		p.PredecessorID = &pred.Int64
	}
	return nil
}

// getPairing returns a pairing of an elder the actor may see; a volunteer
// sees only their own pairings.
func (db *DB) getPairing(ctx context.Context, q querier, a care.Actor, id int64) (*Pairing, error) {
	scope, args, err := elderScope(a)
	if err != nil {
		return nil, err
	}
	if a.Role == care.RoleVolunteer {
		scope += " AND p.volunteer_id = ?"
		args = append(args, a.VolunteerID)
	}
	var p Pairing
	err = scanPairing(q.QueryRowContext(ctx, db.q("SELECT "+pairingColumns+" FROM pairings p JOIN elders e ON e.id = p.elder_id WHERE p.id = ? AND "+scope),
		append([]any{id}, args...)...), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, care.ErrNotFound("结对 / pairing")
	}
	return &p, err
}

// GetPairing returns one pairing the actor may see.
func (db *DB) GetPairing(ctx context.Context, a care.Actor, id int64) (*Pairing, error) {
	return db.getPairing(ctx, db.read, a, id)
}

// TeamMember is a volunteer in an elder's team as shown on the elder's page.
type TeamMember struct {
	Pairing
	Name  string
	Kind  string
	Phone string
	// VolunteerStatus is the volunteer's status now (a current member who
	// has left the programme still needs a successor).
	VolunteerStatus string
	// Predecessor and Successor name the volunteers of a relay, so the
	// history reads as one continuous line.
	Predecessor string
	Successor   string
	// AgreementSigned is the signing day of the agreement in force, if any.
	AgreementSigned *time.Time
}

// ElderTeam lists the current and past members of an elder's team, current
// first, then by start. A volunteer sees the current team (names only, not
// teammates' phones) and their own past pairings.
func (db *DB) ElderTeam(ctx context.Context, a care.Actor, elderID int64) ([]TeamMember, error) {
	if _, err := db.getElder(ctx, db.read, a, elderID); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+pairingColumns+`, v.name, v.kind, v.phone, v.status,
 COALESCE((SELECT pv.name FROM pairings pp JOIN volunteers pv ON pv.id = pp.volunteer_id WHERE pp.id = p.predecessor_id), ''),
 COALESCE((SELECT sv.name FROM pairings sp JOIN volunteers sv ON sv.id = sp.volunteer_id WHERE sp.predecessor_id = p.id ORDER BY sp.id LIMIT 1), ''),
 (SELECT MAX(ag.signed_on) FROM agreements ag WHERE ag.pairing_id = p.id)
 FROM pairings p JOIN volunteers v ON v.id = p.volunteer_id
 WHERE p.elder_id = ? ORDER BY (p.ended_on IS NULL) DESC, p.started_on, p.id`), elderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TeamMember
	for rows.Next() {
		var m TeamMember
		var signed sql.NullString
		if err := scanPairing(rows, &m.Pairing, &m.Name, &m.Kind, &m.Phone, &m.VolunteerStatus, &m.Predecessor, &m.Successor, &signed); err != nil {
			return nil, err
		}
		if signed.Valid {
			t := parseDate(signed.String)
			m.AgreementSigned = &t
		}
		if a.Role == care.RoleVolunteer && m.VolunteerID != a.VolunteerID {
			if m.EndedOn != nil {
				continue // others' past pairings are not the volunteer's business
			}
			m.Phone = "" // a volunteer sees teammates by name, not their phone
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// trimmed trims s and checks its length, for reasons and notes.
func trimmed(f care.FieldErrors, field, s string, required bool, max int) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		f.Add(field, care.MsgRequired)
	case len([]rune(s)) > max:
		f.Add(field, care.MsgTooLong)
	}
	return s
}
