package logiwasim

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// Duration is a time.Duration that reads and writes JSON as "150ms".
type Duration time.Duration

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "150ms" or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return fmt.Errorf("duration: want a string like \"150ms\": %w", err)
		}
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	*d = Duration(v)
	return nil
}

// Faults is what goes wrong, set by Options.Faults, SetFaults or PUT /_sim/faults.
// Endpoint scopes are prefixes of the request path ("/v3.1/ShipmentOrder");
// empty means every API endpoint.
type Faults struct {
	// Outages are maintenance windows on the simulator's clock: 503.
	Outages []Outage `json:"outages,omitempty"`
	// Latency delays responses; the first rule whose endpoint matches applies.
	Latency []LatencyRule `json:"latency,omitempty"`
	// Errors answer a share of requests with a 5xx (default 500) and no body.
	Errors []RateRule `json:"errors,omitempty"`
	// Resets close a share of connections without an answer (TCP reset).
	Resets []RateRule `json:"resets,omitempty"`
	// Malformed truncates a share of successful JSON bodies.
	Malformed []RateRule `json:"malformed,omitempty"`
	// RefuseConnections closes the listener: connections are refused until cleared.
	RefuseConnections bool `json:"refuseConnections,omitempty"`
}

// Outage is a window [Start, End) of the simulator's clock.
type Outage struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// LatencyRule adds a delay drawn from a distribution: "fixed" (Fixed),
// "uniform" (Min..Max) or "normal" (Mean, StdDev, clipped at Min and Max
// where given, and at zero).
type LatencyRule struct {
	Endpoint string   `json:"endpoint,omitempty"`
	Dist     string   `json:"dist"`
	Fixed    Duration `json:"fixed,omitempty"`
	Min      Duration `json:"min,omitempty"`
	Max      Duration `json:"max,omitempty"`
	Mean     Duration `json:"mean,omitempty"`
	StdDev   Duration `json:"stddev,omitempty"`
}

// RateRule applies a fault to a share (0..1) of matching requests.
type RateRule struct {
	Endpoint string  `json:"endpoint,omitempty"`
	Rate     float64 `json:"rate"`
	Status   int     `json:"status,omitempty"` // Errors only: 500, 502, 503 or 504
}

// Validate reports the first inconsistent rule.
func (f Faults) Validate() error {
	for i, o := range f.Outages {
		if !o.End.After(o.Start) {
			return fmt.Errorf("outages[%d]: end must be after start", i)
		}
	}
	for i, l := range f.Latency {
		switch l.Dist {
		case "fixed":
			if l.Fixed < 0 {
				return fmt.Errorf("latency[%d]: negative fixed", i)
			}
		case "uniform":
			if l.Min < 0 || l.Max < l.Min {
				return fmt.Errorf("latency[%d]: uniform needs 0 <= min <= max", i)
			}
		case "normal":
			if l.StdDev < 0 || l.Mean < 0 {
				return fmt.Errorf("latency[%d]: normal needs mean, stddev >= 0", i)
			}
		default:
			return fmt.Errorf("latency[%d]: dist must be fixed, uniform or normal, got %q", i, l.Dist)
		}
	}
	for name, rules := range map[string][]RateRule{"errors": f.Errors, "resets": f.Resets, "malformed": f.Malformed} {
		for i, r := range rules {
			if r.Rate < 0 || r.Rate > 1 {
				return fmt.Errorf("%s[%d]: rate must be within 0..1", name, i)
			}
			if name == "errors" && r.Status != 0 && (r.Status < 500 || r.Status > 599) {
				return fmt.Errorf("errors[%d]: status must be 5xx", i)
			}
		}
	}
	return nil
}

type faultState struct {
	mu  sync.Mutex
	f   Faults
	rng *rand.Rand
}

func newFaultState(seed uint64, f Faults) *faultState {
	return &faultState{f: f, rng: rand.New(rand.NewPCG(seed, 4))}
}

func (fs *faultState) get() Faults {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.f
}

func (fs *faultState) set(f Faults) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.f = f
}

// decision is what the faults do to one request, drawn once up front.
type decision struct {
	outage    bool
	latency   time.Duration
	reset     bool
	errStatus int
	malformed bool
}

func matches(scope, path string) bool { return scope == "" || strings.HasPrefix(path, scope) }

// decide draws the faults for a request. Every rule draws whether or not an
// earlier one fired, so one request's outcome does not shift the next one's.
func (fs *faultState) decide(path string, now time.Time) decision {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var d decision
	for _, o := range fs.f.Outages {
		if !now.Before(o.Start) && now.Before(o.End) {
			d.outage = true
		}
	}
	for _, l := range fs.f.Latency {
		if matches(l.Endpoint, path) {
			d.latency = sample(fs.rng, l)
			break
		}
	}
	hit := func(rules []RateRule) (bool, RateRule) {
		for _, r := range rules {
			if matches(r.Endpoint, path) {
				return fs.rng.Float64() < r.Rate, r
			}
		}
		return false, RateRule{}
	}
	if ok, _ := hit(fs.f.Resets); ok {
		d.reset = true
	}
	if ok, r := hit(fs.f.Errors); ok {
		d.errStatus = r.Status
		if d.errStatus == 0 {
			d.errStatus = 500
		}
	}
	d.malformed, _ = hit(fs.f.Malformed)
	return d
}

func sample(rng *rand.Rand, l LatencyRule) time.Duration {
	var v float64
	switch l.Dist {
	case "fixed":
		return time.Duration(l.Fixed)
	case "uniform":
		return time.Duration(l.Min) + time.Duration(rng.Int64N(int64(l.Max-l.Min)+1))
	case "normal":
		v = float64(l.Mean) + rng.NormFloat64()*float64(l.StdDev)
		if l.Min > 0 {
			v = math.Max(v, float64(l.Min))
		}
		if l.Max > 0 {
			v = math.Min(v, float64(l.Max))
		}
	}
	return time.Duration(math.Max(v, 0))
}

// SetFaults replaces the faults in force. Turning RefuseConnections on closes
// the listener; turning it off listens again on the same address.
func (s *Server) SetFaults(f Faults) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("logiwasim: faults: %w", err)
	}
	s.faults.set(f)
	s.lmu.Lock()
	defer s.lmu.Unlock()
	s.refuseLocked(f.RefuseConnections)
	return nil
}

// Faults returns the faults in force.
func (s *Server) Faults() Faults { return s.faults.get() }

// OutageFor starts a maintenance window of d from the simulator's now.
func (s *Server) OutageFor(d time.Duration) {
	now := s.Now()
	f := s.faults.get()
	f.Outages = append(append([]Outage(nil), f.Outages...), Outage{Start: now, End: now.Add(d)})
	s.faults.set(f)
}

// ExpireTokens makes every token issued so far invalid (401 on next use).
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, t := range s.tokens {
		t.revoked = true
		s.tokens[k] = t
	}
}

// SetRate changes the rate limit (requests per second per account, burst);
// buckets start full.
func (s *Server) SetRate(rate float64, burst int) {
	if burst <= 0 {
		burst = int(math.Ceil(math.Max(rate, 1)))
	}
	s.limiter.setRate(rate, burst)
}
