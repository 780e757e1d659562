package gate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
)

// Pacer holds every HTTP request to Logiwa to the account's rate: the
// gate's promise that Logiwa never sees more than the limit in a second.
// Pacing is per request, not per operation, because one operation (an upsert
// that finds, then creates) can make several requests, and the login counts
// too. It is the logiwa.Config Pacer, so the time a request waits here is
// kept out of its measured latency.
//
// Each second of the clock holds limit slots, and a request goes only at the
// start of a slot it owns: worker i of n owns the slots whose number is i
// modulo n. Three rules make the promise hold when the machine is slow,
// which a token bucket spacing requests evenly does not (measured in the
// demo: a goroutine woken 20 ms late at 20x virtual speed put three requests
// into one second):
//   - A request goes only in its slot's send window, the first 1/(4·limit)
//     of a second after the slot starts. A worker that wakes later gives the
//     slot up and takes its next one, so no stall puts two of its requests
//     into one slot.
//   - The slots of a second are packed into its first half, 1/(2·limit)
//     apart, so the last request of a second is sent before half of it and
//     has more than half a second to reach Logiwa before the next second
//     (Basic 5/8 s, Premium 13/24 s). Spread over the whole second, the last
//     one would have 3/8 s (Basic) or 1/8 s (Premium), and the demo, at 20x,
//     showed arrival delays of over 0.5 s of virtual time.
//   - That margin holds wherever Logiwa's seconds begin: one second's
//     requests go out within half a second, and the next second's only
//     after more than half a second of quiet.
//
// The price is that requests come in pairs (Basic) a quarter of a second
// apart: a token bucket at Logiwa with a burst below two would refuse some.
type Pacer struct {
	clock   clock.Clock
	perSec  int64         // slots a second; 0 when a slot lasts whole seconds
	slotSec int64         // seconds a slot lasts when perSec is 0
	window  time.Duration // how late in its slot a request may still go
	stride  int64         // workers sharing the limit
	index   int64         // this worker's residue modulo stride

	// OnMiss, when set, is called for each slot given up (a meter's count).
	OnMiss func()

	mu     sync.Mutex
	next   int64 // lowest slot this pacer may still use
	missed int   // slots given up because the wake-up came too late
}

// NewPacer paces perSecond requests a second, shared by workers concurrent
// workers that each hold their own Pacer (as on Lambda, where each concurrent
// instance has one); index (0 ≤ index < workers) says which slots this one
// owns. A fractional limit is rounded down, since Logiwa counts whole
// requests in a second; below one a second, slots last whole seconds. c is
// the clock (nil: the wall clock).
func NewPacer(perSecond float64, workers, index int, c clock.Clock) (*Pacer, error) {
	switch {
	case math.IsNaN(perSecond) || perSecond <= 0 || math.IsInf(perSecond, 0):
		return nil, fmt.Errorf("gate: pacer: rate %v requests a second must be positive", perSecond)
	case workers < 1:
		return nil, fmt.Errorf("gate: pacer: %d workers: need at least one", workers)
	case index < 0 || index >= workers:
		return nil, fmt.Errorf("gate: pacer: worker index %d is outside 0..%d", index, workers-1)
	}
	if c == nil {
		c = clock.Real()
	}
	p := &Pacer{clock: c, stride: int64(workers), index: int64(index)}
	if perSecond >= 1 {
		p.perSec = int64(math.Floor(perSecond))
		p.window = time.Second / time.Duration(4*p.perSec)
	} else {
		p.slotSec = int64(math.Ceil(1 / perSecond))
		p.window = time.Second * time.Duration(p.slotSec) / 4
	}
	return p, nil
}

// RandomIndex picks a worker index for a worker that cannot know its own,
// as a Lambda instance cannot. Two workers may then share slots; the promise
// still holds when workers divides the limit, because each worker uses at
// most limit/workers slots a second, but their requests then arrive together
// rather than spread over the second.
func RandomIndex(workers int) int {
	if workers <= 1 {
		return 0
	}
	return rand.IntN(workers)
}

// Wait blocks until the next request may go.
func (p *Pacer) Wait(ctx context.Context) error {
	for {
		start, now := p.reserve()
		for ; now.Before(start); now = p.clock.Now() {
			if err := p.clock.Sleep(ctx, start.Sub(now)); err != nil {
				return err
			}
		}
		if now.Sub(start) < p.window {
			return nil
		}
		p.mu.Lock()
		p.missed++
		p.mu.Unlock()
		if p.OnMiss != nil {
			p.OnMiss()
		}
	}
}

// reserve takes this pacer's next slot whose send window has not passed,
// returning its start and the time it was taken at.
func (p *Pacer) reserve() (start, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now = p.clock.Now()
	cur := p.slotAt(now)
	if now.Sub(p.start(cur)) >= p.window {
		cur++ // the current slot's window is over
	}
	n := max(cur, p.next)
	n += floorMod(p.index-n, p.stride)
	p.next = n + p.stride
	return p.start(n), now
}

// Slots are numbered from the Unix epoch and laid out second by second:
// slot j of a second starts j/(2·limit) s into it, and the last one runs to
// the end of the second.

func (p *Pacer) slotAt(t time.Time) int64 {
	if p.perSec == 0 {
		return floorDiv(t.Unix(), p.slotSec)
	}
	// the last j with start(j) <= t, start rounding down as it does
	j := ((int64(t.Nanosecond())+1)*2*p.perSec - 1) / int64(time.Second)
	return t.Unix()*p.perSec + min(j, p.perSec-1)
}

func (p *Pacer) start(n int64) time.Time {
	if p.perSec == 0 {
		return time.Unix(n*p.slotSec, 0)
	}
	sec := floorDiv(n, p.perSec)
	return time.Unix(sec, (n-sec*p.perSec)*int64(time.Second)/(2*p.perSec))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// Missed reports how many slots this pacer gave up because it woke too late
// to send in them.
func (p *Pacer) Missed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.missed
}
