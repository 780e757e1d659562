package demo

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/parking"
)

// TestSmallDemoHoldsTheMustShowNumbers runs the whole scenario at 3% of
// its size (shorter outage and slow spell) and asserts every must-show
// number, and that each fault actually happened.
func TestSmallDemoHoldsTheMustShowNumbers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the local runtime for about 40 s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var progress io.Writer
	if testing.Verbose() {
		progress = os.Stderr
	}
	// Virtual time runs Factor times faster than the machine: a stall of d
	// ms (under -race, on a busy machine, 20 ms happen) is Factor*d ms for
	// the gate's pacing and the latency check. At 10x a request sent in
	// its slot's send window has 0.375 virtual s (37.5 ms) to reach Logiwa
	// before the next second, and a 4 s threshold tolerates 400 ms.
	r, err := Run(ctx, Options{Seed: 5, Scale: 0.03, Factor: 10, LatencyThreshold: 4 * time.Second,
		OutageFor: 3 * time.Minute, SlowFor: time.Minute, Progress: progress})
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() || t.Failed() {
		_ = r.WriteText(os.Stderr)
	}
	for _, v := range r.Violations {
		t.Errorf("must-show: %s", v)
	}
	for _, p := range r.Problems {
		t.Log(p)
	}
	for _, d := range r.Differences {
		t.Log("difference:", d)
	}
	if r.MessagesIn < 70 || r.Applied < r.Distinct/2 {
		t.Errorf("messages in %d, applied %d of %d distinct: the scenario did not run", r.MessagesIn, r.Applied, r.Distinct)
	}
	if r.Parked[parking.ReasonOutage] == 0 || r.OutageParked == 0 {
		t.Errorf("the outage parked nothing: %v", r.Parked)
	}
	if r.Parked[parking.ReasonInvalid] == 0 {
		t.Errorf("the bad message was not parked as invalid: %v", r.Parked)
	}
	if r.Redriven == 0 {
		t.Error("nothing was redriven")
	}
	if r.DuplicatesSuppressed < r.SentByKind["duplicate"] {
		t.Errorf("%d duplicates sent, %d suppressed", r.SentByKind["duplicate"], r.DuplicatesSuppressed)
	}
	if r.LogiwaRequests == 0 || r.PeakRPS == 0 || r.PeakRSSMB <= 0 {
		t.Errorf("requests %d, peak %d, rss %v: counters not read", r.LogiwaRequests, r.PeakRPS, r.PeakRSSMB)
	}
}
