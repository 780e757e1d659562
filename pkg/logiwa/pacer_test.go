package logiwa_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/logiwa"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
)

// slowPacer holds each request for a fixed time and counts them.
type slowPacer struct {
	hold time.Duration
	n    atomic.Int32
}

func (p *slowPacer) Wait(ctx context.Context) error {
	p.n.Add(1)
	select {
	case <-time.After(p.hold):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// The latency a workflow compares with its threshold is Logiwa's, not the
// time our own pacer held the request.
func TestPacerTimeIsNotLatency(t *testing.T) {
	env := startSim(t, logiwasim.Options{Seed: 3})
	p := &slowPacer{hold: 150 * time.Millisecond}
	c, err := logiwa.New(logiwa.Config{
		BaseURL: env.url, Email: logiwasim.DefaultEmail, Password: logiwasim.DefaultPassword,
		Logger: slog.New(slog.DiscardHandler), Pacer: p,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, rec := logiwa.Record(timeout(t, 10*time.Second))
	if _, _, err := c.ClientByName(ctx, logiwasim.SeedClient); err != nil {
		t.Fatal(err)
	}
	if got := p.n.Load(); got < 2 {
		t.Fatalf("pacer saw %d requests, want the login and the lookup", got)
	}
	calls := rec.Calls()
	if len(calls) == 0 {
		t.Fatal("no calls recorded")
	}
	for _, ci := range calls {
		if ci.Paced < p.hold {
			t.Errorf("%s: Paced = %v, want at least %v", ci.Endpoint, ci.Paced, p.hold)
		}
		if ci.Latency >= p.hold {
			t.Errorf("%s: Latency = %v includes the pacer's %v", ci.Endpoint, ci.Latency, p.hold)
		}
	}
}

func TestPacerGivingUpIsUnavailable(t *testing.T) {
	env := startSim(t, logiwasim.Options{Seed: 3})
	c, err := logiwa.New(logiwa.Config{
		BaseURL: env.url, Email: logiwasim.DefaultEmail, Password: logiwasim.DefaultPassword,
		Logger: slog.New(slog.DiscardHandler), Pacer: &slowPacer{hold: time.Hour},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, _, err = c.ClientByName(ctx, logiwasim.SeedClient)
	if got, _ := logiwa.ErrorName(err); got != "Logiwa.Unavailable" {
		t.Fatalf("error name = %q (%v), want Logiwa.Unavailable", got, err)
	}
}
