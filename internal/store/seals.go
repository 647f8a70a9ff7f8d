package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"carecircle/internal/care"
)

// Seals beyond the records' content chain (issue 12, README "Tamper
// evidence"): each record's id and place, the case events and the audit log
// as keyed chains, each case's current state. Like the record chain they are
// HMACs with a key derived from the data key, so rows changed, swapped,
// removed or slipped in behind the application's back do not verify.

// execQuerier is a write transaction: *sql.Tx, or the record writer's wtx.
type execQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// The chains kept in chain_heads.
const (
	auditChain = "audit_log"
	caseChain  = "case_events"
)

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// recordIDSeal binds a record's id to its elder, its place in the chain and
// its content hash: swapping two records' ids (which would move an
// amendment to another record) breaks it.
func (db *DB) recordIDSeal(id, elderID, seq int64, hash string) string {
	return db.vault.MAC("carecircle/record-id", itoa64(id), itoa64(elderID), itoa64(seq), hash)
}

// sealRecordID stores the id seal of a record just inserted by chainInsert.
func (db *DB) sealRecordID(ctx context.Context, tx execQuerier, r *care.ServiceRecord) error {
	_, err := tx.ExecContext(ctx, db.q("INSERT INTO record_seals (record_id, seal) VALUES (?, ?)"),
		r.ID, db.recordIDSeal(r.ID, r.ElderID, r.Seq, r.Hash))
	return err
}

// chainHead is the sealed end of a chain in chain_heads.
type chainHead struct {
	n    int64
	last string
}

func (db *DB) headSeal(name string, h chainHead) string {
	return db.vault.MAC("carecircle/chain-head", name, itoa64(h.n), h.last)
}

// lockChain serialises the writers of one chain until the transaction ends:
// on PostgreSQL a transaction-scoped advisory lock (servers sharing the
// database append one at a time, and ids are taken in chain order); SQLite
// has one writer already.
func (db *DB) lockChain(ctx context.Context, tx execQuerier, name string) error {
	if db.dialect != postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('carecircle/chain/' || $1 || '/' || current_schema(), 0))", name)
	return err
}

// loadHead reads a chain's end as stored (no row: an empty chain).
func (db *DB) loadHead(ctx context.Context, q querier, name string) (h chainHead, seal string, err error) {
	err = q.QueryRowContext(ctx, db.q("SELECT n, last, seal FROM chain_heads WHERE name = ?"), name).Scan(&h.n, &h.last, &seal)
	if errors.Is(err, sql.ErrNoRows) {
		return chainHead{}, "", nil
	}
	return h, seal, err
}

func (db *DB) saveHead(ctx context.Context, tx execQuerier, name string, h chainHead) error {
	_, err := tx.ExecContext(ctx, db.q(`INSERT INTO chain_heads (name, n, last, seal) VALUES (?,?,?,?)
 ON CONFLICT (name) DO UPDATE SET n = excluded.n, last = excluded.last, seal = excluded.seal`), name, h.n, h.last, db.headSeal(name, h))
	return err
}

// auditSeal chains one audit entry to the one before it.
func (db *DB) auditSeal(prev string, e *AuditEntry, userID int64) string {
	return db.vault.MAC("carecircle/audit", prev, itoa64(e.ID), e.At, itoa64(userID), e.Username, e.Action, e.Entity,
		itoa64(e.EntityID), e.Before, e.After)
}

// caseEvent is a case event as sealed (its note in plain text).
type caseEvent struct {
	id, caseID                       int64
	at, by, status, note, department string
}

func (db *DB) caseEventSeal(prev string, ev *caseEvent) string {
	return db.vault.MAC("carecircle/case-event", prev, itoa64(ev.id), itoa64(ev.caseID), ev.at, ev.by, ev.status, ev.note, ev.department)
}

