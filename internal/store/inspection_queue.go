package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"carecircle/internal/care"
)

// InspectionFlags are the flag filters of the inspection queue.
var InspectionFlags = []care.Choice{
	{Code: "flagged", Label: care.Msg{ZH: "有标记（需查看）", EN: "flagged (needs a look)"}},
	{Code: "unverified", Label: care.Msg{ZH: "未核验服务", EN: "services without proof"}},
	{Code: "greetings", Label: care.Msg{ZH: "仅问候未核验", EN: "only greetings without proof"}},
	{Code: "geo_only", Label: care.Msg{ZH: "仅手机定位", EN: "phone position only"}},
	{Code: "amended", Label: care.Msg{ZH: "有更正", EN: "amended"}},
	{Code: "late", Label: care.Msg{ZH: "有补录", EN: "entered late"}},
	{Code: "missing", Label: care.Msg{ZH: "本月无服务", EN: "no service this month"}},
	{Code: "clean", Label: care.Msg{ZH: "无问题", EN: "clean"}},
}

// InspectionSorts are the orders of the inspection queue.
var InspectionSorts = []care.Choice{
	{Code: "community", Label: care.Msg{ZH: "按社区", EN: "by community"}},
	{Code: "name", Label: care.Msg{ZH: "按姓名", EN: "by name"}},
	{Code: "flags", Label: care.Msg{ZH: "问题多的在前", EN: "most flags first"}},
	{Code: "services", Label: care.Msg{ZH: "服务少的在前", EN: "fewest services first"}},
}

// InspectionFilter selects and orders the cards of a month's inspection
// queue. Signed is "", "yes" or "no"; Flag and Sort are codes of
// InspectionFlags and InspectionSorts ("" is every card, by community).
type InspectionFilter struct {
	Month       string
	CommunityID int64
	Flag        string
	Signed      string
	Sort        string
}

// Check refuses an unknown flag, signed or sort value, naming the field.
func (f InspectionFilter) Check() error {
	fe := care.FieldErrors{}
	if f.Flag != "" && !hasChoice(InspectionFlags, f.Flag) {
		fe.Add("flag", care.MsgBadChoice)
	}
	if f.Signed != "" && f.Signed != "yes" && f.Signed != "no" {
		fe.Add("signed", care.MsgBadChoice)
	}
	if f.Sort != "" && !hasChoice(InspectionSorts, f.Sort) {
		fe.Add("sort", care.MsgBadChoice)
	}
	return fe.Err()
}

// Matches reports whether a card belongs in the queue (community apart,
// which the query selects).
func (f InspectionFilter) Matches(r InspectionRow) bool {
	switch {
	case f.Signed == "yes" && !r.Signed, f.Signed == "no" && r.Signed:
		return false
	}
	fl := r.Flags()
	switch f.Flag {
	case "flagged":
		return fl.Flagged()
	case "unverified":
		return fl.Unverified > 0
	case "greetings":
		return fl.GreetingsOnly()
	case "geo_only":
		return fl.GeoOnly()
	case "amended":
		return fl.Amended > 0
	case "late":
		return r.Late > 0
	case "missing":
		return fl.Missing
	case "clean":
		return fl.Clean()
	}
	return true
}

// weight orders cards by how much they need a look.
func (r InspectionRow) weight() int {
	fl := r.Flags()
	w := 4*fl.Unverified + 3*fl.Amended + r.Late + fl.UnverifiedGreetings
	if fl.Missing {
		w += 100
	}
	if fl.GeoOnly() {
		w += 10
	}
	return w
}

