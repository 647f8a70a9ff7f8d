package compliance

import (
	"fmt"
	"iter"
	"runtime"
	"testing"
	"time"
)

// street is a synthetic street: one neighbour pairing per elder for 2026,
// a greeting every day of the year and two chats a week.
type street struct {
	elders   []Elder
	pairings []Pairing
	days     []time.Time // 08:00 of each day of 2026
}

func newStreet(n int) street {
	var st street
	first := day("2026-01-01")
	for i := range n {
		id := fmt.Sprintf("e%d", i)
		st.elders = append(st.elders, Elder{ID: id, BirthDate: day("1940-01-01").AddDays(i % 3650), LunarBirthday: i%2 == 0})
		st.pairings = append(st.pairings, Pairing{ID: fmt.Sprintf("p%d", i), Elder: id, Volunteer: fmt.Sprintf("v%d", i),
			Role: RoleNeighbour, From: first})
	}
	for d := range 365 {
		st.days = append(st.days, testCal.Start(first.AddDays(d)).Add(8*time.Hour))
	}
	return st
}

// records yields the year's records day by day, as a store cursor would,
// without holding them all in memory.
func (st street) records(chats bool) iter.Seq[Record] {
	return func(yield func(Record) bool) {
		id := RecordID(0)
		for d, at := range st.days {
			for i, p := range st.pairings {
				id++
				if !yield(Record{ID: id, Elder: p.Elder, By: p.Volunteer, Kind: "life", Type: "greeting",
					At: at.Add(time.Duration(i%600) * time.Minute)}) {
					return
				}
				if chats && (d%7 == 1 || d%7 == 4) {
					id++
					if !yield(Record{ID: id, Elder: p.Elder, By: p.Volunteer, Kind: "spirit", Type: "chat", At: at.Add(2 * time.Hour)}) {
						return
					}
				}
			}
		}
	}
}

var benchCfg = Config{Calendar: testCal, Standards: DefaultStandards()}

// BenchmarkApply applies one new record to a state that already holds a
// year of greetings and chats for 2,000 pairings.
func BenchmarkApply(b *testing.B) {
	st := newStreet(2000)
	s, err := Rebuild(benchCfg, st.elders, st.pairings, st.records(true))
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	b.ResetTimer()
	for b.Loop() {
		// Each op serves the next pairing; days advance through the year so
		// cells stay the size real ones have.
		p, at := st.pairings[n%len(st.pairings)], st.days[n/len(st.pairings)%len(st.days)]
		n++
		r := Record{ID: RecordID(1<<40 + n), Elder: p.Elder, By: p.Volunteer, Kind: "life", Type: "greeting", At: at.Add(time.Hour)}
		if err := s.Apply(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorklist answers one volunteer's "today" list from that state.
func BenchmarkWorklist(b *testing.B) {
	st := newStreet(2000)
	s, err := Rebuild(benchCfg, st.elders, st.pairings, st.records(true))
	if err != nil {
		b.Fatal(err)
	}
	q := Query{AsOf: st.days[len(st.days)-1], Since: day("2026-12-31"), Pairings: []string{"p1234"}}
	b.ResetTimer()
	for b.Loop() {
		if sts, err := s.Query(q); err != nil || len(sts) != 2 {
			b.Fatal(len(sts), err)
		}
	}
}

// BenchmarkRebuild builds the state of a street of 20,000 elders with a year
// of daily greetings: 7.3 million records, streamed rather than held in
// memory. One op takes seconds; run it with -benchtime=1x.
func BenchmarkRebuild(b *testing.B) {
	const elders = 20000
	st := newStreet(elders)
	var s *State
	for b.Loop() {
		s = nil
		runtime.GC()
		var err error
		if s, err = Rebuild(benchCfg, st.elders, st.pairings, st.records(false)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	records := float64(elders * len(st.days))
	b.ReportMetric(records, "records/op")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/records*1e9, "ns/record")
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "MiB-live")
	runtime.KeepAlive(s)
	if got := len(s.Statuses(st.days[0].Add(time.Hour))); got != 2*elders {
		b.Fatalf("%d statuses on the first day", got)
	}
}
