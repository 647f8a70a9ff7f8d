package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"carecircle/internal/attach"
	"carecircle/internal/care"
)

// Attachments (附件, issue 15, README "附件 (attachments)"): photos and
// files of an activity, a community's implementation plan or a typical-
// experience report. The checks are in internal/attach; here the owner's
// scope decides who may add and read, the metadata row is kept for good
// (a removal is a flag), and the content is kept by its SHA-256,
// encrypted with the data key: on SQLite in a folder beside the database
// file, written, fsynced and renamed before the row commits; on
// PostgreSQL in the attachment_blobs table, so several servers share it.

// Owner kinds of an attachment.
const (
	OwnerActivity    = "activity"     // activities.id
	OwnerRolloutPlan = "rollout_plan" // the community id: its implementation plan (实施方案)
	OwnerExperience  = "experience"   // experience_reports.id
)

// AttachmentOwner names what a file belongs to.
type AttachmentOwner struct {
	Kind string
	ID   int64
}

// Attachment is a kept file's metadata.
type Attachment struct {
	ID          int64
	OwnerKind   string
	OwnerID     int64
	StreetID    int64
	CommunityID int64 // 0 for a street-wide activity's
	Name        string
	ContentType string
	Size        int64
	SHA256      string
	Width       int
	Height      int
	HasThumb    bool
	CreatedBy   string
	CreatedAt   time.Time
}

// IsImage reports whether the attachment is a picture (shown inline, with a thumbnail).
func (at Attachment) IsImage() bool { return attach.IsImage(at.ContentType) }

var (
	msgOwnerKind = care.Msg{ZH: "附件所属类型无效", EN: "unknown owner kind"}
	// MsgAttachNotJoined refuses a file for the plan of a community that has not joined.
	MsgAttachNotJoined = care.Msg{ZH: "该社区尚未纳入，请街道先纳入", EN: "the community has not joined yet; the station brings it in first"}
	// MsgAttachLocked refuses a file for a submitted or received report.
	MsgAttachLocked = care.Msg{ZH: "已上报的典型经验不能再添加附件；街道退回后可添加", EN: "a submitted report takes no more files unless the station returns it"}
	errAttachment   = func() error { return care.ErrNotFound("附件 / attachment") }
)

// attachmentScope finds the owner and decides what the actor may do with
// its files: read (else not found, so scope leaks nothing) and add. It
// answers the owner's street and community.
func (db *DB) attachmentScope(ctx context.Context, q queryer, a care.Actor, o AttachmentOwner, adding bool) (street, community int64, err error) {
	switch a.Role {
	case care.RoleStation, care.RoleCommunity:
	case care.RoleViewer, care.RoleVolunteer:
		// A viewer reads plans; a volunteer sees the photos of the
		// activities open to them. Neither adds.
		if adding || (a.Role == care.RoleVolunteer && o.Kind != OwnerActivity) {
			return 0, 0, care.ErrForbidden()
		}
	default:
		return 0, 0, care.ErrForbidden()
	}
	var read, add bool
	var refuse care.Msg
	switch o.Kind {
	case OwnerRolloutPlan:
		var joined sql.NullString
		err = q.QueryRowContext(ctx, db.q(`SELECT c.street_id, c.id, r.joined_on FROM communities c
 LEFT JOIN rollout_communities r ON r.community_id = c.id WHERE c.id = ?`), o.ID).Scan(&street, &community, &joined)
		read = (a.Role != care.RoleCommunity && a.StreetID == street) || (a.Role == care.RoleCommunity && a.CommunityID == community)
		add = a.Role != care.RoleViewer && read
		if add && !joined.Valid {
			add, refuse = false, MsgAttachNotJoined
		}
	case OwnerExperience:
		var status string
		err = q.QueryRowContext(ctx, db.q(`SELECT street_id, community_id, status FROM experience_reports WHERE id = ?`), o.ID).Scan(&street, &community, &status)
		switch a.Role {
		case care.RoleCommunity:
			read = a.CommunityID == community
			add = read
			if read && status != "draft" && status != "returned" {
				add, refuse = false, MsgAttachLocked
			}
		case care.RoleStation:
			read = a.StreetID == street && status != "draft"
		}
	case OwnerActivity:
		var c sql.NullInt64
		err = q.QueryRowContext(ctx, db.q(`SELECT street_id, community_id FROM activities WHERE id = ?`), o.ID).Scan(&street, &c)
		community = c.Int64
		if err != nil {
			break
		}
		switch a.Role {
		case care.RoleStation:
			read, add = a.StreetID == street, a.StreetID == street
		case care.RoleVolunteer:
			// Like the activities list: the volunteer's community's and
			// the street-wide ones of their street.
			var vStreet, vCommunity int64
			if err = q.QueryRowContext(ctx, db.q(`SELECT c.street_id, c.id FROM volunteers v JOIN communities c ON c.id = v.community_id WHERE v.id = ?`),
				a.VolunteerID).Scan(&vStreet, &vCommunity); err == nil {
				read = vStreet == street && (community == 0 || community == vCommunity)
			}
		case care.RoleCommunity:
			// Their community's activities, and the street-wide ones they
			// take part in (only the station adds to those).
			read = a.CommunityID == community || (community == 0 && a.StreetID == street)
			add = a.CommunityID == community
		}
	default:
		return 0, 0, care.FieldErrors{"owner_kind": msgOwnerKind}.Err()
	}
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !read) {
		return 0, 0, care.ErrNotFound("附件所属记录 / owner")
	}
	if err != nil {
		return 0, 0, err
	}
	if adding && !add {
		if refuse.ZH != "" {
			return 0, 0, care.FieldErrors{"owner_id": refuse}.Err()
		}
		return 0, 0, care.ErrForbidden()
	}
	return street, community, nil
}

