package gate

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// Meter counts what the gate does, for the console and the demo report:
// Logiwa HTTP requests per second (what the rate limit is about), and the
// recent calls with their latency and error name. Safe for concurrent use.
type Meter struct {
	// RateLimit is the configured requests per second, reported alongside.
	RateLimit float64
	// Now is the clock (default time.Now); the local runtime passes its own.
	Now func() time.Time

	mu      sync.Mutex
	seconds [secondsKept]Second
	total   int
	peak    int
	missed  int
	errors  map[string]int
	recent  []Call // ring of the last recentKept calls
	next    int
}

const (
	secondsKept = 120
	recentKept  = 200
)

// Second is the count of Logiwa HTTP requests that started in one second.
type Second struct {
	At       time.Time `json:"at"`
	Requests int       `json:"requests"`
}

// Call is one answered gate message.
type Call struct {
	At        time.Time `json:"at"`
	Execution string    `json:"execution"`
	Operation string    `json:"operation"`
	LatencyMs int64     `json:"latencyMs"`
	Error     string    `json:"error,omitempty"`
}

// Stats is a snapshot of the meter.
type Stats struct {
	RateLimit     float64 `json:"rateLimit"`
	Requests      int     `json:"requests"`
	PeakPerSecond int     `json:"peakPerSecond"`
	// MissedSlots counts pacing slots given up because a worker woke too
	// late to send in them: the throughput a slow machine costs.
	MissedSlots  int            `json:"missedSlots"`
	Seconds      []Second       `json:"seconds"` // oldest first, up to two minutes
	Recent       []Call         `json:"recent"`  // newest first
	Errors       map[string]int `json:"errors"`  // by error name, since start
	LatencyP50Ms int64          `json:"latencyP50Ms"`
	LatencyP95Ms int64          `json:"latencyP95Ms"`
}

func (m *Meter) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Request counts one HTTP request to Logiwa starting now.
func (m *Meter) Request() {
	at := m.now().Truncate(time.Second)
	m.mu.Lock()
	defer m.mu.Unlock()
	s := &m.seconds[at.Unix()%secondsKept]
	if !s.At.Equal(at) {
		*s = Second{At: at}
	}
	s.Requests++
	m.total++
	m.peak = max(m.peak, s.Requests)
}

// MissedSlot counts a pacing slot a worker gave up (Pacer.OnMiss).
func (m *Meter) MissedSlot() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.missed++
}

// Observe records one answered gate message; errName is empty on success.
func (m *Meter) Observe(execution, operation string, latency time.Duration, errName string) {
	c := Call{At: m.now(), Execution: execution, Operation: operation, LatencyMs: latency.Milliseconds(), Error: errName}
	m.mu.Lock()
	defer m.mu.Unlock()
	if errName != "" {
		if m.errors == nil {
			m.errors = map[string]int{}
		}
		m.errors[errName]++
	}
	if len(m.recent) < recentKept {
		m.recent = append(m.recent, c)
		return
	}
	m.recent[m.next] = c
	m.next = (m.next + 1) % recentKept
}

// Stats returns a snapshot.
func (m *Meter) Stats() Stats {
	now := m.now().Truncate(time.Second)
	m.mu.Lock()
	defer m.mu.Unlock()
	st := Stats{RateLimit: m.RateLimit, Requests: m.total, PeakPerSecond: m.peak, MissedSlots: m.missed, Errors: map[string]int{}}
	for i := secondsKept - 1; i >= 0; i-- {
		at := now.Add(-time.Duration(i) * time.Second)
		s := m.seconds[at.Unix()%secondsKept]
		if !s.At.Equal(at) {
			s = Second{At: at}
		}
		st.Seconds = append(st.Seconds, s)
	}
	for k, v := range m.errors {
		st.Errors[k] = v
	}
	lat := make([]int64, 0, len(m.recent))
	for i := range m.recent {
		// newest first: walk the ring backwards from the last write
		c := m.recent[(m.next-1-i+2*len(m.recent))%len(m.recent)]
		st.Recent = append(st.Recent, c)
		lat = append(lat, c.LatencyMs)
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		st.LatencyP50Ms = lat[len(lat)*50/100]
		st.LatencyP95Ms = lat[min(len(lat)-1, len(lat)*95/100)]
	}
	return st
}

// Transport counts each request through the meter, then sends it with Base.
type meteredTransport struct {
	base  http.RoundTripper
	meter *Meter
}

// Metered wraps an HTTP transport so every request is counted by m.
func Metered(base http.RoundTripper, m *Meter) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &meteredTransport{base: base, meter: m}
}

func (t *meteredTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.meter.Request()
	return t.base.RoundTrip(req)
}
