package report

import (
	"slices"
	"testing"

	"carecircle/internal/store"
)

func requestsData() *store.ReportData {
	return &store.ReportData{
		Unit: store.ReportUnit{Kind: store.UnitStreet, ID: 1, Name: "和平街道",
			Parts: []store.ReportPart{{ID: 11, Name: "幸福社区", Communities: []int64{11}}, {ID: 12, Name: "安康社区", Communities: []int64{12}},
				{ID: 13, Name: "长乐社区", Communities: []int64{13}}}},
		Parts: []store.ReportCounts{
			{"requests.received": 9, "requests.answered": 6, "requests.answer_minutes.30": 2, "requests.answer_minutes.90": 3, "requests.answer_minutes.400": 1},
			{"requests.received": 7, "requests.answered": 5, "requests.answer_minutes.10": 4, "requests.answer_minutes.2000": 1},
			{"requests.received": 2},
		},
	}
}

// TestRequestsTable: received and answered per community and in all; the
// median time to answer of each community, and of the street from all its
// requests (not a sum of medians).
func TestRequestsTable(t *testing.T) {
	d := requestsData()
	d.Period.Label = "2026-11"
	d.Period.Months = []string{"2026-11"}
	tb := requestsTable(d, labeler("zh"))
	want := [][]string{
		{"幸福社区", "9", "6", "90"}, // 30 30 90 90 90 400
		{"安康社区", "7", "5", "10"}, // 10 10 10 10 2000
		{"长乐社区", "2", "0", "—"},
		{"合计", "18", "11", "30"}, // 10×4 30×2 90×3 400 2000: the 6th is 30
	}
	if got := shown(&tb); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("shown %v, want %v", got, want)
	}
	for _, r := range tb.rels {
		if r.total.col == 3 {
			t.Fatalf("the median is summed: %+v", r)
		}
	}
	if len(tb.Columns) != 4 || tb.Columns[3] != "完成用时中位数（分钟）" {
		t.Fatalf("columns %v", tb.Columns)
	}
}

// TestRequestsTableMasked: a viewer sees "<5" for few answered requests
// and for a median resting on them; no sum gives a hidden count back.
func TestRequestsTableMasked(t *testing.T) {
	d := requestsData()
	d.Period.Label = "2026-11"
	d.Period.Months = []string{"2026-11"}
	tb := requestsTable(d, labeler("en"))
	maskTables([]Table{tb})
	got := shown(&tb)
	if got[2][1] != "<5" || got[2][3] != "—" {
		t.Fatalf("few received: %v", got[2])
	}
	if got[0][2] != "6" || got[0][3] != "90" || got[1][2] != "5" || got[1][3] != "10" {
		t.Fatalf("five or more answered are shown: %v", got[:2])
	}
	if got[3][1] == "18" && got[0][1] == "9" && got[1][1] == "7" {
		t.Fatalf("the total gives the hidden count back: %v", got)
	}
}
