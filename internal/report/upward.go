package report

import (
	"context"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/upward"
)

// trainingTable counts, per community, the training sessions held in the
// period, the volunteers trained and the commendations awarded (issue 15
// point 6).
func trainingTable(d *store.ReportData, l func(string, string) string) Table {
	headers := []string{l("举办培训（场）", "Training sessions held"), l("参训志愿者（人）", "Volunteers trained"), l("表彰（人次）", "Commendations")}
	t := perPart(d, l, "training", l("志愿者培训与表彰", "Training and commendation"), headers, func(c store.ReportCounts) []Cell {
		return []Cell{countOf(c, "trainings.held"), countOf(c, "trainings.trained"), countOf(c, "commendations")}
	})
	t.Note = l("培训按举办社区计；参训志愿者按其所属社区计，一人参加多场只计一次。", "Sessions count for the community that held them; volunteers for their own community, once however many sessions they attended.")
	return t
}

// experienceTable lists the typical-experience reports (典型经验) of the
// period that the station has received: what the street sends upward with
// its numbers (issue 15 point 5).
func experienceTable(es []upward.Experience, l func(string, string) string) Table {
	t := Table{Key: "experiences", Title: l("典型经验", "Typical experience"),
		Columns: []string{l("社区", "Community"), l("月份", "Month"), l("标题", "Title"), l("内容", "Text")}}
	for _, e := range es {
		t.Rows = append(t.Rows, []Cell{text(e.Community), text(e.Month), text(e.Title), text(e.Body)})
	}
	if len(es) == 0 {
		t.Note = l("本期没有街道已接收的典型经验。", "No typical-experience reports received for this period.")
	} else {
		t.Note = l("街道已接收的社区典型经验。", "The communities' reports the station has received.")
	}
	return t
}

// addUpward adds to a built report what goes up with the numbers: the
// received experience reports and, for a month, the communities' report
// submissions (station and community staff only; a viewer reads the
// report as sent).
func addUpward(ctx context.Context, db *store.DB, a care.Actor, r *Report, u store.ReportUnit, p store.Period, l func(string, string) string) error {
	es, err := db.ReportExperiences(ctx, a, u, p)
	if err != nil {
		return err
	}
	r.Tables = append(r.Tables, experienceTable(es, l))
	if len(p.Months) != 1 || (a.Role != care.RoleStation && a.Role != care.RoleCommunity) || u.Kind == store.UnitDistrict {
		return nil
	}
	subs, err := db.Submissions(ctx, a, p.Months[0])
	if err != nil {
		return err
	}
	for _, s := range subs {
		for _, pt := range u.Parts {
			if len(pt.Communities) == 1 && pt.Communities[0] == s.CommunityID {
				r.Submissions = append(r.Submissions, s)
			}
		}
	}
	return nil
}

type jsonSubmission struct {
	CommunityID int64   `json:"community_id"`
	Community   string  `json:"community"`
	Month       string  `json:"month"`
	Status      string  `json:"status"`
	SubmittedAt *string `json:"submitted_at"`
	SubmittedBy string  `json:"submitted_by"`
	DecidedAt   *string `json:"decided_at"`
	DecidedBy   string  `json:"decided_by"`
	Reason      string  `json:"reason"`
}

// SubmissionJSON is a submission as the API shows it: status "" (not
// submitted), submitted, received or returned, times in RFC 3339.
func SubmissionJSON(s upward.Submission, loc *time.Location) any {
	if loc == nil {
		loc = time.UTC
	}
	at := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		v := t.In(loc).Format(time.RFC3339)
		return &v
	}
	return jsonSubmission{CommunityID: s.CommunityID, Community: s.Community, Month: s.Month, Status: s.Status,
		SubmittedAt: at(s.SubmittedAt), SubmittedBy: s.SubmittedBy, DecidedAt: at(s.DecidedAt), DecidedBy: s.DecidedBy, Reason: s.Reason}
}
