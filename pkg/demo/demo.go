// Package demo runs the finite sale-day scenario in accelerated time against
// the embedded local runtime and reports what happened: about 2,000 orders,
// 500 inventory updates (repeats, late versions), 100 refunds, duplicate
// deliveries and bad messages, a 10-minute Logiwa outage and a slow spell,
// then the redrive, a final sync, and a reconciliation of our DynamoDB
// records against the simulator's state. Every figure of the report is
// counted from what the system did (executions, S3 objects, DynamoDB items,
// the simulator's counters), never from what the scenario meant to do.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/logiwaflow/logiwaflow/pkg/localrun"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/parking"
	"github.com/logiwaflow/logiwaflow/pkg/records"
	"github.com/logiwaflow/logiwaflow/pkg/traffic"
)

// Options configure a run.
type Options struct {
	Seed uint64
	// Factor is how much faster than the wall clock virtual time runs (default 100).
	Factor float64
	// Scale multiplies the message counts (default 1).
	Scale float64
	// RateLimit is the Logiwa account's requests per second (default 2, Basic).
	RateLimit float64
	// Progress receives a line every couple of seconds (nil: none).
	Progress io.Writer
	// Logger receives the runtime's logs (default: discarded).
	Logger *slog.Logger
	// LatencyThreshold is the workflows' latency_threshold_ms (default 2 s,
	// as deployed); the slow spell answers 25% slower than it. Virtual time
	// counts every millisecond the machine stalls Factor times, so a test
	// on a busy machine raises it.
	LatencyThreshold time.Duration
	// OutageFor and SlowFor are the lengths of the Logiwa outage and of the
	// slow spell (defaults 10 and 3 minutes).
	OutageFor, SlowFor time.Duration
	// Start is the virtual start time (default: now, moved so that the
	// run does not cross the daily redrive schedule at 06:00 UTC).
	Start time.Time
	// Dir is the runtime's state directory, as `logiwaflow local` keeps
	// one: S3, SQS and DynamoDB, the journal and the warehouse live there,
	// on disk rather than in the heap. "" uses a new temporary directory,
	// removed when the run ends.
	Dir string
}

// keepExecutions is how many finished executions per state machine the
// demo's runtime keeps: the collector has its own summary of each, and a
// kept sync execution holds every page it fetched in its history, so
// keeping more would grow with the length of the sale (10x the sale runs
// 10x the syncs).
const keepExecutions = 10

// DefaultMemoryLimit is the soft memory limit `logiwaflow demo` (and the
// memory benchmark) give the Go runtime unless GOMEMLIMIT is set (see
// pkg/memlimit). Heap profiles of the 10x run showed 50 to 65 MB live;
// 128 MiB leaves the collector about twice that. Without it the 10x run's
// resident peak was set by whichever transient landed on a doubled heap
// (measured once: 1.78x the 1x peak, with about 11 MB more live data).
const DefaultMemoryLimit = 128 << 20

// DefaultFactor is the speed of virtual time during the sale: fast enough
// for a demo, slow enough that a few milliseconds of scheduling delay on a
// busy machine stay well below the 2 s latency threshold and the pacer's
// spacing.
const DefaultFactor = 20

// BaseCounts are the scenario's messages at scale 1 (the catalogue of
// Config.SKUs first versions comes on top of Inventory).
var BaseCounts = traffic.Counts{Orders: 2000, Inventory: 400, Refunds: 100, Duplicates: 60, Invalid: 12}

// baseSKUs is the catalogue size at scale 1: with the 400 updates, 500
// inventory messages.
const baseSKUs = 100

// Scenario times, in virtual time. The outage starts a third of the way
// through the sending, while the gate has a backlog.
const (
	defaultOutageFor = 10 * time.Minute
	slowAfter        = time.Minute // after the outage ends
	defaultSlowFor   = 3 * time.Minute
	redriveAfter     = time.Minute      // after the slow spell ends
	settleWarehouse  = 80 * time.Minute // picks, packs, ships and returns finish
	// warpFactor is the speed of the fast-forward through settleWarehouse.
	warpFactor = 1000
)

