package asl

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// inlineMaxConcurrency is how many iterations an inline Map runs at once
// when MaxConcurrency is 0 (AWS runs up to 40).
const inlineMaxConcurrency = 40

// mapBody runs a Map state's iterations once (a retry runs them again).
func (sr *stateRun) mapBody(eff any) (any, error) {
	ms, f := sr.st.mapSpec, sr.f
	maxConc, err := sr.mapInt(ms.maxConcurrency, ms.maxConcurrencyPath, "MaxConcurrency", eff)
	if err != nil {
		return nil, err
	}
	items, err := sr.mapItems(eff)
	if err != nil {
		return nil, err
	}
	f.x.hist.put(f.h, &event{ts: f.now, typ: evMapStateStarted, kind: kindLength, n: int64(len(items))}, true)
	tolCount, tolPct := int64(-1), -1.0
	if ms.hasTolerance {
		if ms.tolCount != nil || ms.tolCountPath != nil {
			if tolCount, err = sr.mapInt(ms.tolCount, ms.tolCountPath, "ToleratedFailureCount", eff); err != nil {
				return nil, err
			}
		}
		if ms.tolPct != nil || ms.tolPctPath != nil {
			if tolPct, err = sr.mapFloat(ms.tolPct, ms.tolPctPath, "ToleratedFailurePercentage", eff); err != nil {
				return nil, err
			}
			if tolPct < 0 || tolPct > 100 {
				return nil, aslerr.New(aslerr.Runtime, "ToleratedFailurePercentage must be between 0 and 100.")
			}
		}
	}
	if ms.itemBatcher != nil {
		items = batchItems(items, ms.itemBatcher)
	}
	results, fl := sr.iterate(items, eff, int(maxConc), tolCount, tolPct)
	f.tick()
	if fl != nil {
		return nil, fl
	}
	var out any = results
	if ms.resultWriter != nil {
		if out, err = sr.writeResults(results, eff); err != nil {
			return nil, err
		}
		f.tick()
	}
	f.x.hist.put(f.h, &event{ts: f.now, typ: evMapStateSucceeded}, false)
	return out, nil
}

// stallsOnNegativeConcurrency reports whether the Map's MaxConcurrencyPath
// resolves to a negative integer, on which AWS stalls the execution before
// the state is entered (recorded: only ExecutionStarted, status RUNNING).
// Anything else that is wrong with the path fails the state as usual.
func (sr *stateRun) stallsOnNegativeConcurrency() bool {
	eff, err := applyOptPath(sr.st.inputPath, sr.resolver(sr.input))
	if err != nil {
		return false
	}
	x, err := sr.resolver(eff).get(sr.st.mapSpec.maxConcurrencyPath)
	if err != nil {
		return false
	}
	n, ok := intOrNumericString(x)
	return ok && n < 0
}

// mapItems selects the array to iterate.
func (sr *stateRun) mapItems(eff any) ([]any, error) {
	ms := sr.st.mapSpec
	var v any
	var err error
	if sr.st.ql == qlJSONata {
		v = sr.input
		if t, ok := ms.items.(*jtmpl); ok && t != nil {
			if v, err = t.eval(sr.bindingsFor(t, nil)); err != nil {
				return nil, err
			}
			arr, ok := v.([]any)
			if !ok {
				return nil, &evalFailure{name: aslerr.QueryEvaluationError, location: "Items",
					cause: fmt.Sprintf("The JSONata expression '%s' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '%s' for value: %s",
						t.exprText(), typeName(v), encodeData(v))}
			}
			return arr, nil
		}
	} else if ms.itemReader == nil {
		if v, err = applyOptPath(ms.itemsPath, sr.resolver(eff)); err != nil {
			return nil, err
		}
	}
	if ms.itemReader != nil {
		return sr.readItems(eff)
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, &evalFailure{name: aslerr.QueryEvaluationError,
			cause: "Map state input must be an array but was: " + encodeData(v)}
	}
	return arr, nil
}

