package asl

import "sync/atomic"

// parallel runs every branch on the same input, concurrently, and returns
// their outputs in branch order; the first failure fails the state.
func (sr *stateRun) parallel(eff any) (any, error) {
	f := sr.f
	hist := &f.x.hist
	hist.add(f.h, "ParallelStateStarted", nil, true)
	n := len(sr.st.branches)
	results := make([]any, n)
	fails := make([]*failure, n)
	ctxs := make([]*histCtx, n)
	g := &lazyGroup{}
	var next atomic.Int32
	// Each worker runs branches until none is left; worker 0 is the calling
	// goroutine, the others start when a branch waits (see lazyGroup).
	worker := func(int) {
		for {
			i := int(next.Add(1)) - 1
			if i >= n {
				return
			}
			ctxs[i] = f.h.child()
			cf := f.child(ctxs[i])
			cf.grp = g
			results[i], fails[i] = cf.runProgram(sr.st.branches[i], eff)
		}
	}
	g.start(f.grp, n-1, workerFunc(worker))
	worker(0)
	g.finish()
	f.tick()
	for _, c := range ctxs {
		f.h.integrate(c)
	}
	for _, fl := range fails {
		if fl != nil {
			return nil, fl
		}
	}
	hist.add(f.h, "ParallelStateSucceeded", nil, false)
	return results, nil
}
