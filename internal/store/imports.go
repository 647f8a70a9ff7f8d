package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"carecircle/internal/care"
)

// Register files (SPEC §2): a batch of rows read from a community's Excel
// register is checked as a whole and written in one transaction, all or
// nothing. Elders are keyed by ID number and volunteers by phone within
// their community, so importing the same file twice updates instead of
// duplicating.

// Actions of an import row.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
)

// ImportOptions say how to run an import.
type ImportOptions struct {
	// DryRun checks every row and reports what would happen; nothing is written.
	DryRun bool
	// Fields are the care field names the file has columns for; the
	// community and clinic are set from the file only when it has them.
	Fields []string
	// MergeElder and MergeVolunteer copy what the file holds onto the stored
	// record for an update, so that what the file has no column for (a
	// preferred volunteer, a priority override, a third contact) is kept.
	MergeElder     func(stored, file *care.Elder)
	MergeVolunteer func(stored, file *care.Volunteer)
	// Source names the file in status-history reasons.
	Source string
	// Progress, when set, is told how far the check ("check") and the
	// writing ("write") have come.
	Progress func(stage string, done, total int)
	// ConfirmRows are the file's row numbers the user confirmed as other
	// people than the registered elders (or rows) they look like: a
	// look-alike row (可能重复) is imported only when confirmed.
	ConfirmRows map[int]bool
	// OnError, when set, is given each bad row's error (a *care.Error
	// whose Fields are keyed by care field name) as it is found, and the
	// result keeps none: a file of 100,000 bad rows would otherwise hold
	// 100,000 of them.
	OnError func(index int, err *care.Error)
}

func (o ImportOptions) has(field string) bool {
	for _, f := range o.Fields {
		if f == field {
			return true
		}
	}
	return false
}

func (o ImportOptions) progress(stage string, done, total int) {
	if o.Progress != nil && (done%500 == 0 || done == total) {
		o.Progress(stage, done, total)
	}
}

// ElderImport is one elder row of a register file.
type ElderImport struct {
	Row   int // the row number in the file, for "duplicate of row N"
	Elder care.Elder
	// Community and Clinic are names as written; they are resolved within
	// the actor's scope.
	Community, Clinic string
}

// VolunteerImport is one volunteer row of a register file.
type VolunteerImport struct {
	Row       int
	Volunteer care.Volunteer
	Community string
}

// ImportResult is what an import did or, in a dry run, would do.
type ImportResult struct {
	Created, Updated int
	// Actions holds ActionCreate or ActionUpdate per row ("" for a bad row).
	Actions []string
	// Errors name each bad row by its index in the batch; each Err is a
	// *care.Error whose Fields are keyed by care field name. Empty when
	// the options' OnError took them.
	Errors []RowError
	// Bad counts the bad rows.
	Bad       int
	Committed bool
	// Lookalikes are the file's row numbers that look like a registered
	// elder or an earlier row of another ID number (可能重复), confirmed or
	// not, so a screen can offer to confirm them.
	Lookalikes []int
}

var (
	msgIDElsewhere = care.Msg{ZH: "该身份证号已在其他社区或街道登记，不在您的管辖范围，不能导入",
		EN: "this ID number is registered in a community outside your scope; it cannot be imported"}
	msgUnknownClinic = care.Msg{ZH: "没有这个卫生服务机构", EN: "no clinic of this name in the street"}
)

func msgDuplicateRow(field string, row int) care.Msg {
	return care.Msg{ZH: fmt.Sprintf("与第 %d 行的%s重复", row, field), EN: fmt.Sprintf("duplicates the %s of row %d", map[string]string{"身份证号": "ID number", "联系电话": "phone"}[field], row)}
}

// importRefs are the communities and clinics the actor may import into,
// looked up by name once per batch.
type importRefs struct {
	communities []care.Community
	clinics     map[string]care.Clinic
}

