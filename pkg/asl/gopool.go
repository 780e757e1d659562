package asl

import (
	"sync"
	"sync/atomic"
	"time"
)

// gopool runs functions on long-lived goroutines. Executions, Map workers
// and Parallel branches are short; starting a fresh goroutine for each costs
// a stack that grows (and is copied) every time, which dominated the
// benchmark. Submitting never blocks: without an idle worker a new one is
// started, so nested Maps cannot deadlock the pool.
type gopool struct {
	work chan func()
}

// poolIdleTimeout is how long an idle worker waits before it exits.
const poolIdleTimeout = 30 * time.Second

var pool = &gopool{work: make(chan func())}

func (p *gopool) run(f func()) {
	select {
	case p.work <- f:
	default:
		go p.worker(f)
	}
}

// worker runs f and then whatever is submitted until it has been idle for a
// whole poolIdleTimeout period. The idle timer is not reset per function
// (resetting a runtime timer takes the timer lock, which showed in the
// profile); a worker that ran anything since the last tick just keeps going.
func (p *gopool) worker(f func()) {
	f()
	t := time.NewTicker(poolIdleTimeout)
	defer t.Stop()
	busy := false
	for {
		select {
		case f := <-p.work:
			f()
			busy = true
		case <-t.C:
			if !busy {
				return
			}
			busy = false
		}
	}
}

// lazySpawnDelay is how long a group's first worker runs alone before the
// others are started anyway (see lazyGroup).
const lazySpawnDelay = 100 * time.Microsecond

// lazyGroup runs the workers of a Map or a Parallel state. Worker 0 runs on
// the calling goroutine; the others start only when they can make a
// difference: as soon as any evaluation inside the group is about to wait
// (a Wait state, a retry back-off, a task token, a task timeout: see
// frame.mayBlock), or when the group is still running after lazySpawnDelay
// (a task handler that blocks on I/O). The workers share their jobs, so
// iterations that only compute finish on the calling goroutine without a
// single goroutine hand-off, while iterations that wait still all wait at
// once, as in AWS. Groups nest: releasing one releases the groups around it.
type lazyGroup struct {
	parent *lazyGroup

	mu       sync.Mutex
	released bool // helpers started, or the group finished first
	helpers  int
	worker   groupWorker
	timer    *time.Timer
	wg       sync.WaitGroup
	// fast is set once released so that mayBlock skips the lock.
	fast atomic.Bool
}

// groupWorker is the work of a group's workers; work(w) runs worker w.
type groupWorker interface{ work(w int) }

// workerFunc adapts a function to groupWorker.
type workerFunc func(w int)

func (f workerFunc) work(w int) { f(w) }

// start arms the group: helpers more workers (1..helpers) may be started
// later; the caller then runs worker 0 itself and calls finish.
func (g *lazyGroup) start(parent *lazyGroup, helpers int, worker groupWorker) {
	g.parent, g.helpers, g.worker = parent, helpers, worker
	if helpers <= 0 {
		g.released = true
		g.fast.Store(true)
		return
	}
	g.timer = time.AfterFunc(lazySpawnDelay, g.releaseOne)
}

// release starts the helpers of g and of every group around it.
func (g *lazyGroup) release() {
	for ; g != nil; g = g.parent {
		g.releaseOne()
	}
}

func (g *lazyGroup) releaseOne() {
	if g.fast.Load() {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.released {
		return
	}
	g.released = true
	g.fast.Store(true)
	g.wg.Add(g.helpers)
	for w := 1; w <= g.helpers; w++ {
		pool.run(func() {
			defer g.wg.Done()
			g.worker.work(w)
		})
	}
}

// finish waits for the helpers that were started; helpers not started by
// now never will be (worker 0 has taken every job).
func (g *lazyGroup) finish() {
	g.mu.Lock()
	g.released = true
	g.fast.Store(true)
	g.mu.Unlock()
	if g.timer != nil {
		g.timer.Stop()
	}
	g.wg.Wait()
}
