package logiwasim

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRateLimitTokenBucket(t *testing.T) {
	h := newHarness(t, Options{Rate: 2}) // Basic tier; burst defaults to 2
	h.s.Advance(time.Second)             // refill after the login
	h.s.ResetStats()
	statuses := func(n int) (ok, limited int) {
		for range n {
			resp, err := h.send("GET", "/v3.1/Client/list/i/0/s/10", nil)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			switch resp.StatusCode {
			case http.StatusOK:
				ok++
			case http.StatusTooManyRequests:
				limited++
				if resp.Header.Get("Retry-After") == "" {
					t.Error("429 without Retry-After")
				}
			default:
				t.Fatalf("status %d", resp.StatusCode)
			}
		}
		return ok, limited
	}
	steps := []struct {
		advance    time.Duration
		n, ok, lim int
	}{
		{0, 5, 2, 3},                      // a burst of 5 at one instant: the bucket holds 2
		{500 * time.Millisecond, 2, 1, 1}, // half a second refills one token
		{10 * time.Second, 4, 2, 2},       // idle time refills only up to the burst
	}
	wantLimited := 0
	for i, st := range steps {
		h.s.Advance(st.advance)
		ok, lim := statuses(st.n)
		if ok != st.ok || lim != st.lim {
			t.Fatalf("step %d: %d ok and %d limited, want %d and %d", i, ok, lim, st.ok, st.lim)
		}
		wantLimited += st.lim
	}
	stats := h.s.Stats()
	if stats.RateLimited[DefaultEmail] != wantLimited || stats.StatusCount(http.StatusTooManyRequests) != wantLimited {
		t.Errorf("counters disagree: %+v, 429s %d, want %d", stats.RateLimited, stats.StatusCount(429), wantLimited)
	}
	// Steps one and two fall in the same clock second: a full bucket plus
	// half a second of refill lets 3 through, which the histogram shows.
	if got := stats.MaxPerSecond(); got != 3 {
		t.Errorf("max accepted per second %d, want 3; histogram %v", got, stats.AcceptedPerSecond)
	}
	if stats.Requests["GET /v3.1/Client/list/i/{index}/s/{size}"][http.StatusOK] != 5 {
		t.Errorf("per-endpoint counts %v", stats.Requests)
	}

	// Premium: 6 per second.
	h.s.SetRate(6, 0)
	if ok, lim := statuses(8); ok != 6 || lim != 2 {
		t.Errorf("premium: %d ok, %d limited", ok, lim)
	}
}

func TestOutage(t *testing.T) {
	h := newHarness(t, Options{})
	h.s.OutageFor(30 * time.Second)
	b := h.want(http.StatusServiceUnavailable, "GET", "/v3.1/Client/list/i/0/s/10", nil)
	if !contains(string(b), "maintenance") {
		t.Errorf("503 body %s", b)
	}
	h.s.Advance(30 * time.Second)
	h.want(http.StatusOK, "GET", "/v3.1/Client/list/i/0/s/10", nil)

	// A future window set through the control API.
	now := h.s.Now()
	f := Faults{Outages: []Outage{{Start: now.Add(time.Minute), End: now.Add(2 * time.Minute)}}}
	body, _ := json.Marshal(f)
	req, _ := http.NewRequest("PUT", h.url+"/_sim/faults", bytes.NewReader(body))
	resp, err := h.hc.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT /_sim/faults: %v %v", err, resp)
	}
	resp.Body.Close()
	h.want(http.StatusOK, "GET", "/v3.1/Client/list/i/0/s/10", nil)
	h.s.Advance(90 * time.Second)
	h.want(http.StatusServiceUnavailable, "GET", "/v3.1/Client/list/i/0/s/10", nil)
	if h.s.Stats().Faults["outage"] != 2 {
		t.Errorf("outage count %v", h.s.Stats().Faults)
	}
}