// sendDuration is how long the profile takes to send n messages from
// offset into it.
func sendDuration(p traffic.Profile, offset time.Duration, n int) time.Duration {
	t := offset
	for range n {
		t += time.Duration(float64(time.Second) / p.RateAt(t))
	}
	return t - offset
}

// timeline keeps orders open long enough that a cancellation a few minutes
// behind its order still finds it open, as a shop's would.
var timeline = logiwasim.Timeline{Pick: time.Hour, Pack: 5 * time.Minute, Ship: 5 * time.Minute, Return: 10 * time.Minute}

func (o Options) withDefaults() Options {
	if o.Factor <= 0 {
		o.Factor = DefaultFactor
	}
	if o.Scale <= 0 {
		o.Scale = 1
	}
	if o.RateLimit <= 0 {
		o.RateLimit = 2
	}
	if o.LatencyThreshold <= 0 {
		o.LatencyThreshold = 2 * time.Second
	}
	if o.OutageFor <= 0 {
		o.OutageFor = defaultOutageFor
	}
	if o.SlowFor <= 0 {
		o.SlowFor = defaultSlowFor
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Start.IsZero() {
		o.Start = avoidDailyRedrive(time.Now().UTC().Truncate(time.Second), 12*time.Hour*time.Duration(max(1, int(o.Scale+0.5))))
	}
	return o
}

// avoidDailyRedrive moves start forward so that [start, start+span) does
// not hold 06:00 UTC, when the deployed daily redrive fires: the demo starts
// its own redrive and counts it. Virtual time must not be behind the wall
// clock (S3 dates objects by the wall clock and the redrive compares).
func avoidDailyRedrive(start time.Time, span time.Duration) time.Time {
	six := time.Date(start.Year(), start.Month(), start.Day(), 6, 0, 0, 0, time.UTC)
	if !six.After(start) {
		six = six.Add(24 * time.Hour)
	}
	if span >= 24*time.Hour || six.Sub(start) > span {
		return start
	}
	return six.Add(time.Minute)
}

// Run plays the scenario and returns the report.
func Run(ctx context.Context, opts Options) (*Report, error) {
	opts = opts.withDefaults()
	dir := opts.Dir
	if dir != "" {
		// The report counts from a fresh system; an old run's messages,
		// records and orders would be counted as this one's.
		if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
			return nil, fmt.Errorf("demo: state directory %s is not empty: the demo starts from a fresh system", dir)
		}
	} else {
		tmp, err := os.MkdirTemp("", "logiwaflow-demo-")
		if err != nil {
			return nil, fmt.Errorf("demo: state directory: %w", err)
		}
		defer func() { _ = os.RemoveAll(tmp) }()
		dir = tmp
	}
	clk := newWarpClock(opts.Start, opts.Factor)
	col := newCollector()
	rt, err := localrun.Start(ctx, localrun.Config{
		Dir: dir,
		// The collector hears of each execution as it ends; keeping the
		// console's thousand per machine would only hold memory.
		OnExecutionEnd: col.ended,
		KeepExecutions: keepExecutions,
		Simulator:      logiwasim.Options{Seed: opts.Seed, Rate: opts.RateLimit, Timeline: timeline},
		RateLimit:      opts.RateLimit,
		Clock:          clk,
		Schedules:      true,
		Values:         map[string]string{"latency_threshold_ms": strconv.FormatInt(opts.LatencyThreshold.Milliseconds(), 10)},
		Logger:         opts.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("demo: start the local runtime: %w", err)
	}
	defer func() { _ = rt.Close() }()
	d := &run{opts: opts, rt: rt, clk: clk, ledger: newLedger(), col: col, began: time.Now()}
	d.phase.Store("start")
	return d.play(ctx)
}

type run struct {
	opts   Options
	rt     *localrun.Runtime
	clk    *warpClock
	ledger *ledger
	col    *collector
	sfn    *sfn.Client
	began  time.Time    // wall clock
	start  time.Time    // virtual start of the sale
	phase  atomic.Value // string: the scenario step, for the progress lines
	gen    *traffic.Generator
	script atomic.Int64 // messages the scenario sends
	// peakRunning is the most executions seen running at once.
	peakRunning atomic.Int64
	execSeq     atomic.Int64 // numbers the executions the demo starts itself
}

func (d *run) play(ctx context.Context) (*Report, error) {
	d.sfn = sfn.NewFromConfig(d.rt.AWSConfig())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		d.watch(ctx)
	}()
	defer func() {
		cancel()
		<-progressDone
	}()

	// The catalogue grows with the scale up to its full size, not beyond:
	// a longer sale repeats updates of the same products more often, and
	// the first versions, sent at once, do not make the memory check about
	// a one-off backlog of a thousand new products.
	skus := max(1, int(float64(baseSKUs)*min(d.opts.Scale, 1)+0.5))
	d.gen = traffic.New(traffic.Config{Seed: d.opts.Seed, SKUs: skus, Start: d.opts.Start})
	counts := BaseCounts.Scale(d.opts.Scale)
	d.script.Store(int64(counts.Total() + skus))

	// 1. The catalogue: every product's first version, applied before any
	// order names it; then the warehouse receives stock of each.
	d.phase.Store("catalogue")
	for _, m := range d.gen.Catalogue() {
		d.send(ctx, m)
	}
	if err := d.idle(ctx); err != nil {
		return nil, err
	}
	for _, sku := range d.gen.SKUs() {
		if err := d.rt.Simulator().SetStock(logiwasim.SeedWarehouse, sku, 1_000_000); err != nil {
			return nil, fmt.Errorf("demo: stock %s: %w", sku, err)
		}
	}

	// 2. The sale, with the outage and the slow spell on the shared clock.
	d.start = d.clk.Now()
	sim := d.rt.Simulator()
	profile := saleProfile()
	outageAt := max(2*time.Minute, sendDuration(profile, profileOffset, counts.Total())/3)
	outage := logiwasim.Outage{Start: d.start.Add(outageAt), End: d.start.Add(outageAt + d.opts.OutageFor)}
	if err := sim.SetFaults(logiwasim.Faults{Outages: []logiwasim.Outage{outage}}); err != nil {
		return nil, fmt.Errorf("demo: schedule the outage: %w", err)
	}
	d.gen.Script(counts)
	faultsDone := make(chan error, 1)
	go func() { faultsDone <- d.faults(ctx, outage) }()
	d.phase.Store("sale")
	for {
		m, ok := d.gen.Next()
		if !ok {
			break
		}
		d.send(ctx, m)
		rate := profile.RateAt(d.clk.Now().Sub(d.start) + profileOffset)
		if err := d.clk.Sleep(ctx, time.Duration(float64(time.Second)/rate)); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	// 3. The slow spell, the redrive, and the queue draining.
	d.phase.Store("drain")
	if err := <-faultsDone; err != nil {
		return nil, err
	}
	if err := d.idle(ctx); err != nil {
		return nil, err
	}
	// The deployed daily redrive (input {}: every reason) would pick up
	// what parked after the outage's redrive: a cancellation or return
	// refused because its order was parked by the outage and was not yet
	// recreated, a call slowed past the threshold. Run it now rather than
	// wait for 06:00; an invalid message parks again.
	d.phase.Store("daily redrive")
	if _, err := d.execute(ctx, "redrive", map[string]any{}); err != nil {
		return nil, err
	}
	if err := d.idle(ctx); err != nil {
		return nil, err
	}
	// 4. Let the warehouse finish (picks, shipments, returns), then sync
	// everything back so the reconciliation compares settled state.
	// Nothing is measured while the warehouse works: fast-forward. The
	// demo holds both sync leases meanwhile, as an operator would during
	// maintenance, so the scheduled syncs call nothing at warp speed (where
	// a millisecond is seconds and pacing means nothing).
	d.phase.Store("warehouse")
	if err := d.warp(ctx, settleWarehouse); err != nil {
		return nil, err
	}
	d.phase.Store("final sync")
	since := d.opts.Start.Add(-time.Hour).Format(time.RFC3339)
	for _, job := range []string{"inventory-sync", "orders-sync"} {
		if _, err := d.execute(ctx, job, map[string]any{"since": since}); err != nil {
			return nil, err
		}
	}
	if err := d.idle(ctx); err != nil {
		return nil, err
	}
	d.phase.Store("report")
	return d.report(ctx)
}

// syncJobs are the job names of the two sync workflows (their leases).
var syncJobs = []string{"inventory", "orders"}

// warp fast-forwards virtual time by d with the sync leases held.
func (d *run) warp(ctx context.Context, dur time.Duration) error {
	store := &records.Store{DB: dynamodb.NewFromConfig(d.rt.AWSConfig()), JobTable: localrun.JobsTable, Now: d.clk.Now}
	const owner = "demo-warp"
	for _, job := range syncJobs {
		for {
			_, err := store.AcquireLease(ctx, job, owner, dur+time.Hour)
			var held *records.LeaseHeldError
			if errors.As(err, &held) { // a scheduled run is finishing
				if err := d.clk.Sleep(ctx, 10*time.Second); err != nil {
					return fmt.Errorf("demo: %w", err)
				}
				continue
			}
			if err != nil {
				return fmt.Errorf("demo: hold the %s sync: %w", job, err)
			}
			break
		}
	}
	if err := d.idle(ctx); err != nil {
		return err
	}
	d.clk.SetFactor(warpFactor)
	err := d.clk.Sleep(ctx, dur)
	d.clk.SetFactor(d.opts.Factor)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := d.idle(ctx); err != nil {
		return err
	}
	for _, job := range syncJobs {
		// No cursor: the warp moved nothing.
		if err := store.ReleaseLease(ctx, job, owner, "", "held by the demo"); err != nil {
			return fmt.Errorf("demo: release the %s sync: %w", job, err)
		}
	}
	return nil
}

// saleProfile is the sale-day shape in virtual time: a quiet trickle, then
// a 5-minute burst well above what the gate drains at the Basic limit (about
// 0.7 messages a second), then quiet long enough to drain it, and so on until
// the script is sent. On average it stays below what the gate drains, so a
// run ten times as long queues no deeper.
func saleProfile() traffic.Profile {
	return traffic.Profile{Quiet: 0.3, Burst: 1.8, QuietFor: 15 * time.Minute, BurstFor: 5 * time.Minute}
}

// profileOffset starts the sale five minutes before the first burst.
const profileOffset = 10 * time.Minute

func (d *run) send(ctx context.Context, m traffic.Message) {
	_, err := d.rt.Send(ctx, m.Flow, m.Body)
	d.ledger.add(m, err)
	if err != nil && m.Kind != traffic.KindOversize {
		d.opts.Logger.Warn("demo: send refused", "flow", m.Flow, "key", m.Key, "err", err)
	}
}

// faults plays the slow spell (latency has no window in the simulator, so
// it is switched on and off on the clock) and then starts the redrive of
// what the outage and the slow spell parked.
func (d *run) faults(ctx context.Context, outage logiwasim.Outage) error {
	sim := d.rt.Simulator()
	slowAt := outage.End.Add(slowAfter)
	if err := d.sleepUntil(ctx, slowAt); err != nil {
		return err
	}
	slow := logiwasim.Faults{
		Outages: []logiwasim.Outage{outage},
		Latency: []logiwasim.LatencyRule{{Dist: "fixed", Fixed: logiwasim.Duration(d.opts.LatencyThreshold * 5 / 4)}},
	}
	if err := sim.SetFaults(slow); err != nil {
		return fmt.Errorf("demo: slow spell: %w", err)
	}
	if err := d.sleepUntil(ctx, slowAt.Add(d.opts.SlowFor)); err != nil {
		return err
	}
	if err := sim.SetFaults(logiwasim.Faults{Outages: []logiwasim.Outage{outage}}); err != nil {
		return fmt.Errorf("demo: end the slow spell: %w", err)
	}
	if err := d.sleepUntil(ctx, slowAt.Add(d.opts.SlowFor+redriveAfter)); err != nil {
		return err
	}
	for _, reason := range []string{parking.ReasonOutage, parking.ReasonThresholdExceeded, parking.ReasonOrderNotFound} {
		if _, err := d.execute(ctx, "redrive", map[string]any{"reason": reason}); err != nil {
			return err
		}
	}
	return nil
}

func (d *run) sleepUntil(ctx context.Context, t time.Time) error {
	if err := d.clk.Sleep(ctx, t.Sub(d.clk.Now())); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// execute starts a state machine by hand, as an operator would (through the
// Step Functions API), and waits for it to finish. A sync that finds its
// lease held by a scheduled run is started again after a while.
func (d *run) execute(ctx context.Context, machine string, input any) (any, error) {
	arn := d.rt.Target().StateMachines[machine]
	raw, err := json.Marshal(input)
	if err != nil {
		return nil, fmt.Errorf("demo: %s input: %w", machine, err)
	}
	for attempt := 1; ; attempt++ {
		// The sequence keeps two executions started in the same virtual
		// second apart (a redrive with nothing to do ends at once).
		name := fmt.Sprintf("demo-%s-%d", d.clk.Now().Format("20060102T150405"), d.execSeq.Add(1))
		out, err := d.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String(name), Input: aws.String(string(raw))})
		if err != nil {
			return nil, fmt.Errorf("demo: start %s: %w", machine, err)
		}
		res, err := d.wait(ctx, aws.ToString(out.ExecutionArn))
		if err != nil {
			return nil, err
		}
		if res.Status == sfntypes.ExecutionStatusSucceeded {
			var v any
			_ = json.Unmarshal([]byte(aws.ToString(res.Output)), &v)
			return v, nil
		}
		if attempt < 10 && strings.Contains(aws.ToString(res.Error)+aws.ToString(res.Cause), "LeaseHeld") {
			if err := d.clk.Sleep(ctx, time.Minute); err != nil {
				return nil, fmt.Errorf("demo: %w", err)
			}
			continue
		}
		return nil, fmt.Errorf("demo: %s ended %s: %s: %s", machine, res.Status, aws.ToString(res.Error), aws.ToString(res.Cause))
	}
}

