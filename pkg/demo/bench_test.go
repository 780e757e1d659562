package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/localrun"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/memlimit"
	"github.com/logiwaflow/logiwaflow/pkg/traffic"
)

// BenchmarkGateThroughput queues a backlog of new products (each a lookup
// and a create in Logiwa) all at once and lets the runtime drain it through
// the gate. It reports the requests per second Logiwa accepted while the
// backlog lasted, as a share of the account's limit (the gate must keep it
// above 90%), and the most requests Logiwa saw in any one second of its
// clock, refused ones included (at most the limit). Run with -benchtime=1x: one iteration is a
// whole backlog.
func BenchmarkGateThroughput(b *testing.B) {
	const (
		limit   = 2.0
		factor  = DefaultFactor // as fast as the demo runs
		backlog = 300           // about 600 requests: 5 minutes of virtual time
	)
	var achieved, peak, missed float64
	for i := 0; i < b.N; i++ {
		achieved, peak, missed = gateBacklog(b, limit, factor, backlog, uint64(i+1))
	}
	b.ReportMetric(achieved, "req/s")
	b.ReportMetric(100*achieved/limit, "%limit")
	b.ReportMetric(peak, "max-req/s")
	b.ReportMetric(limit, "limit-req/s")
	b.ReportMetric(missed, "missed-slots")
}

func gateBacklog(b *testing.B, limit, factor float64, n int, seed uint64) (achieved, peak, missed float64) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	clk := newWarpClock(time.Now().UTC(), factor)
	rt, err := localrun.Start(ctx, localrun.Config{
		Simulator: logiwasim.Options{Seed: seed, Rate: limit},
		RateLimit: limit,
		Clock:     clk,
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = rt.Close() }()
	g := traffic.New(traffic.Config{Seed: seed, SKUs: n, Prefix: fmt.Sprintf("B%d-", seed)})
	for _, m := range g.Catalogue() {
		if _, err := rt.Send(ctx, m.Flow, m.Body); err != nil {
			b.Fatal(err)
		}
	}
	if err := rt.Idle(ctx); err != nil {
		b.Fatal(err)
	}
	st := rt.Simulator().Stats()
	var secs []int64
	counts := map[int64]int{}
	for _, perSec := range st.AcceptedPerSecond {
		for s, c := range perSec {
			counts[s] += c
		}
	}
	for s := range counts {
		secs = append(secs, s)
	}
	peak = float64(st.MaxReceivedPerSecond())
	if len(secs) < 2 {
		b.Fatalf("Logiwa saw requests in %d seconds only", len(secs))
	}
	sort.Slice(secs, func(i, j int) bool { return secs[i] < secs[j] })
	// The backlog lasts from the first request to the last; the first and
	// last seconds are partial, so they are left out of the rate.
	total := 0
	for _, s := range secs[1 : len(secs)-1] {
		total += counts[s]
	}
	span := float64(secs[len(secs)-1] - secs[0] - 1)
	if st.RateLimitedTotal() > 0 {
		b.Logf("Logiwa answered %d requests with 429", st.RateLimitedTotal())
	}
	return float64(total) / span, peak, float64(rt.GateMeter().Stats().MissedSlots)
}

// BenchmarkMemoryFlat runs the demo at scale 1 and at scale 10, each in a
// child process (this test binary), and reports both peak RSS figures and
// their ratio: under 512 MB, and within 1.5x. It takes several minutes.
func BenchmarkMemoryFlat(b *testing.B) {
	var rss1, rss10 float64
	for i := 0; i < b.N; i++ {
		rss1 = childRSS(b, 1)
		rss10 = childRSS(b, 10)
	}
	b.ReportMetric(rss1, "MB-rss-1x")
	b.ReportMetric(rss10, "MB-rss-10x")
	b.ReportMetric(rss10/rss1, "ratio")
}

const childEnv = "LOGIWAFLOW_DEMO_CHILD_SCALE"

func childRSS(b *testing.B, scale float64) float64 {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDemoChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+strconv.FormatFloat(scale, 'g', -1, 64))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		b.Fatalf("demo at scale %g: %v\n%s", scale, err, errb.String())
	}
	// The child prints the report's JSON on one line starting "REPORT ".
	for _, line := range bytes.Split(out.Bytes(), []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte("REPORT ")); ok {
			var r Report
			if err := json.Unmarshal(rest, &r); err != nil {
				b.Fatal(err)
			}
			b.Logf("scale %g: %d messages in, %d applied, %d lost (dead-lettered %v), peak RSS %.0f MB, at most %d running, %.0f s wall, "+
				"%d Logiwa requests, %d answered 429, at most %d in a second (limit %g), %d slots missed, violations %v",
				scale, r.MessagesIn, r.Applied, r.Lost, r.DeadLettered, r.PeakRSSMB, r.PeakRunning, r.WallSeconds,
				r.LogiwaRequests, r.Logiwa429, r.PeakRPS, r.RateLimit, r.GateMissedSlots, r.Violations)
			return r.PeakRSSMB
		}
	}
	b.Fatalf("demo at scale %g printed no report:\n%s", scale, out.String())
	return 0
}

// TestDemoChildProcess is the child of BenchmarkMemoryFlat: it runs only
// when the benchmark starts it (with the scale in the environment) and
// prints the report; on its own it returns at once.
func TestDemoChildProcess(t *testing.T) {
	s := os.Getenv(childEnv)
	if s == "" {
		return
	}
	scale, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	memlimit.Apply(DefaultMemoryLimit) // as logiwaflow demo does
	r, err := Run(context.Background(), Options{Seed: 1, Scale: scale, Progress: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	line, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("REPORT %s\n", line)
}
