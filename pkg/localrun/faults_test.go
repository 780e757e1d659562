package localrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/schedule"
	"github.com/logiwaflow/logiwaflow/pkg/sfnlocal"
)

// TestHandlerFailureGoesToDLQ: a trigger that keeps failing leaves the
// message to SQS, which moves it to the DLQ after maxReceiveCount receives.
// The clock runs 600x so five 60 s visibility timeouts pass in a second.
func TestHandlerFailureGoesToDLQ(t *testing.T) {
	var calls atomic.Int32
	cfg := fastConfig(t)
	cfg.Clock = clock.NewScaled(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), 600)
	cfg.wrapHandler = func(queue string, h batchHandler) batchHandler {
		if queue != "orders" {
			return h
		}
		return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			calls.Add(1)
			return events.SQSEventResponse{}, errors.New("injected failure")
		}
	}
	r := start(t, cfg)
	send(t, r, message.FlowOrders, orderMsg)
	idle(t, r, 20*time.Second)
	if n := calls.Load(); n != MaxReceiveCount {
		t.Errorf("handler called %d times, want %d", n, MaxReceiveCount)
	}
	ctx := context.Background()
	for key, want := range map[string]int{"orders": 0, "orders-dlq": 1, "inventory-dlq": 0} {
		n, err := r.QueueDepth(ctx, key)
		if err != nil || n != want {
			t.Errorf("%s holds %d (err %v), want %d", key, n, err, want)
		}
	}
	if ex := executions(r, "orders"); len(ex) != 0 {
		t.Errorf("executions started: %+v", ex)
	}
}

// TestSchedulesFire: on a clock 600x faster, the 10- and 15-minute syncs
// fire within seconds, named after the fire time, and succeed.
func TestSchedulesFire(t *testing.T) {
	cfg := fastConfig(t)
	cfg.Clock = clock.NewScaled(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), 600)
	cfg.Schedules = true
	cfg.ScheduleExpressions = map[string]string{"redrive": "cron(0 6 1 1 ? *)"} // not today
	r := start(t, cfg)
	names := map[string]*regexp.Regexp{
		"inventory-sync": regexp.MustCompile(`^inventory_sync-20261125T08\d{4}Z$`),
		"orders-sync":    regexp.MustCompile(`^orders_sync-20261125T08\d{4}Z$`),
	}
	deadline := time.Now().Add(15 * time.Second)
	for machine, re := range names {
		for {
			var done *asl.Status
			for _, ex := range executions(r, machine) {
				if !re.MatchString(ex.Name) {
					t.Fatalf("%s execution named %q", machine, ex.Name)
				}
				if ex.Status != asl.StatusRunning {
					s := ex.Status
					done = &s
					if s != asl.StatusSucceeded {
						t.Fatalf("%s %s: %s %s %s", machine, ex.Name, s, ex.Error, ex.Cause)
					}
				}
			}
			if done != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never fired and finished: %+v", machine, executions(r, machine))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if ex := executions(r, "redrive"); len(ex) != 0 {
		t.Errorf("the overridden redrive schedule fired: %+v", ex)
	}
	cfg.ScheduleExpressions = map[string]string{"nightly": "rate(1 day)"}
	if _, err := Start(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "nightly") {
		t.Errorf("unknown schedule override: err = %v", err)
	}
}

