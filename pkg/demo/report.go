package demo

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/localrun"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/memlimit"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/parking"
	"github.com/logiwaflow/logiwaflow/pkg/records"
)

// Report is what the demo found. JSON names are the issue's.
type Report struct {
	Seed         uint64    `json:"seed"`
	Scale        float64   `json:"scale"`
	Factor       float64   `json:"factor"`
	VirtualStart time.Time `json:"virtual_start"`
	VirtualEnd   time.Time `json:"virtual_end"`
	WallSeconds  float64   `json:"wall_seconds"`

	// MessagesIn counts deliveries the queues accepted (duplicates included);
	// RefusedAtSend those SQS refused (the message over 256 KiB).
	MessagesIn    int            `json:"messages_in"`
	RefusedAtSend int            `json:"refused_at_send"`
	SentByKind    map[string]int `json:"sent_by_kind"`
	// Distinct is the number of distinct messages (duplicates folded);
	// each ends applied, stale, parked or lost.
	Distinct int `json:"distinct_messages"`
	Applied  int `json:"applied"`
	// Parked counts park events during the run by reason (objects under
	// parked/ and redriven/); StillParked what is parked at the end.
	Parked               map[string]int `json:"parked"`
	StillParked          map[string]int `json:"still_parked"`
	Redriven             int            `json:"redriven"`
	OutageParked         int            `json:"outage_parked"`
	OutageDelivered      int            `json:"outage_delivered_after_redrive"`
	DuplicatesSuppressed int            `json:"duplicates_suppressed"`
	StaleSkipped         int            `json:"stale_skipped"`
	Lost                 int            `json:"lost"`
	// DeadLettered counts messages in the dead-letter queues at the end, by
	// queue: deliveries the trigger or the gate failed maxReceiveCount times.
	DeadLettered      map[string]int `json:"dead_lettered"`
	DuplicatesCreated int            `json:"duplicates_created"`
	StaleOverwrites   int            `json:"stale_overwrites"`

	LogiwaRequests int `json:"logiwa_requests"`
	// LogiwaByEndpoint counts requests by endpoint and status ("POST /v3.1/... 201").
	LogiwaByEndpoint map[string]int `json:"logiwa_requests_by_endpoint"`
	Logiwa429        int            `json:"logiwa_429"`
	PeakRPS          int            `json:"peak_rps"`
	// OverLimitSeconds lists the seconds (Logiwa's clock, RFC 3339) in which
	// it saw more requests than the limit, at most ten: where to look.
	OverLimitSeconds []string `json:"over_limit_seconds,omitempty"`
	// GatePeakRPS is the most requests the gate sent in one second (its
	// meter, at send time); PeakRPS is what Logiwa received (at arrival).
	GatePeakRPS int `json:"gate_peak_rps"`
	// GateMissedSlots is how many pacing slots the gate's workers gave up
	// because they woke too late to send in them (gate.Pacer).
	GateMissedSlots int     `json:"gate_missed_slots"`
	RateLimit       float64 `json:"rate_limit"`

	Transitions Transitions `json:"transitions_per_message"`

	ReconciliationDifferences int      `json:"reconciliation_differences"`
	Differences               []string `json:"differences"`
	// Problems names each lost message, duplicate created and stale
	// overwrite (up to a bound), so a violation can be traced.
	Problems []string `json:"problems"`

	PeakRSSMB float64 `json:"peak_rss_mb"`
	// MemoryLimitMB is the Go runtime's soft memory limit during the run
	// (0: none); see DefaultMemoryLimit.
	MemoryLimitMB float64 `json:"memory_limit_mb"`
	// PeakRunning is the most inbound executions seen running at once (the
	// backlog waiting on the gate): what memory grows with.
	PeakRunning int      `json:"peak_running"`
	Violations  []string `json:"violations"`
}

// Transitions are the state transitions of the inbound executions as Step
// Functions bills them: the start, each state entered, each retry.
type Transitions struct {
	Executions   int     `json:"executions"`
	Mean         float64 `json:"mean"`
	HappyPathMax int     `json:"happy_path_max"`
	Max          int     `json:"max"`
}

