package statemachines_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// flowSpec is what the mock configuration's responses say about one message
// of an inbound flow.
type flowSpec struct {
	flow, testSuffix string
	key              string
	version          int
	operation        string
	result           string // the gate's result for the operation
	message          string // the message body
}

var inboundSpecs = []flowSpec{
	{"inventory", "", "SKU-1001", 3, "upsertProduct", `{"id":"PRD-1001","outcome":"updated"}`,
		`{"schema":"inventory.v1","sku":"SKU-1001","version":3}`},
	{"orders", "", "SO-2001", 1, "createShipmentOrder", `{"id":"SHO-2001","outcome":"created"}`,
		`{"schema":"order.v1","orderNumber":"SO-2001","version":1}`},
	{"refunds", "", "RMA-77", 1, "createReturnOrder", `{"id":"RTO-77","outcome":"created"}`,
		`{"schema":"refund.v1","rma":"RMA-77","version":1,"kind":"return"}`},
	{"refunds", "Cancel", "RMA-78", 2, "cancelShipmentOrder", `{"id":"SHO-2002","outcome":"cancelled"}`,
		`{"schema":"refund.v1","rma":"RMA-78","orderNumber":"SO-2002","version":2,"kind":"cancel"}`},
}

// executionInput is what the trigger starts an inbound execution with.
func (f flowSpec) executionInput() string {
	b, _ := json.Marshal(map[string]any{"body": f.message, "replay": 0, "sqsMessageId": "m-1"})
	return string(b)
}

func (f flowSpec) executionName() string { return f.flow + "-" + f.key + "-0123456789" }

// Back-off caps: the Lambda retriers (1 s, x2) and CallLogiwa's (5 s, x2,
// capped at 60 s). With full jitter each sleep is uniform in [0, cap).
var (
	lambdaBackoffs = []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second}
	logiwaBackoffs = []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second}
	// The refunds' wait for an order Logiwa does not hold yet: 60 s, x2,
	// capped at 300 s, six times.
	orderNotFoundBackoffs = []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute, 5 * time.Minute}
)

// The paths through an inbound flow.
var (
	pathApplied   = []string{"Validate", "IsStale", "CallLogiwa", "CheckLatency", "UpdateDB"}
	pathStale     = []string{"Validate", "IsStale", "Stale"}
	pathInvalid   = []string{"Validate", "Park", "WhyParked", "Parked.invalid"}
	pathValidated = []string{"Validate", "IsStale", "CallLogiwa"}
)

func parkedAfter(prefix []string, reason string) []string {
	return append(slices.Clone(prefix), "Park", "WhyParked", "Parked."+reason)
}

type parkWant struct{ reason, err, causeHas string }

type branchCase struct {
	machine, testCase string
	execName, input   string
	status            asl.Status
	err               string // the failed execution's Error
	causeHas          string // a part of its Cause
	output            string // the exact output of a succeeded execution; "" = not checked
	states            []string
	backoffs          []time.Duration // caps of the back-off sleeps, in order
	park              *parkWant       // inbound: what Park was asked to store
	check             func(t *testing.T, r run)
}

