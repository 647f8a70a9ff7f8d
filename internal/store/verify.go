package store

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"carecircle/internal/care"
)

// Problem is one break found in the stored history.
type Problem struct {
	ElderID int64
	Month   string
	Record  int64 // record id, 0 when the problem is not one record
	Seq     int64
	Case    int64  // case id, for a case's problems
	Log     string // a history not kept per elder ("audit log", "case history"), else ""
	Entry   int64  // the entry of that history, 0 when none
	What    string
}

func (p Problem) String() string {
	if p.Log != "" {
		s := p.Log
		if p.Entry != 0 {
			s += fmt.Sprintf(", entry %d", p.Entry)
		}
		return s + ": " + p.What
	}
	s := fmt.Sprintf("elder %d", p.ElderID)
	if p.Case != 0 {
		s += fmt.Sprintf(", case %d", p.Case)
	}
	if p.Month != "" {
		s += ", month " + p.Month
	}
	if p.Record != 0 {
		s += fmt.Sprintf(", record %d (seq %d)", p.Record, p.Seq)
	} else if p.Seq != 0 {
		s += fmt.Sprintf(", seq %d", p.Seq)
	}
	return s + ": " + p.What
}

// VerifyReport sums up a verification.
type VerifyReport struct {
	Elders, Records, Signatures int
	Cases, CaseEvents, Audit    int
	Problems                    []Problem
}

// elderChain is what the walk keeps of one elder's chain: its end, and only
// what the signatures need, so a walk over millions of records stays small.
type elderChain struct {
	n         int64
	last      string
	lastMonth string
	hashAt    map[int64]string // hashes at the sequence numbers signatures cover
	monthMax  map[string]int64 // highest seq recorded in each signed month
}

// Verify walks every elder's chain of service records and every signature
// and reports each change or removal made behind the application's back:
// a record whose content no longer matches its keyed hash, a gap or broken
// link in a chain, a chain end that no longer matches its seal (records
// removed or added at the end), a signature changed, removed or added, or a
// signed month whose records changed. Without the data key none of these
// can be covered up.
func (db *DB) Verify(ctx context.Context) (*VerifyReport, error) {
	rep := &VerifyReport{}
	sigs, err := db.loadSignatures(ctx)
	if err != nil {
		return nil, err
	}
	chains := map[int64]*elderChain{}
	for _, s := range sigs {
		c := chains[s.ElderID]
		if c == nil {
			c = &elderChain{hashAt: map[int64]string{}, monthMax: map[string]int64{}}
			chains[s.ElderID] = c
		}
		c.hashAt[s.ChainLen] = ""
		c.monthMax[s.Month] = 0
	}
	// The keyed hash of each record is checked by workers (the costly part);
	// the links between records are followed here in chain order.
	bad := db.checkHashesInParallel(ctx)
	rows, err := db.read.QueryContext(ctx, `SELECT `+recordColumns+`, COALESCE(s.seal, '') FROM service_records r
 LEFT JOIN record_seals s ON s.record_id = r.id ORDER BY r.elder_id, r.seq`)
	if err != nil {
		bad.stop()
		return nil, err
	}
	// The ids of the elder being walked: an amendment must point at an
	// earlier record of the same elder.
	var walking int64
	ids := map[int64]bool{}
	for rows.Next() {
		var idSeal string
		r, err := scanRecord(scanRecordExtra{rows, []any{&idSeal}})
		if err != nil {
			rows.Close()
			bad.stop()
			return nil, err
		}
		rep.Records++
		bad.in <- sealedRecord{r, idSeal}
		c := chains[r.ElderID]
		if c == nil {
			c = &elderChain{}
			chains[r.ElderID] = c
		}
		if r.ElderID != walking {
			walking = r.ElderID
			clear(ids)
		}
		p := Problem{ElderID: r.ElderID, Month: r.Month, Record: r.ID, Seq: r.Seq}
		switch {
		case r.Seq != c.n+1:
			p.What = fmt.Sprintf("records %d to %d of the chain are missing", c.n+1, r.Seq-1)
			rep.Problems = append(rep.Problems, p)
		case r.PrevHash != c.last:
			p.What = "does not follow the record before it: a record before it was changed or replaced"
			rep.Problems = append(rep.Problems, p)
		case r.Amends != nil && !ids[*r.Amends]:
			p.What = fmt.Sprintf("it amends record %d, which is not an earlier record of this elder: the link was moved", *r.Amends)
			rep.Problems = append(rep.Problems, p)
		}
		ids[r.ID] = true
		c.n, c.last, c.lastMonth = r.Seq, r.Hash, r.Month
		if _, ok := c.hashAt[r.Seq]; ok {
			c.hashAt[r.Seq] = r.Hash
		}
		if m, ok := c.monthMax[r.Month]; ok && r.Amends == nil {
			c.monthMax[r.Month] = max(m, r.Seq)
		}
	}
	rows.Close()
	rep.Problems = append(rep.Problems, bad.stop()...)
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := db.verifyEnds(ctx, rep, chains); err != nil {
		return nil, err
	}
	if err := db.verifySignatures(ctx, rep, sigs, chains); err != nil {
		return nil, err
	}
	if err := db.verifyCases(ctx, rep); err != nil {
		return nil, err
	}
	return rep, db.verifyAudit(ctx, rep)
}

