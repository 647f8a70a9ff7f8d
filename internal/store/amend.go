package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"carecircle/internal/care"
)

// amendable are the fields an amendment may correct.
var amendable = map[string]bool{"type": true, "note": true, "at": true, "amount_cents": true, "void": true}

// AddAmendment corrects a stored record: a new record that points at the
// original with a reason and the corrected fields. The original is never
// changed, even in an unsigned month, so the card shows what was corrected.
// Community staff and the station may amend; a volunteer only their own records.
func (db *DB) AddAmendment(ctx context.Context, a care.Actor, originalID int64, reason string, changes map[string]any) (*care.ServiceRecord, error) {
	am, _, err := db.AddAmendmentOnce(ctx, a, originalID, reason, changes, Attempt{})
	return am, err
}

// AddAmendmentOnce is AddAmendment for an attempt named by a key (see
// AddServiceOnce).
func (db *DB) AddAmendmentOnce(ctx context.Context, a care.Actor, originalID int64, reason string, changes map[string]any, at Attempt) (*care.ServiceRecord, bool, error) {
	orig, err := db.getRecord(ctx, a, originalID)
	if err != nil {
		return nil, false, err
	}
	switch a.Role {
	case care.RoleStation, care.RoleCommunity:
	case care.RoleVolunteer:
		if orig.VolunteerID == nil || *orig.VolunteerID != a.VolunteerID {
			return nil, false, care.ErrForbidden()
		}
	default:
		return nil, false, care.ErrForbidden()
	}
	if orig.Amends != nil {
		return nil, false, care.FieldErrors{"record": care.Msg{ZH: "请更正原始记录，而不是更正记录", EN: "amend the original record, not an amendment"}}.Err()
	}
	voids, _ := changes["void"].(bool)
	if _, moves := changes["at"]; a.Role == care.RoleVolunteer && (voids || moves) {
		// A signed card stands: striking out or moving its records is for
		// staff, and the station reviews it at the next inspection.
		if sig, err := db.signature(ctx, db.read, orig.ElderID, orig.Month); err != nil {
			return nil, false, err
		} else if sig != nil {
			return nil, false, &care.Error{Code: care.EConflict, Message: orig.Month + " 的服务卡已签字，作废或改时间请联系社区工作人员 / " +
				orig.Month + " is signed; ask community staff to strike out or re-time a record"}
		}
	}
	rules := care.EntryRules{Now: db.Now(), LateEntry: db.LateEntry, ByVolunteer: a.Role == care.RoleVolunteer}
	fixed, err := applyChanges(orig, changes, rules)
	if err != nil {
		return nil, false, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, false, care.FieldErrors{"reason": care.Msg{ZH: "请写明更正原因", EN: "give the reason for the correction"}}.Err()
	}
	if utf8.RuneCountInString(reason) > care.MaxNoteRunes {
		return nil, false, care.FieldErrors{"reason": care.Msg{ZH: "更正原因最多2000字", EN: "the reason is at most 2,000 characters"}}.Err()
	}
	am := &care.ServiceRecord{ElderID: orig.ElderID, Kind: fixed.Kind, Type: fixed.Type, At: db.Now(), VolunteerID: orig.VolunteerID,
		ServedBy: orig.ServedBy, Note: fixed.Note, AmountCents: fixed.AmountCents, Source: orig.Source,
		Amends: &orig.ID, AmendReason: reason, Changes: changes}
	if a.Role == care.RoleVolunteer {
		am.Source = "spot" // the volunteer corrects on their phone, whatever the original's source
	}
	replay, err := db.AddServiceOnce(ctx, a, am, Proof{Method: "none"}, at)
	return am, replay, err
}

// applyChanges returns the original with the changes applied, validated as
// a record, so an amendment can never describe an impossible service. Each
// change must have its field's type; a moved time obeys the rules of a new
// record's time, judged now.
func applyChanges(orig *care.ServiceRecord, changes map[string]any, rules care.EntryRules) (*care.ServiceRecord, error) {
	f := care.FieldErrors{}
	if len(changes) == 0 {
		f.Add("changes", care.Msg{ZH: "请填写要更正的内容", EN: "say what to correct"})
	}
	mustBe := func(field, zh, en string) {
		f.Add(field, care.Msg{ZH: "类型错误，应为" + zh, EN: "wrong type, expected " + en})
	}
	fixed := *orig
	for k, v := range changes {
		if !amendable[k] {
			f.Add("changes", care.Msg{ZH: "不能更正字段 " + k, EN: "field " + k + " cannot be corrected"})
			continue
		}
		switch k {
		case "type":
			s, ok := v.(string)
			if !ok {
				mustBe("type", "文本", "string")
			} else if _, found := care.FindServiceType(orig.Kind, s); !found {
				f.Add("type", care.MsgBadChoice)
			}
			fixed.Type = s
		case "note":
			s, ok := v.(string)
			if !ok {
				mustBe("note", "文本", "string")
			}
			fixed.Note = s
		case "at":
			s, ok := v.(string)
			t, err := time.Parse(time.RFC3339, s)
			if !ok || err != nil {
				f.Add("at", care.Msg{ZH: "时间格式应为 2026-11-29T08:00:00+08:00", EN: "the time must be RFC 3339"})
			}
			fixed.At = t
		case "amount_cents":
			n, ok := v.(float64)
			if !ok || n != math.Trunc(n) || math.Abs(n) > 1e15 {
				f.Add("amount_cents", care.Msg{ZH: "金额应为整数（分）", EN: "the amount is a whole number of cents"})
				continue
			}
			fixed.AmountCents = int64(n)
		case "void":
			if _, ok := v.(bool); !ok {
				mustBe("void", " true 或 false", "true or false")
			}
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	fixed.Method = "none"
	_, moved := changes["at"]
	if err := fixed.ValidateAmended(moved, rules); err != nil {
		return nil, err
	}
	return &fixed, nil
}

// getRecord returns a record of an elder the actor may see.
func (db *DB) getRecord(ctx context.Context, a care.Actor, id int64) (*care.ServiceRecord, error) {
	return db.recordFor(ctx, db.read, a, id)
}

func (db *DB) recordFor(ctx context.Context, q querier, a care.Actor, id int64) (*care.ServiceRecord, error) {
	scope, args, err := elderScope(a)
	if err != nil {
		return nil, err
	}
	r, err := scanRecord(q.QueryRowContext(ctx, db.q(`SELECT `+recordColumns+` FROM service_records r JOIN elders e ON e.id = r.elder_id
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