// inboundCases are the branches of one inbound flow.
func inboundCases(f flowSpec) []branchCase {
	applied := fmt.Sprintf(`{"key":%q,"version":%d,"outcome":"applied","logiwaId":%q}`, f.key, f.version, field(mustJSONNoT(f.result), "id").(string))
	ok := func(tc string, backoffs ...time.Duration) branchCase {
		return branchCase{testCase: tc, status: asl.StatusSucceeded, output: applied, states: pathApplied, backoffs: backoffs}
	}
	parked := func(tc, reason string, path []string, p parkWant, backoffs ...time.Duration) branchCase {
		p.reason = reason
		return branchCase{testCase: tc, status: asl.StatusFailed, err: "Parked." + reason,
			states: parkedAfter(path, reason), park: &p, backoffs: backoffs}
	}
	cases := []branchCase{ok("HappyPath" + f.testSuffix)}
	if f.flow == "refunds" {
		// Either refund kind can name an order Logiwa does not hold yet: the
		// mocked return finds it on the fourth call, the cancel on the second.
		misses := 3
		if f.testSuffix == "Cancel" {
			misses = 1
		}
		cases = append(cases, ok("OrderNotFoundThenOk"+f.testSuffix, orderNotFoundBackoffs[:misses]...))
	}
	if f.testSuffix != "" {
		// The second refund kind only changes the operation: one happy path.
		return tag(f, cases)
	}
	if f.flow == "refunds" {
		// Still missing after the last wait: parked apart from rejected, for
		// the daily redrive to replay.
		cases = append(cases, parked("OrderNotFound", "order_not_found", pathValidated,
			parkWant{err: "Logiwa.OrderNotFound", causeHas: `no shipment order "SO-2001"`}, orderNotFoundBackoffs...))
	}
	cases = append(cases,
		branchCase{testCase: "Stale", status: asl.StatusSucceeded, states: pathStale,
			output: fmt.Sprintf(`{"flow":%q,"key":%q,"version":%d,"stale":true,"appliedVersion":%d,"operation":%q,"message":%s,"outcome":"stale"}`,
				f.flow, f.key, f.version, f.version+1, f.operation, f.message)},
		parked("Invalid", "invalid", []string{"Validate"}, parkWant{err: "Message.Invalid", causeHas: "/version: minimum"}),
		ok("ValidateFlakyThenOk", lambdaBackoffs[0]),
		parked("ValidateFails", "outage", []string{"Validate"}, parkWant{err: "wrapError", causeHas: "DynamoDB"}),
		parked("Rejected", "rejected", pathValidated, parkWant{err: "Logiwa.Rejected", causeHas: "400"}),
		parked("Unauthorized", "unauthorized", pathValidated, parkWant{err: "Logiwa.Unauthorized", causeHas: "401"}),
		ok("UnavailableThenOk", logiwaBackoffs[:2]...),
		ok("RateLimitedThenOk", logiwaBackoffs[0]),
		ok("TimeoutThenOk", logiwaBackoffs[0]),
		ok("MixedThenOk", logiwaBackoffs[:3]...),
		ok("LastRetryOk", logiwaBackoffs...),
		parked("OutageUnavailable", "outage", pathValidated, parkWant{err: "Logiwa.Unavailable", causeHas: "503"}, logiwaBackoffs...),
		parked("OutageRateLimited", "outage", pathValidated, parkWant{err: "Logiwa.RateLimited", causeHas: "429"}, logiwaBackoffs...),
		parked("OutageTimeout", "outage", pathValidated, parkWant{err: "States.Timeout", causeHas: "did not answer"}, logiwaBackoffs...),
		parked("GateBadRequest", "outage", pathValidated, parkWant{err: "Gate.BadRequest", causeHas: "unknown operation"}),
		ok("AtThreshold"),
		parked("ThresholdExceeded", "threshold_exceeded", []string{"Validate", "IsStale", "CallLogiwa", "CheckLatency"},
			parkWant{err: "Logiwa.ThresholdExceeded", causeHas: "in 2500 ms; the threshold is 2000 ms"}),
		branchCase{testCase: "RecordLostRace", status: asl.StatusSucceeded, states: pathApplied,
			output: fmt.Sprintf(`{"key":%q,"version":%d,"outcome":"stale","logiwaId":%q}`, f.key, f.version, field(mustJSONNoT(f.result), "id").(string))},
		ok("UpdateDBFlakyThenOk", lambdaBackoffs[:2]...),
		parked("UpdateDBFails", "outage", pathApplied, parkWant{err: "Lambda.ServiceException"}, lambdaBackoffs...),
		// Park's own transient failure is retried; the backoffs are CallLogiwa's four, then Park's one.
		parked("ParkFlakyThenOk", "outage", pathValidated, parkWant{err: "Logiwa.Unavailable"}, append(slices.Clone(logiwaBackoffs), lambdaBackoffs[0])...),
		// Nothing catches a Park that keeps failing: the execution fails with
		// Lambda's error, and Step Functions' execution redrive is the way back.
		branchCase{testCase: "ParkFails", status: asl.StatusFailed, err: "Lambda.ServiceException", causeHas: "temporarily unavailable",
			states: []string{"Validate", "IsStale", "CallLogiwa", "Park"}, park: &parkWant{reason: "rejected", err: "Logiwa.Rejected"},
			backoffs: lambdaBackoffs},
	)
	return tag(f, cases)
}