// CanAddAttachment tells whether the actor may add a file to the owner
// now (nil), or why not, before any upload is read.
func (db *DB) CanAddAttachment(ctx context.Context, a care.Actor, o AttachmentOwner) error {
	_, _, err := db.attachmentScope(ctx, db.read, a, o, true)
	return err
}

// AddAttachment checks a file (type by content, size, images encoded
// again without their metadata, a thumbnail), keeps its content and
// records it for the owner; a refused file is a 422 on "file" and changes
// nothing. The content is durable before the row commits.
func (db *DB) AddAttachment(ctx context.Context, a care.Actor, o AttachmentOwner, name string, data []byte) (*Attachment, error) {
	if _, _, err := db.attachmentScope(ctx, db.read, a, o, true); err != nil {
		return nil, err
	}
	f, err := attach.Check(name, data)
	if err != nil {
		return nil, err
	}
	dir, err := db.attachmentDir(ctx)
	if err != nil {
		return nil, err
	}
	if dir != "" {
		if err := db.writeContentFile(dir, f.SHA256, f.Data); err != nil {
			return nil, err
		}
		if f.Thumb != nil {
			if err := db.writeContentFile(dir, f.ThumbSHA256, f.Thumb); err != nil {
				return nil, err
			}
		}
	}
	at := &Attachment{OwnerKind: o.Kind, OwnerID: o.ID, Name: f.Name, ContentType: f.ContentType, Size: int64(len(f.Data)),
		SHA256: f.SHA256, Width: f.Width, Height: f.Height, HasThumb: f.Thumb != nil, CreatedBy: a.Username}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if at.StreetID, at.CommunityID, err = db.attachmentScope(ctx, tx, a, o, true); err != nil {
			return err
		}
		if dir == "" {
			if err := db.putBlob(ctx, tx, f.SHA256, f.Data); err != nil {
				return err
			}
			if f.Thumb != nil {
				if err := db.putBlob(ctx, tx, f.ThumbSHA256, f.Thumb); err != nil {
					return err
				}
			}
		}
		now := db.now()
		at.CreatedAt = parseStamp(now)
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO attachments (owner_kind, owner_id, street_id, community_id, name, content_type, size, sha256,
 width, height, has_thumb, thumb_sha256, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`),
			o.Kind, o.ID, at.StreetID, nullID(at.CommunityID), at.Name, at.ContentType, at.Size, at.SHA256,
			at.Width, at.Height, at.HasThumb, f.ThumbSHA256, a.Username, now).Scan(&at.ID); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "create", "attachment", at.ID, nil, at)
	})
	if err != nil {
		return nil, err
	}
	return at, nil
}

const attachmentColumns = `id, owner_kind, owner_id, street_id, COALESCE(community_id, 0), name, content_type, size, sha256,
 width, height, has_thumb, created_by, created_at, thumb_sha256, removed_at`

// scanAttachment reads a row of attachmentColumns.
func scanAttachment(row interface{ Scan(...any) error }) (*Attachment, string, bool, error) {
	var at Attachment
	var created, thumb string
	var removed sql.NullString
	if err := row.Scan(&at.ID, &at.OwnerKind, &at.OwnerID, &at.StreetID, &at.CommunityID, &at.Name, &at.ContentType, &at.Size, &at.SHA256,
		&at.Width, &at.Height, &at.HasThumb, &at.CreatedBy, &created, &thumb, &removed); err != nil {
		return nil, "", false, err
	}
	at.CreatedAt = parseStamp(created)
	return &at, thumb, removed.Valid, nil
}

// Attachments lists an owner's files (not removed ones), oldest first.
func (db *DB) Attachments(ctx context.Context, a care.Actor, o AttachmentOwner) ([]Attachment, error) {
	if _, _, err := db.attachmentScope(ctx, db.read, a, o, false); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+attachmentColumns+` FROM attachments
 WHERE owner_kind = ? AND owner_id = ? AND removed_at IS NULL ORDER BY id`), o.Kind, o.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Attachment{}
	for rows.Next() {
		at, _, _, err := scanAttachment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *at)
	}
	return out, rows.Err()
}

// attachment reads one attachment's row (removed ones answer not found)
// and checks the actor may read its owner.
func (db *DB) attachment(ctx context.Context, q queryer, a care.Actor, id int64) (*Attachment, string, error) {
	at, thumb, removed, err := scanAttachment(q.QueryRowContext(ctx, db.q(`SELECT `+attachmentColumns+` FROM attachments WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && removed) {
		return nil, "", errAttachment()
	}
	if err != nil {
		return nil, "", err
	}
	if _, _, err := db.attachmentScope(ctx, q, a, AttachmentOwner{at.OwnerKind, at.OwnerID}, false); err != nil {
		var ce *care.Error
		if errors.As(err, &ce) && ce.Code == care.ENotFound {
			return nil, "", errAttachment()
		}
		return nil, "", err
	}
	return at, thumb, nil
}