// caseRow is a case as sealed (its summary in plain text), with the number
// of its events and the last one's seal, so that neither the case's state
// nor its history can be rolled back.
type caseRow struct {
	id, elderID, recordID                                  int64
	kind                                                   string
	urgent                                                 bool
	status, summary, department, openedBy, opened, updated string
}

func (db *DB) caseSeal(c *caseRow, events int64, lastEvent string) string {
	urgent := "0"
	if c.urgent {
		urgent = "1"
	}
	return db.vault.MAC("carecircle/case", itoa64(c.id), itoa64(c.elderID), itoa64(c.recordID), c.kind, urgent, c.status,
		c.summary, c.department, c.openedBy, c.opened, c.updated, itoa64(events), lastEvent)
}

// appendCaseEvent writes one case event sealed into the case chain and
// reseals its case. The caller holds the chain's lock (lockChain).
func (db *DB) appendCaseEvent(ctx context.Context, tx execQuerier, ev *caseEvent) error {
	if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO case_events (case_id, at, by_user, status, note, department)
 VALUES (?,?,?,?,?,?) RETURNING id`), ev.caseID, ev.at, ev.by, ev.status, db.vault.SealText(ev.note), ev.department).Scan(&ev.id); err != nil {
		return err
	}
	h, _, err := db.loadHead(ctx, tx, caseChain)
	if err != nil {
		return err
	}
	seal := db.caseEventSeal(h.last, ev)
	if _, err := tx.ExecContext(ctx, db.q("UPDATE case_events SET seal = ? WHERE id = ?"), seal, ev.id); err != nil {
		return err
	}
	if err := db.saveHead(ctx, tx, caseChain, chainHead{h.n + 1, seal}); err != nil {
		return err
	}
	return db.resealCase(ctx, tx, ev.caseID)
}

// resealCase seals a case's current row with its events.
func (db *DB) resealCase(ctx context.Context, tx execQuerier, id int64) error {
	c, err := db.readCaseRow(ctx, tx, id)
	if err != nil {
		return err
	}
	var n int64
	var last string
	if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*), COALESCE(MAX(CASE WHEN id = (SELECT MAX(id) FROM case_events WHERE case_id = ?) THEN seal END), '')
 FROM case_events WHERE case_id = ?`), id, id).Scan(&n, &last); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, db.q("UPDATE cases SET seal = ? WHERE id = ?"), db.caseSeal(c, n, last), id)
	return err
}

const caseRowColumns = `id, elder_id, COALESCE(record_id, 0), kind, urgent, status, summary, department, opened_by, opened_at, updated_at`

func (db *DB) scanCaseRow(row interface{ Scan(...any) error }, extra ...any) (*caseRow, error) {
	var c caseRow
	if err := row.Scan(append([]any{&c.id, &c.elderID, &c.recordID, &c.kind, &c.urgent, &c.status, &c.summary, &c.department,
		&c.openedBy, &c.opened, &c.updated}, extra...)...); err != nil {
		return nil, err
	}
	var err error
	c.summary, err = db.vault.OpenText(c.summary)
	return &c, err
}

func (db *DB) readCaseRow(ctx context.Context, q querier, id int64) (*caseRow, error) {
	return db.scanCaseRow(q.QueryRowContext(ctx, db.q("SELECT "+caseRowColumns+" FROM cases WHERE id = ?"), id))
}

// sealAtRest converts a database written before encryption at rest and the
// seals of issue 12, once, in one transaction: the elders' health notes,
// the case texts and the elder notes kept in audit entries are encrypted
// (a value already sealed is left alone), and the records, cases, case
// events and audit log written so far are sealed as they are now. A
// database created by this version runs it on its empty tables.
func (db *DB) sealAtRest(ctx context.Context) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"), "sealed_at_rest", "1")
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // done before (or by another server starting now)
		}
		for _, c := range []struct{ table, column string }{{"elders", "notes"}, {"cases", "summary"}, {"case_events", "note"}} {
			if err := db.sealColumn(ctx, tx, c.table, c.column); err != nil {
				return err
			}
		}
		if err := db.sealAuditNotes(ctx, tx); err != nil {
			return err
		}
		if err := db.sealOldRecords(ctx, tx); err != nil {
			return err
		}
		if err := db.sealOldCases(ctx, tx); err != nil {
			return err
		}
		return db.sealOldAudit(ctx, tx)
	})
}