func tag(f flowSpec, cases []branchCase) []branchCase {
	for i := range cases {
		cases[i].machine = f.flow
		cases[i].execName = f.executionName()
		cases[i].input = f.executionInput()
		cases[i].check = func(t *testing.T, r run) { checkInboundCalls(t, f, r) }
	}
	return cases
}

func mustJSONNoT(s string) any {
	v, err := jsonvalue.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return v
}

// checkInboundCalls asserts what each task of an inbound flow was sent.
func checkInboundCalls(t *testing.T, f flowSpec, r run) {
	t.Helper()
	msg := mustJSONNoT(f.message)
	for _, c := range r.calls.of("Validate") {
		want := jsonvalue.Clone(r.input).(map[string]any)
		want["flow"] = f.flow
		if !jsonvalue.Equal(c.payload(), want) {
			t.Errorf("Validate payload %s, want the execution input with the flow", jsonvalue.String(c.payload()))
		}
	}
	for _, c := range r.calls.of("CallLogiwa") {
		body := c.payload()
		if c.Input["QueueUrl"] != renderValues(f.flow)["gate_queue_url"] {
			t.Errorf("CallLogiwa queue %v", c.Input["QueueUrl"])
		}
		if tok, _ := body["taskToken"].(string); tok == "" || body["execution"] != r.name || body["operation"] != f.operation ||
			!jsonvalue.Equal(body["payload"], msg) {
			t.Errorf("CallLogiwa message %s, want a token, execution %s, operation %s and the message", jsonvalue.String(body), r.name, f.operation)
		}
	}
	for _, c := range r.calls.of("UpdateDB") {
		want := fmt.Sprintf(`{"flow":%q,"execution":%q,"key":%q,"version":%d,"message":%s,"result":%s}`,
			f.flow, r.name, f.key, f.version, f.message, f.result)
		equalJSON(t, "UpdateDB payload", c.payload(), want)
	}
	for _, c := range r.calls.of("Park") {
		p := c.payload()
		if p["flow"] != f.flow || p["execution"] != r.name || !jsonvalue.Equal(p["original"], r.input) {
			t.Errorf("Park payload %s: want flow %s, execution %s and the execution input as original", jsonvalue.String(p), f.flow, r.name)
		}
	}
}