// AttachmentContent answers a file (or its thumbnail) the actor may read
// with its metadata; for a thumbnail ContentType and Size are the
// thumbnail's. Content that does not match its SHA-256 is an error, never
// served.
func (db *DB) AttachmentContent(ctx context.Context, a care.Actor, id int64, thumb bool) (*Attachment, []byte, error) {
	at, thumbSum, err := db.attachment(ctx, db.read, a, id)
	if err != nil {
		return nil, nil, err
	}
	sum := at.SHA256
	if thumb {
		if !at.HasThumb || thumbSum == "" {
			return nil, nil, care.ErrNotFound("缩略图 / thumbnail")
		}
		sum, at.ContentType = thumbSum, attach.ThumbType(at.ContentType)
	}
	data, err := db.readContent(ctx, sum)
	if err != nil {
		return nil, nil, err
	}
	if thumb {
		at.Size = int64(len(data))
	}
	return at, data, nil
}

// RemoveAttachment flags a file removed, with who and when; whoever may
// add to the owner may remove. The row and the content stay.
func (db *DB) RemoveAttachment(ctx context.Context, a care.Actor, id int64) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		at, _, err := db.attachment(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if _, _, err := db.attachmentScope(ctx, tx, a, AttachmentOwner{at.OwnerKind, at.OwnerID}, true); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE attachments SET removed_at = ?, removed_by = ? WHERE id = ?`), db.now(), a.Username, id); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "remove", "attachment", id, at, nil)
	})
}

// ownedAttachments tells whether any of ids is not a file of owner o (a
// picture, when images) or has been removed; for the records that name
// attachments by id (a plan's file, a report's photos).
func (db *DB) ownedAttachments(ctx context.Context, q queryer, o AttachmentOwner, ids []int64, images bool) (bad bool, err error) {
	for _, id := range ids {
		var kind, ct string
		var owner int64
		var removed sql.NullString
		err := q.QueryRowContext(ctx, db.q(`SELECT owner_kind, owner_id, content_type, removed_at FROM attachments WHERE id = ?`), id).Scan(&kind, &owner, &ct, &removed)
		if errors.Is(err, sql.ErrNoRows) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if kind != o.Kind || owner != o.ID || removed.Valid || (images && !attach.IsImage(ct)) {
			return true, nil
		}
	}
	return false, nil
}

// AddExperiencePhoto makes a picture uploaded for a report one of its
// photos (after the others), as SaveExperience would with the longer
// list: a report that cannot change, or has its six photos, refuses.
func (db *DB) AddExperiencePhoto(ctx context.Context, a care.Actor, reportID, attachmentID int64) error {
	e, err := db.Experience(ctx, a, reportID)
	if err != nil {
		return err
	}
	for _, id := range e.PhotoIDs {
		if id == attachmentID {
			return nil
		}
	}
	e.PhotoIDs = append(e.PhotoIDs, attachmentID)
	return db.SaveExperience(ctx, a, e)
}

// attachmentDir is the folder of a SQLite database's content
// (<db file>.attachments), or "" when the content goes in the
// attachment_blobs table: on PostgreSQL, shared by every server, and for
// an in-memory SQLite, which has no file to sit beside.
func (db *DB) attachmentDir(ctx context.Context) (string, error) {
	if db.dialect.name != "sqlite" {
		return "", nil
	}
	if d := db.attachDir.Load(); d != nil {
		return *d, nil
	}
	rows, err := db.read.QueryContext(ctx, `PRAGMA database_list`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	dir := ""
	for rows.Next() {
		var seq int
		var name, file string
		if err := rows.Scan(&seq, &name, &file); err != nil {
			return "", err
		}
		if name == "main" && file != "" {
			dir = file + ".attachments"
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	db.attachDir.Store(&dir)
	return dir, nil
}

// writeContentFile keeps content (encrypted) at dir/ab/<sha256> unless it
// is there already: written to a temporary file, fsynced, renamed into
// place and the folder fsynced, so a kept file survives a crash.
func (db *DB) writeContentFile(dir, sum string, data []byte) error {
	shard := filepath.Join(dir, sum[:2])
	p := filepath.Join(shard, sum)
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := os.MkdirAll(shard, 0o700); err != nil {
		return fmt.Errorf("store: attachment folder: %w", err)
	}
	tmp, err := os.CreateTemp(shard, ".tmp-*")
	if err != nil {
		return fmt.Errorf("store: attachment: %w", err)
	}
	sealed := db.vault.Seal(string(data))
	_, err = tmp.Write(sealed)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("store: attachment: %w", err)
	}
	for _, d := range []string{shard, dir} {
		if err := syncDir(d); err != nil {
			return fmt.Errorf("store: attachment: %w", err)
		}
	}
	return nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// foldAttachments copies the content kept in the attachments folder (as
// it is, encrypted) into a SQLite backup's attachment_blobs table, so a
// backup is one file; a store restored from it reads the content there.
func (db *DB) foldAttachments(ctx context.Context, backup string) error {
	dir, err := db.attachmentDir(ctx)
	if err != nil || dir == "" {
		return err
	}
	shards, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("backup: attachments: %w", err)
	}
	b, err := sql.Open("sqlite", "file:"+backup+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer b.Close()
	tx, err := b.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, sh := range shards {
		if !sh.IsDir() || len(sh.Name()) != 2 {
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, sh.Name()))
		if err != nil {
			return fmt.Errorf("backup: attachments: %w", err)
		}
		for _, f := range files {
			if len(f.Name()) != 64 || !strings.HasPrefix(f.Name(), sh.Name()) {
				continue // a temporary file of an upload in progress
			}
			data, err := os.ReadFile(filepath.Join(dir, sh.Name(), f.Name()))
			if err != nil {
				return fmt.Errorf("backup: attachments: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO attachment_blobs (sha256, data) VALUES (?,?) ON CONFLICT (sha256) DO NOTHING`, f.Name(), data); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

