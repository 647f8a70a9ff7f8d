package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"carecircle/internal/care"
)

// amendable are the fields an amendment may correct.
var amendable = map[string]bool{"type": true, "note": true, "at": true, "amount_cents": true, "void": true}

// AddAmendment corrects a stored record: a new record that points at the
// original with a reason and the corrected fields. The original is never
// changed, even in an unsigned month, so the card shows what was corrected.
// Community staff and the station may amend; a volunteer only their own records.
func (db *DB) AddAmendment(ctx context.Context, a care.Actor, originalID int64, reason string, changes map[string]any) (*care.ServiceRecord, error) {
	orig, err := db.getRecord(ctx, a, originalID)
	if err != nil {
		return nil, err
	}
	switch a.Role {
	case care.RoleStation, care.RoleCommunity:
	case care.RoleVolunteer:
		if orig.VolunteerID == nil || *orig.VolunteerID != a.VolunteerID {
			return nil, care.ErrForbidden()
		}
	default:
		return nil, care.ErrForbidden()
	}
	if orig.Amends != nil {
		return nil, care.FieldErrors{"record": care.Msg{ZH: "请更正原始记录，而不是更正记录", EN: "amend the original record, not an amendment"}}.Err()
	}
	fixed, err := applyChanges(orig, changes, db.Now())
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, care.FieldErrors{"reason": care.Msg{ZH: "请写明更正原因", EN: "give the reason for the correction"}}.Err()
	}
	am := &care.ServiceRecord{ElderID: orig.ElderID, Kind: fixed.Kind, Type: fixed.Type, At: db.Now(), VolunteerID: orig.VolunteerID,
		ServedBy: orig.ServedBy, Note: fixed.Note, AmountCents: fixed.AmountCents, Source: orig.Source,
		Amends: &orig.ID, AmendReason: strings.TrimSpace(reason), Changes: changes}
	return am, db.AddService(ctx, a, am, Proof{Method: "none"})
}

// applyChanges returns the original with the changes applied, validated as
// a record, so an amendment can never describe an impossible service.
func applyChanges(orig *care.ServiceRecord, changes map[string]any, now time.Time) (*care.ServiceRecord, error) {
	f := care.FieldErrors{}
	if len(changes) == 0 {
		f.Add("changes", care.Msg{ZH: "请填写要更正的内容", EN: "say what to correct"})
	}
	fixed := *orig
	for k, v := range changes {
		if !amendable[k] {
			f.Add("changes", care.Msg{ZH: "不能更正字段 " + k, EN: "field " + k + " cannot be corrected"})
			continue
		}
		switch k {
		case "type":
			s, _ := v.(string)
			if _, ok := care.FindServiceType(orig.Kind, s); !ok {
				f.Add("type", care.MsgBadChoice)
			}
			fixed.Type = s
		case "note":
			fixed.Note, _ = v.(string)
		case "at":
			s, _ := v.(string)
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				f.Add("at", care.Msg{ZH: "时间格式应为 2026-11-29T08:00:00+08:00", EN: "the time must be RFC 3339"})
			}
			fixed.At = t
		case "amount_cents":
			n, ok := v.(float64)
			if !ok || n != float64(int64(n)) {
				f.Add("amount_cents", care.Msg{ZH: "金额应为整数（分）", EN: "the amount is a whole number of cents"})
			}
			fixed.AmountCents = int64(n)
		case "void":
			if _, ok := v.(bool); !ok {
				f.Add("void", care.Msg{ZH: "应为 true 或 false", EN: "must be true or false"})
			}
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	fixed.Method = "none"
	// The original's time may be long ago; only the corrected fields are judged.
	if err := fixed.Validate(maxTime(now, fixed.At)); err != nil {
		return nil, err
	}
	return &fixed, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// getRecord returns a record of an elder the actor may see.
func (db *DB) getRecord(ctx context.Context, a care.Actor, id int64) (*care.ServiceRecord, error) {
	scope, args, err := elderScope(a)
	if err != nil {
		return nil, err
	}
	r, err := scanRecord(db.read.QueryRowContext(ctx, db.q(`SELECT `+recordColumns+` FROM service_records r JOIN elders e ON e.id = r.elder_id
 WHERE r.id = ? AND `+scope), append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, care.ErrNotFound("服务记录 / service record")
	}
	return r, err
}

// GetRecord returns one service record of an elder the actor may see.
func (db *DB) GetRecord(ctx context.Context, a care.Actor, id int64) (*care.ServiceRecord, error) {
	return db.getRecord(ctx, a, id)
}