// syncCases are the branches of a sync workflow.
func syncCases(job, operation string) []branchCase {
	name := job + "-sync"
	window := `{"since":"2026-11-25T09:50:00Z","until":"2026-11-25T10:00:00Z","index":0,"size":200}`
	three := `{"since":"2026-11-25T09:50:00Z","until":"2026-11-25T10:00:00Z","index":2,"size":200}`
	manualIn := `{"since":"2026-11-20T00:00:00Z","skus":["SKU-1001","SKU-1002"]}`
	manualWin := `{"since":"2026-11-20T00:00:00Z","until":"2026-11-25T10:00:00Z","index":0,"size":200,"skus":["SKU-1001","SKU-1002"],"skuIndex":1}`
	loop := []string{"FetchPage", "WritePage", "MorePages"}
	pages := func(n int) []string {
		out := []string{"AcquireLease"}
		for range n {
			out = append(out, loop...)
		}
		return out
	}
	failed := func(prefix []string) []string {
		return append(slices.Clone(prefix), "ReleaseAfterFailure", "SyncFailed")
	}
	cases := []branchCase{
		{testCase: "OnePage", status: asl.StatusSucceeded, states: append(pages(1), "SaveCursor"),
			output: fmt.Sprintf(`{"job":%q,"window":%s,"more":false,"stats":{"pages":1,"items":1}}`, job, window)},
		{testCase: "ThreePages", status: asl.StatusSucceeded, states: append(pages(3), "SaveCursor"),
			output: fmt.Sprintf(`{"job":%q,"window":%s,"more":false,"stats":{"pages":3,"items":3}}`, job, three),
			check: func(t *testing.T, r run) {
				// Each page's window is the one the previous write returned.
				fetches := r.calls.of("FetchPage")
				for i, c := range fetches {
					if got, _ := jsonvalue.Int(field(c.payload(), "payload", "index")); int(got) != i {
						t.Errorf("fetch %d asked for page index %d", i, got)
					}
				}
				writes := r.calls.of("WritePage")
				if len(writes) != 3 {
					t.Fatalf("%d writes", len(writes))
				}
				equalJSON(t, "stats sent with the third page", writes[2].payload()["stats"], `{"pages":2,"items":2}`)
				equalJSON(t, "SaveCursor stats", r.calls.of("SaveCursor")[0].payload()["stats"], `{"pages":3,"items":3}`)
			}},
		{testCase: "LeaseBusy", status: asl.StatusSucceeded, states: []string{"AcquireLease", "AlreadyRunning"},
			output: `{"Error":"Sync.LeaseHeld","Cause":"sync job inventory: lease held by inventory-sync-0915 until 2026-11-25T10:20:00Z"}`},
		{testCase: "AcquireFlakyThenOk", status: asl.StatusSucceeded, states: append(pages(1), "SaveCursor"), backoffs: lambdaBackoffs[:1]},
		{testCase: "FetchRetriedThenOk", status: asl.StatusSucceeded, states: append(pages(1), "SaveCursor"), backoffs: logiwaBackoffs[:2]},
		{testCase: "FetchOutageReleases", status: asl.StatusFailed, err: "Logiwa.Unavailable", causeHas: "503",
			states: failed(append(pages(1), "FetchPage")), backoffs: logiwaBackoffs,
			check: func(t *testing.T, r run) {
				// The lease goes back without moving the cursor, for the window that failed.
				rel := r.calls.of("ReleaseAfterFailure")[0].payload()
				if rel["succeeded"] != false || rel["action"] != "release" || field(rel, "window", "index") != json.Number("1") {
					t.Errorf("release after failure sent %s", jsonvalue.String(rel))
				}
			}},
		{testCase: "FetchRejectedReleases", status: asl.StatusFailed, err: "Logiwa.Rejected", causeHas: "400",
			states: failed([]string{"AcquireLease", "FetchPage"})},
		{testCase: "WriteFailsReleases", status: asl.StatusFailed, err: "wrapError", causeHas: "bad page",
			states: failed([]string{"AcquireLease", "FetchPage", "WritePage"})},
		{testCase: "Manual", input: manualIn, status: asl.StatusSucceeded, states: append(pages(2), "SaveCursor"),
			output: fmt.Sprintf(`{"job":%q,"window":%s,"more":false,"stats":{"pages":2,"items":2}}`, job, manualWin),
			check: func(t *testing.T, r run) {
				equalJSON(t, "AcquireLease request", r.calls.of("AcquireLease")[0].payload()["request"], manualIn)
				// The SKU list travels with the window to the gate and to the
				// release, which then leaves the cursor alone.
				if skus := field(r.calls.of("FetchPage")[1].payload(), "payload", "skus"); !jsonvalue.Equal(skus, mustJSON(t, `["SKU-1001","SKU-1002"]`)) {
					t.Errorf("second fetch skus %s", jsonvalue.String(skus))
				}
				equalJSON(t, "SaveCursor window", r.calls.of("SaveCursor")[0].payload()["window"], manualWin)
			}},
		{testCase: "BadManualInput", input: `{"since":"yesterday"}`, status: asl.StatusFailed, err: "wrapError", causeHas: "RFC 3339",
			states: []string{"AcquireLease"}},
	}
	for i := range cases {
		cases[i].machine = name
		cases[i].execName = name + "-scheduled-0001"
		if cases[i].input == "" {
			cases[i].input = `{}`
		}
		extra := cases[i].check
		cases[i].check = func(t *testing.T, r run) {
			checkSyncCalls(t, job, operation, r)
			if extra != nil {
				extra(t, r)
			}
		}
	}
	return cases
}