func TestInjectedFaults(t *testing.T) {
	cases := []struct {
		name   string
		faults Faults
		path   string
		check  func(t *testing.T, resp *http.Response, err error, took time.Duration)
	}{
		{"fixed latency", Faults{Latency: []LatencyRule{{Endpoint: "/v3.1/Client", Dist: "fixed", Fixed: Duration(80 * time.Millisecond)}}}, "/v3.1/Client/list/i/0/s/10",
			func(t *testing.T, resp *http.Response, err error, took time.Duration) {
				if err != nil || resp.StatusCode != 200 || took < 80*time.Millisecond {
					t.Errorf("err %v, took %v", err, took)
				}
			}},
		{"latency scoped to another endpoint", Faults{Latency: []LatencyRule{{Endpoint: "/v3.1/Product", Dist: "fixed", Fixed: Duration(5 * time.Second)}}}, "/v3.1/Client/list/i/0/s/10",
			func(t *testing.T, resp *http.Response, err error, took time.Duration) {
				if err != nil || took > 2*time.Second {
					t.Errorf("err %v, took %v", err, took)
				}
			}},
		{"server errors", Faults{Errors: []RateRule{{Rate: 1, Status: 502}}}, "/v3.1/Client/list/i/0/s/10",
			func(t *testing.T, resp *http.Response, err error, took time.Duration) {
				if err != nil || resp.StatusCode != 502 {
					t.Errorf("err %v, resp %v", err, resp)
				}
			}},
		{"reset connections", Faults{Resets: []RateRule{{Rate: 1}}}, "/v3.1/Client/list/i/0/s/10",
			func(t *testing.T, resp *http.Response, err error, took time.Duration) {
				if err == nil {
					t.Errorf("want a transport error, got status %d", resp.StatusCode)
				}
			}},
		{"truncated bodies", Faults{Malformed: []RateRule{{Rate: 1}}}, "/v3.1/Client/list/i/0/s/10",
			func(t *testing.T, resp *http.Response, err error, took time.Duration) {
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != 200 || len(b) == 0 || json.Valid(b) {
					t.Errorf("status %d body %q", resp.StatusCode, b)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{})
			if err := h.s.SetFaults(tc.faults); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			resp, err := h.send("GET", tc.path, nil)
			tc.check(t, resp, err, time.Since(start))
			if err == nil {
				resp.Body.Close()
			}
		})
	}
}

func TestRefusedConnections(t *testing.T) {
	h := newHarness(t, Options{})
	if err := h.s.SetFaults(Faults{RefuseConnections: true}); err != nil {
		t.Fatal(err)
	}
	_, err := h.send("GET", "/v3.1/Client/list/i/0/s/10", nil)
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("want connection refused, got %v", err)
	}
	if err := h.s.SetFaults(Faults{}); err != nil {
		t.Fatal(err)
	}
	h.want(http.StatusOK, "GET", "/v3.1/Client/list/i/0/s/10", nil)
}

func TestTokenExpiry(t *testing.T) {
	h := newHarness(t, Options{TokenTTL: 10 * time.Minute})
	h.want(http.StatusOK, "GET", "/v3.1/Client/list/i/0/s/10", nil)
	h.s.Advance(10 * time.Minute)
	h.want(http.StatusUnauthorized, "GET", "/v3.1/Client/list/i/0/s/10", nil)
	h.login()
	h.want(http.StatusOK, "GET", "/v3.1/Client/list/i/0/s/10", nil)

	h.s.ExpireTokens()
	h.want(http.StatusUnauthorized, "GET", "/v3.1/Client/list/i/0/s/10", nil)
	h.login()
	resp, err := h.hc.Post(h.url+"/_sim/tokens/expire", "application/json", nil)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /_sim/tokens/expire: %v %v", err, resp)
	}
	resp.Body.Close()
	h.want(http.StatusUnauthorized, "GET", "/v3.1/Client/list/i/0/s/10", nil)
	if got := h.s.Stats().Faults["tokenExpired"]; got != 3 {
		t.Errorf("tokenExpired count %d, want 3", got)
	}
	h.token = "made-up"
	h.want(http.StatusUnauthorized, "GET", "/v3.1/Client/list/i/0/s/10", nil)
}

