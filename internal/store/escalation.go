package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/notify"
)

// The escalation chain (issue 13 points 2 and 3, README "The escalation
// chain"). A lone elder not greeted: the neighbours are reminded in the
// evening (AdvanceEscalations), the alert reaches the staff on duty and the
// responsible volunteer in the transaction that raises it (insertAlert),
// then, nobody acknowledging, the family and later the clinic and the
// station (AdvanceEscalations). A greeting or an acknowledgement stops the
// chain and tells everyone already told. An emergency (应急求助) tells the
// staff on duty, the responsible volunteer and the family in the record's
// own transaction, and the station when nobody acknowledged it in time.
//
// Every message is named by its event (notify.EventID("alert", id, "step",
// n) and so on), and each step is claimed by a conditional update of its
// alert or case, so running the chain twice, or on two servers, tells
// nobody twice.

// EscalationPolicy returns a street's chain (the defaults when it never
// changed them). The station of the street and its community staff read it.
func (db *DB) EscalationPolicy(ctx context.Context, a care.Actor, streetID int64) (notify.Policy, error) {
	if err := db.policyScope(a, streetID, false); err != nil {
		return notify.Policy{}, err
	}
	return db.policyOf(ctx, db.read, streetID)
}

func (db *DB) policyScope(a care.Actor, streetID int64, edit bool) error {
	switch {
	case a.Role == care.RoleStation && a.StreetID == streetID:
		return nil
	case a.Role == care.RoleCommunity && a.StreetID == streetID && !edit:
		return nil
	case a.Role == care.RoleStation || a.Role == care.RoleCommunity:
		return care.ErrNotFound("街道 / street")
	}
	return care.ErrForbidden()
}

func (db *DB) policyOf(ctx context.Context, q queryer, streetID int64) (notify.Policy, error) {
	p := notify.DefaultPolicy
	err := q.QueryRowContext(ctx, db.q(`SELECT reminder_at, family_after, station_after, emergency_after FROM escalation_policies
 WHERE street_id = ?`), streetID).Scan(&p.ReminderAt, &p.FamilyAfter, &p.StationAfter, &p.EmergencyAfter)
	if errors.Is(err, sql.ErrNoRows) {
		return notify.DefaultPolicy, nil
	}
	return p, err
}