// checkSyncCalls asserts what each task of a sync workflow was sent.
func checkSyncCalls(t *testing.T, job, operation string, r run) {
	t.Helper()
	for _, state := range []string{"AcquireLease", "WritePage", "SaveCursor", "ReleaseAfterFailure"} {
		for _, c := range r.calls.of(state) {
			p := c.payload()
			if p["job"] != job || p["owner"] != r.name {
				t.Errorf("%s payload %s: want job %s owned by %s", state, jsonvalue.String(p), job, r.name)
			}
		}
	}
	for _, c := range r.calls.of("FetchPage") {
		body := c.payload()
		if tok, _ := body["taskToken"].(string); tok == "" || body["operation"] != operation || body["execution"] != r.name {
			t.Errorf("FetchPage message %s: want a token and operation %s", jsonvalue.String(body), operation)
		}
	}
	// Each write carries the page the gate fetched (its result, not the envelope).
	writes := r.calls.of("WritePage")
	for i, c := range writes {
		if idx, _ := jsonvalue.Int(field(c.payload(), "page", "index")); c.payload()["page"] == nil || field(c.payload(), "page", "operation") != nil || (i == 0 && idx != 0) {
			t.Errorf("WritePage %d page %s", i, jsonvalue.String(c.payload()["page"]))
		}
	}
	if c := r.calls.of("SaveCursor"); len(c) > 0 && c[0].payload()["succeeded"] != true {
		t.Errorf("SaveCursor payload %s", jsonvalue.String(c[0].payload()))
	}
}