// TestRestartResumesExecutions: an execution still running when the
// runtime stops is started again under its name on the next start and
// finishes; the trigger had already deleted its message, so only the
// journal can bring it back. A third start resumes nothing and still finds
// the record (DynamoDB persisted).
func TestRestartResumesExecutions(t *testing.T) {
	dir := t.TempDir()
	block := func(queue string, h batchHandler) batchHandler {
		if queue != "gate" {
			return h
		}
		// Logiwa never answers during the first run.
		return func(ctx context.Context, _ events.SQSEvent) (events.SQSEventResponse, error) {
			<-ctx.Done()
			return events.SQSEventResponse{}, ctx.Err()
		}
	}
	cfg := fastConfig(t)
	cfg.Dir = dir
	cfg.wrapHandler = block
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r1, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	send(t, r1, message.FlowInventory, inventoryMsg)
	for len(executions(r1, "inventory")) == 0 {
		if ctx.Err() != nil {
			t.Fatal("no execution started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	name := executions(r1, "inventory")[0].Name
	for {
		n, _ := r1.QueueDepth(ctx, "inventory")
		if n == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := r1.Close(); err != nil {
		t.Fatal(err)
	}
	journal, err := os.ReadFile(filepath.Join(dir, "executions.journal"))
	if err != nil || !strings.Contains(string(journal), name) {
		t.Fatalf("journal %q, err %v", journal, err)
	}

	cfg.wrapHandler = nil
	r2 := start(t, cfg)
	idle(t, r2, 20*time.Second)
	ex := onlyExecution(t, r2, "inventory")
	if ex.Name != name || ex.Status != asl.StatusSucceeded {
		t.Fatalf("after restart: %s %s %s %s", ex.Name, ex.Status, ex.Error, ex.Cause)
	}
	record(t, r2, "product#LR-MUG")
	if err := r2.Close(); err != nil {
		t.Fatal(err)
	}

	r3 := start(t, cfg)
	if ex := executions(r3, "inventory"); len(ex) != 0 {
		t.Fatalf("a finished execution was resumed: %+v", ex)
	}
	if rec := record(t, r3, "product#LR-MUG"); rec.Execution != name {
		t.Fatalf("record %+v", rec)
	}
	// The simulated warehouse survived too: the product our record points
	// at is still in Logiwa.
	found := false
	for _, p := range r3.Simulator().Snapshot().Products {
		found = found || (p.SKU == "LR-MUG" && p.Identifier == record(t, r3, "product#LR-MUG").LogiwaID)
	}
	if !found {
		t.Fatal("after a restart the simulator no longer holds the product the record points at")
	}
}

// TestOutageParkedThenRedriven: during a Logiwa outage an inventory update
// runs out of retries and parks as outage; once Logiwa is back, the redrive
// workflow re-publishes it and the replay (-r1) applies it. The clock runs
// 300x and starts in the past, so S3 must stamp objects with the runtime's
// clock for the redrive's "parked before I started" filter to hold.
func TestOutageParkedThenRedriven(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	cfg := fastConfig(t)
	cfg.Clock = clock.NewScaled(t0, 300)
	// At 300x a real 7 ms call measures 2 s: keep the latency check out of it.
	cfg.Values = map[string]string{"latency_threshold_ms": "600000"}
	cfg.Simulator.Faults = logiwasim.Faults{Outages: []logiwasim.Outage{{Start: t0, End: t0.Add(10 * time.Minute)}}}
	r := start(t, cfg)
	send(t, r, message.FlowInventory, inventoryMsg)
	idle(t, r, 20*time.Second)
	first := onlyExecution(t, r, "inventory")
	if first.Status != asl.StatusFailed || first.Error != "Parked.outage" || !strings.Contains(first.Cause, "Logiwa.Unavailable") {
		t.Fatalf("during the outage: %s %s %s", first.Status, first.Error, first.Cause)
	}
	for r.Clock().Now().Before(t0.Add(10 * time.Minute)) {
		time.Sleep(20 * time.Millisecond)
	}
	ctx := context.Background()
	if _, err := r.sfnc.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(r.Target().StateMachines["redrive"]), Name: aws.String("redrive-by-hand"),
		Input: aws.String(`{"reason":"outage"}`),
	}); err != nil {
		t.Fatal(err)
	}
	idle(t, r, 20*time.Second)
	red := onlyExecution(t, r, "redrive")
	out, _ := json.Marshal(red.Output)
	if red.Status != asl.StatusSucceeded || !strings.Contains(string(out), `"redriven":1`) {
		t.Fatalf("redrive: %s %s %s", red.Status, red.Cause, out)
	}
	var replay *sfnlocal.ExecutionInfo
	for _, ex := range executions(r, "inventory") {
		if ex.Name == first.Name+"-r1" {
			replay = &ex
		}
	}
	if replay == nil || replay.Status != asl.StatusSucceeded {
		t.Fatalf("replay: %+v", executions(r, "inventory"))
	}
	if rec := record(t, r, "product#LR-MUG"); rec.Execution != replay.Name || rec.Version != 2 {
		t.Fatalf("record %+v", rec)
	}
}

// TestMaxRunningHoldsOffTriggers: with the gate stuck, no more than
// MaxRunning executions (plus what pollers already held) start; the rest
// waits in SQS, and all of it runs once the gate moves.
func TestMaxRunningHoldsOffTriggers(t *testing.T) {
	release := make(chan struct{})
	cfg := fastConfig(t)
	cfg.MaxRunning = 20
	cfg.TriggerConcurrency = 1
	cfg.RateLimit, cfg.Simulator.Rate = 400, -1
	cfg.wrapHandler = func(queue string, h batchHandler) batchHandler {
		if queue != "gate" {
			return h
		}
		return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			select {
			case <-release:
				return h(ctx, ev)
			case <-ctx.Done():
				return events.SQSEventResponse{}, ctx.Err()
			}
		}
	}
	r := start(t, cfg)
	const n = 60
	for i := range n {
		send(t, r, message.FlowInventory, fmt.Sprintf(`{"schema":"inventory.v1","messageId":"m-%d","sku":"MR-%d","version":1,"occurredAt":"2026-11-24T09:00:00Z","product":{"name":"x"}}`, i, i))
	}
	deadline := time.Now().Add(5 * time.Second)
	for r.SFN().Running() < cfg.MaxRunning && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // time enough to overshoot, if it would
	// One poller may have been holding a batch of up to 10 when the limit hit.
	if got := r.SFN().Running(); got < cfg.MaxRunning || got > cfg.MaxRunning+10 {
		t.Fatalf("running %d, want %d to %d", got, cfg.MaxRunning, cfg.MaxRunning+10)
	}
	if q, err := r.QueueDepth(context.Background(), "inventory"); err != nil || q < n-cfg.MaxRunning-10 {
		t.Fatalf("inventory queue holds %d (err %v)", q, err)
	}
	close(release)
	idle(t, r, 30*time.Second)
	if got := len(executions(r, "inventory")); got != n {
		t.Fatalf("%d executions, want %d", got, n)
	}
}

// lateOrderConfig runs factor times faster than the wall clock (at 600x the
// refunds' wait for a missing order, at most 22 minutes, passes in about
// 2 s) with a warehouse that takes a day to pick, so an order stays
// cancellable, and the latency check out of the way.
func lateOrderConfig(t *testing.T, factor float64) Config {
	cfg := fastConfig(t)
	cfg.Clock = clock.NewScaled(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), factor)
	cfg.Values = map[string]string{"latency_threshold_ms": "600000"}
	cfg.Simulator.Timeline = logiwasim.Timeline{Pick: 24 * time.Hour}
	return cfg
}

