package report

// A viewer reads more than one report, and the reports share numbers: a
// community's line of its street's report is the community's report, a
// street's total its line of the district's, a quarter's services are its
// months' added up, and the register (elders and volunteers as they stand
// now) is in every report and on the home page. Each number must be shown
// or hidden alike wherever it appears, and no sum across reports may give
// a hidden one back (a quarter minus the two months shown, a district
// minus the streets shown).
//
// So a viewer's numbers are decided in layers, finer first, each layer
// fixing what the next one sees (mask.Set.Fix):
//
//  1. the register of each street (its communities and its total), then
//     of each district (its streets fixed);
//  2. each month of a street (its register fixed), the communities' reports
//     being the street's lines;
//  3. a quarter of a street: its months fixed, and each count the months
//     add up to hidden unless the months' own hide enough;
//  4. a district, month or quarter: its streets (and months) fixed.
//
// A coarser number is hidden when a finer one it adds up is; a finer number
// never changes because of a coarser one, so a month's report is the same
// whether or not its quarter was asked for.

import (
	"context"
	"fmt"

	"carecircle/internal/care"
	"carecircle/internal/mask"
	"carecircle/internal/store"
)

// scope is what a viewer may report on: its streets with their
// communities, and (for a viewer without a street) the districts.
type scope struct {
	streets   []store.ReportUnit
	districts []store.ReportUnit
	byStreet  map[int64]int
}

// newScope lays out streets and communities as report units, in the order
// ResolveReportUnit gives them.
func newScope(streets []care.Street, comms []care.Community, districts bool) *scope {
	sc := &scope{byStreet: map[int64]int{}}
	for _, s := range streets {
		u := store.ReportUnit{Kind: store.UnitStreet, ID: s.ID, Name: s.Name, District: s.District, StreetID: s.ID}
		for _, c := range comms {
			if c.StreetID == s.ID {
				u.Parts = append(u.Parts, store.ReportPart{ID: c.ID, Name: c.Name, Communities: []int64{c.ID}})
			}
		}
		sc.byStreet[s.ID] = len(sc.streets)
		sc.streets = append(sc.streets, u)
	}
	if !districts {
		return sc
	}
	index := map[string]int{}
	for _, s := range sc.streets {
		if s.District == "" {
			continue
		}
		i, ok := index[s.District]
		if !ok {
			i = len(sc.districts)
			index[s.District] = i
			sc.districts = append(sc.districts, store.ReportUnit{Kind: store.UnitDistrict, Name: s.District, District: s.District})
		}
		p := store.ReportPart{ID: s.ID, Name: s.Name}
		for _, c := range s.Parts {
			p.Communities = append(p.Communities, c.ID)
		}
		sc.districts[i].Parts = append(sc.districts[i].Parts, p)
	}
	return sc
}

// viewerScope is the scope of a viewer: a district viewer (no street)
// reads the districts' reports too.
func viewerScope(ctx context.Context, db *store.DB, a care.Actor) (*scope, error) {
	streets, err := db.Streets(ctx, a)
	if err != nil {
		return nil, err
	}
	comms, err := db.Communities(ctx, a)
	if err != nil {
		return nil, err
	}
	return newScope(streets, comms, a.StreetID == 0), nil
}

func (sc *scope) street(id int64) (store.ReportUnit, bool) {
	i, ok := sc.byStreet[id]
	if !ok {
		return store.ReportUnit{}, false
	}
	return sc.streets[i], true
}

// tops are the units nothing above them adds up: the districts, and the
// streets without one.
func (sc *scope) tops() []store.ReportUnit {
	out := append([]store.ReportUnit(nil), sc.districts...)
	for _, s := range sc.streets {
		if s.District == "" || len(sc.districts) == 0 {
			out = append(out, s)
		}
	}
	return out
}

// decided is a layer's counts and how each is shown.
type decided struct {
	vals  map[string]int64
	state map[string]mask.State
	order []string
}

func (d *decided) add(from *decided) {
	for _, k := range from.order {
		if _, ok := d.vals[k]; !ok {
			d.order = append(d.order, k)
		}
		d.vals[k], d.state[k] = from.vals[k], from.state[k]
	}
}

// fix puts the layer's counts in s as already decided.
func (d *decided) fix(s *mask.Set) {
	for _, k := range d.order {
		s.Count(k, d.vals[k])
		s.Fix(k, d.state[k])
	}
}

func newDecided() *decided {
	return &decided{vals: map[string]int64{}, state: map[string]mask.State{}}
}

func collect(s *mask.Set) *decided {
	d := newDecided()
	s.Each(func(k string, n int64, st mask.State) {
		d.order = append(d.order, k)
		d.vals[k], d.state[k] = n, st
	})
	return d
}

// layers decides a viewer's numbers, layer by layer, each once.
type layers struct {
	scope  *scope
	tables func(u store.ReportUnit, p store.Period) ([]Table, error)
	months func(p store.Period) ([]store.Period, error)
	done   map[string]*decided
}

func newLayers(sc *scope, tables func(store.ReportUnit, store.Period) ([]Table, error), months func(store.Period) ([]store.Period, error)) *layers {
	return &layers{scope: sc, tables: tables, months: months, done: map[string]*decided{}}
}

// register decides the register's numbers of a street or district.
func (l *layers) register(u store.ReportUnit, p store.Period) (*decided, error) {
	id := unitKey(u) + "#register"
	if d := l.done[id]; d != nil {
		return d, nil
	}
	var s mask.Set
	if u.Kind == store.UnitDistrict {
		for _, part := range u.Parts {
			st, ok := l.scope.street(part.ID)
			if !ok {
				continue
			}
			d, err := l.register(st, p)
			if err != nil {
				return nil, err
			}
			d.fix(&s)
		}
	}
	tables, err := l.tables(u, p)
	if err != nil {
		return nil, err
	}
	addTables(&s, unitKey(u)+"#register", tables, true)
	d := collect(&s)
	l.done[id] = d
	return d, nil
}

