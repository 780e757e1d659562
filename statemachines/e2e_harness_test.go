package statemachines_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
	"github.com/logiwaflow/logiwaflow/pkg/localrun"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/parking"
	"github.com/logiwaflow/logiwaflow/pkg/records"
	"github.com/logiwaflow/logiwaflow/pkg/sfnlocal"
)

// speedup is how much faster than the wall clock the runtimes' shared clock
// runs: CallLogiwa's back-offs (5, 10, 20, 40 s) pass in a fraction of a
// second.
const speedup = 50

// e2eThresholdMs is the latency threshold the end-to-end runtimes render.
// Latency is measured on the accelerated clock, so the deployed 2,000 ms
// would be 40 ms of wall time, and a busy machine (the race detector, a
// dozen runtimes in parallel) would park healthy calls; 60 s of virtual
// time is 1.2 s of wall time. The threshold tests inject latencies on the
// same clock on either side of it.
const e2eThresholdMs = 60000

// env is one running local system with clients for what tests inspect.
type env struct {
	t     *testing.T
	r     *localrun.Runtime
	sim   *logiwasim.Server
	store *records.Store
	park  *parking.Service
	sfn   *sfn.Client
}

// startEnv starts a runtime in memory on an accelerated clock. The
// simulator's warehouse takes a day to pick, so an order stays cancellable
// for the whole test, unless mod says otherwise.
func startEnv(t *testing.T, mod func(*localrun.Config)) *env {
	t.Helper()
	cfg := localrun.Config{
		RateLimit:       50,
		GateConcurrency: 2,
		Clock:           clock.NewScaled(time.Now(), speedup),
		Simulator: logiwasim.Options{
			Seed: 11, Rate: 100,
			Timeline: logiwasim.Timeline{Pick: 24 * time.Hour, Pack: time.Hour, Ship: time.Hour, Return: time.Hour},
		},
		Values: map[string]string{"latency_threshold_ms": fmt.Sprint(e2eThresholdMs)},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if mod != nil {
		mod(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := localrun.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("close runtime: %v", err)
		}
	})
	awsCfg := r.AWSConfig()
	return &env{
		t: t, r: r, sim: r.Simulator(),
		store: &records.Store{DB: dynamodb.NewFromConfig(awsCfg), RecordTable: localrun.RecordsTable, JobTable: localrun.JobsTable},
		park:  &parking.Service{S3: s3.NewFromConfig(awsCfg), Bucket: localrun.ParkedBucket},
		sfn:   sfn.NewFromConfig(awsCfg),
	}
}

func (e *env) send(flow message.Flow, body string) {
	e.t.Helper()
	if _, err := e.r.Send(context.Background(), flow, []byte(body)); err != nil {
		e.t.Fatal(err)
	}
}

// idle waits until every queue is empty and no execution runs.
func (e *env) idle() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	if err := e.r.Idle(ctx); err != nil {
		e.t.Fatalf("runtime not idle: %v", err)
	}
}

// executions lists a definition's executions, newest first.
func (e *env) executions(machine string) []sfnlocal.ExecutionInfo {
	return e.r.SFN().Executions(e.r.Target().StateMachines[machine])
}

// executionsOf lists the executions handling one business key (every replay).
func (e *env) executionsOf(flow message.Flow, key string) []sfnlocal.ExecutionInfo {
	// <flow>-<key>-<10 hex digits of hash>[-r<replay>]
	re := regexp.MustCompile(`^` + regexp.QuoteMeta(string(flow)+"-"+key) + `-[0-9a-f]{10}(-r[0-9]+)?$`)
	var out []sfnlocal.ExecutionInfo
	for _, x := range e.executions(string(flow)) {
		if re.MatchString(x.Name) {
			out = append(out, x)
		}
	}
	return out
}

// only returns the single execution for a key.
func (e *env) only(flow message.Flow, key string) sfnlocal.ExecutionInfo {
	e.t.Helper()
	xs := e.executionsOf(flow, key)
	if len(xs) != 1 {
		e.t.Fatalf("%s %s: %d executions, want 1: %v", flow, key, len(xs), names(xs))
	}
	return xs[0]
}

func names(xs []sfnlocal.ExecutionInfo) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.Name + ":" + string(x.Status) + ":" + x.Error
	}
	return out
}

