package traffic

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/message"
)

// Sender delivers one message body to a flow's inbound queue and returns the
// queue's message id. The local runtime (localrun.Runtime) is one.
type Sender interface {
	Send(ctx context.Context, flow message.Flow, body []byte) (string, error)
}

// Profile is the shape of a sale day: Quiet messages a second for QuietFor,
// then Burst messages a second for BurstFor, then quiet again, and so on.
type Profile struct {
	Quiet, Burst       float64 // messages per second (of Clock)
	QuietFor, BurstFor time.Duration
	// Generator settings (seed, catalogue size, key prefix).
	Config Config
	// Clock paces the sends (default the wall clock).
	Clock  clock.Clock
	Logger *slog.Logger
	// Sent, when set, is told about every message the Sender accepted
	// (err nil) or refused.
	Sent func(m Message, id string, err error)
	// Catalogued, when set, runs after the catalogue is sent and before the
	// stream: with the simulator, wait for the runtime to be idle and give
	// the new products stock (Simulator().SetStock), or orders wait in
	// Shortage. An error ends Run.
	Catalogued func(ctx context.Context, skus []string) error
}

// DefaultProfile is what `logiwaflow local --traffic` runs: a quiet
// trickle, then every three minutes a 30-second burst above what the gate
// drains at Logiwa's Basic limit (2 requests a second, a message takes two
// or three), so the gate queue visibly fills and empties. On average it
// stays below what the gate drains, so it can run for hours.
func DefaultProfile() Profile {
	return Profile{Quiet: 0.2, Burst: 2, QuietFor: 150 * time.Second, BurstFor: 30 * time.Second}
}

// Stats counts what Run sent.
type Stats struct {
	Sent    int64 // accepted by the Sender
	Refused int64 // refused by the Sender (the oversize message, for one)
}

// RateAt is the profile's send rate at elapsed time t since the start.
func (p Profile) RateAt(t time.Duration) float64 {
	period := p.QuietFor + p.BurstFor
	if period <= 0 || p.BurstFor <= 0 {
		return p.Quiet
	}
	if t%period < p.QuietFor {
		return p.Quiet
	}
	return p.Burst
}

// Run sends the catalogue, then the endless stream at the profile's rate,
// until ctx ends; it returns what it sent (and nil when ctx ended it). A
// refused message is logged and counted, not fatal: a shop's backend meets
// the same refusals.
func Run(ctx context.Context, s Sender, p Profile) (Stats, error) {
	if p.Clock == nil {
		p.Clock = clock.Real()
	}
	if p.Quiet <= 0 {
		p.Quiet = DefaultProfile().Quiet
	}
	log := p.Logger
	if log == nil {
		log = slog.Default()
	}
	var st Stats
	var sent, refused atomic.Int64
	send := func(m Message) {
		id, err := s.Send(ctx, m.Flow, m.Body)
		if p.Sent != nil {
			p.Sent(m, id, err)
		}
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("traffic: message refused", "flow", m.Flow, "kind", m.Kind, "key", m.Key, "bytes", len(m.Body), "err", err)
			}
			refused.Add(1)
			return
		}
		sent.Add(1)
	}
	collect := func() Stats {
		st.Sent, st.Refused = sent.Load(), refused.Load()
		return st
	}
	g := New(p.Config)
	start := p.Clock.Now()
	for _, m := range g.Catalogue() {
		if ctx.Err() != nil {
			return collect(), nil
		}
		send(m)
	}
	log.Info("traffic: catalogue sent", "skus", len(g.SKUs()))
	if p.Catalogued != nil {
		if err := p.Catalogued(ctx, g.SKUs()); err != nil {
			if ctx.Err() != nil {
				return collect(), nil
			}
			return collect(), fmt.Errorf("traffic: after the catalogue: %w", err)
		}
	}
	for {
		m, ok := g.Next()
		if !ok {
			return collect(), nil
		}
		send(m)
		rate := p.RateAt(p.Clock.Now().Sub(start))
		if err := p.Clock.Sleep(ctx, time.Duration(float64(time.Second)/rate)); err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return collect(), nil
			}
			return collect(), fmt.Errorf("traffic: pace: %w", err)
		}
	}
}
