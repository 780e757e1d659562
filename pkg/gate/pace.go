package gate

import (
	"context"
	"fmt"

	"golang.org/x/time/rate"

	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
)

// Pacer holds every HTTP request to Logiwa to a rate: the gate's promise that
// Logiwa never sees more than the account's limit in a second. Pacing is per
// request, not per operation, because one operation (an upsert that finds,
// then creates) can make several requests, and the login counts too. It is
// the logiwa.Config Pacer, so the time a request waits here is kept out of
// its measured latency.
type Pacer struct {
	limiter *rate.Limiter
	clock   clock.Clock
}

// NewPacer paces perSecond requests a second shared by workers concurrent
// workers, each holding its own Pacer (as on Lambda, where each concurrent
// instance has one): each gets perSecond/workers with no burst above one, so
// requests are spaced evenly and no one-second window holds more than the
// limit. c is the clock (nil: the wall clock).
func NewPacer(perSecond float64, workers int, c clock.Clock) *Pacer {
	if workers < 1 {
		workers = 1
	}
	if c == nil {
		c = clock.Real()
	}
	return &Pacer{limiter: rate.NewLimiter(rate.Limit(perSecond/float64(workers)), 1), clock: c}
}

// Wait blocks until the next request may go.
func (p *Pacer) Wait(ctx context.Context) error {
	now := p.clock.Now()
	r := p.limiter.ReserveN(now, 1)
	if !r.OK() {
		return fmt.Errorf("pacer: a request exceeds the burst")
	}
	if err := p.clock.Sleep(ctx, r.DelayFrom(now)); err != nil {
		r.CancelAt(p.clock.Now())
		return err
	}
	return nil
}
