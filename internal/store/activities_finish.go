package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"carecircle/internal/activity"
	"carecircle/internal/care"
)

// The elders who took part in an activity and its finishing (已举办): the
// visit records of the elders are written through the record path
// (appendRecord, as AddServiceBatch does), in the transaction that marks
// the activity held and credits the volunteers' hours, so compliance and
// the hours ledger see the activity at once or not at all.

// MaxActivityElders bounds the elders named for one activity.
const MaxActivityElders = 500

// activityRecordTx runs fn in one write transaction that may append
// service records of month (the activity's), then tells the record
// listeners (compliance) of the records fn stored.
func (db *DB) activityRecordTx(ctx context.Context, month string, fn func(tx *sql.Tx, w *wtx, recs *[]*care.ServiceRecord) error) error {
	if err := db.ensurePartition(ctx, month); err != nil {
		return err
	}
	defer db.prepareWanted(ctx)
	var recs []*care.ServiceRecord
	err := db.tx(ctx, func(tx *sql.Tx) error {
		recs = recs[:0]
		if err := db.lockRecordOrder(ctx, tx); err != nil {
			return err
		}
		return fn(tx, newWtx(tx, db), &recs)
	})
	if err == nil {
		db.notifyRecorded(recs)
	}
	return err
}

// writeElderRecords writes the visit record of every elder of a held
// activity who has none yet: a companionship visit (文化娱乐活动) at the
// activity's time, organised by the committee (by_committee), so it counts
// for the committee's monthly standard.
func (db *DB) writeElderRecords(ctx context.Context, w *wtx, a care.Actor, x *activity.Activity, recs *[]*care.ServiceRecord) error {
	rows, err := w.Tx.QueryContext(ctx, db.q("SELECT elder_id FROM activity_elders WHERE activity_id = ? AND record_id IS NULL ORDER BY elder_id"), x.ID)
	if err != nil {
		return err
	}
	var elders []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		elders = append(elders, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	now := db.Now()
	start, end := x.Start(db.Loc), x.End(db.Loc)
	for _, id := range elders {
		r := &care.ServiceRecord{ElderID: id, Kind: "spirit", Type: "culture", At: start, ByCommittee: true, Source: "spot",
			Note: "活动：" + x.Theme + "（居委会组织） / activity: " + x.Theme}
		if end.After(start) && !end.After(now) {
			e := end
			r.EndAt = &e
		}
		if err := db.appendRecord(ctx, w, a, r, Proof{Method: "none"}, now); err != nil {
			return addElderField(err, id)
		}
		if _, err := w.Tx.ExecContext(ctx, db.q("UPDATE activity_elders SET record_id = ? WHERE activity_id = ? AND elder_id = ?"), r.ID, x.ID, id); err != nil {
			return err
		}
		*recs = append(*recs, r)
	}
	return nil
}

// addElderField names the elder whose record was refused.
func addElderField(err error, elderID int64) error {
	var ce *care.Error
	if !errors.As(err, &ce) || len(ce.Fields) == 0 {
		return err
	}
	for _, m := range ce.Fields {
		return care.FieldErrors{"elder_ids": care.Msg{ZH: "老人 " + strconv.FormatInt(elderID, 10) + " 的服务记录不能写入：" + m.ZH,
			EN: "elder " + strconv.FormatInt(elderID, 10) + "'s record was refused: " + m.EN}}.Err()
	}
	return err
}

// SetActivityElders names the registered elders who took part (replacing
// the list) and the count of a nursing home's residents. Elders must be in
// the actor's scope and the activity's community (its street for a
// street-wide one). On a held activity an elder added gets their visit
// record at once; an elder whose record is written stays on the list.
func (db *DB) SetActivityElders(ctx context.Context, a care.Actor, activityID int64, elderIDs []int64, residents int) error {
	f := care.FieldErrors{}
	switch {
	case residents < 0:
		f.Add("residents", care.Msg{ZH: "不能为负", EN: "cannot be negative"})
	case residents > activity.MaxResidents:
		f.Add("residents", care.Msg{ZH: "人数过大，请核对", EN: "is too large; please check"})
	}
	seen := map[int64]bool{}
	var ids []int64
	for _, id := range elderIDs {
		if id <= 0 {
			f.Add("elder_ids", care.Msg{ZH: "老人编号有误", EN: "an elder id is not valid"})
			continue
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) > MaxActivityElders {
		f.Add("elder_ids", care.Msg{ZH: "一次活动最多500位老人", EN: "at most 500 elders"})
	}
	if err := f.Err(); err != nil {
		return err
	}
	pre, err := db.editableActivity(ctx, db.read, a, activityID, false)
	if err != nil {
		return err
	}
	return db.activityRecordTx(ctx, monthOf(pre.Start(db.Loc)), func(tx *sql.Tx, w *wtx, recs *[]*care.ServiceRecord) error {
		x, err := db.editableActivity(ctx, tx, a, activityID, true)
		if err != nil {
			return err
		}
		if x.Status == activity.StatusCancelled {
			return care.FieldErrors{"status": care.Msg{ZH: "活动已取消", EN: "the activity was cancelled"}}.Err()
		}
		scope, sargs, err := elderScope(a)
		if err != nil {
			return err
		}
		for _, id := range ids {
			var n int
			if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM elders e WHERE e.id = ? AND e.street_id = ? AND (? = 0 OR e.community_id = ?) AND `+scope),
				append([]any{id, x.StreetID, x.CommunityID, x.CommunityID}, sargs...)...).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return care.FieldErrors{"elder_ids": care.Msg{ZH: "老人 " + strconv.FormatInt(id, 10) + " 不存在或不属于这个活动的社区",
					EN: "elder " + strconv.FormatInt(id, 10) + " does not exist or is not of this activity's community"}}.Err()
			}
		}
		before := map[int64]int64{}
		rows, err := tx.QueryContext(ctx, db.q("SELECT elder_id, COALESCE(record_id, 0) FROM activity_elders WHERE activity_id = ?"), activityID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var e, r int64
			if err := rows.Scan(&e, &r); err != nil {
				rows.Close()
				return err
			}
			before[e] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var gone []string
		for e, r := range before {
			if seen[e] {
				continue
			}
			if r != 0 {
				return care.FieldErrors{"elder_ids": care.Msg{ZH: "老人 " + strconv.FormatInt(e, 10) + " 的服务记录已写入，不能从名单中去掉（请更正服务记录）",
					EN: "elder " + strconv.FormatInt(e, 10) + " already has the activity's visit record; amend the record instead"}}.Err()
			}
			gone = append(gone, strconv.FormatInt(e, 10))
		}
		if len(gone) > 0 {
			if _, err := tx.ExecContext(ctx, db.q("DELETE FROM activity_elders WHERE activity_id = ? AND record_id IS NULL AND elder_id IN ("+strings.Join(gone, ",")+")"), activityID); err != nil {
				return err
			}
		}
		for _, id := range ids {
			if _, ok := before[id]; ok {
				continue
			}
			if _, err := tx.ExecContext(ctx, db.q("INSERT INTO activity_elders (activity_id, elder_id) VALUES (?,?)"), activityID, id); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, db.q("UPDATE activities SET residents = ?, updated_at = ? WHERE id = ?"), residents, db.now(), activityID); err != nil {
			return err
		}
		if x.Status == activity.StatusHeld {
			if err := db.writeElderRecords(ctx, w, a, x, recs); err != nil {
				return err
			}
		}
		prev := make([]int64, 0, len(before))
		for e := range before {
			prev = append(prev, e)
		}
		return db.audit(ctx, tx, a, "elders", "activity", activityID,
			map[string]any{"elder_ids": prev, "residents": x.Residents}, map[string]any{"elder_ids": ids, "residents": residents})
	})
}

// FinishActivity marks an activity held with its summary, once it has
// started: in one transaction it credits each present volunteer's
// attendance minutes to the hours ledger and writes each elder's visit
// record. Finishing a held activity again only changes its summary.
func (db *DB) FinishActivity(ctx context.Context, a care.Actor, activityID int64, summary string) error {
	summary = strings.TrimSpace(summary)
	pre, err := db.editableActivity(ctx, db.read, a, activityID, false)
	if err != nil {
		return err
	}
	return db.activityRecordTx(ctx, monthOf(pre.Start(db.Loc)), func(tx *sql.Tx, w *wtx, recs *[]*care.ServiceRecord) error {
		x, err := db.editableActivity(ctx, tx, a, activityID, true)
		if err != nil {
			return err
		}
		if err := x.CanFinish(db.Now(), db.Loc, summary); err != nil {
			return err
		}
		now := db.now()
		if x.Status == activity.StatusHeld {
			if _, err := tx.ExecContext(ctx, db.q("UPDATE activities SET summary = ?, updated_at = ? WHERE id = ?"), summary, now, activityID); err != nil {
				return err
			}
			return db.audit(ctx, tx, a, "summary", "activity", activityID, map[string]any{"summary": x.Summary}, map[string]any{"summary": summary})
		}
		if _, err := tx.ExecContext(ctx, db.q("UPDATE activities SET status = 'held', summary = ?, held_by = ?, held_at = ?, updated_at = ? WHERE id = ?"),
			summary, a.Username, now, now, activityID); err != nil {
			return err
		}
		before := *x
		x.Status, x.Summary = activity.StatusHeld, summary
		type credit struct {
			vol     int64
			minutes int
		}
		var credits []credit
		rows, err := tx.QueryContext(ctx, db.q("SELECT volunteer_id, minutes FROM activity_signups WHERE activity_id = ? AND cancelled_at IS NULL AND present = ? ORDER BY volunteer_id"), activityID, true)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c credit
			if err := rows.Scan(&c.vol, &c.minutes); err != nil {
				rows.Close()
				return err
			}
			credits = append(credits, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range credits {
			if err := db.CreditActivity(ctx, tx, a, c.vol, activityID, x.Start(db.Loc), c.minutes, activityNote(x)); err != nil {
				return err
			}
		}
		if err := db.writeElderRecords(ctx, w, a, x, recs); err != nil {
			return err
		}
		ids := make([]int64, len(*recs))
		for i, r := range *recs {
			ids[i] = r.ID
		}
		return db.audit(ctx, tx, a, "finish", "activity", activityID, before, map[string]any{"activity": x, "credited": len(credits), "record_ids": ids})
	})
}
