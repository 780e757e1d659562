package asl

import "sync"

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
	var wg sync.WaitGroup
	for i, b := range sr.st.branches {
		ctxs[i] = f.h.child()
		cf := f.child(ctxs[i])
		wg.Add(1)
		pool.run(func() {
			defer wg.Done()
			results[i], fails[i] = cf.runProgram(b, eff)
		})
	}
	wg.Wait()
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
