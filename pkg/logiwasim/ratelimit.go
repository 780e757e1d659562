package logiwasim

import (
	"math"
	"sort"
	"sync"
	"time"
)

// limiter is a token bucket per account on the simulator's clock: Burst
// tokens, refilled at Rate per second; a request without a token gets 429.
type limiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

// allow takes a token for key at time now. When it refuses, wait is how long
// until the next token.
func (l *limiter) allow(key string, now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rate < 0 { // read under the lock: SetRate may change it mid-flight
		return true, 0
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(l.burst, b.tokens+el*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

func (l *limiter) setRate(rate float64, burst int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rate, l.burst = rate, float64(burst)
	l.buckets = map[string]*bucket{}
}

// Stats are the simulator's counters.
type Stats struct {
	// Requests counts answered API requests by endpoint ("GET /v3.1/Product/list/i/{index}/s/{size}") and status.
	Requests map[string]map[int]int `json:"requests"`
	// Total is the number of API requests answered (control endpoints excluded).
	Total int `json:"total"`
	// RateLimited is the number of requests refused with 429, by account.
	RateLimited map[string]int `json:"rateLimited"`
	// Faults counts injected faults by kind (outage, latency, error, reset, refused, malformed, tokenExpired).
	Faults map[string]int `json:"faults"`
	// AcceptedPerSecond counts requests let through the rate limiter, per
	// account and per second of the simulator's clock (Unix seconds).
	AcceptedPerSecond map[string]map[int64]int `json:"acceptedPerSecond"`
	// ReceivedPerSecond counts every request that reached the rate
	// limiter, let through or answered 429, per account and per second.
	// A refused request was still seen: this is what the gate must keep
	// within the limit.
	ReceivedPerSecond map[string]map[int64]int `json:"receivedPerSecond"`
	// InProcess is how many of Total came through Transport rather than
	// over a socket.
	InProcess int `json:"inProcess"`
}

// MaxPerSecond is the most requests any account had accepted within one
// clock second.
func (st Stats) MaxPerSecond() int { return busiestSecond(st.AcceptedPerSecond) }

// MaxReceivedPerSecond is the most requests any account sent within one
// clock second, those answered 429 included.
func (st Stats) MaxReceivedPerSecond() int { return busiestSecond(st.ReceivedPerSecond) }

// busiestSecond is the largest count in a per-account, per-second table.
func busiestSecond(per map[string]map[int64]int) int {
	m := 0
	for _, secs := range per {
		for _, n := range secs {
			m = max(m, n)
		}
	}
	return m
}

// RateLimitedTotal sums RateLimited over accounts.
func (st Stats) RateLimitedTotal() int {
	n := 0
	for _, v := range st.RateLimited {
		n += v
	}
	return n
}

// StatusCount sums, over endpoints, the requests answered with status.
func (st Stats) StatusCount(status int) int {
	n := 0
	for _, m := range st.Requests {
		n += m[status]
	}
	return n
}

// Endpoints lists the endpoints that were called, sorted.
func (st Stats) Endpoints() []string {
	out := make([]string, 0, len(st.Requests))
	for k := range st.Requests {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type stats struct {
	mu sync.Mutex
	s  Stats
}

func newStats() *stats {
	return &stats{s: emptyStats()}
}

func emptyStats() Stats {
	return Stats{
		Requests:          map[string]map[int]int{},
		RateLimited:       map[string]int{},
		Faults:            map[string]int{},
		AcceptedPerSecond: map[string]map[int64]int{},
		ReceivedPerSecond: map[string]map[int64]int{},
	}
}

func (s *stats) request(endpoint string, status int, inProcess bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if inProcess {
		s.s.InProcess++
	}
	m := s.s.Requests[endpoint]
	if m == nil {
		m = map[int]int{}
		s.s.Requests[endpoint] = m
	}
	m[status]++
	s.s.Total++
}

// arrived counts a request that reached the rate limiter at at, and
// whether it was let through.
func (s *stats) arrived(account string, at time.Time, accepted bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	countSecond(s.s.ReceivedPerSecond, account, at)
	if accepted {
		countSecond(s.s.AcceptedPerSecond, account, at)
	} else {
		s.s.RateLimited[account]++
	}
}

func countSecond(per map[string]map[int64]int, account string, at time.Time) {
	m := per[account]
	if m == nil {
		m = map[int64]int{}
		per[account] = m
	}
	m[at.Unix()]++
}

func (s *stats) fault(kind string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.s.Faults[kind]++
}

func (s *stats) snapshot() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := emptyStats()
	out.Total = s.s.Total
	out.InProcess = s.s.InProcess
	for k, m := range s.s.Requests {
		c := make(map[int]int, len(m))
		for st, n := range m {
			c[st] = n
		}
		out.Requests[k] = c
	}
	for k, n := range s.s.RateLimited {
		out.RateLimited[k] = n
	}
	for k, n := range s.s.Faults {
		out.Faults[k] = n
	}
	copySeconds(out.AcceptedPerSecond, s.s.AcceptedPerSecond)
	copySeconds(out.ReceivedPerSecond, s.s.ReceivedPerSecond)
	return out
}

func (s *stats) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.s = emptyStats()
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// ResetStats zeroes the counters (not the state).
func (s *Server) ResetStats() { s.stats.reset() }

func copySeconds(dst, src map[string]map[int64]int) {
	for k, m := range src {
		c := make(map[int64]int, len(m))
		for sec, n := range m {
			c[sec] = n
		}
		dst[k] = c
	}
}