// decide decides every count of the report of u (a community: its
// street's) for period p, with all the finer layers it rests on.
func (l *layers) decide(u store.ReportUnit, p store.Period) (*decided, error) {
	if u.Kind == store.UnitCommunity {
		st, ok := l.scope.street(u.StreetID)
		if !ok {
			return nil, fmt.Errorf("report: community %d without its street in the viewer's scope", u.ID)
		}
		u = st
	}
	id := unitKey(u) + "#" + p.Label
	if d := l.done[id]; d != nil {
		return d, nil
	}
	fixed := newDecided()
	reg, err := l.register(u, p)
	if err != nil {
		return nil, err
	}
	fixed.add(reg)
	if u.Kind == store.UnitDistrict {
		for _, part := range u.Parts {
			st, ok := l.scope.street(part.ID)
			if !ok {
				continue
			}
			d, err := l.decide(st, p)
			if err != nil {
				return nil, err
			}
			fixed.add(d)
		}
	}
	var months []store.Period
	if len(p.Months) > 1 {
		if months, err = l.months(p); err != nil {
			return nil, err
		}
		for _, m := range months {
			d, err := l.decide(u, m)
			if err != nil {
				return nil, err
			}
			fixed.add(d)
		}
	}
	tables, err := l.tables(u, p)
	if err != nil {
		return nil, err
	}
	var s mask.Set
	fixed.fix(&s)
	prefix := unitKey(u) + "#" + p.Label
	addTables(&s, prefix, tables, false)
	if len(months) > 0 {
		addMonthSums(&s, tables, months, p)
	}
	d := collect(&s)
	l.done[id] = d
	return d, nil
}

// addMonthSums declares that each count of a quarter that adds up over
// the months is its months' sum.
func addMonthSums(s *mask.Set, tables []Table, months []store.Period, q store.Period) {
	suffix := numberPeriod("services", q)
	for _, t := range tables {
		for _, row := range t.Rows {
			for _, c := range row {
				name := baseName(c.key)
				if !c.count || c.key == "" || !sumsOverMonths(name) {
					continue
				}
				stem := c.key[:len(c.key)-len(suffix)]
				parts := make([]string, len(months))
				for i, m := range months {
					parts[i] = stem + numberPeriod(name, m)
				}
				s.Sum(c.key, parts...)
			}
		}
	}
}

// apply marks the numbers of a report of u for p as decided: its counts as
// their layer has them, its percentages and hours by the rule.
func (l *layers) apply(tables []Table, u store.ReportUnit, p store.Period) error {
	d, err := l.decide(u, p)
	if err != nil {
		return err
	}
	var s mask.Set
	d.fix(&s)
	prefix := "report"
	addTables(&s, prefix, tables, false)
	applyStates(&s, prefix, tables)
	return nil
}

// maskReport lays out r's tables for a viewer and masks them. The numbers
// of every unit are read once: a community's are its line of the street's,
// a district's its streets' added up.
func maskReport(ctx context.Context, db *store.DB, comp Compliance, a care.Actor, r *Report, u store.ReportUnit, p store.Period) error {
	sc, err := viewerScope(ctx, db, a)
	if err != nil {
		return err
	}
	data := map[string]*store.ReportData{}
	var load func(u store.ReportUnit, p store.Period) (*store.ReportData, error)
	load = func(u store.ReportUnit, p store.Period) (*store.ReportData, error) {
		id := unitKey(u) + "#" + p.Label
		if d := data[id]; d != nil {
			return d, nil
		}
		var d *store.ReportData
		switch u.Kind {
		case store.UnitCommunity:
			st, ok := sc.street(u.StreetID)
			if !ok {
				return nil, fmt.Errorf("report: community %d without its street in the viewer's scope", u.ID)
			}
			sd, err := load(st, p)
			if err != nil {
				return nil, err
			}
			d = &store.ReportData{Unit: u, Period: p, Parts: []store.ReportCounts{{}}}
			for i, part := range st.Parts {
				if part.ID == u.ID {
					d.Parts[0] = sd.Parts[i]
				}
			}
		case store.UnitDistrict:
			d = &store.ReportData{Unit: u, Period: p, Parts: make([]store.ReportCounts, len(u.Parts))}
			for i, part := range u.Parts {
				d.Parts[i] = store.ReportCounts{}
				st, ok := sc.street(part.ID)
				if !ok {
					continue
				}
				sd, err := load(st, p)
				if err != nil {
					return nil, err
				}
				for _, c := range sd.Parts {
					for k, n := range c {
						d.Parts[i][k] += n
					}
				}
			}
		default:
			if d, err = db.Report(ctx, a, u, p); err != nil {
				return nil, err
			}
		}
		data[id] = d
		return d, nil
	}
	laidOut := map[string][]Table{}
	tables := func(u store.ReportUnit, p store.Period) ([]Table, error) {
		id := unitKey(u) + "#" + p.Label
		if t, ok := laidOut[id]; ok {
			return t, nil
		}
		d, err := load(u, p)
		if err != nil {
			return nil, err
		}
		t, err := tablesOf(ctx, comp, d, r.lang)
		laidOut[id] = t
		return t, err
	}
	months := func(q store.Period) ([]store.Period, error) {
		out := make([]store.Period, len(q.Months))
		for i, m := range q.Months {
			var err error
			if out[i], err = store.ParsePeriod(m, db.Loc); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if r.Tables, err = tables(u, p); err != nil {
		return err
	}
	return newLayers(sc, tables, months).apply(r.Tables, u, p)
}