// redriveCases are the branches of the redrive workflow.
func redriveCases() []branchCase {
	inner := []string{"RepublishOne", "RepublishOne", "RepublishOne"}
	page := func(items []string) []string {
		return append(append([]string{"ListParked", "Republish"}, items...), "Tally", "MoreParked")
	}
	totals := func(redriven, exhausted, failed, dry int) string {
		return fmt.Sprintf(`{"redriven":%d,"exhausted":%d,"failed":%d,"dryRun":%d}`, redriven, exhausted, failed, dry)
	}
	cases := []branchCase{
		{testCase: "NothingParked", status: asl.StatusSucceeded, states: append(page(nil), "Done"), output: totals(0, 0, 0, 0)},
		{testCase: "OnePage", status: asl.StatusSucceeded, states: append(page(inner), "Done"), output: totals(3, 0, 0, 0),
			check: func(t *testing.T, r run) {
				var keys []string
				for _, c := range r.calls.of("RepublishOne") {
					if c.payload()["action"] != "republish" || c.payload()["dryRun"] != false {
						t.Errorf("republish payload %s", jsonvalue.String(c.payload()))
					}
					keys = append(keys, c.payload()["key"].(string))
				}
				sort.Strings(keys)
				want := []string{"parked/outage/orders/2026/11/25/orders-SO-1-a.json", "parked/outage/orders/2026/11/25/orders-SO-2-b.json", "parked/outage/orders/2026/11/25/orders-SO-3-c.json"}
				if !slices.Equal(keys, want) {
					t.Errorf("republished %v, want %v", keys, want)
				}
			}},
		{testCase: "SeveralPages", input: `{"reason":"outage"}`, status: asl.StatusSucceeded,
			states: append(append(page(inner[:2]), page(inner[:1])...), "Done"), output: totals(3, 0, 0, 0),
			check: func(t *testing.T, r run) {
				lists := r.calls.of("ListParked")
				if len(lists) != 2 {
					t.Fatalf("%d listings", len(lists))
				}
				equalJSON(t, "first listing request", lists[0].payload()["request"], `{"reason":"outage"}`)
				// The second listing continues where the first stopped and carries the running totals.
				equalJSON(t, "second listing request", lists[1].payload()["request"],
					`{"reason":"outage","dryRun":false,"continuation":"page-2-token","totals":`+totals(2, 0, 0, 0)+`}`)
			}},
		{testCase: "Exhausted", status: asl.StatusSucceeded, states: append(page(inner), "Done"), output: totals(2, 1, 0, 0)},
		{testCase: "RepublishFails", status: asl.StatusSucceeded,
			states: append(page([]string{"RepublishOne", "RepublishOne", "RepublishOne", "RepublishFailed"}), "Done"), output: totals(2, 0, 1, 0)},
		{testCase: "DryRun", input: `{"dryRun":true}`, status: asl.StatusSucceeded, states: append(page(inner), "Done"), output: totals(0, 0, 0, 3),
			check: func(t *testing.T, r run) {
				for _, c := range r.calls.of("RepublishOne") {
					if c.payload()["dryRun"] != true {
						t.Errorf("dry run republish payload %s", jsonvalue.String(c.payload()))
					}
				}
			}},
		{testCase: "ListFails", status: asl.StatusFailed, err: "Lambda.ServiceException", states: []string{"ListParked"}, backoffs: lambdaBackoffs},
	}
	for i := range cases {
		cases[i].machine = "redrive"
		cases[i].execName = "redrive-daily-0001"
		if cases[i].input == "" {
			cases[i].input = `{}`
		}
		extra := cases[i].check
		cases[i].check = func(t *testing.T, r run) {
			// Every listing is limited to messages parked before the run started.
			for _, c := range r.calls.of("ListParked") {
				if c.payload()["action"] != "list" || c.payload()["before"] != epoch.Format("2006-01-02T15:04:05.000Z") {
					t.Errorf("ListParked payload %s: want before = the start time", jsonvalue.String(c.payload()))
				}
			}
			if extra != nil {
				extra(t, r)
			}
		}
	}
	return cases
}

func allBranchCases() []branchCase {
	var cases []branchCase
	for _, f := range inboundSpecs {
		cases = append(cases, inboundCases(f)...)
	}
	cases = append(cases, syncCases("inventory", "inventoryPage")...)
	cases = append(cases, syncCases("orders", "shipmentOrdersPage")...)
	return append(cases, redriveCases()...)
}

