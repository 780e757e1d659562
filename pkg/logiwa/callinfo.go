package logiwa

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// CallInfo describes one logical HTTP call to Logiwa: what was called, how it
// ended and how long it took. Latency covers the whole call as the caller saw
// it, including a re-login and the one retry after a 401.
type CallInfo struct {
	Endpoint string        // method and path template, e.g. "GET /v3.1/ShipmentOrder/list"
	Status   int           // last HTTP status; 0 when no response arrived
	Latency  time.Duration // wall time of the call, less Paced
	Paced    time.Duration // time held by the Config.Pacer before sending
	Attempts int           // 1, or 2 when a 401 led to a re-login and a retry
	Start    time.Time
}

func (ci CallInfo) describe() string {
	if ci.Endpoint == "" {
		return "logiwa"
	}
	if ci.Status == 0 {
		return ci.Endpoint
	}
	return fmt.Sprintf("%s -> %d", ci.Endpoint, ci.Status)
}

// Recorder collects the CallInfo of every call made with a context returned
// by Record. A workflow task wraps one operation (which may make several
// calls, e.g. find-then-create) and compares the total with its threshold.
// Safe for concurrent use.
type Recorder struct {
	mu    sync.Mutex
	calls []CallInfo
}

type recorderKey struct{}

// Record returns a context whose Logiwa calls are recorded in the returned
// Recorder. Nested Record calls each see the calls made beneath them, and
// the outer recorders see them too.
func Record(ctx context.Context) (context.Context, *Recorder) {
	r := &Recorder{}
	parents, _ := ctx.Value(recorderKey{}).([]*Recorder)
	all := make([]*Recorder, 0, len(parents)+1)
	all = append(all, parents...)
	all = append(all, r)
	return context.WithValue(ctx, recorderKey{}, all), r
}

func recordCall(ctx context.Context, ci CallInfo) {
	recs, _ := ctx.Value(recorderKey{}).([]*Recorder)
	for _, r := range recs {
		r.mu.Lock()
		r.calls = append(r.calls, ci)
		r.mu.Unlock()
	}
}

// Calls returns a copy of the recorded calls in completion order.
func (r *Recorder) Calls() []CallInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]CallInfo(nil), r.calls...)
}

// Latency is the sum of the recorded calls' latencies: the time spent
// waiting on Logiwa (calls made one after another, as operations here do).
func (r *Recorder) Latency() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var d time.Duration
	for _, c := range r.calls {
		d += c.Latency
	}
	return d
}

// Max is the slowest single recorded call.
func (r *Recorder) Max() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var d time.Duration
	for _, c := range r.calls {
		d = max(d, c.Latency)
	}
	return d
}

// ErrorName returns the ASL error name of err when it (or an error it wraps)
// came from this package, e.g. "Logiwa.RateLimited".
func ErrorName(err error) (string, bool) {
	var n Named
	if errors.As(err, &n) {
		return n.ErrorName(), true
	}
	return "", false
}
