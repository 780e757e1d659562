package asl

import (
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
	idle atomic.Int32
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

func (p *gopool) worker(f func()) {
	f()
	t := time.NewTimer(poolIdleTimeout)
	defer t.Stop()
	for {
		p.idle.Add(1)
		select {
		case f := <-p.work:
			p.idle.Add(-1)
			f()
			if !t.Stop() {
				<-t.C
			}
			t.Reset(poolIdleTimeout)
		case <-t.C:
			p.idle.Add(-1)
			return
		}
	}
}