// idText is one row's id and a text value.
type idText struct {
	id   int64
	text string
}

func collect(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]idText, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []idText
	for rows.Next() {
		var r idText
		if err := rows.Scan(&r.id, &r.text); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// sealColumn encrypts the plain values of one text column.
func (db *DB) sealColumn(ctx context.Context, tx *sql.Tx, table, column string) error {
	rows, err := collect(ctx, tx, "SELECT id, "+column+" FROM "+table+" WHERE "+column+" <> '' ORDER BY id")
	if err != nil {
		return err
	}
	for _, r := range rows {
		if db.vault.IsSealedText(r.text) {
			continue
		}
		if _, err := tx.ExecContext(ctx, db.q("UPDATE "+table+" SET "+column+" = ? WHERE id = ?"), db.vault.SealText(r.text), r.id); err != nil {
			return err
		}
	}
	return nil
}

// sealAuditNotes encrypts the health notes and case notes that earlier
// versions wrote in the clear into audit entries' before and after.
func (db *DB) sealAuditNotes(ctx context.Context, tx *sql.Tx) error {
	for _, side := range []string{"before", "after"} {
		rows, err := collect(ctx, tx, "SELECT id, "+side+" FROM audit_log WHERE entity IN ('elder', 'case') AND "+side+" <> '' ORDER BY id")
		if err != nil {
			return err
		}
		for _, r := range rows {
			sealed, changed := db.sealJSONFields(r.text, "Notes", "note")
			if !changed {
				continue
			}
			if _, err := tx.ExecContext(ctx, db.q("UPDATE audit_log SET "+side+" = ? WHERE id = ?"), sealed, r.id); err != nil {
				return err
			}
		}
	}
	return nil
}

// sealOldRecords writes the id seal of every record that has none.
func (db *DB) sealOldRecords(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.elder_id, r.seq, r.hash FROM service_records r
 WHERE NOT EXISTS (SELECT 1 FROM record_seals s WHERE s.record_id = r.id) ORDER BY r.id`)
	if err != nil {
		return err
	}
	type rec struct {
		id, elder, seq int64
		hash           string
	}
	var all []rec
	for rows.Next() {
		var r rec
		if err := rows.Scan(&r.id, &r.elder, &r.seq, &r.hash); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range all {
		if _, err := tx.ExecContext(ctx, db.q("INSERT INTO record_seals (record_id, seal) VALUES (?, ?)"),
			r.id, db.recordIDSeal(r.id, r.elder, r.seq, r.hash)); err != nil {
			return err
		}
	}
	return nil
}

// sealOldCases chains the case events written so far and seals each case.
func (db *DB) sealOldCases(ctx context.Context, tx *sql.Tx) error {
	evs, err := db.loadCaseEvents(ctx, tx)
	if err != nil {
		return err
	}
	type end struct {
		n    int64
		last string
	}
	ends := map[int64]end{}
	var h chainHead
	for _, ev := range evs {
		seal := db.caseEventSeal(h.last, &ev.caseEvent)
		if _, err := tx.ExecContext(ctx, db.q("UPDATE case_events SET seal = ? WHERE id = ?"), seal, ev.id); err != nil {
			return err
		}
		h = chainHead{h.n + 1, seal}
		ends[ev.caseID] = end{ends[ev.caseID].n + 1, seal}
	}
	if h.n > 0 {
		if err := db.saveHead(ctx, tx, caseChain, h); err != nil {
			return err
		}
	}
	cases, err := db.loadCases(ctx, tx)
	if err != nil {
		return err
	}
	for _, c := range cases {
		e := ends[c.id]
		if _, err := tx.ExecContext(ctx, db.q("UPDATE cases SET seal = ? WHERE id = ?"), db.caseSeal(&c.caseRow, e.n, e.last), c.id); err != nil {
			return err
		}
	}
	return nil
}

// sealOldAudit chains the audit entries written so far.
func (db *DB) sealOldAudit(ctx context.Context, tx *sql.Tx) error {
	entries, err := db.loadAudit(ctx, tx)
	if err != nil {
		return err
	}
	var h chainHead
	for _, e := range entries {
		seal := db.auditSeal(h.last, &e.AuditEntry, e.userID)
		if _, err := tx.ExecContext(ctx, db.q("UPDATE audit_log SET seal = ? WHERE id = ?"), seal, e.ID); err != nil {
			return err
		}
		h = chainHead{h.n + 1, seal}
	}
	if h.n == 0 {
		return nil
	}
	return db.saveHead(ctx, tx, auditChain, h)
}

// storedCaseEvent is a case event as read back, with its stored seal; a
// note that cannot be decrypted is kept as stored and flagged.
type storedCaseEvent struct {
	caseEvent
	seal    string
	badNote bool
}

func (db *DB) loadCaseEvents(ctx context.Context, q queryer) ([]storedCaseEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, case_id, at, by_user, status, note, department, seal FROM case_events ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedCaseEvent
	for rows.Next() {
		var ev storedCaseEvent
		if err := rows.Scan(&ev.id, &ev.caseID, &ev.at, &ev.by, &ev.status, &ev.note, &ev.department, &ev.seal); err != nil {
			return nil, err
		}
		if plain, err := db.vault.OpenText(ev.note); err != nil {
			ev.badNote = true
		} else {
			ev.note = plain
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

type storedCase struct {
	caseRow
	seal    string
	badText bool
}

func (db *DB) loadCases(ctx context.Context, q queryer) ([]storedCase, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+caseRowColumns+", seal FROM cases ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedCase
	for rows.Next() {
		var c storedCase
		r, err := db.scanCaseRow(rows, &c.seal)
		if r == nil {
			return nil, err
		}
		c.caseRow, c.badText = *r, err != nil
		out = append(out, c)
	}
	return out, rows.Err()
}

type storedAudit struct {
	AuditEntry
	userID int64
	seal   string
}

func (db *DB) loadAudit(ctx context.Context, q queryer) ([]storedAudit, error) {
	var out []storedAudit
	err := db.eachAudit(ctx, q, func(e *storedAudit) { out = append(out, *e) })
	return out, err
}

// eachAudit calls fn with every audit entry in id order, one at a time, so
// that a walk over a long log stays small.
func (db *DB) eachAudit(ctx context.Context, q queryer, fn func(e *storedAudit)) error {
	rows, err := q.QueryContext(ctx, `SELECT id, at, COALESCE(user_id, 0), username, action, entity, COALESCE(entity_id, 0), before, after, seal
 FROM audit_log ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var e storedAudit
	for rows.Next() {
		if err := rows.Scan(&e.ID, &e.At, &e.userID, &e.Username, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.seal); err != nil {
			return err
		}
		fn(&e)
	}
	return rows.Err()
}

// sealJSONFields encrypts the named top-level string fields of a JSON
// object that are not sealed yet; other fields and numbers are kept as
// they were.
func (db *DB) sealJSONFields(doc string, fields ...string) (string, bool) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		return doc, false
	}
	changed := false
	for _, f := range fields {
		raw, ok := m[f]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) != nil || s == "" || db.vault.IsSealedText(s) {
			continue
		}
		b, _ := json.Marshal(db.vault.SealText(s))
		m[f], changed = b, true
	}
	if !changed {
		return doc, false
	}
	b, err := json.Marshal(m)
	if err != nil {
		return doc, false
	}
	return string(b), true
}