// SaveEscalationPolicy sets a street's chain: its station only, after
// notify.Policy.Validate (each bad field named); the change is audited.
// Alerts already raised follow the new waits from their next step.
func (db *DB) SaveEscalationPolicy(ctx context.Context, a care.Actor, streetID int64, p *notify.Policy) error {
	if err := db.policyScope(a, streetID, true); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	// The neighbours' reminder is the chain's first step: at or after the
	// alert it would come after the staff were already told.
	if m, ok := notify.ParseClock(p.ReminderAt); ok && m >= db.AlertHour*60 {
		return care.FieldErrors{"reminder_at": {
			ZH: fmt.Sprintf("提醒邻里志愿者的时间须早于未问候提醒的时间（%02d:00），留空则不提醒", db.AlertHour),
			EN: fmt.Sprintf("the reminder must come before the not-greeted alert (%02d:00), or be empty for none", db.AlertHour)}}.Err()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		before, err := db.policyOf(ctx, tx, streetID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO escalation_policies (street_id, reminder_at, family_after, station_after,
 emergency_after, updated_by, updated_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT (street_id) DO UPDATE SET reminder_at = excluded.reminder_at,
 family_after = excluded.family_after, station_after = excluded.station_after, emergency_after = excluded.emergency_after,
 updated_by = excluded.updated_by, updated_at = excluded.updated_at`),
			streetID, p.ReminderAt, p.FamilyAfter, p.StationAfter, p.EmergencyAfter, a.Username, db.now()); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "update", "escalation_policy", streetID, before, *p)
	})
}

// chainElder is what a chain's messages say about an elder and whom they
// reach.
type chainElder struct {
	ID, CommunityID, StreetID, ClinicID int64
	Name, Community, Address, Phone     string
	Contacts                            []care.Contact
}

func (db *DB) chainElder(ctx context.Context, q queryer, id int64) (*chainElder, error) {
	var e chainElder
	var building, unit, room, contacts string
	err := q.QueryRowContext(ctx, db.q(`SELECT e.id, e.community_id, e.street_id, COALESCE(e.clinic_id, 0), e.name, c.name, e.building,
 e.unit, e.room, e.phone, e.emergency_contacts FROM elders e JOIN communities c ON c.id = e.community_id WHERE e.id = ?`), id).Scan(
		&e.ID, &e.CommunityID, &e.StreetID, &e.ClinicID, &e.Name, &e.Community, &building, &unit, &room, &e.Phone, &contacts)
	if err != nil {
		return nil, err
	}
	e.Address = strings.TrimSpace(strings.Join(nonEmpty(building, unit, room), "-"))
	if e.Address != "" {
		e.Address = e.Community + " " + e.Address
	} else {
		e.Address = e.Community
	}
	return &e, json.Unmarshal([]byte(contacts), &e.Contacts)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// audience is whom a step tells: accounts (by their own settings) and
// people without one (by SMS to their number).
type audience struct {
	users  []care.User
	people []notify.Recipient // Name and Phone
	seen   map[string]bool
}

func (au *audience) addUsers(us ...care.User) {
	if au.seen == nil {
		au.seen = map[string]bool{}
	}
	for _, u := range us {
		if k := fmt.Sprint("u", u.ID); !au.seen[k] {
			au.seen[k] = true
			au.users = append(au.users, u)
		}
	}
}

func (au *audience) addPerson(name, phone string) {
	if au.seen == nil {
		au.seen = map[string]bool{}
	}
	phone = care.NormalizePhone(phone)
	if k := "p" + phone; phone != "" && !au.seen[k] {
		au.seen[k] = true
		au.people = append(au.people, notify.Recipient{Name: name, Phone: phone})
	}
}

// addVolunteers adds volunteers: through their accounts when they have
// one, otherwise by SMS to their phone.
func (db *DB) addVolunteers(ctx context.Context, q queryer, au *audience, ids ...int64) error {
	for _, id := range ids {
		users, err := db.queryUsers(ctx, q, `role = ? AND volunteer_id = ? AND disabled = ?`, care.RoleVolunteer, id, false)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			au.addUsers(users...)
			continue
		}
		var name, phone string
		if err := q.QueryRowContext(ctx, db.q(`SELECT name, phone FROM volunteers WHERE id = ?`), id).Scan(&name, &phone); err != nil {
			return err
		}
		au.addPerson(name, phone)
	}
	return nil
}

// responsibleOf is the elder's responsible volunteer (责任人: the current
// pairing marked responsible), 0 when none.
func (db *DB) responsibleOf(ctx context.Context, q queryer, elderID int64) (int64, error) {
	ids, err := queryIDs(ctx, q, db.q(`SELECT volunteer_id FROM pairings WHERE elder_id = ? AND ended_on IS NULL AND responsible = ?
 ORDER BY id LIMIT 1`), elderID, true)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// addFamily adds the elder's first emergency contact with a mobile number.
func (au *audience) addFamily(e *chainElder) {
	for _, c := range e.Contacts {
		if s := notify.ContactSettings(c.Phone); s.Phone != "" && s.Validate() == nil {
			p := s.Phone
			au.addPerson(c.Name, p)
			return
		}
	}
}

// send fans base out to the audience and writes the messages in tx,
// marked with their step.
func (db *DB) send(ctx context.Context, tx *sql.Tx, step notify.Step, base notify.Message, au *audience) (int, error) {
	msgs, err := db.messagesFor(ctx, tx, base, au.users)
	if err != nil {
		return 0, err
	}
	for _, p := range au.people {
		msgs = append(msgs, notify.Fanout(base, p, notify.ContactSettings(p.Phone), db.Loc)...)
	}
	return len(msgs), db.enqueueStep(ctx, tx, step, msgs)
}

// enqueueStep is enqueueTx for a step of a chain.
func (db *DB) enqueueStep(ctx context.Context, tx *sql.Tx, step notify.Step, msgs []notify.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	if err := db.enqueueTx(ctx, tx, msgs...); err != nil {
		return err
	}
	args := []any{string(step)}
	for _, m := range msgs {
		args = append(args, m.ID)
	}
	_, err := tx.ExecContext(ctx, db.q(`UPDATE outbox SET step = ? WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(msgs)), ",")+`)`), args...)
	return err
}