func (d *run) wait(ctx context.Context, arn string) (*sfn.DescribeExecutionOutput, error) {
	for {
		out, err := d.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			return nil, fmt.Errorf("demo: describe %s: %w", arn, err)
		}
		if out.Status != sfntypes.ExecutionStatusRunning {
			return out, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("demo: wait for %s: %w", arn, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// idle waits until nothing is queued or running.
func (d *run) idle(ctx context.Context) error {
	if err := d.rt.Idle(ctx); err != nil {
		return fmt.Errorf("demo: wait for the queues to drain: %w", err)
	}
	return nil
}

// watch polls the executions (so none is pruned unseen) and prints progress.
func (d *run) watch(ctx context.Context) {
	poll := time.NewTicker(250 * time.Millisecond)
	defer poll.Stop()
	lastLine := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		}
		running := d.rt.SFN().Running()
		if int64(running) > d.peakRunning.Load() {
			d.peakRunning.Store(int64(running))
		}
		if d.opts.Progress != nil && time.Since(lastLine) >= 2*time.Second {
			lastLine = time.Now()
			d.progress(ctx, running)
		}
	}
}

func (d *run) progress(ctx context.Context, running int) {
	in, _ := d.ledger.counts()
	done, parked := 0, 0
	for _, s := range d.col.snapshot() {
		if !isInbound(s.machine) {
			continue
		}
		done++
		if strings.HasPrefix(s.errName, "Parked.") {
			parked++
		}
	}
	depth := 0
	for _, k := range localrun.QueueKeys {
		n, err := d.rt.QueueDepth(ctx, k)
		if err == nil {
			depth += n
		}
	}
	st := d.rt.GateMeter().Stats()
	// Requests per second over the last ten complete virtual seconds.
	reqs, secs := 0, 0
	for i := len(st.Seconds) - 2; i >= 0 && secs < 10; i-- {
		reqs += st.Seconds[i].Requests
		secs++
	}
	rps := 0.0
	if secs > 0 {
		rps = float64(reqs) / float64(secs)
	}
	fmt.Fprintf(d.opts.Progress, "[%s +%s] %-16s sent %d/%d  done %d  parked %d  running %d  queued %d  %.1f req/s (limit %g)\n",
		d.clk.Now().Format("15:04:05"), time.Since(d.began).Round(time.Second), d.phase.Load(), in, d.script.Load(), done, parked, running, depth, rps, d.opts.RateLimit)
}
