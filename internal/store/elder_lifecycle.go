package store

import (
	"context"
	"database/sql"
	"strings"

	"carecircle/internal/care"
	"carecircle/internal/notify"
)

// An elder's status change reaches the pairings (issue 16 point 5): one
// who moved away or died is out of service, so their pairings end that day
// and their volunteers' places are free for someone else; a paused elder
// (hospital, away) keeps the team, and the standards wait while the status
// is paused (compliance, worklists and alerts count active elders only).
// Either way the volunteers are told in their inbox, in the same
// transaction as the change, whatever path made it (the form, the API, an
// import).

// leavesService reports whether an elder in status is out of service for
// good, so that their pairings end.
func leavesService(status string) bool { return status == "moved" || status == "deceased" }

// followStatus applies a changed status of e (from old) to e's pairings
// and tells their volunteers, inside tx.
func (db *DB) followStatus(ctx context.Context, tx *sql.Tx, a care.Actor, old, e *care.Elder, reason string) error {
	if e.Status == old.Status {
		return nil
	}
	rows, err := tx.QueryContext(ctx, db.q("SELECT "+pairingColumns+" FROM pairings p WHERE p.elder_id = ? AND p.ended_on IS NULL ORDER BY p.id"), e.ID)
	if err != nil {
		return err
	}
	var open []Pairing
	for rows.Next() {
		var p Pairing
		if err := scanPairing(rows, &p); err != nil {
			rows.Close()
			return err
		}
		open = append(open, p)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if r := []rune(reason); len(r) > 200 {
		reason = string(r[:200]) + "…"
	}
	status := care.Label(care.ElderStatuses, e.Status, "zh")
	today := db.today()
	for i := range open {
		p := &open[i]
		var text string
		switch {
		case leavesService(e.Status):
			on := today
			if on.Before(p.StartedOn) { // a pairing that had not begun ends where it would have begun
				on = p.StartedOn
			}
			before := *p
			p.EndedOn, p.EndReason, p.NeedsSuccessor = &on, "老人"+status+"："+reason, false
			if _, err := tx.ExecContext(ctx, db.q("UPDATE pairings SET ended_on = ?, end_reason = ?, needs_successor = ? WHERE id = ?"),
				dateString(on), p.EndReason, false, p.ID); err != nil {
				return err
			}
			if err := db.audit(ctx, tx, a, "end", "pairing", p.ID, before, p); err != nil {
				return err
			}
			text = e.Name + "（" + status + "）的结对已于 " + dateString(on) + " 结束，不必再去问候。原因：" + reason
		case e.Status == "paused":
			text = e.Name + " 暂停服务（" + reason + "），暂停期间不计问候和走访要求；恢复后会再通知你。"
		case e.Status == "active" && old.Status == "paused":
			text = e.Name + " 已恢复服务，请照常问候和走访。"
		default:
			continue
		}
		users, err := db.queryUsers(ctx, tx, `role = ? AND volunteer_id = ? AND disabled = ?`, care.RoleVolunteer, p.VolunteerID, false)
		if err != nil {
			return err
		}
		var msgs []notify.Message
		for _, u := range users {
			name := u.DisplayName
			if name == "" {
				name = u.Username
			}
			msgs = append(msgs, notify.Message{
				ID:   notify.EventID("elder", e.ID, "status", old.Status, e.Status, "at", db.now(), "pairing", p.ID, "user", u.ID),
				Kind: notify.KindNotice, Channel: notify.ChannelInbox, To: notify.Recipient{UserID: u.ID, Name: name},
				Text: text, ElderID: e.ID, CreatedAt: db.Now(),
			})
		}
		if err := db.enqueueTx(ctx, tx, msgs...); err != nil {
			return err
		}
	}
	return nil
}
