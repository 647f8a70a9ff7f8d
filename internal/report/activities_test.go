package report

import (
	"slices"
	"testing"

	"carecircle/internal/store"
)

// TestActivitiesTable: per community and in all — activities, volunteers,
// elders, residents, the participants' sum and the hours of attendance.
func TestActivitiesTable(t *testing.T) {
	d := &store.ReportData{
		Unit: store.ReportUnit{Kind: store.UnitStreet, ID: 1, Name: "和平街道",
			Parts: []store.ReportPart{{ID: 11, Name: "幸福社区", Communities: []int64{11}}, {ID: 12, Name: "安康社区", Communities: []int64{12}}}},
		Parts: []store.ReportCounts{
			{"activities.held": 2, "activities.volunteers": 9, "activities.elders": 6, "activities.residents": 20, "activities.minutes": 1620},
			{"activities.volunteers": 3, "activities.elders": 1, "activities.minutes": 450},
		},
	}
	d.Period.Label, d.Period.Months = "2026-11", []string{"2026-11"}
	tb := activitiesTable(d, labeler("zh"))
	want := [][]string{
		{"幸福社区", "2", "9", "6", "20", "35", "27.0"},
		{"安康社区", "0", "3", "1", "0", "4", "7.5"},
		{"合计", "2", "12", "7", "20", "39", "34.5"},
	}
	if got := shown(&tb); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("shown %v, want %v", got, want)
	}
	if tb.Key != "activities" || len(tb.Columns) != 7 || tb.Note == "" {
		t.Fatalf("table %q columns %v", tb.Key, tb.Columns)
	}
	// A viewer sees "<5" for few, and the sum of participants does not
	// give a hidden part back.
	tb = activitiesTable(d, labeler("en"))
	maskTables([]Table{tb})
	got := shown(&tb)
	if got[1][2] != "<5" || got[1][3] != "<5" || got[1][5] == "4" {
		t.Fatalf("masked %v", got[1])
	}
}
