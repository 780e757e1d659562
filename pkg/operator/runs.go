package operator

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// ResyncRequest is a sync run started by hand.
type ResyncRequest struct {
	Job   string    // inventory or orders
	Since time.Time // zero: from the job's cursor
	SKUs  []string  // inventory only: just these SKUs (the cursor does not move)
	Name  string    // execution name; "" means resync-<job>-<time>-<random>
}

// SyncInput is the sync state machines' input (pkg/syncjob reads it).
type SyncInput struct {
	Since string   `json:"since,omitempty"`
	SKUs  []string `json:"skus,omitempty"`
}

// ResyncMachine maps a job to its state machine.
func ResyncMachine(job string) (string, error) {
	switch job {
	case "inventory", "orders":
		return job + "-sync", nil
	}
	return "", usagef("unknown sync job %q (want inventory or orders)", job)
}

// Resync starts inventory-sync or orders-sync with {"since", "skus"}.
func (o *Operator) Resync(ctx context.Context, req ResyncRequest) (Execution, error) {
	machine, err := ResyncMachine(req.Job)
	if err != nil {
		return Execution{}, err
	}
	if len(req.SKUs) > 0 && req.Job != "inventory" {
		return Execution{}, usagef("--sku applies to the inventory sync only")
	}
	in := SyncInput{SKUs: req.SKUs}
	if !req.Since.IsZero() {
		in.Since = req.Since.UTC().Format(time.RFC3339)
	}
	body, err := json.Marshal(in)
	if err != nil {
		return Execution{}, fmt.Errorf("encode sync input: %w", err)
	}
	name := req.Name
	if name == "" {
		name = runName("resync-"+req.Job, o.now())
	}
	return o.Start(ctx, StartRequest{Machine: machine, Input: body, Name: name})
}

// runName is <prefix>-<yyyymmddThhmmssZ>-<4 hex>: sortable, readable, and
// unique even for two runs started in the same second.
func runName(prefix string, now time.Time) string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// SyncOutcome reads a finished sync's output: a run that found the lease
// held ends SUCCEEDED without doing anything, which an operator must be told.
func SyncOutcome(e Execution) (leaseHeld bool) {
	var out struct {
		Error string `json:"Error"`
	}
	_ = json.Unmarshal(e.Output, &out)
	return out.Error == "Sync.LeaseHeld"
}

// RedriveRequest is a redrive run.
type RedriveRequest struct {
	Reason string
	Flow   string
	DryRun bool
	Name   string // "" means redrive-<time>-<random>
}

// Tally is the redrive state machine's output.
type Tally struct {
	Redriven  int `json:"redriven"`
	Exhausted int `json:"exhausted"`
	Failed    int `json:"failed"`
	DryRun    int `json:"dryRun"`
}

// RedriveResult is a finished redrive.
type RedriveResult struct {
	Execution Execution `json:"execution"`
	Tally     Tally     `json:"tally"`
}

// StartRedrive starts the redrive state machine with {"reason", "flow",
// "dryRun"} (the empty ones left out: every reason, every flow).
func (o *Operator) StartRedrive(ctx context.Context, req RedriveRequest) (Execution, error) {
	if err := checkFilter(req.Reason, req.Flow); err != nil {
		return Execution{}, err
	}
	in := map[string]any{"dryRun": req.DryRun}
	if req.Reason != "" {
		in["reason"] = req.Reason
	}
	if req.Flow != "" {
		in["flow"] = req.Flow
	}
	body, err := json.Marshal(in)
	if err != nil {
		return Execution{}, fmt.Errorf("encode redrive input: %w", err)
	}
	name := req.Name
	if name == "" {
		name = runName("redrive", o.now())
	}
	return o.Start(ctx, StartRequest{Machine: "redrive", Input: body, Name: name})
}

// WaitRedrive waits for a redrive run, reporting how many of the messages
// listed so far have been handled, and reads its tally.
func (o *Operator) WaitRedrive(ctx context.Context, arn string, progress func(Progress)) (RedriveResult, error) {
	e, err := o.wait(ctx, arn, func(ctx context.Context, p *Progress) error {
		if progress == nil {
			return nil
		}
		events, err := o.history(ctx, arn)
		if err != nil {
			return err
		}
		p.Done, p.Total = redriveCounts(events)
		for i := len(events) - 1; i >= 0; i-- {
			if strings.HasSuffix(events[i].Type, "StateEntered") {
				p.State = events[i].State
				break
			}
		}
		progress(*p)
		return nil
	})
	res := RedriveResult{Execution: e}
	if err != nil {
		return res, err
	}
	if e.Status != "SUCCEEDED" {
		return res, failedf("redrive %s ended %s: %s %s", e.Name, e.Status, e.Error, e.Cause)
	}
	if err := json.Unmarshal(e.Output, &res.Tally); err != nil {
		return res, fmt.Errorf("redrive %s: read its tally %s: %w", e.Name, e.Output, err)
	}
	if res.Tally.Failed > 0 {
		return res, failedf("redrive %s: %d message(s) could not be republished and stay parked", e.Name, res.Tally.Failed)
	}
	return res, nil
}

// redriveCounts reads progress from a redrive history: each ListParked
// result adds its items to the total; each RepublishOne or RepublishFailed
// exit is one message handled.
func redriveCounts(events []Event) (done, total int) {
	for _, ev := range events {
		switch {
		case ev.Type == "TaskStateExited" && ev.State == "ListParked":
			var out struct {
				Items []string `json:"items"`
			}
			if json.Unmarshal(ev.Output, &out) == nil {
				total += len(out.Items)
			}
		case (ev.Type == "TaskStateExited" && ev.State == "RepublishOne") || (ev.Type == "PassStateExited" && ev.State == "RepublishFailed"):
			done++
		}
	}
	return done, total
}