func lateOrder(number string) string {
	return strings.NewReplacer(`"LR-1001"`, `"`+number+`"`, `"m-ord-1"`, `"m-`+number+`"`).Replace(orderMsg)
}

func lateCancel(rma, order string) string {
	return fmt.Sprintf(`{"schema":"refund.v1","messageId":"m-%s","rma":%q,"orderNumber":%q,"version":1,"occurredAt":"2026-11-24T10:05:00Z","kind":"cancel","reason":"Customer changed their mind"}`, rma, rma, order)
}

func lateReturn(rma, order string) string {
	return fmt.Sprintf(`{"schema":"refund.v1","messageId":"m-%s","rma":%q,"orderNumber":%q,"version":1,"occurredAt":"2026-11-28T16:20:00Z","kind":"return","reason":"Damaged","lines":[{"sku":"MUG-BLUE","quantity":1}]}`, rma, rma, order)
}

// callFailures counts CallLogiwa's failed attempts by error name.
func callFailures(h []asl.HistoryEvent) map[string]int {
	out := map[string]int{}
	for _, ev := range h {
		if ev.Type == "TaskFailed" && ev.Details != nil {
			out[ev.Details.Error]++
		}
	}
	return out
}

// refundExecution returns the refunds execution for an RMA (by its name).
func refundExecution(r *Runtime, rma, suffix string) (sfnlocal.ExecutionInfo, bool) {
	re := regexp.MustCompile(`^refunds-` + regexp.QuoteMeta(rma) + `-[0-9a-f]+` + regexp.QuoteMeta(suffix) + `$`)
	for _, ex := range executions(r, "refunds") {
		if re.MatchString(ex.Name) {
			return ex, true
		}
	}
	return sfnlocal.ExecutionInfo{}, false
}