// putBlob keeps content (encrypted) in attachment_blobs unless it is there.
func (db *DB) putBlob(ctx context.Context, tx *sql.Tx, sum string, data []byte) error {
	_, err := tx.ExecContext(ctx, db.q(`INSERT INTO attachment_blobs (sha256, data) VALUES (?,?) ON CONFLICT (sha256) DO NOTHING`),
		sum, db.vault.Seal(string(data)))
	return err
}

// readContent reads kept content by its SHA-256 (the folder first on
// SQLite, then the blob table), decrypts it and checks the sum.
func (db *DB) readContent(ctx context.Context, sum string) ([]byte, error) {
	dir, err := db.attachmentDir(ctx)
	if err != nil {
		return nil, err
	}
	var sealed []byte
	if dir != "" && len(sum) == 64 {
		sealed, err = os.ReadFile(filepath.Join(dir, sum[:2], sum))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	if sealed == nil {
		err := db.read.QueryRowContext(ctx, db.q(`SELECT data FROM attachment_blobs WHERE sha256 = ?`), sum).Scan(&sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("store: the content of attachment %s is missing", sum)
		}
		if err != nil {
			return nil, err
		}
	}
	plain, err := db.vault.Open(sealed)
	if err != nil {
		return nil, fmt.Errorf("store: attachment %s: %w", sum, err)
	}
	if attach.Sum([]byte(plain)) != sum {
		return nil, fmt.Errorf("store: attachment %s: content does not match its SHA-256", sum)
	}
	return []byte(plain), nil
}
