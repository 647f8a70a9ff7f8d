package register_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/register"
	"carecircle/internal/store"
)

// TestReportRoundTripsThroughJSON: the web keeps a job's report in the
// database as JSON; every field, reasons in both languages, comes back.
func TestReportRoundTripsThroughJSON(t *testing.T) {
	rep := &register.Report{Kind: register.Elders, File: "名册.xlsx", Rows: 3, Created: 1, Updated: 1, Committed: false,
		Planned: []register.Planned{{Row: 2, Action: store.ActionCreate, Name: "赵玉兰"}, {Row: 3, Action: store.ActionUpdate, Name: "钱桂英"}},
		Errors:  []register.Problem{{Row: 4, Column: "所属社区", Value: "光明社区", Reason: care.Msg{ZH: "社区不存在", EN: "no such community"}}},
		Ignored: []string{"备注2"}}
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var got register.Report
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&got, rep) || got.BadRows() != 1 || got.Summary(true, "en") != rep.Summary(true, "en") {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, *rep)
	}
}