// MaxHappyTransitions is the bound for a happy-path message.
const MaxHappyTransitions = 6

const maxListed = 50

// Check fills Violations with every must-show number that is off.
func (r *Report) Check() []string {
	var v []string
	if r.ReconciliationDifferences != 0 {
		v = append(v, fmt.Sprintf("reconciliation found %d differences (want 0)", r.ReconciliationDifferences))
	}
	if r.Lost != 0 {
		v = append(v, fmt.Sprintf("%d messages lost (want 0)", r.Lost))
	}
	if r.DuplicatesCreated != 0 {
		v = append(v, fmt.Sprintf("%d orders or returns created twice in Logiwa (want 0)", r.DuplicatesCreated))
	}
	if r.StaleOverwrites != 0 {
		v = append(v, fmt.Sprintf("%d stale overwrites (want 0)", r.StaleOverwrites))
	}
	if r.OutageDelivered != r.OutageParked {
		v = append(v, fmt.Sprintf("%d of %d outage-parked messages delivered after the redrive (want all)", r.OutageDelivered, r.OutageParked))
	}
	if r.Transitions.HappyPathMax > MaxHappyTransitions {
		v = append(v, fmt.Sprintf("a happy-path message took %d state transitions (want at most %d)", r.Transitions.HappyPathMax, MaxHappyTransitions))
	}
	if float64(r.PeakRPS) > r.RateLimit {
		v = append(v, fmt.Sprintf("Logiwa saw %d requests in one second; the limit is %g (over it at %v; the gate sent at most %d in a second of its own count)",
			r.PeakRPS, r.RateLimit, r.OverLimitSeconds, r.GatePeakRPS))
	}
	if r.Applied == 0 {
		v = append(v, "nothing was applied")
	}
	r.Violations = v
	if r.Violations == nil {
		r.Violations = []string{}
	}
	return v
}

// outcome of one distinct message.
type outcome struct {
	final  *execSummary // the execution with the highest replay
	result string       // applied, stale, parked:<reason>, lost:<why>
}