// stepCache keeps, during one raise of many alerts, who is on duty in a
// community, so the roster is read once per community.
type stepCache struct {
	onDuty map[int64][]care.User
}

// alertStep takes the chain's first step in the transaction that raises
// the alert: the community's staff on duty and the responsible volunteer
// are told; the evening's reminders of that elder join the alert.
func (db *DB) alertStep(ctx context.Context, tx *sql.Tx, alertID, elderID int64, day time.Time, cache *stepCache) error {
	e, err := db.chainElder(ctx, tx, elderID)
	if err != nil {
		return err
	}
	now := db.Now()
	au := &audience{}
	staff, ok := cache.onDuty[e.CommunityID]
	if !ok {
		if staff, _, err = db.onDuty(ctx, tx, e.CommunityID, now); err != nil {
			return err
		}
		cache.onDuty[e.CommunityID] = staff
	}
	au.addUsers(staff...)
	if v, err := db.responsibleOf(ctx, tx, elderID); err != nil {
		return err
	} else if v > 0 {
		if err := db.addVolunteers(ctx, tx, au, v); err != nil {
			return err
		}
	}
	text := fmt.Sprintf("未问候提醒：独居老人 %s（%s）今天到 %s 还没有人问候，请尽快电话联系或上门查看，处理后在提醒上确认。", e.Name, e.Address, now.In(db.Loc).Format("15:04"))
	if e.Phone != "" {
		text += "老人电话 " + e.Phone + "。"
	}
	base := notify.Message{ID: notify.EventID("alert", alertID, "step", 1), Kind: notify.KindMissedGreeting, Text: text,
		ElderID: elderID, AlertID: alertID, CreatedAt: now}
	if _, err := db.send(ctx, tx, notify.StepAlert, base, au); err != nil {
		return err
	}
	bounds := db.dayArgs(day)
	_, err = tx.ExecContext(ctx, db.q(`UPDATE outbox SET alert_id = ? WHERE elder_id = ? AND step = ? AND created_at >= ? AND created_at < ?
 AND alert_id IS NULL`), alertID, elderID, string(notify.StepReminder), bounds[1], bounds[2])
	return err
}

// AdvanceEscalations performs every step of the escalation chains (issue
// 13 points 2 and 3) that is due at now: the evening reminder to an elder's
// neighbours, the steps after a not-greeted alert nobody acknowledged, and
// an emergency nobody acknowledged. A chain whose elder was greeted since
// is stopped instead (those told are told). Each message is named with
// notify.EventID and each step claimed by a conditional update, so running
// it twice, or on two servers, stores each once. It reports how many steps
// it took (an elder reminded, an alert escalated or stopped, an emergency
// escalated).
func (db *DB) AdvanceEscalations(ctx context.Context, now time.Time) (int, error) {
	policies := map[int64]notify.Policy{}
	policy := func(street int64) (notify.Policy, error) {
		if p, ok := policies[street]; ok {
			return p, nil
		}
		p, err := db.policyOf(ctx, db.read, street)
		policies[street] = p
		return p, err
	}
	n, err := db.remindNeighbours(ctx, now, policy)
	if err != nil {
		return n, err
	}
	m, err := db.advanceAlerts(ctx, now, policy)
	n += m
	if err != nil {
		return n, err
	}
	m, err = db.advanceEmergencies(ctx, now, policy)
	return n + m, err
}

