package gate

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
)

// t0 is a whole second, so slot starts are easy to read in failures.
var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func TestNewPacerRejectsBadSettings(t *testing.T) {
	for _, tc := range []struct {
		name           string
		rate           float64
		workers, index int
	}{
		{"zero rate", 0, 1, 0},
		{"negative rate", -2, 1, 0},
		{"NaN rate", math.NaN(), 1, 0},
		{"infinite rate", math.Inf(1), 1, 0},
		{"no workers", 2, 0, 0},
		{"negative index", 2, 2, -1},
		{"index past workers", 2, 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewPacer(tc.rate, tc.workers, tc.index, nil); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

// TestPacerSlots: each worker sends only at the start of the slots it owns,
// one a slot, never catching up on slots that passed.
func TestPacerSlots(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name           string
		rate           float64
		workers, index int
		start          time.Duration // after t0
		want           []time.Duration
	}{
		{"basic, alone", 2, 1, 0, 0, []time.Duration{0, 250 * ms, 1000 * ms, 1250 * ms}},
		{"within the send window of the current slot", 2, 1, 0, 100 * ms, []time.Duration{100 * ms, 250 * ms, 1000 * ms}},
		{"past the send window: next slot", 2, 1, 0, 130 * ms, []time.Duration{250 * ms, 1000 * ms, 1250 * ms}},
		{"past the last slot's window: next second", 2, 1, 0, 400 * ms, []time.Duration{1000 * ms, 1250 * ms, 2000 * ms}},
		{"first of two workers", 2, 2, 0, 0, []time.Duration{0, 1000 * ms, 2000 * ms}},
		{"second of two workers", 2, 2, 1, 0, []time.Duration{250 * ms, 1250 * ms, 2250 * ms}},
		{"premium, third of three", 6, 3, 2, 0, []time.Duration{166666666, 416666666, 1166666666}},
		{"fractional limit rounds down", 2.9, 1, 0, 0, []time.Duration{0, 250 * ms, 1000 * ms}},
		{"below one a second: whole seconds", 0.4, 1, 0, 0, []time.Duration{0, 3000 * ms, 6000 * ms}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(t0.Add(tc.start))
			p, err := NewPacer(tc.rate, tc.workers, tc.index, clk)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range tc.want {
				if err := p.Wait(context.Background()); err != nil {
					t.Fatal(err)
				}
				if got := clk.Now().Sub(t0); got != want {
					t.Fatalf("request %d went at %v, want %v", i, got, want)
				}
			}
			if p.Missed() != 0 {
				t.Errorf("missed %d slots", p.Missed())
			}
		})
	}
}

// lateClock oversleeps by the durations in late, one a Sleep, as a machine
// that wakes a goroutine late does.
type lateClock struct {
	*clock.Fake
	late []time.Duration
}

func (c *lateClock) Sleep(ctx context.Context, d time.Duration) error {
	var extra time.Duration
	if len(c.late) > 0 {
		extra, c.late = c.late[0], c.late[1:]
	}
	return c.Fake.Sleep(ctx, d+extra)
}

// TestPacerGivesUpASlotWokenLateFor: a wake-up past the send window does
// not send late in the slot; it waits for the worker's next one.
func TestPacerGivesUpASlotWokenLateFor(t *testing.T) {
	ms := time.Millisecond
	clk := &lateClock{Fake: clock.NewFake(t0.Add(10 * ms)), late: []time.Duration{0, 200 * ms, 100 * ms}}
	p, err := NewPacer(2, 2, 1, clk)
	if err != nil {
		t.Fatal(err)
	}
	hooked := 0
	p.OnMiss = func() { hooked++ }
	var got []time.Duration
	for range 2 {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		got = append(got, clk.Now().Sub(t0))
	}
	// Slot 0.25 s on time; slot 1.25 s woken at 1.45 s (missed); slot
	// 2.25 s woken 100 ms late, inside the 125 ms window.
	want := []time.Duration{250 * ms, 2350 * ms}
	if got[0] != want[0] || got[1] != want[1] || p.Missed() != 1 || hooked != 1 {
		t.Fatalf("went at %v with %d missed (%d reported), want %v with 1", got, p.Missed(), hooked, want)
	}
}

// TestPacersHoldTheLimitOnASlowMachine: several workers, each waking late
// at random by up to half a second, never send more than the limit in a
// clock second, and each request goes within its slot's send window, so
// every request of a second has gone before half of it.
func TestPacersHoldTheLimitOnASlowMachine(t *testing.T) {
	for _, tc := range []struct {
		rate    float64
		workers int
	}{{2, 1}, {2, 2}, {2, 3}, {6, 2}, {6, 4}} {
		rng := rand.New(rand.NewPCG(uint64(tc.rate), uint64(tc.workers)))
		late := make([]time.Duration, 4000)
		for i := range late {
			if rng.IntN(3) == 0 {
				late[i] = time.Duration(rng.Int64N(int64(time.Second / 2)))
			}
		}
		clk := &lateClock{Fake: clock.NewFake(t0.Add(123 * time.Millisecond)), late: late}
		pacers := make([]*Pacer, tc.workers)
		for i := range pacers {
			var err error
			if pacers[i], err = NewPacer(tc.rate, tc.workers, i, clk); err != nil {
				t.Fatal(err)
			}
		}
		perSecond := map[int64]int{}
		sent, missed := 0, 0
		for range 1000 {
			// Workers take turns at random; one Wait at a time keeps the
			// fake clock's reading the moment the request went.
			if err := pacers[rng.IntN(len(pacers))].Wait(context.Background()); err != nil {
				t.Fatal(err)
			}
			at := clk.Now()
			n := int64(tc.rate)
			ns := int64(at.Nanosecond())
			j := min(n-1, ((ns+1)*2*n-1)/1e9) // the slot holding at
			if off := time.Duration(ns - j*1e9/(2*n)); off < 0 || off >= time.Second/time.Duration(4*n) {
				t.Fatalf("rate %g, %d workers: a request went %v into its slot", tc.rate, tc.workers, off)
			}
			if sent := time.Duration(at.Nanosecond()); sent >= time.Second/2-time.Second/time.Duration(4*n) {
				t.Fatalf("rate %g, %d workers: a request went %v into its second", tc.rate, tc.workers, sent)
			}
			perSecond[at.Unix()]++
			sent++
		}
		for _, p := range pacers {
			missed += p.Missed()
		}
		peak := 0
		for _, n := range perSecond {
			peak = max(peak, n)
		}
		if peak > int(tc.rate) {
			t.Errorf("rate %g, %d workers: %d requests in one second", tc.rate, tc.workers, peak)
		}
		if missed == 0 {
			t.Errorf("rate %g, %d workers: no slot was missed; the late wake-ups did not happen", tc.rate, tc.workers)
		}
		t.Logf("rate %g, %d workers: %d sent, %d slots missed, peak %d a second", tc.rate, tc.workers, sent, missed, peak)
	}
}

func TestPacerWaitHonoursCancellation(t *testing.T) {
	p, err := NewPacer(2, 1, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_ = p.Wait(ctx) // takes the first slot, which may be now
	cancel()
	for range 3 {
		if err := p.Wait(ctx); err == nil {
			t.Fatal("a cancelled wait for a later slot returned no error")
		}
	}
}