// scanRecordExtra scans a record's columns followed by extra ones.
type scanRecordExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (s scanRecordExtra) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }

// sealedRecord is a record with its stored id seal, for the hash workers.
type sealedRecord struct {
	*care.ServiceRecord
	idSeal string
}

// verifyEnds compares each elder's chain with its sealed end.
func (db *DB) verifyEnds(ctx context.Context, rep *VerifyReport, chains map[int64]*elderChain) error {
	rows, err := db.read.QueryContext(ctx, `SELECT id, chain_len, chain_seal FROM elders ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int64
		var seal string
		if err := rows.Scan(&id, &n, &seal); err != nil {
			return err
		}
		rep.Elders++
		c := chains[id]
		if c == nil {
			c = &elderChain{}
		}
		if (c.n == 0 && seal == "") || seal == db.chainSeal(c.n, c.last) {
			continue
		}
		p := Problem{ElderID: id, Seq: c.n, Month: c.lastMonth,
			What: fmt.Sprintf("the chain now ends at record %d, which is not the sealed end: records at the end were removed or added", c.n)}
		rep.Problems = append(rep.Problems, p)
	}
	return rows.Err()
}

func (db *DB) loadSignatures(ctx context.Context) ([]CardSignature, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT elder_id, month, result, comment, signed_by, signed_at, chain_len, chain_head, mac
 FROM card_signatures ORDER BY elder_id, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CardSignature
	for rows.Next() {
		var s CardSignature
		var at string
		if err := rows.Scan(&s.ElderID, &s.Month, &s.Result, &s.Comment, &s.SignedBy, &at, &s.ChainLen, &s.ChainHead, &s.MAC); err != nil {
			return nil, err
		}
		s.SignedAt = parseStamp(at)
		out = append(out, s)
	}
	return out, rows.Err()
}

func (db *DB) verifySignatures(ctx context.Context, rep *VerifyReport, sigs []CardSignature, chains map[int64]*elderChain) error {
	seals, err := db.sigSeals(ctx)
	if err != nil {
		return err
	}
	walked := map[int64]sealed{} // recomputed per elder
	for i := range sigs {
		s := &sigs[i]
		rep.Signatures++
		w := walked[s.ElderID]
		walked[s.ElderID] = sealed{w.n + 1, db.sigSeal(w.seal, w.n+1, s.MAC)}
		p := Problem{ElderID: s.ElderID, Month: s.Month, Seq: s.ChainLen}
		c := chains[s.ElderID]
		switch {
		case db.signatureMAC(s) != s.MAC:
			p.What = "the signature was changed"
		case s.ChainLen > 0 && c.hashAt[s.ChainLen] != s.ChainHead:
			p.What = "the records the signature covers were changed or removed"
		case c.monthMax[s.Month] > s.ChainLen:
			p.What = "records were added to the month after it was signed"
		default:
			continue
		}
		rep.Problems = append(rep.Problems, p)
	}
	for id := range walked {
		if _, ok := seals[id]; !ok {
			seals[id] = sealed{}
		}
	}
	for id, want := range seals {
		if got := walked[id]; got != want {
			rep.Problems = append(rep.Problems, Problem{ElderID: id,
				What: fmt.Sprintf("%d signatures are stored but %d were sealed: a signature was removed or added", got.n, want.n)})
		}
	}
	return nil
}

type sealed struct {
	n    int64
	seal string
}

func (db *DB) sigSeals(ctx context.Context) (map[int64]sealed, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, sig_len, sig_seal FROM elders WHERE sig_len > 0 OR sig_seal <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]sealed{}
	for rows.Next() {
		var id int64
		var s sealed
		if err := rows.Scan(&id, &s.n, &s.seal); err != nil {
			return nil, err
		}
		out[id] = s
	}
	return out, rows.Err()
}

// ElderName returns an elder's name for reports made by the command line,
// which acts for the system and not for a user.
func (db *DB) ElderName(ctx context.Context, id int64) string {
	var name string
	db.read.QueryRowContext(ctx, db.q("SELECT name FROM elders WHERE id = ?"), id).Scan(&name)
	return name
}

// hashCheck checks records' keyed hashes on all cores.
type hashCheck struct {
	in   chan sealedRecord
	out  chan []Problem
	done sync.WaitGroup
}

func (db *DB) checkHashesInParallel(ctx context.Context) *hashCheck {
	h := &hashCheck{in: make(chan sealedRecord, 1024), out: make(chan []Problem, runtime.GOMAXPROCS(0))}
	for range runtime.GOMAXPROCS(0) {
		h.done.Add(1)
		go func() {
			defer h.done.Done()
			var found []Problem
			for r := range h.in {
				p := Problem{ElderID: r.ElderID, Month: r.Month, Record: r.ID, Seq: r.Seq}
				switch {
				case db.recordHash(r.PrevHash, r.ServiceRecord) != r.Hash:
					p.What = "its content was changed after it was recorded"
				case r.idSeal == "":
					p.What = "its id is not sealed: the record was slipped in or its id was changed"
				case db.recordIDSeal(r.ID, r.ElderID, r.Seq, r.Hash) != r.idSeal:
					p.What = "its id was changed after it was recorded (ids swapped: amendments now point elsewhere)"
				default:
					continue
				}
				found = append(found, p)
			}
			h.out <- found
		}()
	}
	return h
}

// stop waits for the workers and returns what they found, in chain order.
func (h *hashCheck) stop() []Problem {
	close(h.in)
	h.done.Wait()
	close(h.out)
	var all []Problem
	for p := range h.out {
		all = append(all, p...)
	}
	slices.SortFunc(all, func(a, b Problem) int { return cmp.Or(cmp.Compare(a.ElderID, b.ElderID), cmp.Compare(a.Seq, b.Seq)) })
	return all
}

// RecordExists tells whether a service record is stored (for checks of
// durability made by tests and tools, not by users).
func (db *DB) RecordExists(ctx context.Context, id int64) bool {
	var n int
	db.read.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM service_records WHERE id = ?"), id).Scan(&n)
	return n == 1
}

// CountNotes counts the records whose note starts with prefix, by note (a
// check for tests that load the server with numbered records).
func (db *DB) CountNotes(ctx context.Context, prefix string) (map[string]int, error) {
	rows, err := db.read.QueryContext(ctx, db.q("SELECT note, COUNT(*) FROM service_records WHERE note LIKE ? GROUP BY note"), prefix+"%")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var note string
		var n int
		if err := rows.Scan(&note, &n); err != nil {
			return nil, err
		}
		out[note] = n
	}
	return out, rows.Err()
}