// batchItems groups items as ItemBatcher does: {"Items": [...]} plus BatchInput.
func batchItems(items []any, cfg map[string]any) []any {
	size, _ := jsonvalue.Int(cfg["MaxItemsPerBatch"])
	if size <= 0 {
		size = int64(len(items))
		if size == 0 {
			size = 1
		}
	}
	var out []any
	for i := 0; i < len(items); i += int(size) {
		end := min(i+int(size), len(items))
		b := map[string]any{"Items": append([]any(nil), items[i:end]...)}
		if bi, ok := cfg["BatchInput"]; ok {
			b["BatchInput"] = bi
		}
		out = append(out, b)
	}
	return out
}

func (sr *stateRun) mapNumber(src valueSource, pe *pathExpr, eff any) (any, string, error) {
	switch v := src.(type) {
	case lit:
		return v.v, "", nil
	case *jtmpl:
		if v == nil {
			return nil, "", nil
		}
		x, err := v.eval(sr.bindingsFor(v, nil))
		return x, "", err
	}
	if pe == nil {
		return nil, "", nil
	}
	x, err := sr.resolver(eff).get(pe)
	if err != nil {
		return nil, "", pathErr(err, "Path", pe, eff)
	}
	return x, pe.src, nil
}

func (sr *stateRun) mapInt(src valueSource, pe *pathExpr, field string, eff any) (int64, error) {
	x, path, err := sr.mapNumber(src, pe, eff)
	if err != nil || x == nil {
		return 0, err
	}
	n, ok := intOrNumericString(x)
	if !ok || (path != "" && n < 0) {
		return 0, aslerr.New(aslerr.Runtime, "The %sPath field refers to value \"%s\" which is not a valid integer: %s", field, plain(x), path)
	}
	return n, nil
}

func (sr *stateRun) mapFloat(src valueSource, pe *pathExpr, field string, eff any) (float64, error) {
	x, path, err := sr.mapNumber(src, pe, eff)
	if err != nil || x == nil {
		return 0, err
	}
	n, ok := jsonvalue.Float(x)
	if s, isStr := x.(string); isStr {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		n, ok = f, err == nil
	}
	if !ok {
		return 0, aslerr.New(aslerr.Runtime, "The %sPath field refers to value \"%s\" which is not a valid float: %s", field, plain(x), path)
	}
	return n, nil
}

// iterate runs the item processor over items with at most maxConc at once.
// Each worker is a history thread of its own; as in AWS, an iteration's
// Succeeded/Failed event is not the source of the worker's next event, and
// the Map's closing events follow from the last iteration's events.
func (sr *stateRun) iterate(items []any, eff any, maxConc int, tolCount int64, tolPct float64) ([]any, *failure) {
	f := sr.f
	n := len(items)
	if n == 0 {
		return make([]any, 0), nil
	}
	workers := maxConc
	if workers <= 0 || workers > inlineMaxConcurrency {
		workers = inlineMaxConcurrency
	}
	workers = min(workers, n)
	// One allocation holds the run's shared state (closures would move
	// each captured variable to the heap on its own).
	m := &mapRun{sr: sr, items: items, eff: eff, tolCount: tolCount, tolPct: tolPct,
		results: make([]any, n), ctxs: make([]histCtx, workers), grp: f.grp}
	if workers == 1 {
		m.work(0)
	} else {
		m.grp = &m.g
		m.g.start(f.grp, workers-1, m)
		m.work(0)
		m.g.finish()
	}
	// A worker that never started left its context zero, which changes
	// nothing here.
	for i := range m.ctxs {
		f.h.integrate(&m.ctxs[i])
	}
	if m.firstErr != nil {
		return nil, m.firstErr
	}
	if m.failures > 0 && !m.tolerated() {
		return nil, newFailure(aslerr.ExceedToleratedFailureThreshold, "The specified tolerated failure threshold was exceeded")
	}
	return m.results, nil
}

// mapRun is one run of a Map state's iterations, shared by its workers.
type mapRun struct {
	sr       *stateRun
	items    []any
	eff      any
	tolCount int64
	tolPct   float64
	results  []any
	ctxs     []histCtx  // one history thread per worker
	grp      *lazyGroup // the group the iterations run in
	g        lazyGroup

	mu       sync.Mutex
	nextJob  int
	failures int
	firstErr *failure
	stop     bool
}

// tolerated reports whether the failures so far are within the Map's
// tolerance; m.mu is held.
func (m *mapRun) tolerated() bool {
	if m.tolCount < 0 && m.tolPct < 0 {
		return false
	}
	if m.tolCount >= 0 && int64(m.failures) <= m.tolCount {
		return true
	}
	return m.tolPct >= 0 && float64(m.failures)*100/float64(len(m.items)) <= m.tolPct
}