// TestRefundBeforeItsOrder: a cancellation and a return arrive before their
// orders. Logiwa does not hold the orders yet, so CallLogiwa fails with
// Logiwa.OrderNotFound and waits; the orders follow, and both refunds end
// applied: the order cancelled and the return order created in Logiwa.
func TestRefundBeforeItsOrder(t *testing.T) {
	// 120x: the orders land within a few virtual minutes of being sent even
	// on a loaded machine, well inside the refunds' wait (11 minutes on
	// average), so the test does not race the last retry.
	r := start(t, lateOrderConfig(t, 120))
	send(t, r, message.FlowRefunds, lateCancel("LR-RMA-C", "LR-LATE-C"))
	send(t, r, message.FlowRefunds, lateReturn("LR-RMA-R", "LR-LATE-R"))
	// The orders follow once each refund has found its order missing.
	deadline := time.Now().Add(10 * time.Second)
	for _, rma := range []string{"LR-RMA-C", "LR-RMA-R"} {
		for {
			ex, ok := refundExecution(r, rma, "")
			if ok && callFailures(ex.History())["Logiwa.OrderNotFound"] > 0 {
				if ex.Status != asl.StatusRunning {
					t.Fatalf("%s: %s %s %s, want it still waiting for its order", rma, ex.Status, ex.Error, ex.Cause)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never failed with Logiwa.OrderNotFound: %+v", rma, ex)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	send(t, r, message.FlowOrders, lateOrder("LR-LATE-C"))
	send(t, r, message.FlowOrders, lateOrder("LR-LATE-R"))
	idle(t, r, 30*time.Second)

	for _, rma := range []string{"LR-RMA-C", "LR-RMA-R"} {
		ex, _ := refundExecution(r, rma, "")
		fails := callFailures(ex.History())
		if ex.Status != asl.StatusSucceeded || fails["Logiwa.OrderNotFound"] == 0 || len(fails) != 1 {
			t.Errorf("%s: %s %s %s, failed calls %v; want applied after waiting for its order", rma, ex.Status, ex.Error, ex.Cause, fails)
		}
		if rec := record(t, r, "refund#"+rma); rec.Execution != ex.Name {
			t.Errorf("record of %s: %+v", rma, rec)
		}
	}
	sim := r.Simulator()
	if o, ok := sim.ShipmentOrderByCode("LR-LATE-C"); !ok || o.Status != logiwasim.StatusCancelled {
		t.Errorf("order LR-LATE-C in Logiwa: found %v, status %q; want cancelled", ok, o.StatusName)
	}
	if o, ok := sim.ShipmentOrderByCode("LR-LATE-R"); !ok || o.Status == logiwasim.StatusCancelled {
		t.Errorf("order LR-LATE-R in Logiwa: found %v, status %q; want it open", ok, o.StatusName)
	}
	returned := false
	for _, ro := range sim.Snapshot().ReturnOrders {
		returned = returned || (ro.RMANumber == "LR-RMA-R" && ro.ShipmentOrderCode == "LR-LATE-R")
	}
	if !returned {
		t.Error("Logiwa holds no return order LR-RMA-R against LR-LATE-R")
	}
}

// TestRefundWhoseOrderNeverComes: a cancellation whose order does not come
// within the refunds' wait parks as order_not_found (not rejected). The
// order arrives later; the redrive with the daily schedule's input replays
// the cancellation, and the replay (-r1) cancels the order.
func TestRefundWhoseOrderNeverComes(t *testing.T) {
	r := start(t, lateOrderConfig(t, 600))
	send(t, r, message.FlowRefunds, lateCancel("LR-RMA-N", "LR-NEVER"))
	idle(t, r, 30*time.Second)
	first := onlyExecution(t, r, "refunds")
	fails := callFailures(first.History())
	// Six retries: seven calls, every one answered OrderNotFound.
	if first.Status != asl.StatusFailed || first.Error != "Parked.order_not_found" || fails["Logiwa.OrderNotFound"] != 7 || len(fails) != 1 {
		t.Fatalf("refund: %s %s %s, failed calls %v; want Parked.order_not_found after 7 calls", first.Status, first.Error, first.Cause, fails)
	}
	if !strings.Contains(first.Cause, `no shipment order "LR-NEVER"`) {
		t.Errorf("cause %q does not name the order", first.Cause)
	}
	s3c := s3.NewFromConfig(r.AWSConfig())
	ctx := context.Background()
	out, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(ParkedBucket), Prefix: aws.String("parked/")})
	if err != nil || len(out.Contents) != 1 || !strings.HasPrefix(aws.ToString(out.Contents[0].Key), "parked/order_not_found/refunds/") {
		t.Fatalf("parked objects %v (err %v), want one under parked/order_not_found/refunds/", out.Contents, err)
	}

	send(t, r, message.FlowOrders, lateOrder("LR-NEVER"))
	idle(t, r, 20*time.Second)
	if o, ok := r.Simulator().ShipmentOrderByCode("LR-NEVER"); !ok || o.Status == logiwasim.StatusCancelled {
		t.Fatalf("order LR-NEVER: found %v, status %q", ok, o.StatusName)
	}
	var daily string
	for _, s := range schedule.Defaults {
		if s.Name == "redrive" {
			daily = s.Input
		}
	}
	if _, err := r.sfnc.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(r.Target().StateMachines["redrive"]), Name: aws.String("redrive-daily"), Input: aws.String(daily),
	}); err != nil {
		t.Fatal(err)
	}
	idle(t, r, 20*time.Second)
	red := onlyExecution(t, r, "redrive")
	if o, _ := json.Marshal(red.Output); red.Status != asl.StatusSucceeded || !strings.Contains(string(o), `"redriven":1`) {
		t.Fatalf("redrive %s: %s %s %s", daily, red.Status, red.Cause, o)
	}
	replay, ok := refundExecution(r, "LR-RMA-N", "-r1")
	if !ok || replay.Status != asl.StatusSucceeded || len(callFailures(replay.History())) != 0 {
		t.Fatalf("replay: %+v (found %v)", replay, ok)
	}
	if o, ok := r.Simulator().ShipmentOrderByCode("LR-NEVER"); !ok || o.Status != logiwasim.StatusCancelled {
		t.Errorf("order LR-NEVER after the redrive: found %v, status %q; want cancelled", ok, o.StatusName)
	}
	if rec := record(t, r, "refund#LR-RMA-N"); rec.Execution != replay.Name {
		t.Errorf("record %+v, want written by %s", rec, replay.Name)
	}
}