func (db *DB) importRefs(ctx context.Context, a care.Actor) (*importRefs, error) {
	all, err := db.Communities(ctx, a)
	if err != nil {
		return nil, err
	}
	refs := &importRefs{clinics: map[string]care.Clinic{}}
	for _, c := range all {
		if a.Role == care.RoleStation || c.ID == a.CommunityID {
			refs.communities = append(refs.communities, c)
		}
	}
	clinics, err := db.Clinics(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, c := range clinics {
		refs.clinics[foldName(c.Name)] = c
	}
	return refs, nil
}

// community finds a community by its name or code. People write 幸福里 for
// 幸福里社区 and 桃园 for 桃园村, so a unique match without the suffix counts.
func (r *importRefs) community(name string) (int64, bool) {
	key := foldName(name)
	for _, c := range r.communities {
		if foldName(c.Name) == key || (c.Code != "" && c.Code == key) {
			return c.ID, true
		}
	}
	var found []int64
	for _, c := range r.communities {
		if stripUnit(foldName(c.Name)) == stripUnit(key) {
			found = append(found, c.ID)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return 0, false
}

func stripUnit(s string) string {
	for _, suffix := range []string{"社区居委会", "村民委员会", "居委会", "村委会", "社区", "村"} {
		if t, ok := strings.CutSuffix(s, suffix); ok && t != "" {
			return t
		}
	}
	return s
}

// foldName makes names written with full-width characters or stray spaces
// compare equal to the registered ones.
func foldName(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, width.Fold.String(s))
}

// resolveCommunity sets the community of a row: the named one, the
// community user's own when none is named, or the stored one on update.
func (r *importRefs) resolveCommunity(a care.Actor, name string, existing int64, f care.FieldErrors) int64 {
	switch {
	case strings.TrimSpace(name) != "":
		id, ok := r.community(name)
		if !ok {
			f.Add("community_id", care.MsgUnknownComm)
		}
		return id
	case a.Role == care.RoleCommunity:
		return a.CommunityID
	case existing != 0:
		return existing
	}
	f.Add("community_id", care.MsgRequired)
	return 0
}

// ImportElders checks a batch of elder rows as the actor and, unless it is
// a dry run or any row is bad, writes them all in one transaction. A row
// whose ID number is already registered in the actor's scope updates that
// elder; one registered outside the scope is an error.
func (db *DB) ImportElders(ctx context.Context, a care.Actor, rows []ElderImport, o ImportOptions) (*ImportResult, error) {
	if !a.EditsRegistry() {
		return nil, care.ErrForbidden()
	}
	refs, err := db.importRefs(ctx, a)
	if err != nil {
		return nil, err
	}
	existing, err := db.eldersByIDNumber(ctx, rows)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Actions: make([]string, len(rows))}
	// The plan is kept only while it may be written: not in a dry run,
	// and not after a bad row.
	var plan, olds []*care.Elder
	if !o.DryRun {
		plan, olds = make([]*care.Elder, len(rows)), make([]*care.Elder, len(rows))
	}
	seen := map[string]int{}
	look, err := db.lookalikeIndex(ctx, a, rows)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		f := care.FieldErrors{}
		p, old := db.planElder(a, refs, existing, seen, &rows[i], o, f)
		if m, ok := look.check(db, &rows[i], p, old); ok {
			res.Lookalikes = append(res.Lookalikes, rows[i].Row)
			if !o.ConfirmRows[rows[i].Row] {
				f.Add("name", m)
			}
		}
		res.record(i, old != nil, f, o)
		if plan != nil && res.Bad == 0 {
			plan[i], olds[i] = p, old
		}
		o.progress("check", i+1, len(rows))
	}
	if res.Bad > 0 || o.DryRun {
		return res, nil
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, db.q(insertElderSQL))
		if err != nil {
			return err
		}
		defer ins.Close()
		upd, err := tx.PrepareContext(ctx, db.q(updateElderSQL))
		if err != nil {
			return err
		}
		defer upd.Close()
		reason := "批量导入 / imported from " + o.Source
		for i, e := range plan {
			if olds[i] == nil {
				err = db.insertElder(ctx, tx, ins, a, e)
			} else {
				err = db.updateElder(ctx, tx, upd, a, olds[i], e, reason)
			}
			if err != nil {
				return fmt.Errorf("row %d: %w", rows[i].Row, err)
			}
			o.progress("write", i+1, len(plan))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Committed = true
	return res, nil
}

func (res *ImportResult) record(i int, update bool, f care.FieldErrors, o ImportOptions) {
	switch {
	case len(f) > 0:
		res.Bad++
		if o.OnError != nil {
			o.OnError(i, f.Err().(*care.Error))
		} else {
			res.Errors = append(res.Errors, RowError{Index: i, Err: f.Err()})
		}
	case update:
		res.Actions[i] = ActionUpdate
		res.Updated++
	default:
		res.Actions[i] = ActionCreate
		res.Created++
	}
}

// planElder turns one row into the elder to write (merged into the stored
// one on update) and gathers its errors in f. Validation is the registry's
// own (care.Elder.Validate); the store adds what only it can know: scope,
// communities and clinics by name, duplicates.
func (db *DB) planElder(a care.Actor, refs *importRefs, existing map[string]*storedElder, seen map[string]int,
	r *ElderImport, o ImportOptions, f care.FieldErrors) (plan, old *care.Elder) {
	// The row's elder is normalised in place and, for a new elder, is the
	// plan itself: a batch of 100,000 rows is not copied again.
	in := &r.Elder
	statusGiven := in.Status != ""
	in.Normalize()
	var hash string
	var cur *storedElder
	if in.IDNumber != "" {
		hash = db.vault.Hash(in.IDNumber)
		cur = existing[hash]
	}
	e := in
	if cur != nil && cur.inScope(a) {
		old = &cur.Elder
		merged := *old
		merged.IDNumber = in.IDNumber
		o.MergeElder(&merged, in)
		if !statusGiven {
			merged.Status = old.Status // an empty 状态 never revives the deceased
		}
		e = &merged
	}
	var keep int64
	if old != nil {
		keep = old.CommunityID
	}
	if o.has("community_id") || old == nil {
		e.CommunityID = refs.resolveCommunity(a, r.Community, keep, f)
	}
	if o.has("clinic_id") {
		e.ClinicID = refs.resolveClinic(r.Clinic, e.CommunityID, f)
	}
	if err := e.Validate(db.today(), true); err != nil {
		for k, m := range err.(*care.Error).Fields {
			f.Add(k, m)
		}
	}
	if cur != nil && old == nil {
		f.Add("id_number", msgIDElsewhere)
	}
	if hash != "" {
		if first, dup := seen[hash]; dup {
			f.Add("id_number", msgDuplicateRow("身份证号", first))
		} else {
			seen[hash] = r.Row
		}
	}
	return e, old
}

func (r *importRefs) resolveClinic(name string, community int64, f care.FieldErrors) *int64 {
	if strings.TrimSpace(name) == "" {
		return nil
	}
	c, ok := r.clinics[foldName(name)]
	if !ok {
		f.Add("clinic_id", msgUnknownClinic)
		return nil
	}
	if community != 0 && !containsID(c.CommunityIDs, community) {
		f.Add("clinic_id", msgClinicElsewhere)
	}
	return &c.ID
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// storedElder is a registered elder found by ID number.
type storedElder struct {
	care.Elder
	streetID int64
}

func (s *storedElder) inScope(a care.Actor) bool {
	switch a.Role {
	case care.RoleStation:
		return s.streetID == a.StreetID
	case care.RoleCommunity:
		return s.CommunityID == a.CommunityID
	}
	return false
}

// lookupChunk bounds the placeholders of one IN (...) query well below
// both databases' limits.
const lookupChunk = 500

// eldersByIDNumber finds the registered elders, in any scope, with the ID
// numbers of the rows, keyed by the numbers' keyed hash.
func (db *DB) eldersByIDNumber(ctx context.Context, rows []ElderImport) (map[string]*storedElder, error) {
	var hashes []any
	for i := range rows {
		if id := care.NormalizeIDNumber(rows[i].Elder.IDNumber); id != "" {
			hashes = append(hashes, db.vault.Hash(id))
		}
	}
	out := map[string]*storedElder{}
	for start := 0; start < len(hashes); start += lookupChunk {
		chunk := hashes[start:min(start+lookupChunk, len(hashes))]
		q := "SELECT " + elderColumns + ", e.id_hash, COALESCE(e.street_id, 0) FROM elders e WHERE e.id_hash IN (" + placeholders(len(chunk)) + ")"
		if err := db.scanStored(ctx, q, chunk, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) scanStored(ctx context.Context, query string, args []any, out map[string]*storedElder) error {
	rows, err := db.read.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return fmt.Errorf("find elders by ID number: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var hash string
		s := &storedElder{}
		e, err := db.scanElder(scanExtra{rows, []any{&hash, &s.streetID}})
		if err != nil {
			return err
		}
		s.Elder = *e
		out[hash] = s
	}
	return rows.Err()
}

// scanExtra scans a row of the usual columns followed by extra ones, so the
// usual scanner serves queries that select a little more.
type scanExtra struct {
	rows  *sql.Rows
	extra []any
}

func (s scanExtra) Scan(dest ...any) error { return s.rows.Scan(append(dest, s.extra...)...) }

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// ImportVolunteers checks a batch of volunteer rows and, unless it is a dry
// run or any row is bad, writes them in one transaction. A row whose phone
// is registered for a volunteer of the same community updates that
// volunteer.
func (db *DB) ImportVolunteers(ctx context.Context, a care.Actor, rows []VolunteerImport, o ImportOptions) (*ImportResult, error) {
	if !a.EditsRegistry() {
		return nil, care.ErrForbidden()
	}
	refs, err := db.importRefs(ctx, a)
	if err != nil {
		return nil, err
	}
	existing, err := db.volunteersByPhone(ctx, a, rows)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Actions: make([]string, len(rows))}
	var plan, olds []*care.Volunteer
	if !o.DryRun {
		plan, olds = make([]*care.Volunteer, len(rows)), make([]*care.Volunteer, len(rows))
	}
	seen := map[string]int{}
	for i := range rows {
		f := care.FieldErrors{}
		p, old := db.planVolunteer(a, refs, existing, seen, &rows[i], o, f)
		res.record(i, old != nil, f, o)
		if plan != nil && res.Bad == 0 {
			plan[i], olds[i] = p, old
		}
		o.progress("check", i+1, len(rows))
	}
	if res.Bad > 0 || o.DryRun {
		return res, nil
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		for i, v := range plan {
			if olds[i] == nil {
				err = db.insertVolunteer(ctx, tx, a, v)
			} else {
				err = db.updateVolunteer(ctx, tx, a, olds[i], v)
			}
			if err != nil {
				return fmt.Errorf("row %d: %w", rows[i].Row, err)
			}
			o.progress("write", i+1, len(plan))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Committed = true
	return res, nil
}

// planVolunteer turns one row into the volunteer to write, merged into
// the one registered with the same phone in the same community if any.
func (db *DB) planVolunteer(a care.Actor, refs *importRefs, existing map[string]*care.Volunteer, seen map[string]int,
	r *VolunteerImport, o ImportOptions, f care.FieldErrors) (plan, old *care.Volunteer) {
	in := &r.Volunteer // normalised in place; a new volunteer is the plan itself
	statusGiven := in.Status != ""
	in.Normalize()
	in.CommunityID = refs.resolveCommunity(a, r.Community, 0, f)
	v := in
	key := volunteerKey(in.CommunityID, in.Phone)
	if cur := existing[key]; cur != nil && in.Phone != "" {
		merged := *cur
		old = cur
		o.MergeVolunteer(&merged, in)
		if !statusGiven {
			merged.Status = cur.Status
		}
		v = &merged
	}
	if err := v.Validate(db.today()); err != nil {
		for k, m := range err.(*care.Error).Fields {
			f.Add(k, m)
		}
	}
	if first, dup := seen[key]; dup && in.Phone != "" {
		f.Add("phone", msgDuplicateRow("联系电话", first))
	} else {
		seen[key] = r.Row
	}
	return v, old
}

func volunteerKey(community int64, phone string) string {
	return strconv.FormatInt(community, 10) + "/" + phone
}

// volunteersByPhone finds the volunteers in the actor's scope with the
// rows' phone numbers, keyed by community and phone.
func (db *DB) volunteersByPhone(ctx context.Context, a care.Actor, rows []VolunteerImport) (map[string]*care.Volunteer, error) {
	scope, scopeArgs, err := volunteerScope(a)
	if err != nil {
		return nil, err
	}
	var phones []any
	for i := range rows {
		if p := care.NormalizePhone(rows[i].Volunteer.Phone); p != "" {
			phones = append(phones, p)
		}
	}
	out := map[string]*care.Volunteer{}
	for start := 0; start < len(phones); start += lookupChunk {
		chunk := phones[start:min(start+lookupChunk, len(phones))]
		rows, err := db.read.QueryContext(ctx, db.q("SELECT "+volunteerColumns+" FROM volunteers v WHERE "+scope+
			" AND v.phone IN ("+placeholders(len(chunk))+")"), append(append([]any{}, scopeArgs...), chunk...)...)
		if err != nil {
			return nil, fmt.Errorf("find volunteers by phone: %w", err)
		}
		for rows.Next() {
			v, err := scanVolunteer(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[volunteerKey(v.CommunityID, v.Phone)] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ExportElders calls fn for every elder matching f that the actor may see
// (station and community staff only), in registration order, ignoring the
// filter's paging. With reveal the ID numbers are decrypted, which only
// roles that may reveal them may ask for. One audit entry names the count,
// whether IDs were revealed and the filter, before anything is read.
func (db *DB) ExportElders(ctx context.Context, a care.Actor, f ElderFilter, reveal bool, fn func(*care.Elder) error) (int, error) {
	if !a.EditsRegistry() || (reveal && !a.RevealsIDs()) {
		return 0, care.ErrForbidden()
	}
	where, args, err := db.elderWhere(ctx, a, f)
	if err != nil {
		return 0, err
	}
	n, err := db.auditExport(ctx, a, "elder", "SELECT COUNT(*) FROM elders e WHERE "+where, args, reveal, exportFilter(f))
	if err != nil {
		return 0, err
	}
	rows, err := db.read.QueryContext(ctx, db.q("SELECT "+elderColumns+", e.id_enc FROM elders e WHERE "+where+" ORDER BY e.id"), args...)
	if err != nil {
		return 0, fmt.Errorf("export elders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sealed []byte
		e, err := db.scanElder(scanExtra{rows, []any{&sealed}})
		if err != nil {
			return 0, err
		}
		if reveal {
			if e.IDNumber, err = db.vault.Open(sealed); err != nil {
				return 0, err
			}
		}
		if err := fn(e); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

// exportFilter is the filter as the audit log keeps it: never an ID number.
func exportFilter(f ElderFilter) ElderFilter {
	if f.IDNumber != "" {
		f.IDNumber = care.MaskIDNumber(care.NormalizeIDNumber(f.IDNumber))
	}
	f.Limit, f.Offset = 0, 0
	return f
}

// ExportVolunteers calls fn for every volunteer matching f that the actor
// may see (station and community staff only); the export is audited.
func (db *DB) ExportVolunteers(ctx context.Context, a care.Actor, f VolunteerFilter, fn func(*care.Volunteer) error) (int, error) {
	if !a.EditsRegistry() {
		return 0, care.ErrForbidden()
	}
	where, args, err := db.volunteerWhere(ctx, a, f)
	if err != nil {
		return 0, err
	}
	f.Limit, f.Offset = 0, 0
	n, err := db.auditExport(ctx, a, "volunteer", "SELECT COUNT(*) FROM volunteers v WHERE "+where, args, false, f)
	if err != nil {
		return 0, err
	}
	rows, err := db.read.QueryContext(ctx, db.q("SELECT "+volunteerColumns+" FROM volunteers v WHERE "+where+" ORDER BY v.id"), args...)
	if err != nil {
		return 0, fmt.Errorf("export volunteers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scanVolunteer(rows)
		if err != nil {
			return 0, err
		}
		if err := fn(v); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

// auditExport counts what an export will hold and writes one audit entry
// for it; an export whose audit entry cannot be written does not happen.
func (db *DB) auditExport(ctx context.Context, a care.Actor, entity, count string, args []any, reveal bool, filter any) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, db.q(count), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count export: %w", err)
	}
	action := "export"
	if reveal {
		action = "export_reveal_id_numbers"
	}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		return db.audit(ctx, tx, a, action, entity, 0, nil, map[string]any{"count": n, "reveal_id_numbers": reveal, "filter": filter})
	})
	return n, err
}