func (d *run) report(ctx context.Context) (*Report, error) {
	cfg := d.rt.AWSConfig()
	ours, err := scanRecords(ctx, dynamodb.NewFromConfig(cfg), localrun.RecordsTable)
	if err != nil {
		return nil, err
	}
	byPK := ours.applied
	parkedKeys, err := listKeys(ctx, s3.NewFromConfig(cfg), localrun.ParkedBucket)
	if err != nil {
		return nil, err
	}
	sim := d.rt.Simulator()
	view, err := readWarehouse(sim)
	if err != nil {
		return nil, err
	}
	stats := sim.Stats()

	r := &Report{
		Seed: d.opts.Seed, Scale: d.opts.Scale, Factor: d.opts.Factor,
		VirtualStart: d.opts.Start, VirtualEnd: d.clk.Now(), WallSeconds: time.Since(d.began).Seconds(),
		SentByKind: map[string]int{}, Parked: map[string]int{}, StillParked: map[string]int{},
		RateLimit: d.opts.RateLimit, Differences: []string{}, Problems: []string{},
	}
	l := d.ledger
	l.mu.Lock()
	defer l.mu.Unlock()
	r.MessagesIn, r.RefusedAtSend, r.Distinct = l.in, l.refused, len(l.msgs)
	for k, n := range l.byKind {
		r.SentByKind[string(k)] = n
	}
	for k, n := range l.refusals {
		r.SentByKind["refused_"+string(k)] = n
	}

	// Executions of the inbound flows, grouped by message.
	execs := d.col.snapshot()
	final := map[string]*execSummary{}
	finalReplay := map[string]int{}
	inbound := 0
	var sum int
	for _, x := range execs {
		if !isInbound(x.machine) {
			continue
		}
		inbound++
		sum += x.transitions
		r.Transitions.Max = max(r.Transitions.Max, x.transitions)
		if x.status == asl.StatusSucceeded && x.outcome == "applied" && x.retries == 0 {
			r.Transitions.HappyPathMax = max(r.Transitions.HappyPathMax, x.transitions)
		}
		if x.lastState == "Stale" {
			r.StaleSkipped++
		}
		base, replay := splitReplay(x.name)
		if cur, ok := finalReplay[base]; !ok || replay >= cur {
			final[base], finalReplay[base] = x, replay
		}
	}
	r.Transitions.Executions = inbound
	if inbound > 0 {
		r.Transitions.Mean = float64(sum) / float64(inbound)
	}

	// Parked objects: park events by reason, what is still parked, what
	// was redriven, and which messages the outage parked.
	parkedExec := map[string]string{} // execution name -> reason, still parked
	outageBases := map[string]bool{}
	for _, k := range parkedKeys {
		prefix, reason, exec, ok := splitParkedKey(k)
		if !ok {
			continue
		}
		r.Parked[reason]++
		if prefix == parking.RedrivenPrefix {
			r.Redriven++
		} else {
			r.StillParked[reason]++
			parkedExec[exec] = reason
		}
		if reason == parking.ReasonOutage {
			base, _ := splitReplay(exec)
			outageBases[base] = true
		}
	}
	// Deliveries the trigger saw but started nothing for: each delivery
	// (sent, or republished by the redrive) minus the executions that exist.
	r.DuplicatesSuppressed = max(r.MessagesIn+r.Redriven-inbound, 0)

	// Every distinct message's outcome, from its last execution and the
	// records and objects that execution should have left.
	problem := func(format string, args ...any) {
		if len(r.Problems) < maxListed {
			r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
		}
	}
	highest := map[string]int64{} // record key -> highest version sent and not left parked
	for _, name := range l.order {
		m := l.msgs[name]
		x := final[name]
		pk := records.Key(entityKind(m.flow), m.key)
		switch {
		case x == nil:
			r.Lost++
			problem("lost: %s (%s %s v%d): no execution found (see dead_lettered)", name, m.kind, m.key, m.version)
			continue
		case x.status == asl.StatusSucceeded && x.outcome == "applied":
			if rec, ok := byPK[pk]; !ok || rec.Version < m.version {
				r.Lost++
				problem("lost: %s applied but record %s holds v%d (want >= v%d)", x.name, pk, rec.Version, m.version)
				continue
			}
			r.Applied++
		case x.status == asl.StatusSucceeded && x.outcome == "stale":
			if rec, ok := byPK[pk]; !ok || rec.Version < m.version {
				r.Lost++
				problem("lost: %s skipped as stale but record %s holds v%d (below v%d)", x.name, pk, rec.Version, m.version)
				continue
			}
		case strings.HasPrefix(x.errName, "Parked."):
			reason := strings.TrimPrefix(x.errName, "Parked.")
			if parkedExec[x.name] != reason {
				r.Lost++
				problem("lost: %s ended %s but no parked object under parked/%s/ holds it", x.name, x.errName, reason)
			}
			continue // still parked: not a version the record must reach
		default:
			r.Lost++
			problem("lost: %s ended %s %s", x.name, x.status, x.errName)
			continue
		}
		if m.valid && m.flow == message.FlowInventory {
			highest[pk] = max(highest[pk], m.version)
		}
	}
	for base := range outageBases {
		r.OutageParked++
		if x := final[base]; x != nil && x.status == asl.StatusSucceeded {
			r.OutageDelivered++
		} else if x != nil {
			problem("outage-parked %s not delivered: its last execution %s ended %s %s: %s", base, x.name, x.status, x.errName, x.cause)
		}
	}
	for pk, v := range highest {
		if rec := byPK[pk]; rec.Version < v {
			r.StaleOverwrites++
			problem("stale overwrite: %s holds v%d; v%d was sent and not parked", pk, rec.Version, v)
		}
	}

	r.LogiwaRequests = stats.Total
	r.LogiwaByEndpoint = map[string]int{}
	for ep, byStatus := range stats.Requests {
		for status, n := range byStatus {
			r.LogiwaByEndpoint[fmt.Sprintf("%s %d", ep, status)] = n
		}
	}
	r.Logiwa429 = stats.StatusCount(429)
	r.PeakRPS = stats.MaxReceivedPerSecond()
	r.OverLimitSeconds = overLimit(stats, r.RateLimit)
	gst := d.rt.GateMeter().Stats()
	r.GatePeakRPS, r.GateMissedSlots = gst.PeakPerSecond, gst.MissedSlots

	dups := duplicatesCreated(view)
	r.DuplicatesCreated = len(dups)
	for _, s := range dups {
		problem("%s", s)
	}
	r.Differences = reconcile(view, ours, d.gen.SKUs(), l)
	r.ReconciliationDifferences = len(r.Differences)
	if len(r.Differences) > maxListed {
		r.Differences = append(r.Differences[:maxListed], fmt.Sprintf("... and %d more", r.ReconciliationDifferences-maxListed))
	}
	r.DeadLettered = map[string]int{}
	for _, k := range localrun.QueueKeys {
		if n, err := d.rt.QueueDepth(ctx, k+"-dlq"); err == nil && n > 0 {
			r.DeadLettered[k] = n
		}
	}
	r.PeakRSSMB = PeakRSSMB()
	if l := memlimit.Current(); l < math.MaxInt64 {
		r.MemoryLimitMB = float64(l) / (1 << 20)
	}
	r.PeakRunning = int(d.peakRunning.Load())
	r.Check()
	return r, nil
}