// work is worker w: it runs iterations until none is left or one failed
// beyond the tolerance.
func (m *mapRun) work(w int) {
	f, n := m.sr.f, len(m.items)
	wctx := &m.ctxs[w]
	*wctx = histCtx{source: f.h.source, last: f.h.source}
	// Worker 0 runs on the Map state's own goroutine right after it read
	// the clock; the others may start later and read it themselves.
	var tc threadClock
	if w == 0 {
		tc = threadClock{now: f.now, fresh: true}
	}
	for {
		m.mu.Lock()
		if m.stop || m.nextJob >= n {
			m.mu.Unlock()
			return
		}
		i := m.nextJob
		m.nextJob++
		m.mu.Unlock()
		out, jlast, fl := m.sr.iteration(wctx, &tc, m.grp, i, m.items[i], m.eff)
		m.mu.Lock()
		if fl != nil {
			m.failures++
			if !m.tolerated() {
				if m.firstErr == nil {
					m.firstErr = fl
				}
				m.stop = true
			}
			stop := m.stop
			m.mu.Unlock()
			if stop {
				return
			}
			continue
		}
		m.results[i] = out
		last := m.nextJob >= n
		m.mu.Unlock()
		if last {
			wctx.source = jlast
		}
	}
}

// threadClock carries a worker's last clock reading from one iteration to
// the next (see frame.fresh): an iteration that starts right after another
// one, with nothing waited for in between, needs no reading of its own.
type threadClock struct {
	now   time.Time
	fresh bool
}

// iteration runs one item through the processor in its own frame, on a
// history thread that starts at the worker's (wctx) and is folded back into
// it at the end. It also returns the id of the iteration's last event.
func (sr *stateRun) iteration(wctx *histCtx, tc *threadClock, grp *lazyGroup, index int, item, eff any) (any, int64, *failure) {
	f, ms := sr.f, sr.st.mapSpec
	hist := &f.x.hist
	cf := f.pooledChild()
	cf.ownHist = histCtx{source: wctx.source, last: wctx.source}
	h := cf.h
	defer func() {
		wctx.integrate(h)
		tc.now, tc.fresh = cf.now, cf.fresh
		releaseFrame(cf)
	}()
	cf.grp = grp
	// ev records the iteration's events; they differ only in type and time.
	ev := func(typ evType, ts time.Time, advance bool) {
		hist.put(h, &event{ts: ts, typ: typ, kind: kindIteration, name: sr.st.name, n: int64(index)}, advance)
	}
	if tc.fresh {
		cf.now, cf.fresh = tc.now, true
	} else {
		cf.tick()
	}
	ev(evMapIterationStarted, cf.now, true)
	cf.inMap, cf.itemIndex, cf.itemValue = true, index, item
	cf.stateName, cf.stateEntered = f.stateName, f.stateEntered
	input := item
	if ms.itemSelector != nil {
		var err error
		switch t := ms.itemSelector.(type) {
		case *tmpl:
			input, err = t.eval(resolver{f: cf, input: eff})
		case *jtmpl:
			sub := &stateRun{f: cf, st: sr.st, input: sr.input, enteredID: sr.enteredID, enteredPrev: sr.enteredPrev}
			input, err = t.eval(sub.bindings(nil))
		}
		if err != nil {
			fl := sr.toFailure(err)
			ev(evMapIterationFailed, cf.tick(), false)
			return nil, h.last, fl
		}
	}
	out, fl := cf.runProgram(ms.processor, input)
	if fl != nil {
		if f.x.ctx.Err() != nil {
			ev(evMapIterationAborted, cf.tick(), false)
		} else {
			ev(evMapIterationFailed, cf.tick(), false)
		}
		return nil, h.last, fl
	}
	ev(evMapIterationSucceeded, cf.now, false)
	return out, h.last, nil
}

// intOrNumericString reads an integer, also from a string holding one (AWS
// accepts "1" for MaxConcurrencyPath).
func intOrNumericString(v any) (int64, bool) {
	if s, ok := v.(string); ok {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		return n, err == nil
	}
	return jsonvalue.Int(v)
}
