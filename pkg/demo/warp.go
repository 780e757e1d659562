package demo

import (
	"context"
	"sync"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
)

// warpClock is an accelerated clock whose speed can change while it runs:
// the demo plays the sale at a speed where the gate's pacing and latency
// measurements stay meaningful, and fast-forwards through the quiet hour in
// which the warehouse picks, packs and ships (nothing is measured then).
// A timer fires when virtual time reaches its deadline whatever the speed
// did meanwhile: a speed change re-arms every pending timer.
type warpClock struct {
	mu       sync.Mutex
	base     time.Time // virtual time at wallBase
	wallBase time.Time
	factor   float64
	timers   map[*warpTimer]struct{}
}

var _ clock.Clock = (*warpClock)(nil)

func newWarpClock(start time.Time, factor float64) *warpClock {
	return &warpClock{base: start, wallBase: time.Now(), factor: factor, timers: map[*warpTimer]struct{}{}}
}

func (c *warpClock) nowLocked(wall time.Time) time.Time {
	return c.base.Add(time.Duration(float64(wall.Sub(c.wallBase)) * c.factor))
}

// Now returns the virtual time.
func (c *warpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked(time.Now())
}

// Factor is the current speed-up.
func (c *warpClock) Factor() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.factor
}

// SetFactor changes the speed from now on.
func (c *warpClock) SetFactor(f float64) {
	if f <= 0 {
		return
	}
	c.mu.Lock()
	wall := time.Now()
	c.base, c.wallBase, c.factor = c.nowLocked(wall), wall, f
	for t := range c.timers {
		t.armLocked()
	}
	c.mu.Unlock()
}

// Sleep waits for the virtual duration d.
func (c *warpClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C():
		return nil
	}
}

// NewTimer fires once virtual time has advanced by d.
func (c *warpClock) NewTimer(d time.Duration) clock.Timer {
	t := &warpTimer{c: c, ch: make(chan time.Time, 1)}
	c.mu.Lock()
	defer c.mu.Unlock()
	t.deadline = c.nowLocked(time.Now()).Add(d)
	c.timers[t] = struct{}{}
	t.armLocked()
	return t
}

type warpTimer struct {
	c        *warpClock
	deadline time.Time
	ch       chan time.Time
	wall     *time.Timer
}

func (t *warpTimer) C() <-chan time.Time { return t.ch }

// armLocked (re)starts the wall timer for the time left at the current speed.
func (t *warpTimer) armLocked() {
	if t.wall != nil {
		t.wall.Stop()
	}
	left := time.Duration(float64(t.deadline.Sub(t.c.nowLocked(time.Now()))) / t.c.factor)
	t.wall = time.AfterFunc(max(left, 0), t.fire)
}

func (t *warpTimer) fire() {
	c := t.c
	c.mu.Lock()
	if _, pending := c.timers[t]; !pending {
		c.mu.Unlock()
		return
	}
	now := c.nowLocked(time.Now())
	if now.Before(t.deadline) { // woken early by rounding: wait the rest
		t.armLocked()
		c.mu.Unlock()
		return
	}
	delete(c.timers, t)
	c.mu.Unlock()
	t.ch <- now
}

// Stop prevents the timer from firing; it reports whether it did so.
func (t *warpTimer) Stop() bool {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, pending := c.timers[t]; !pending {
		return false
	}
	delete(c.timers, t)
	t.wall.Stop()
	return true
}