// entityKind is the record key prefix of a flow (as pkg/inbound keys them).
func entityKind(f message.Flow) string {
	switch f {
	case message.FlowInventory:
		return "product"
	case message.FlowOrders:
		return "order"
	}
	return "refund"
}

// splitParkedKey reads parked/<reason>/<flow>/<yyyy>/<mm>/<dd>/<execution>.json
// (or the same under redriven/).
func splitParkedKey(key string) (prefix, reason, execution string, ok bool) {
	for _, p := range []string{parking.ParkedPrefix, parking.RedrivenPrefix} {
		if rest, found := strings.CutPrefix(key, p); found {
			parts := strings.Split(rest, "/")
			if len(parts) != 6 {
				return "", "", "", false
			}
			return p, parts[0], strings.TrimSuffix(parts[5], ".json"), true
		}
	}
	return "", "", "", false
}

func listKeys(ctx context.Context, c *s3.Client, bucket string) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("demo: list %s: %w", bucket, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}

// duplicatesCreated lists shipment orders and return orders that exist
// twice in the simulator (by code, by RMA), and products twice per client.
func duplicatesCreated(v *warehouseView) []string {
	var out []string
	count := func(what string, seen map[string]int) {
		var dup []string
		for k, n := range seen {
			if n > 1 {
				dup = append(dup, fmt.Sprintf("%s %s created %d times in Logiwa", what, k, n))
			}
		}
		sort.Strings(dup)
		out = append(out, dup...)
	}
	orders := map[string]int{}
	for k, o := range v.orders {
		if o.created > 1 {
			orders[k] = o.created
		}
	}
	rmas, skus := map[string]int{}, map[string]int{}
	for _, r := range v.returns {
		rmas[r.RMANumber]++
	}
	for _, p := range v.catalog.Products {
		skus[p.ClientIdentifier+"/"+p.SKU]++
	}
	count("shipment order", orders)
	count("return order", rmas)
	count("product", skus)
	return out
}

// overLimit lists, oldest first, up to ten seconds in which Logiwa saw more
// requests than limit.
func overLimit(st logiwasim.Stats, limit float64) []string {
	var secs []int64
	for _, per := range st.ReceivedPerSecond {
		for sec, n := range per {
			if float64(n) > limit {
				secs = append(secs, sec)
			}
		}
	}
	slices.Sort(secs)
	out := make([]string, 0, min(len(secs), 10))
	for _, sec := range secs[:min(len(secs), 10)] {
		out = append(out, time.Unix(sec, 0).UTC().Format(time.RFC3339))
	}
	return out
}