// Queue filters and orders the rows of Inspection: the cards the station
// works through, in a stable order (the elder's id breaks ties).
func (f InspectionFilter) Queue(rows []InspectionRow) []InspectionRow {
	out := make([]InspectionRow, 0, len(rows))
	for _, r := range rows {
		if f.Matches(r) {
			out = append(out, r)
		}
	}
	by := func(a, b InspectionRow) int { return cmp.Compare(a.ElderID, b.ElderID) }
	switch f.Sort {
	case "name":
		slices.SortStableFunc(out, func(a, b InspectionRow) int { return cmp.Or(strings.Compare(a.Name, b.Name), by(a, b)) })
	case "flags":
		slices.SortStableFunc(out, func(a, b InspectionRow) int { return cmp.Or(cmp.Compare(b.weight(), a.weight()), by(a, b)) })
	case "services":
		slices.SortStableFunc(out, func(a, b InspectionRow) int { return cmp.Or(cmp.Compare(a.Services, b.Services), by(a, b)) })
	default:
		slices.SortStableFunc(out, func(a, b InspectionRow) int { return cmp.Or(cmp.Compare(a.CommunityID, b.CommunityID), by(a, b)) })
	}
	return out
}

// InspectionQueue reads the month's cards of the filter's community (every
// community of the actor when 0) and returns the queue in order.
func (db *DB) InspectionQueue(ctx context.Context, a care.Actor, f InspectionFilter) ([]InspectionRow, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	rows, err := db.Inspection(ctx, a, f.Month, f.CommunityID)
	if err != nil {
		return nil, err
	}
	return f.Queue(rows), nil
}

// GreetingsSummary is what 签署仅问候未核验的服务卡 will sign, per community.
type GreetingsSummary struct {
	CommunityID int64
	Cards       int
	Greetings   int // daily greetings without proof on those cards
	Services    int
}

// SummariseGreetingsOnly counts, per community, the unsigned cards whose
// only flag is daily greetings without proof.
func SummariseGreetingsOnly(rows []InspectionRow) []GreetingsSummary {
	var out []GreetingsSummary
	idx := map[int64]int{}
	for _, r := range rows {
		if r.Signed || !r.Flags().GreetingsOnly() {
			continue
		}
		i, ok := idx[r.CommunityID]
		if !ok {
			i = len(out)
			idx[r.CommunityID] = i
			out = append(out, GreetingsSummary{CommunityID: r.CommunityID})
		}
		out[i].Cards++
		out[i].Greetings += r.UnverifiedGreetings
		out[i].Services += r.Services
	}
	return out
}

// SignGreetingsOnlyCards signs "pass", in one go, the given cards of a
// month whose only flag is daily greetings without proof (or that carry no
// flag); each signature gets its own audit entry and the comment says what
// was accepted. Like SignCleanCards, each card is judged as it stands when
// signed: one that gained another flag since the summary is skipped, and an
// elder the station cannot see is 404 with nothing signed.
func (db *DB) SignGreetingsOnlyCards(ctx context.Context, a care.Actor, elderIDs []int64, month string) (int, error) {
	return db.signInBulk(ctx, a, elderIDs, month, func(f CardFlags) (bool, string) {
		switch {
		case f.Clean():
			return true, ""
		case f.GreetingsOnly():
			return true, greetingsComment(f.UnverifiedGreetings)
		}
		return false, ""
	})
}

func greetingsComment(n int) string {
	return "批量签署：" + strconv.Itoa(n) + " 次敲门问候未核验，其余服务已核验"
}

func hasChoice(cs []care.Choice, code string) bool {
	return slices.ContainsFunc(cs, func(c care.Choice) bool { return c.Code == code })
}

// signInBulk signs "pass" each card whose flags ok accepts, with the
// comment it gives, in one transaction.
func (db *DB) signInBulk(ctx context.Context, a care.Actor, elderIDs []int64, month string, ok func(CardFlags) (bool, string)) (int, error) {
	if a.Role != care.RoleStation {
		return 0, care.ErrForbidden()
	}
	if err := db.checkSignable(month); err != nil {
		return 0, err
	}
	signed := 0
	err := db.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range elderIDs {
			if _, err := db.getElder(ctx, tx, a, id); err != nil {
				return err
			}
			entries, err := db.cardEntries(ctx, tx, id, month)
			if err != nil {
				return err
			}
			sign, comment := ok(flagsOf(entries))
			if !sign {
				continue
			}
			if old, err := db.signature(ctx, tx, id, month); err != nil {
				return err
			} else if old != nil {
				continue
			}
			if _, err := db.signTx(ctx, tx, a, id, month, "pass", comment); err != nil {
				return err
			}
			signed++
		}
		return nil
	})
	return signed, err
}
