package clock

import (
	"context"
	"time"
)

// Scaled is a clock that runs factor times faster than the wall clock from
// start: the accelerated demo runs a day of schedules, retry back-offs and
// a 10-minute outage in seconds, with every component (engine, SQS,
// simulator, pacer) agreeing on the time because they share it.
type Scaled struct {
	start  time.Time // virtual time at origin
	origin time.Time // wall time when created
	factor float64
}

// NewScaled returns a clock reading start now and advancing factor virtual
// seconds per wall second (factor > 0).
func NewScaled(start time.Time, factor float64) *Scaled {
	if factor <= 0 {
		factor = 1
	}
	return &Scaled{start: start, origin: time.Now(), factor: factor}
}

// Factor is the speed-up.
func (s *Scaled) Factor() float64 { return s.factor }

// Now returns the virtual time.
func (s *Scaled) Now() time.Time {
	return s.start.Add(time.Duration(float64(time.Since(s.origin)) * s.factor))
}

// Real converts a virtual duration to the wall duration it takes.
func (s *Scaled) Real(d time.Duration) time.Duration {
	return time.Duration(float64(d) / s.factor)
}

// Sleep waits for the virtual duration d.
func (s *Scaled) Sleep(ctx context.Context, d time.Duration) error {
	return Real().Sleep(ctx, s.Real(d))
}

// NewTimer fires after the virtual duration d, with the virtual time.
func (s *Scaled) NewTimer(d time.Duration) Timer {
	t := &scaledTimer{c: make(chan time.Time, 1)}
	t.t = time.AfterFunc(s.Real(d), func() { t.c <- s.Now() })
	return t
}

type scaledTimer struct {
	t *time.Timer
	c chan time.Time
}

func (t *scaledTimer) C() <-chan time.Time { return t.c }
func (t *scaledTimer) Stop() bool          { return t.t.Stop() }