// startExecution starts a definition by hand through the Step Functions API,
// as an operator would, and waits for it to finish.
func (e *env) startExecution(machine, name, input string) sfnlocal.ExecutionInfo {
	e.t.Helper()
	out, err := e.sfn.StartExecution(context.Background(), &sfn.StartExecutionInput{
		StateMachineArn: aws.String(e.r.Target().StateMachines[machine]), Name: aws.String(name), Input: aws.String(input),
	})
	if err != nil {
		e.t.Fatalf("start %s: %v", machine, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		x, ok := e.r.SFN().Execution(aws.ToString(out.ExecutionArn))
		if ok && x.Status != asl.StatusRunning {
			return x
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s %s still running", machine, name)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitFor polls cond until it holds.
func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// taskFailures lists the errors of failed task attempts, as "State:Error".
func taskFailures(h []asl.HistoryEvent) []string {
	var out []string
	state := ""
	for _, ev := range h {
		switch {
		case ev.Type == "TaskStateEntered" && ev.Details != nil:
			state = ev.Details.Name
		case (ev.Type == "TaskFailed" || ev.Type == "TaskTimedOut") && ev.Details != nil:
			out = append(out, state+":"+ev.Details.Error)
		}
	}
	return out
}

// record reads one of our records; ok is false when there is none.
func (e *env) record(pk string) (records.Applied, bool) {
	e.t.Helper()
	a, ok, err := e.store.Get(context.Background(), pk)
	if err != nil {
		e.t.Fatalf("read record %s: %v", pk, err)
	}
	return a, ok
}

// expectApplied checks the one execution for a key succeeded and recorded
// the version it applied.
func (e *env) expectApplied(flow message.Flow, key string, version int64) sfnlocal.ExecutionInfo {
	e.t.Helper()
	x := e.only(flow, key)
	if x.Status != asl.StatusSucceeded {
		e.t.Errorf("%s %s: %s %s %s, want SUCCEEDED", flow, key, x.Status, x.Error, x.Cause)
		return x
	}
	if outcome := field(x.Output, "outcome"); outcome != "applied" {
		e.t.Errorf("%s %s: output %s, want outcome applied", flow, key, jsonvalue.String(x.Output))
	}
	rec, ok := e.record(records.Key(recordKind(flow), key))
	if !ok || rec.Version != version || rec.LogiwaID == "" || rec.Execution != x.Name {
		e.t.Errorf("%s %s: record %+v (found %v), want version %d with a Logiwa id, by %s", flow, key, rec, ok, version, x.Name)
	}
	if n := billedTransitions(x.History()); n > 6 && len(taskFailures(x.History())) == 0 {
		e.t.Errorf("%s %s: happy path billed %d state transitions, want at most 6", flow, key, n)
	}
	return x
}

func recordKind(flow message.Flow) string {
	switch flow {
	case message.FlowInventory:
		return "product"
	case message.FlowOrders:
		return "order"
	}
	return "refund"
}

// expectParked checks the one execution for a key failed as Parked.<reason>
// and its message is in S3 under that reason with the error that parked it.
func (e *env) expectParked(flow message.Flow, key, body, reason, errName string) parking.Parked {
	e.t.Helper()
	x := e.only(flow, key)
	return e.expectParkedExecution(flow, x, body, reason, errName)
}

func (e *env) expectParkedExecution(flow message.Flow, x sfnlocal.ExecutionInfo, body, reason, errName string) parking.Parked {
	e.t.Helper()
	if x.Status != asl.StatusFailed || x.Error != "Parked."+reason {
		e.t.Errorf("%s: %s %s %s, want FAILED Parked.%s", x.Name, x.Status, x.Error, x.Cause, reason)
		return parking.Parked{}
	}
	p, ok := e.parked(reason, flow, x.Name)
	if !ok {
		e.t.Errorf("%s: no parked object under parked/%s/%s/", x.Name, reason, flow)
		return p
	}
	if p.Reason != reason || p.Error != errName || p.Flow != string(flow) || p.Execution != x.Name || p.Body != body || p.Cause == "" {
		e.t.Errorf("%s: parked %+v, want reason %s, error %s and the original body", x.Name, p, reason, errName)
	}
	if x.Cause != p.Cause {
		e.t.Errorf("%s: execution cause %q, parked cause %q", x.Name, x.Cause, p.Cause)
	}
	return p
}

// parked finds the parked object of an execution.
func (e *env) parked(reason string, flow message.Flow, execution string) (parking.Parked, bool) {
	e.t.Helper()
	keys, _, err := e.park.List(context.Background(), parking.Filter{Reason: reason, Flow: string(flow)}, time.Time{}, "", 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, k := range keys {
		if strings.HasSuffix(k, "/"+execution+".json") {
			p, err := e.park.Get(context.Background(), k)
			if err != nil {
				e.t.Fatal(err)
			}
			return p, true
		}
	}
	return parking.Parked{}, false
}

// Message builders. Keys are unique per test; the SKUs in lines are the
// simulator's seeded products.

func inventoryBody(sku string, version int, name string) string {
	return fmt.Sprintf(`{"schema":"inventory.v1","messageId":"m-%s-%d","sku":%q,"version":%d,"occurredAt":"2026-11-24T09:00:00Z","product":{"name":%q,"salesPrice":9.5,"active":true}}`,
		sku, version, sku, version, name)
}

type line struct {
	sku string
	qty int
}

func orderBody(number string, version int, lines ...line) string {
	ls := make([]string, len(lines))
	for i, l := range lines {
		ls[i] = fmt.Sprintf(`{"sku":%q,"quantity":%d,"unitPrice":12.5}`, l.sku, l.qty)
	}
	return fmt.Sprintf(`{"schema":"order.v1","messageId":"m-%s-%d","orderNumber":%q,"version":%d,"occurredAt":"2026-11-24T09:15:00Z","orderDate":"2026-11-24",`+
		`"customer":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"},`+
		`"shipTo":{"addressLine1":"12 Analytical St","city":"London","postalCode":"N1 9GU","country":"GB"},`+
		`"shippingMethod":"Standard","currency":"USD","lines":[%s]}`, number, version, number, version, strings.Join(ls, ","))
}

func returnBody(rma, order, sku string, qty int) string {
	return fmt.Sprintf(`{"schema":"refund.v1","messageId":"m-%s","rma":%q,"orderNumber":%q,"version":1,"occurredAt":"2026-11-28T16:20:00Z",`+
		`"kind":"return","reason":"Damaged in transit","lines":[{"sku":%q,"quantity":%d}]}`, rma, rma, order, sku, qty)
}

func cancelBody(rma, order string) string {
	return fmt.Sprintf(`{"schema":"refund.v1","messageId":"m-%s","rma":%q,"orderNumber":%q,"version":1,"occurredAt":"2026-11-24T10:05:00Z",`+
		`"kind":"cancel","reason":"Customer changed their mind"}`, rma, rma, order)
}

// fourKinds is one message of each kind, for a fault to hit: a new product,
// a new order, a return of an order placed before, the cancellation of
// another. setupOrders places those two orders first (with no fault).
type fourKinds struct {
	prefix                   string
	sku, order, ret, cancel  string
	skuBody, orderBody       string
	retBody, cancelBody      string
	placedForRet, placedForC string
}

func newFourKinds(prefix string) fourKinds {
	k := fourKinds{
		prefix: prefix, sku: prefix + "-SKU", order: prefix + "-SO", ret: prefix + "-RMA-R", cancel: prefix + "-RMA-C",
		placedForRet: prefix + "-SO-R", placedForC: prefix + "-SO-C",
	}
	k.skuBody = inventoryBody(k.sku, 1, "Product "+prefix)
	k.orderBody = orderBody(k.order, 1, line{"MUG-BLUE", 1})
	k.retBody = returnBody(k.ret, k.placedForRet, "MUG-BLUE", 1)
	k.cancelBody = cancelBody(k.cancel, k.placedForC)
	return k
}

func (k fourKinds) setupOrders(e *env) {
	e.t.Helper()
	e.send(message.FlowOrders, orderBody(k.placedForRet, 1, line{"MUG-BLUE", 2}))
	e.send(message.FlowOrders, orderBody(k.placedForC, 1, line{"NOTEBOOK-A5", 1}))
	e.idle()
	e.expectApplied(message.FlowOrders, k.placedForRet, 1)
	e.expectApplied(message.FlowOrders, k.placedForC, 1)
}

func (k fourKinds) sendAll(e *env) {
	e.send(message.FlowInventory, k.skuBody)
	e.send(message.FlowOrders, k.orderBody)
	e.send(message.FlowRefunds, k.retBody)
	e.send(message.FlowRefunds, k.cancelBody)
}

type sent struct {
	flow      message.Flow
	key, body string
}

func (k fourKinds) each() []sent {
	return []sent{
		{message.FlowInventory, k.sku, k.skuBody},
		{message.FlowOrders, k.order, k.orderBody},
		{message.FlowRefunds, k.ret, k.retBody},
		{message.FlowRefunds, k.cancel, k.cancelBody},
	}
}

// expectAllApplied checks the four messages applied and Logiwa holds them.
func (k fourKinds) expectAllApplied(e *env) {
	e.t.Helper()
	for _, s := range k.each() {
		e.expectApplied(s.flow, s.key, 1)
	}
	snap := e.sim.Snapshot()
	product, order, ret, cancelled := false, false, false, false
	for _, p := range snap.Products {
		product = product || (p.SKU == k.sku && p.Name == "Product "+k.prefix)
	}
	for _, o := range snap.ShipmentOrders {
		order = order || o.Code == k.order
		cancelled = cancelled || (o.Code == k.placedForC && strings.Contains(strings.ToLower(o.StatusName), "cancel"))
	}
	for _, r := range snap.ReturnOrders {
		ret = ret || (r.RMANumber == k.ret && r.ShipmentOrderCode == k.placedForRet)
	}
	if !product || !order || !ret || !cancelled {
		e.t.Errorf("Logiwa holds product %v, order %v, return %v, cancellation %v; want all", product, order, ret, cancelled)
	}
}