// remindNeighbours sends, once per street and day, from the street's
// reminder time, "你今天还没有问候 X" to the neighbour volunteers of every
// active elder living alone not yet greeted that day and not yet alerted.
func (db *DB) remindNeighbours(ctx context.Context, now time.Time, policy func(int64) (notify.Policy, error)) (int, error) {
	streets, err := queryIDs(ctx, db.read, `SELECT id FROM streets ORDER BY id`)
	if err != nil {
		return 0, err
	}
	day := now.In(db.Loc)
	n := 0
	for _, street := range streets {
		p, err := policy(street)
		if err != nil {
			return n, err
		}
		if !p.ReminderDue(now, db.Loc) {
			continue
		}
		var sent int
		if err := db.read.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM escalation_reminders WHERE street_id = ? AND day = ?`),
			street, dateString(day)).Scan(&sent); err != nil || sent > 0 {
			if err != nil {
				return n, err
			}
			continue
		}
		err = db.tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, db.q(`INSERT INTO escalation_reminders (street_id, day, sent_at) VALUES (?,?,?)
 ON CONFLICT (street_id, day) DO NOTHING`), street, dateString(day), stamp(now))
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err != nil || k == 0 {
				return err // another server sends them
			}
			ids, err := queryIDs(ctx, tx, db.q(`SELECT e.id FROM elders e WHERE e.street_id = ? AND e.status = 'active'
 AND e.living_situation = 'alone' AND e.id NOT IN (`+greetedIDs+`)
 AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.elder_id = e.id AND a.day = ? AND a.kind = 'not_greeted') ORDER BY e.id`),
				append(append([]any{street}, db.dayArgs(day)...), dateString(day))...)
			if err != nil {
				return err
			}
			for _, id := range ids {
				e, err := db.chainElder(ctx, tx, id)
				if err != nil {
					return err
				}
				vols, err := queryIDs(ctx, tx, db.q(`SELECT p.volunteer_id FROM pairings p JOIN volunteers v ON v.id = p.volunteer_id
 WHERE p.elder_id = ? AND p.ended_on IS NULL AND v.kind = 'neighbour' ORDER BY p.responsible DESC, p.id`), id)
				if err != nil {
					return err
				}
				au := &audience{}
				if err := db.addVolunteers(ctx, tx, au, vols...); err != nil {
					return err
				}
				base := notify.Message{ID: notify.EventID("greeting", id, dateString(day), "step", 0), Kind: notify.KindReminder,
					Text: fmt.Sprintf("你今天还没有问候 %s（%s），请尽快去敲门问候并记录。", e.Name, e.Address), ElderID: id, CreatedAt: now}
				if _, err := db.send(ctx, tx, notify.StepReminder, base, au); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// advanceAlerts stops the chains whose elder was greeted after all and
// takes the due steps of the others.
func (db *DB) advanceAlerts(ctx context.Context, now time.Time, policy func(int64) (notify.Policy, error)) (int, error) {
	type chain struct {
		id, elder, street int64
		raised            time.Time
		step              int
		status, day       string
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT a.id, a.elder_id, a.street_id, a.raised_at, a.esc_step, a.status, a.day FROM alerts a
 WHERE a.esc_done = 0 ORDER BY a.raised_at, a.id`))
	if err != nil {
		return 0, err
	}
	var chains []chain
	for rows.Next() {
		var c chain
		var raised string
		if err := rows.Scan(&c.id, &c.elder, &c.street, &raised, &c.step, &c.status, &c.day); err != nil {
			rows.Close()
			return 0, err
		}
		c.raised = parseStamp(raised)
		chains = append(chains, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(chains) == 0 {
		return 0, err
	}
	greeted, err := db.greetedChains(ctx, chainDays(chains, func(c chain) string { return c.day }))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range chains {
		if greeted[c.id] || c.status != "open" {
			err := db.tx(ctx, func(tx *sql.Tx) error {
				reason := "greeted"
				if c.status != "open" {
					reason = c.status
				}
				ok, err := db.stopChain(ctx, tx, c.id, reason, "", now)
				if ok {
					n++
				}
				return err
			})
			if err != nil {
				return n, err
			}
			continue
		}
		p, err := policy(c.street)
		if err != nil {
			return n, err
		}
		for step := p.NextAlertStep(c.raised, c.step, now); step > 0; step = p.NextAlertStep(c.raised, c.step, now) {
			err := db.tx(ctx, func(tx *sql.Tx) error {
				took, err := db.escalateAlert(ctx, tx, c.id, c.elder, c.step, step, now)
				if took {
					n++
				}
				return err
			})
			if err != nil {
				return n, err
			}
			c.step = step
		}
	}
	return n, nil
}

func chainDays[T any](list []T, day func(T) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range list {
		if d := day(c); !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// greetedChains returns the running chains whose elder was greeted on the
// alert's day. On PostgreSQL a look at each elder's own records (the card
// index) costs least; SQLite's planner takes the day index for that, so
// there the day's greetings are read once per day of the chains (a 20,000
// elder street with 2,000 chains running: about 50 ms on PostgreSQL, 70
// ms on SQLite, per run).
func (db *DB) greetedChains(ctx context.Context, days []string) (map[int64]bool, error) {
	out := map[int64]bool{}
	if db.dialect == postgres {
		ids, err := queryIDs(ctx, db.read, db.q(`SELECT a.id FROM alerts a WHERE a.esc_done = 0 AND `+alertGreeted))
		for _, id := range ids {
			out[id] = true
		}
		return out, err
	}
	for _, d := range days {
		ids, err := queryIDs(ctx, db.read, db.q(`SELECT a.id FROM alerts a WHERE a.esc_done = 0 AND a.day = ? AND a.elder_id IN (`+greetedIDs+`)`),
			append([]any{d}, db.dayArgs(parseDate(d))...)...)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out[id] = true
		}
	}
	return out, nil
}

// alertGreeted holds for an alert (alias a) whose elder was greeted on its
// day, as greetedIDs counts a greeting (struck out or corrected away, it
// does not count), through the elder's own records (service_records_card).
const alertGreeted = `EXISTS (SELECT 1 FROM service_records g WHERE g.elder_id = a.elder_id AND g.month = SUBSTR(a.day, 1, 7)
 AND g.at >= a.day_from AND g.at < a.day_to AND g.type = 'greeting' AND g.amends IS NULL
 AND NOT EXISTS (SELECT 1 FROM service_records c WHERE c.amends = g.id
  AND (c.changes LIKE '%"void":true%' OR c.changes LIKE '%"type":%' OR c.changes LIKE '%"at":%')))`

// escalateAlert takes step (2 the family, 3 the clinic and the station) of
// an alert whose last step is from, unless another run took it or the
// chain stopped; the elder greeted meanwhile stops it instead.
func (db *DB) escalateAlert(ctx context.Context, tx *sql.Tx, alertID, elderID int64, from, step int, now time.Time) (bool, error) {
	done := 0
	if step == 3 {
		done = 1
	}
	res, err := tx.ExecContext(ctx, db.q(`UPDATE alerts SET esc_step = ?, esc_done = ? WHERE id = ? AND esc_step = ? AND esc_done = 0
 AND status = 'open'`), step, done, alertID, from)
	if err != nil {
		return false, err
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		return false, err
	}
	greetedNow, err := queryIDs(ctx, tx, db.q(`SELECT a.id FROM alerts a WHERE a.id = ? AND `+alertGreeted), alertID)
	if err != nil {
		return false, err
	}
	if len(greetedNow) > 0 {
		return db.stopChain(ctx, tx, alertID, "greeted", "", now)
	}
	e, err := db.chainElder(ctx, tx, elderID)
	if err != nil {
		return false, err
	}
	au := &audience{}
	var text string
	var st notify.Step
	switch step {
	case 2:
		st = notify.StepFamily
		au.addFamily(e)
		text = fmt.Sprintf("【关爱服务圈】您的家人 %s（%s）今天还没有志愿者问候，社区已收到提醒但尚未确认，请尽快与老人联系。", e.Name, e.Address)
	case 3:
		st = notify.StepClinicStation
		if e.ClinicID > 0 {
			staff, err := db.queryUsers(ctx, tx, `role = ? AND clinic_id = ? AND disabled = ?`, care.RoleClinic, e.ClinicID, false)
			if err != nil {
				return false, err
			}
			au.addUsers(staff...)
		}
		station, err := db.queryUsers(ctx, tx, `role = ? AND street_id = ? AND disabled = ?`, care.RoleStation, e.StreetID, false)
		if err != nil {
			return false, err
		}
		au.addUsers(station...)
		text = fmt.Sprintf("逐级提醒：独居老人 %s（%s）今天未被问候，社区提醒发出后至今无人确认，家属已通知，请协助联系或上门。", e.Name, e.Address)
	default:
		return false, fmt.Errorf("store: no escalation step %d", step)
	}
	base := notify.Message{ID: notify.EventID("alert", alertID, "step", step), Kind: notify.KindEscalation, Text: text,
		ElderID: elderID, AlertID: alertID, CreatedAt: now}
	_, err = db.send(ctx, tx, st, base, au)
	return true, err
}

// stopChain ends an alert's chain (reason greeted, acknowledged or
// resolved, by whom when known) and tells everyone already told on the
// channel they were told by, not before their message (one waiting for
// quiet hours to end is followed, not overtaken). It reports false when the
// chain had ended already.
func (db *DB) stopChain(ctx context.Context, tx *sql.Tx, alertID int64, reason, by string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, db.q(`UPDATE alerts SET esc_done = 1, esc_stopped = ? WHERE id = ? AND esc_done = 0`), reason, alertID)
	if err != nil {
		return false, err
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		return false, err
	}
	var elderID int64
	var name, day string
	if err := tx.QueryRowContext(ctx, db.q(`SELECT a.elder_id, e.name, a.day FROM alerts a JOIN elders e ON e.id = a.elder_id WHERE a.id = ?`),
		alertID).Scan(&elderID, &name, &day); err != nil {
		return false, err
	}
	var text string
	switch reason {
	case "greeted":
		text = fmt.Sprintf("%s 今天已有人问候，未问候提醒已停止，无需再处理。谢谢！", name)
	case "acknowledged":
		text = fmt.Sprintf("%s 的未问候提醒已由 %s 确认处理，提醒已停止。", name, orSomeone(by))
	default:
		text = fmt.Sprintf("%s 的未问候提醒已由 %s 处理完毕，提醒已停止。", name, orSomeone(by))
	}
	rows, err := tx.QueryContext(ctx, db.q(`SELECT COALESCE(user_id, 0), to_name, to_phone, to_email, channel, MAX(next_attempt_at) FROM outbox
 WHERE alert_id = ? AND step <> ? AND step <> '' GROUP BY COALESCE(user_id, 0), to_name, to_phone, to_email, channel
 ORDER BY COALESCE(user_id, 0), to_name, channel`), alertID, string(notify.StepStopped))
	if err != nil {
		return false, err
	}
	var msgs []notify.Message
	for rows.Next() {
		var r notify.Recipient
		var ch notify.Channel
		var next string
		if err := rows.Scan(&r.UserID, &r.Name, &r.Phone, &r.Email, &ch, &next); err != nil {
			rows.Close()
			return false, err
		}
		m := notify.Message{ID: notify.EventID("alert", alertID, "stopped", r.UserID, r.Name, r.Phone, r.Email, ch),
			Kind: notify.KindMissedGreeting, Channel: ch, To: r, Text: text, ElderID: elderID, AlertID: alertID, CreatedAt: now}
		if t := parseStamp(next); t.After(now) {
			m.NotBefore = t
		}
		msgs = append(msgs, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	return true, db.enqueueStep(ctx, tx, notify.StepStopped, msgs)
}

// displayName is how messages name the actor: their account's display
// name, else their username.
func (db *DB) displayName(ctx context.Context, q queryer, a care.Actor) string {
	var name string
	if a.UserID > 0 && q.QueryRowContext(ctx, db.q(`SELECT display_name FROM users WHERE id = ?`), a.UserID).Scan(&name) == nil && name != "" {
		return name
	}
	return a.Username
}

func orSomeone(by string) string {
	if by == "" {
		return "工作人员"
	}
	return by
}

// emergencyStep tells, in the transaction that records an 应急求助 and
// opens its case, the community's staff on duty, the elder's responsible
// volunteer and first emergency contact, quiet hours or not.
func (db *DB) emergencyStep(ctx context.Context, tx *sql.Tx, caseID int64, r *care.ServiceRecord) error {
	e, err := db.chainElder(ctx, tx, r.ElderID)
	if err != nil {
		return err
	}
	now := db.Now()
	au := &audience{}
	staff, _, err := db.onDuty(ctx, tx, e.CommunityID, now)
	if err != nil {
		return err
	}
	au.addUsers(staff...)
	v, err := db.responsibleOf(ctx, tx, e.ID)
	if err != nil {
		return err
	}
	if v > 0 {
		if err := db.addVolunteers(ctx, tx, au, v); err != nil {
			return err
		}
	}
	au.addFamily(e)
	text := fmt.Sprintf("【应急求助】%s（%s）%s 发出应急求助，记录人 %s。请立即联系老人或上门，并在案件上登记处理情况。", e.Name, e.Address,
		r.At.In(db.Loc).Format("15:04"), orSomeone(r.ServedBy))
	if e.Phone != "" {
		text += "老人电话 " + e.Phone + "。"
	}
	base := notify.Message{ID: notify.EventID("case", caseID, "step", 1), Kind: notify.KindEmergency, Text: text, ElderID: e.ID, CreatedAt: now}
	_, err = db.send(ctx, tx, notify.StepEmergency, base, au)
	return err
}

// advanceEmergencies tells the station of each emergency nobody
// acknowledged within its street's wait, once.
func (db *DB) advanceEmergencies(ctx context.Context, now time.Time, policy func(int64) (notify.Policy, error)) (int, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT c.id, c.elder_id, e.street_id, c.opened_at FROM cases c JOIN elders e ON e.id = c.elder_id
 WHERE c.urgent = ? AND c.acknowledged_at IS NULL AND c.escalated_at IS NULL ORDER BY c.opened_at, c.id`), true)
	if err != nil {
		return 0, err
	}
	type due struct{ id, elder, street int64 }
	var list []due
	for rows.Next() {
		var d due
		var opened string
		if err := rows.Scan(&d.id, &d.elder, &d.street, &opened); err != nil {
			rows.Close()
			return 0, err
		}
		p, err := policy(d.street)
		if err != nil {
			rows.Close()
			return 0, err
		}
		if p.EmergencyDue(parseStamp(opened), now) {
			list = append(list, d)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, d := range list {
		err := db.tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, db.q(`UPDATE cases SET escalated_at = ? WHERE id = ? AND escalated_at IS NULL AND acknowledged_at IS NULL`),
				stamp(now), d.id)
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err != nil || k == 0 {
				return err
			}
			e, err := db.chainElder(ctx, tx, d.elder)
			if err != nil {
				return err
			}
			station, err := db.queryUsers(ctx, tx, `role = ? AND street_id = ? AND disabled = ?`, care.RoleStation, e.StreetID, false)
			if err != nil {
				return err
			}
			au := &audience{}
			au.addUsers(station...)
			base := notify.Message{ID: notify.EventID("case", d.id, "step", 2), Kind: notify.KindEmergency, ElderID: e.ID, CreatedAt: now,
				Text: fmt.Sprintf("【应急求助无人确认】%s（%s）的应急求助（案件 %d）至今无人确认，请街道站立即跟进。", e.Name, e.Address, d.id)}
			if _, err := db.send(ctx, tx, notify.StepEmergencyStation, base, au); err != nil {
				return err
			}
			n++
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// EscalationEntry is one message of an alert's chain as the alert shows
// it: the step, whom it told, by which channel, when, and whether it was
// delivered.
type EscalationEntry struct {
	Step        notify.Step
	To          string
	Channel     notify.Channel
	At          time.Time // when the step wrote it
	Status      notify.Status
	DeliveredAt time.Time // zero until delivered
	LastError   string
}

// alertEscalation reads an alert's chain from the outbox, oldest first.
func (db *DB) alertEscalation(ctx context.Context, alertID int64) ([]EscalationEntry, error) {
	msgs, err := db.OutboxForAlert(ctx, alertID)
	if err != nil {
		return nil, err
	}
	steps := map[string]string{}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT id, step FROM outbox WHERE alert_id = ?`), alertID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, step string
		if err := rows.Scan(&id, &step); err != nil {
			rows.Close()
			return nil, err
		}
		steps[id] = step
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]EscalationEntry, 0, len(msgs))
	for _, m := range msgs {
		to := m.To.Name
		if to == "" {
			to = m.To.Phone
		}
		out = append(out, EscalationEntry{Step: notify.Step(steps[m.ID]), To: to, Channel: m.Channel, At: m.CreatedAt, Status: m.Status,
			DeliveredAt: m.DeliveredAt, LastError: m.LastError})
	}
	return out, nil
}
