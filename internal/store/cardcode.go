package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
)

// CardGrace is how long into the next month a month's card code still
// verifies: the new month's card reaches the elder's door in its first days.
const CardGrace = 3 * 24 * time.Hour

// CardCode is the code printed as a QR code on an elder's card of a month.
// A keyed MAC binds it to the elder, the card's version and the month, so it
// cannot be forged or used for another elder, a re-issued card voids it,
// and a photo of the card is worth at most that month (README "Verification").
func (db *DB) CardCode(elderID int64, version int, month string) string {
	id, v := strconv.FormatInt(elderID, 10), strconv.Itoa(version)
	return "cc2." + id + "." + month + "." + db.vault.MAC("carecircle/card-month", id, v, month)[:20]
}

// CardCodeInfo is what a card code names before it is checked.
type CardCodeInfo struct {
	ElderID int64
	Month   string // YYYY-MM
}

// ParseCardCode reads the elder and the month a scanned card code names;
// the code is checked against the current card when a record uses it.
// The codes of the first cards (cc1, one per card for ever) are void.
func ParseCardCode(code string) (CardCodeInfo, bool) {
	parts := strings.Split(code, ".")
	if len(parts) != 4 || parts[0] != "cc2" || ValidMonth(parts[2]) != nil {
		return CardCodeInfo{}, false
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	return CardCodeInfo{ElderID: id, Month: parts[2]}, err == nil
}

// CardCodeCovers reports whether a month's card code verifies a scan at t:
// from the start of the month to CardGrace into the next, in loc.
func CardCodeCovers(month string, t time.Time, loc *time.Location) bool {
	start, err := time.ParseInLocation("2006-01", month, loc)
	if err != nil {
		return false
	}
	return !t.Before(start) && t.Before(start.AddDate(0, 1, 0).Add(CardGrace))
}

var (
	msgCardNotElders = care.Msg{ZH: "二维码不属于这位老人，或服务卡已补办作废", EN: "the code is not this elder's, or the card was re-issued"}
	msgCardOld       = care.Msg{ZH: "这是旧版服务卡的二维码，已停用；请社区打印本月的服务卡", EN: "this is an old card's code and no longer works; ask the community for this month's card"}
)

// msgCardMonth refuses a code used outside its month.
func msgCardMonth(month string) care.Msg {
	return care.Msg{ZH: "这是 " + month + " 的服务卡二维码，只能用于该月的服务；请扫描本月的服务卡",
		EN: "this is the card code of " + month + " and verifies only that month's services; scan this month's card"}
}

// checkCardCode verifies a scanned code for a record at `at` entered at
// now: the elder's current card, and a month that covers both times.
func (db *DB) checkCardCode(code string, e *care.Elder, version int, at, now time.Time) error {
	if strings.HasPrefix(code, "cc1.") {
		return care.FieldErrors{"verification": msgCardOld}.Err()
	}
	info, ok := ParseCardCode(code)
	if !ok || info.ElderID != e.ID || code != db.CardCode(e.ID, version, info.Month) {
		return care.FieldErrors{"verification": msgCardNotElders}.Err()
	}
	if !CardCodeCovers(info.Month, at, db.Loc) || !CardCodeCovers(info.Month, now, db.Loc) {
		return care.FieldErrors{"verification": msgCardMonth(info.Month)}.Err()
	}
	return nil
}

// ElderCardCode returns the code printed on an elder's card of a month
// (the current card version), for an actor who may see the elder.
func (db *DB) ElderCardCode(ctx context.Context, a care.Actor, elderID int64, month string) (string, error) {
	if err := ValidMonth(month); err != nil {
		return "", err
	}
	if _, err := db.getElder(ctx, db.read, a, elderID); err != nil {
		return "", err
	}
	var version int
	if err := db.read.QueryRowContext(ctx, db.q("SELECT card_version FROM elders WHERE id = ?"), elderID).Scan(&version); err != nil {
		return "", err
	}
	return db.CardCode(elderID, version, month), nil
}

// Scan answers, before the tap, what a scanned card code is worth to the
// actor (the scan page): the elder when the code is the elder's current
// card of a month that covers now and the elder is on the actor's list.
// Otherwise an error whose message says why: ScanVoid for a code that is
// old, forged or of a re-issued card; ScanMonth for another month's card;
// ScanNotYours when the card is genuine but the elder is not on the
// actor's list. A forged code learns nothing about any elder.
func (db *DB) Scan(ctx context.Context, a care.Actor, code string) (*care.Elder, error) {
	if strings.HasPrefix(code, "cc1.") {
		return nil, &care.Error{Code: care.EInvalid, Message: msgCardOld.ZH + " / " + msgCardOld.EN}
	}
	info, ok := ParseCardCode(code)
	var version int
	if ok {
		err := db.read.QueryRowContext(ctx, db.q("SELECT card_version FROM elders WHERE id = ?"), info.ElderID).Scan(&version)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		ok = err == nil && code == db.CardCode(info.ElderID, version, info.Month)
	}
	if !ok {
		return nil, &care.Error{Code: care.EInvalid, Message: ScanVoid.ZH + " / " + ScanVoid.EN}
	}
	if !CardCodeCovers(info.Month, db.Now(), db.Loc) {
		m := msgCardMonth(info.Month)
		return nil, &care.Error{Code: care.EInvalid, Message: m.ZH + " / " + m.EN}
	}
	e, err := db.getElder(ctx, db.read, a, info.ElderID)
	if care.ErrorCode(err) == care.ENotFound {
		return nil, &care.Error{Code: care.EForbidden, Message: ScanNotYours.ZH + " / " + ScanNotYours.EN}
	}
	return e, err
}

// What a scan page says instead of the greeting button.
var (
	ScanVoid = care.Msg{ZH: "这个二维码无效：服务卡已补办作废，或不是本系统打印的服务卡。请不要用它问候，请联系社区",
		EN: "this code is void: the card was re-issued, or it was not printed by CareCircle. Do not use it; contact the community"}
	ScanNotYours = care.Msg{ZH: "这位老人不在你的服务名单上，请联系社区",
		EN: "this elder is not on your list; please contact the community"}
)