func TestLatencySamples(t *testing.T) {
	ms := func(n int) Duration { return Duration(time.Duration(n) * time.Millisecond) }
	cases := []struct {
		rule           LatencyRule
		lo, hi         time.Duration // every sample within
		meanLo, meanHi time.Duration
	}{
		{LatencyRule{Dist: "fixed", Fixed: ms(40)}, 40 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond},
		{LatencyRule{Dist: "uniform", Min: ms(10), Max: ms(30)}, 10 * time.Millisecond, 30 * time.Millisecond, 18 * time.Millisecond, 22 * time.Millisecond},
		{LatencyRule{Dist: "normal", Mean: ms(100), StdDev: ms(20), Min: ms(50), Max: ms(150)}, 50 * time.Millisecond, 150 * time.Millisecond, 95 * time.Millisecond, 105 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.rule.Dist, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(9, 9))
			again := rand.New(rand.NewPCG(9, 9))
			var sum float64
			const n = 2000
			for range n {
				d := sample(rng, tc.rule)
				if d != sample(again, tc.rule) {
					t.Fatal("same seed, different sample")
				}
				if d < tc.lo || d > tc.hi {
					t.Fatalf("sample %v outside [%v, %v]", d, tc.lo, tc.hi)
				}
				sum += float64(d)
			}
			mean := time.Duration(math.Round(sum / n))
			if mean < tc.meanLo || mean > tc.meanHi {
				t.Errorf("mean %v outside [%v, %v]", mean, tc.meanLo, tc.meanHi)
			}
		})
	}
}

func TestErrorRateIsAShare(t *testing.T) {
	fs := newFaultState(5, Faults{Errors: []RateRule{{Endpoint: "/v3.1/ShipmentOrder", Rate: 0.25}}})
	hits := 0
	for range 1000 {
		if fs.decide("/v3.1/ShipmentOrder/create", t0).errStatus == 500 {
			hits++
		}
		if fs.decide("/v3.1/Product/list/i/0/s/1", t0).errStatus != 0 {
			t.Fatal("error outside the rule's endpoint")
		}
	}
	if hits < 200 || hits > 300 {
		t.Errorf("%d of 1000 errors at rate 0.25", hits)
	}
}

func TestControlAPI(t *testing.T) {
	h := newHarness(t, Options{})
	h.createOrder(h.order("CTL-1"))
	get := func(path string, v any) {
		resp, err := h.hc.Get(h.url + path)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %v %v", path, err, resp)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	var st State
	get("/_sim/state", &st)
	if o, ok := st.Order("CTL-1"); !ok || o.StatusName != "Open" || len(st.Products) != 4 || len(st.Inventory) != 8 {
		t.Errorf("state %+v", st)
	}
	var stats Stats
	get("/_sim/stats", &stats)
	if stats.Total != 2 { // login and create; control calls are not counted
		t.Errorf("total %d: %v", stats.Total, stats.Requests)
	}
	put := func(body string) int {
		req, _ := http.NewRequest("PUT", h.url+"/_sim/faults", strings.NewReader(body))
		resp, err := h.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for body, want := range map[string]int{
		`{"latency":[{"dist":"lognormal"}]}`:     400,
		`{"errors":[{"rate":2}]}`:                400,
		`{"errors":[{"rate":0.5,"status":404}]}`: 400,
		`{"teleport":true}`:                      400,
		`{"latency":[{"dist":"uniform","min":"1ms","max":"3ms"}],"errors":[{"rate":0}]}`: 200,
	} {
		if got := put(body); got != want {
			t.Errorf("PUT %s: %d, want %d", body, got, want)
		}
	}
	if f := h.s.Faults(); len(f.Latency) != 1 || f.Latency[0].Max != Duration(3*time.Millisecond) {
		t.Errorf("faults after PUT: %+v", f)
	}
	resp, err := h.hc.Post(h.url+"/_sim/advance", "application/json", strings.NewReader(`{"by":"1h"}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("advance: %v %v", err, resp)
	}
	resp.Body.Close()
	if o, _ := h.s.Snapshot().Order("CTL-1"); o.Status != StatusShipped {
		t.Errorf("after advancing an hour: %s", o.StatusName)
	}
}