// verifyCases walks the case events' chain and every case: an event or a
// case changed, removed or slipped in shows.
func (db *DB) verifyCases(ctx context.Context, rep *VerifyReport) error {
	snap, err := db.snapshot(ctx)
	if err != nil {
		return err
	}
	defer snap.Rollback()
	evs, err := db.loadCaseEvents(ctx, snap)
	if err != nil {
		return err
	}
	cases, err := db.loadCases(ctx, snap)
	if err != nil {
		return err
	}
	elderOf := map[int64]int64{}
	for _, c := range cases {
		elderOf[c.id] = c.elderID
	}
	type end struct {
		n    int64
		last string
	}
	ends := map[int64]end{}
	var h chainHead
	for _, ev := range evs {
		rep.CaseEvents++
		p := Problem{ElderID: elderOf[ev.caseID], Case: ev.caseID}
		switch {
		case ev.badNote:
			p.What = fmt.Sprintf("its history entry %d can no longer be decrypted: its text was changed", ev.id)
		case db.caseEventSeal(h.last, &ev.caseEvent) != ev.seal:
			p.What = fmt.Sprintf("its history entry %d was changed, or an entry before it was removed", ev.id)
		}
		if _, ok := elderOf[ev.caseID]; !ok {
			p = Problem{Log: "case history", Entry: ev.id, What: fmt.Sprintf("it belongs to case %d, which was removed", ev.caseID)}
		}
		if p.What != "" {
			rep.Problems = append(rep.Problems, p)
		}
		h = chainHead{h.n + 1, ev.seal}
		ends[ev.caseID] = end{ends[ev.caseID].n + 1, ev.seal}
	}
	stored, seal, err := db.loadHead(ctx, snap, caseChain)
	if err != nil {
		return err
	}
	if (h.n > 0 || seal != "") && (stored != h || seal != db.headSeal(caseChain, h)) {
		rep.Problems = append(rep.Problems, Problem{Log: "case history",
			What: fmt.Sprintf("%d entries are stored but %d were sealed at its end: entries at the end were removed or added", h.n, stored.n)})
	}
	for _, c := range cases {
		rep.Cases++
		e := ends[c.id]
		p := Problem{ElderID: c.elderID, Case: c.id}
		switch {
		case c.badText:
			p.What = "its summary can no longer be decrypted: its text was changed"
		case db.caseSeal(&c.caseRow, e.n, e.last) != c.seal:
			p.What = "the case was changed after it was written (its text, state or history)"
		default:
			continue
		}
		rep.Problems = append(rep.Problems, p)
	}
	return nil
}

