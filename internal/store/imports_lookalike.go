package store

import (
	"context"
	"fmt"
	"hash/maphash"
	"strconv"
	"strings"
	"unicode"

	"carecircle/internal/care"
)

// Look-alike duplicates (issue 14 point 8): a row whose name plus address
// (community, building, unit, room) or name plus phone matches a registered
// elder in the actor's scope, or an earlier row of the file, under another
// ID number is probably the same person typed with a wrong ID number. It is
// imported only when the user confirms its row (ImportOptions.ConfirmRows).
//
// Memory stays bounded for a file of 100,000 rows: people are kept as
// 64-bit hashes of their name-and-address and name-and-phone keys, with a
// 64-bit hash of their ID number, not as strings.

// lookalike is a registered elder under one key, with the hash of their
// ID number.
type lookalike struct {
	id     int64
	idHash uint64
	name   string // for the message
}

// rowKey is an earlier row of the file under one key.
type rowKey struct {
	row    int32
	idHash uint64
}

type lookalikes struct {
	seed maphash.Seed
	reg  map[uint64]lookalike // registered elders by key
	file map[uint64]rowKey    // earlier rows by key
}

// lookalikeIndex loads the registered elders in the actor's scope who bear
// a name of the file, by their keys.
func (db *DB) lookalikeIndex(ctx context.Context, a care.Actor, rows []ElderImport) (*lookalikes, error) {
	l := &lookalikes{seed: maphash.MakeSeed(), reg: map[uint64]lookalike{}, file: map[uint64]rowKey{}}
	scope, sargs, err := elderScope(a)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	var batch []any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		q := `SELECT e.id, e.name, e.community_id, e.building, e.unit, e.room, e.phone, COALESCE(e.id_hash, '') FROM elders e
 WHERE ` + scope + ` AND e.name IN (` + placeholders(len(batch)) + `)`
		r, err := db.read.QueryContext(ctx, db.q(q), append(append([]any{}, sargs...), batch...)...)
		if err != nil {
			return fmt.Errorf("look-alike elders: %w", err)
		}
		defer r.Close()
		for r.Next() {
			var e care.Elder
			var idHash string
			if err := r.Scan(&e.ID, &e.Name, &e.CommunityID, &e.Building, &e.Unit, &e.Room, &e.Phone, &idHash); err != nil {
				return err
			}
			who := lookalike{id: e.ID, idHash: l.hash(idHash), name: e.Name}
			for _, k := range l.keys(&e) {
				l.reg[k] = who
			}
		}
		batch = batch[:0]
		return r.Err()
	}
	for i := range rows {
		n := strings.TrimSpace(rows[i].Elder.Name)
		if n == "" || names[n] {
			continue
		}
		names[n] = true
		if batch = append(batch, n); len(batch) == lookupChunk {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	return l, flush()
}

func (l *lookalikes) hash(s string) uint64 { return maphash.String(l.seed, s) }

// keys are a person's name-and-address and name-and-phone keys, those
// that are known.
func (l *lookalikes) keys(e *care.Elder) []uint64 {
	name := foldName(e.Name)
	if name == "" {
		return nil
	}
	var out []uint64
	if b, room := foldName(e.Building), foldName(e.Room); e.CommunityID != 0 && b != "" && room != "" {
		out = append(out, l.hash(name+"\x00a"+strconv.FormatInt(e.CommunityID, 10)+"\x00"+b+"\x00"+foldName(e.Unit)+"\x00"+room))
	}
	if p := digits(e.Phone); len(p) >= 7 {
		out = append(out, l.hash(name+"\x00p"+p))
	}
	return out
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// check reports whether row r, planned as e (updating old when not nil),
// looks like another person, and says whom; the row is remembered for
// the rows after it.
func (l *lookalikes) check(db *DB, r *ElderImport, e, old *care.Elder) (care.Msg, bool) {
	if e == nil || e.IDNumber == "" {
		return care.Msg{}, false
	}
	idHash := l.hash(db.vault.Hash(e.IDNumber))
	var self int64
	if old != nil {
		self = old.ID
	}
	var msg care.Msg
	// A row updating a registered elder is that elder: its ID number is
	// known. Only the others are checked (it is remembered all the same).
	found := old != nil
	for _, k := range l.keys(e) {
		if found {
			break
		}
		if w, ok := l.reg[k]; ok && w.id != self && w.idHash != idHash {
			msg, found = msgLookalikeElder(w.name, w.id), true
		} else if w, ok := l.file[k]; ok && w.idHash != idHash {
			msg, found = msgLookalikeRow(int(w.row)), true
		}
	}
	for _, k := range l.keys(e) {
		if _, ok := l.file[k]; !ok {
			l.file[k] = rowKey{row: int32(r.Row), idHash: idHash}
		}
	}
	return msg, found && old == nil
}

func msgLookalikeElder(name string, id int64) care.Msg {
	return care.Msg{ZH: fmt.Sprintf("可能重复：与已登记的%s（编号 %d）姓名和住址或电话相同，但身份证号不同；如确是另一位老人，请确认此行后再导入", name, id),
		EN: fmt.Sprintf("possible duplicate: same name and address or phone as the registered %s (no. %d) with another ID number; if this is another person, confirm this row and import again", name, id)}
}

func msgLookalikeRow(row int) care.Msg {
	return care.Msg{ZH: fmt.Sprintf("可能重复：与第 %d 行姓名和住址或电话相同，但身份证号不同；如确是另一位老人，请确认此行后再导入", row),
		EN: fmt.Sprintf("possible duplicate: same name and address or phone as row %d with another ID number; if this is another person, confirm this row and import again", row)}
}