// TestBranches runs every test case of the mock configuration and checks the
// final status, the error or output, the states entered, the back-offs slept
// and what each task was sent.
func TestBranches(t *testing.T) {
	for _, tc := range allBranchCases() {
		t.Run(tc.machine+"/"+tc.testCase, func(t *testing.T) {
			t.Parallel()
			r := runCase(t, tc.machine, tc.testCase, tc.execName, tc.input)
			res := r.result
			if res.Status != tc.status {
				t.Fatalf("status %s (%s: %s), want %s; states %v", res.Status, res.Error, res.Cause, tc.status, entered(r.history))
			}
			if tc.status == asl.StatusFailed {
				if res.Error != tc.err || !strings.Contains(res.Cause, tc.causeHas) {
					t.Errorf("failed with %s: %q, want %s with a cause containing %q", res.Error, res.Cause, tc.err, tc.causeHas)
				}
			} else if tc.output != "" {
				equalJSON(t, "output", res.Output, tc.output)
			}
			inner := map[string]bool{"RepublishOne": true, "RepublishFailed": true}
			got, want := sortRuns(entered(r.history), inner), sortRuns(tc.states, inner)
			if !slices.Equal(got, want) {
				t.Errorf("states entered\n got %v\nwant %v", got, want)
			}
			checkBackoffs(t, r.sleeps, tc.backoffs)
			if tc.park != nil {
				checkPark(t, r, *tc.park)
			} else if n := len(r.calls.of("Park")); n > 0 {
				t.Errorf("parked %d times on a path that must not park", n)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func checkBackoffs(t *testing.T, slept, caps []time.Duration) {
	t.Helper()
	if len(slept) != len(caps) {
		t.Errorf("slept %v, want %d back-offs capped at %v", slept, len(caps), caps)
		return
	}
	for i := range slept {
		if slept[i] < 0 || slept[i] >= caps[i] {
			t.Errorf("back-off %d slept %s, want full jitter in [0, %s)", i, slept[i], caps[i])
		}
	}
}

func checkPark(t *testing.T, r run, want parkWant) {
	t.Helper()
	parks := r.calls.of("Park")
	if len(parks) == 0 {
		t.Fatalf("never parked; want reason %s", want.reason)
	}
	// A parked execution fails with the cause Park reported.
	if r.result.Status == asl.StatusFailed && strings.HasPrefix(r.result.Error, "Parked.") {
		if out := parkOutput(r.history); out == nil || r.result.Cause == "" || r.result.Cause != field(out, "cause") {
			t.Errorf("execution cause %q, want Park's cause (Park returned %s)", r.result.Cause, jsonvalue.String(out))
		}
	}
	for _, c := range parks {
		p := c.payload()
		if p["reason"] != want.reason || field(p, "failure", "Error") != want.err {
			t.Errorf("Park sent reason %v with error %v, want %s with %s", p["reason"], field(p, "failure", "Error"), want.reason, want.err)
		}
		if cause, _ := field(p, "failure", "Cause").(string); !strings.Contains(cause, want.causeHas) {
			t.Errorf("Park failure cause %q, want it to contain %q", cause, want.causeHas)
		}
	}
}

// TestMockConfigCoversEveryBranch fails when a test case of the mock
// configuration is not run by TestBranches, or when a state of a definition
// is entered by no test case, so a new branch cannot go untested.
func TestMockConfigCoversEveryBranch(t *testing.T) {
	cfg, err := loadMockConfig()
	if err != nil {
		t.Fatal(err)
	}
	ran := map[string]map[string]bool{}
	for _, tc := range allBranchCases() {
		if ran[tc.machine] == nil {
			ran[tc.machine] = map[string]bool{}
		}
		ran[tc.machine][tc.testCase] = true
	}
	for name, sm := range cfg.StateMachines {
		for tc := range sm.TestCases {
			if !ran[name][tc] {
				t.Errorf("mock test case %s/%s is run by no branch test", name, tc)
			}
		}
	}
	seen := map[string]map[string]bool{}
	for _, tc := range allBranchCases() {
		if seen[tc.machine] == nil {
			seen[tc.machine] = map[string]bool{}
		}
		for _, s := range tc.states {
			seen[tc.machine][s] = true
		}
	}
	for name := range ran {
		for _, s := range definitionStates(t, name) {
			if !seen[name][s] {
				t.Errorf("%s: state %s is entered by no branch test", name, s)
			}
		}
	}
	if len(ran) != 6 {
		t.Errorf("branch tests cover %d definitions, want 6", len(ran))
	}
}

// TestHappyPathBilledTransitions holds the budget: at most 6 state
// transitions per happy-path message, counted as AWS bills them.
func TestHappyPathBilledTransitions(t *testing.T) {
	for _, f := range inboundSpecs {
		t.Run(f.flow+f.testSuffix, func(t *testing.T) {
			r := runCase(t, f.flow, "HappyPath"+f.testSuffix, f.executionName(), f.executionInput())
			if n := billedTransitions(r.history); n > 6 {
				t.Errorf("happy path billed %d state transitions, want at most 6", n)
			} else {
				t.Logf("%s happy path: %d billed state transitions", f.flow, n)
			}
			// A retried call costs one more per retry: check the counter sees them.
			r = runCase(t, f.flow, "UnavailableThenOk", f.executionName(), f.executionInput())
			if n := billedTransitions(r.history); n != 8 {
				t.Errorf("two retries billed %d state transitions, want 8", n)
			}
		})
	}
}

// parkOutput is the output of the last Park state (its Lambda's Payload).
func parkOutput(h []asl.HistoryEvent) any {
	var out any
	for _, e := range h {
		if e.Type == "TaskStateExited" && e.Details != nil && e.Details.Name == "Park" {
			out = e.Details.Output
		}
	}
	return out
}

// TestGateTimeoutIsRetried lets the gate never answer: the rendered
// TimeoutSeconds (gate_timeout_seconds) ends the wait with States.Timeout,
// which CallLogiwa retries, and the answered retry applies the message.
func TestGateTimeoutIsRetried(t *testing.T) {
	f := inboundSpecs[1]
	clk := clock.NewFake(epoch)
	var eng *asl.Engine
	tasks := asl.TaskRunnerFunc(func(_ context.Context, req asl.TaskRequest) (any, error) {
		switch req.StateName {
		case "Validate":
			return mustJSONNoT(fmt.Sprintf(`{"flow":%q,"key":%q,"version":%d,"stale":false,"operation":%q,"message":%s}`,
				f.flow, f.key, f.version, f.operation, f.message)), nil
		case "CallLogiwa":
			if req.TimeoutSeconds != gateTimeoutSeconds {
				return nil, fmt.Errorf("TimeoutSeconds %d, want %d", req.TimeoutSeconds, gateTimeoutSeconds)
			}
			if req.Attempt == 0 {
				// The message sits in the gate queue for longer than the timeout.
				clk.Advance(gateTimeoutSeconds * time.Second)
				return map[string]any{}, nil
			}
			return map[string]any{}, eng.SendTaskSuccess(req.TaskToken, mustJSONNoT(`{"operation":"createShipmentOrder","result":`+f.result+`,"latencyMs":90}`))
		case "UpdateDB":
			return map[string]any{"outcome": "applied"}, nil
		}
		return nil, fmt.Errorf("unexpected state %s", req.StateName)
	})
	eng = asl.NewEngine(asl.WithTasks(tasks), asl.WithClock(clk))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	x, err := eng.Start(ctx, machine(t, f.flow), mustJSON(t, f.executionInput()), asl.StartOptions{Name: f.executionName()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := x.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != asl.StatusSucceeded {
		t.Fatalf("status %s (%s: %s)", res.Status, res.Error, res.Cause)
	}
	timedOut := 0
	for _, e := range x.History() {
		if e.Type == "TaskTimedOut" {
			timedOut++
		}
	}
	if timedOut != 1 {
		t.Errorf("%d TaskTimedOut events, want 1", timedOut)
	}
	if got := entered(x.History()); !slices.Equal(got, pathApplied) {
		t.Errorf("states %v", got)
	}
	checkBackoffs(t, clk.Sleeps(), logiwaBackoffs[:1])
	if waited := clk.Now().Sub(epoch); waited < gateTimeoutSeconds*time.Second || waited > gateTimeoutSeconds*time.Second+logiwaBackoffs[0] {
		t.Errorf("virtual time passed %s, want the timeout plus one back-off", waited)
	}
}