// verifyAudit walks the audit log's chain.
func (db *DB) verifyAudit(ctx context.Context, rep *VerifyReport) error {
	snap, err := db.snapshot(ctx)
	if err != nil {
		return err
	}
	defer snap.Rollback()
	var h chainHead
	err = db.eachAudit(ctx, snap, func(e *storedAudit) {
		rep.Audit++
		if db.auditSeal(h.last, &e.AuditEntry, e.userID) != e.seal {
			rep.Problems = append(rep.Problems, Problem{Log: "audit log", Entry: e.ID,
				What: "the entry was changed or slipped in, or an entry before it was removed"})
		}
		h = chainHead{h.n + 1, e.seal}
	})
	if err != nil {
		return err
	}
	stored, seal, err := db.loadHead(ctx, snap, auditChain)
	if err != nil {
		return err
	}
	if (h.n > 0 || seal != "") && (stored != h || seal != db.headSeal(auditChain, h)) {
		rep.Problems = append(rep.Problems, Problem{Log: "audit log",
			What: fmt.Sprintf("%d entries are stored but %d were sealed at its end: entries at the end were removed or added", h.n, stored.n)})
	}
	return nil
}

// snapshot is a read transaction that sees one state of the database, so a
// chain and its sealed end are read as of the same moment while servers
// keep writing.
func (db *DB) snapshot(ctx context.Context) (*sql.Tx, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return db.read.BeginTx(ctx, opts)
}
