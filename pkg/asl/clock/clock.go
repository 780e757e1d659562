// Package clock abstracts time for the ASL engine so that Wait states, retry
// back-offs, task timeouts and heartbeats run against either the wall clock or
// a fake clock that jumps straight to the next deadline (a test then runs a
// day of Waits in milliseconds).
package clock

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock tells the time and waits.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done; it returns ctx.Err() when
	// cancelled, nil otherwise.
	Sleep(ctx context.Context, d time.Duration) error
	// NewTimer returns a timer that fires once after d.
	NewTimer(d time.Duration) Timer
}

// Timer fires once on C unless stopped first.
type Timer interface {
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it did so.
	Stop() bool
}

// Real returns the wall clock.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop() bool          { return r.t.Stop() }

// Fake is a virtual clock. Sleep does not block: it moves the clock forward
// to the sleeper's deadline (never backwards) and fires every timer that is
// then due. Timers otherwise fire only when the clock reaches them through a
// Sleep or Advance, so a task timeout fires when the test (or a task handler
// sleeping on the same clock) lets virtual time pass.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	slept  []time.Duration
}

// NewFake returns a fake clock reading start.
func NewFake(start time.Time) *Fake { return &Fake{now: start} }

// Now returns the virtual time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Sleep advances the clock to now+d at once.
func (f *Fake) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	f.slept = append(f.slept, d)
	f.mu.Unlock()
	if d > 0 {
		f.advanceTo(f.Now().Add(d))
	}
	return nil
}

// Advance moves the clock forward by d, firing due timers.
func (f *Fake) Advance(d time.Duration) { f.advanceTo(f.Now().Add(d)) }

// Sleeps returns the durations passed to Sleep so far, in call order; tests
// use it to assert exact back-off delays.
func (f *Fake) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}

// PendingTimers reports how many timers are armed and not yet fired.
func (f *Fake) PendingTimers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.timers)
}

func (f *Fake) advanceTo(t time.Time) {
	f.mu.Lock()
	if t.After(f.now) {
		f.now = t
	}
	now := f.now
	var due, keep []*fakeTimer
	for _, ft := range f.timers {
		if !ft.at.After(now) {
			due = append(due, ft)
		} else {
			keep = append(keep, ft)
		}
	}
	f.timers = keep
	f.mu.Unlock()
	sort.Slice(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, ft := range due {
		ft.fire(now)
	}
}

// NewTimer arms a timer at now+d.
func (f *Fake) NewTimer(d time.Duration) Timer {
	ft := &fakeTimer{f: f, c: make(chan time.Time, 1)}
	f.mu.Lock()
	ft.at = f.now.Add(d)
	if d <= 0 {
		f.mu.Unlock()
		ft.fire(ft.at)
		return ft
	}
	f.timers = append(f.timers, ft)
	f.mu.Unlock()
	return ft
}

type fakeTimer struct {
	f    *Fake
	at   time.Time
	c    chan time.Time
	once sync.Once
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) fire(now time.Time) {
	t.once.Do(func() { t.c <- now })
}

func (t *fakeTimer) Stop() bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	for i, ft := range t.f.timers {
		if ft == t {
			t.f.timers = append(t.f.timers[:i], t.f.timers[i+1:]...)
			return true
		}
	}
	return false
}
