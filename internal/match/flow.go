package match

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"sync"
)

// solveFlow solves every component, in parallel when there are several.
// Components touch disjoint parts of g (their own edges' matched flags), so
// the result does not depend on scheduling.
func (g *graph) solveFlow(ctx context.Context) error {
	comps := g.components()
	order := make([]int, len(comps))
	for ci := range order {
		order[ci] = ci
	}
	// Largest first, so one big component does not start last.
	size := func(c *component) int { return len(c.elders) + len(c.vols) }
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(size(&comps[b]), size(&comps[a])) })
	work := make(chan int)
	errs := make([]error, len(comps))
	loc := &locals{elder: make([]int32, len(g.in.Elders)), vol: make([]int32, len(g.in.Volunteers))}
	sel := make([]bool, len(g.vol)) // each edge is in one component
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(comps)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ci := range work {
				errs[ci] = g.solveComponent(ctx, &comps[ci], loc, sel)
			}
		}()
	}
	for _, ci := range order {
		if ctx.Err() != nil {
			break
		}
		work <- ci
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// solveComponent solves one component into g.matched: two-stage cost
// scaling normally, the tuple-cost network simplex (exact at any size, but
// slower) when the scaled costs could overflow int64.
func (g *graph) solveComponent(ctx context.Context, c *component, loc *locals, sel []bool) error {
	for li, i := range c.elders {
		loc.elder[i] = int32(li)
	}
	for lv, j := range c.vols {
		loc.vol[j] = int32(lv)
	}
	if ok, err := g.solveStaged(ctx, c, loc, sel); ok || err != nil {
		return err
	}
	ns, edges := g.newNetwork(c, loc.vol)
	if err := ns.run(ctx); err != nil {
		return err
	}
	for e, k := range edges {
		g.matched[k] = ns.flow[e] == 1
	}
	return nil
}
