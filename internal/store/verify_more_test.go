package store_test

import (
	"context"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// caseHistory adds to history a complaint whose case was referred, and an
// amendment of the second record.
type caseHistory struct {
	rs        []*care.ServiceRecord
	amendment *care.ServiceRecord
	caseID    int64
	audit     []int64 // audit entry ids, oldest first
}

func makeCaseHistory(t *testing.T, db *store.DB, f *storetest.Fixture) caseHistory {
	ctx := context.Background()
	h := caseHistory{rs: history(t, db, f)}
	var err error
	if h.amendment, err = db.AddAmendment(ctx, f.Comm1, h.rs[1].ID, "时间记错", map[string]any{"note": "改正"}); err != nil {
		t.Fatal(err)
	}
	legal := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "legal", Type: "complaint", At: at(db, 8), Note: "楼上漏水，物业不处理"}
	storetest.MonthEnded(db) // a new day after the signing: the complaint goes into December
	legal.At = db.Now().Add(-1e9)
	if err := db.AddService(ctx, f.Volunteer, legal, store.Proof{}); err != nil {
		t.Fatal(err)
	}
	cases, err := db.Cases(ctx, f.Comm1, false)
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases: %v %+v", err, cases)
	}
	h.caseID = cases[0].ID
	if err := db.UpdateCase(ctx, f.Comm1, h.caseID, "referred", "街道司法所", "已约双方调解"); err != nil {
		t.Fatal(err)
	}
	h.audit = append(h.audit, auditIDs(t, db)...)
	return h
}

func auditIDs(t *testing.T, db *store.DB) []int64 {
	var first, last int64
	if err := db.ReadRow("SELECT MIN(id), MAX(id) FROM audit_log").Scan(&first, &last); err != nil {
		t.Fatal(err)
	}
	var out []int64
	for id := first; id <= last; id++ {
		out = append(out, id)
	}
	return out
}

func TestVerifyCoversIdsCasesAndTheAuditLog(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stmts func(h caseHistory) []string
		want  string
		check func(h caseHistory, p store.Problem) bool
	}{
		{"two records' ids swapped (the amendment moves)", func(h caseHistory) []string {
			a, b := itoa(h.rs[1].ID), itoa(h.rs[2].ID)
			return []string{"UPDATE service_records SET id = -1 WHERE id = " + a, "UPDATE service_records SET id = " + a + " WHERE id = " + b,
				"UPDATE service_records SET id = " + b + " WHERE id = -1"}
		}, "id was changed", func(h caseHistory, p store.Problem) bool { return p.Record == h.rs[1].ID || p.Record == h.rs[2].ID }},
		{"an amendment's link moved", func(h caseHistory) []string {
			return []string{"UPDATE service_records SET amends = " + itoa(h.rs[3].ID) + " WHERE id = " + itoa(h.amendment.ID)}
		}, "content was changed", func(h caseHistory, p store.Problem) bool { return p.Record == h.amendment.ID }},
		{"an amendment pointing at another elder's record", func(h caseHistory) []string {
			return []string{"UPDATE service_records SET amends = 999999 WHERE id = " + itoa(h.amendment.ID)}
		}, "not an earlier record of this elder", func(h caseHistory, p store.Problem) bool { return p.Record == h.amendment.ID }},
		{"a case's text changed", func(h caseHistory) []string {
			return []string{"UPDATE cases SET summary = '没有这回事' WHERE id = " + itoa(h.caseID)}
		}, "was changed", func(h caseHistory, p store.Problem) bool { return p.Case == h.caseID }},
		{"a case's text swapped for another sealed text", func(h caseHistory) []string {
			return []string{"UPDATE cases SET summary = (SELECT note FROM case_events WHERE case_id = " + itoa(h.caseID) + " ORDER BY id DESC LIMIT 1)"}
		}, "case was changed", func(h caseHistory, p store.Problem) bool { return p.Case == h.caseID }},
		{"a case closed behind the application's back", func(h caseHistory) []string {
			return []string{"UPDATE cases SET status = 'resolved'"}
		}, "case was changed", func(h caseHistory, p store.Problem) bool { return p.Case == h.caseID }},
		{"a case event removed", func(h caseHistory) []string {
			return []string{"DELETE FROM case_events WHERE id = (SELECT MAX(id) FROM case_events)"}
		}, "case was changed", func(h caseHistory, p store.Problem) bool { return p.Case == h.caseID }},
		{"an audit entry in the middle removed", func(h caseHistory) []string {
			return []string{"DELETE FROM audit_log WHERE id = " + itoa(h.audit[1])}
		}, "an entry before it was removed", func(h caseHistory, p store.Problem) bool {
			return p.Log == "audit log" && p.Entry == h.audit[2]
		}},
		{"the last audit entry removed", func(h caseHistory) []string {
			return []string{"DELETE FROM audit_log WHERE id = " + itoa(h.audit[len(h.audit)-1])}
		}, "sealed at its end", func(h caseHistory, p store.Problem) bool { return p.Log == "audit log" }},
		{"an audit entry changed", func(h caseHistory) []string {
			return []string{"UPDATE audit_log SET username = 'someone' WHERE id = " + itoa(h.audit[0])}
		}, "changed", func(h caseHistory, p store.Problem) bool { return p.Log == "audit log" && p.Entry == h.audit[0] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEach(t, func(t *testing.T, db *store.DB) {
				f := storetest.Seed(t, db)
				h := makeCaseHistory(t, db, f)
				ctx := context.Background()
				rep, err := db.Verify(ctx)
				if err != nil || len(rep.Problems) != 0 || rep.Cases != 1 || rep.CaseEvents != 2 {
					t.Fatalf("untouched history must verify: %v %+v", err, rep)
				}
				stmts := tc.stmts(h)
				if !db.IsPostgres() {
					stmts = append([]string{"PRAGMA foreign_keys = OFF"}, append(stmts, "PRAGMA foreign_keys = ON")...)
				}
				tamper(t, db, stmts...)
				rep, err = db.Verify(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range rep.Problems {
					if strings.Contains(p.What, tc.want) && tc.check(h, p) {
						return
					}
				}
				t.Fatalf("want a problem %q, got %v", tc.want, rep.Problems)
			})
		})
	}
}
