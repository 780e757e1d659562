package localrun

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/records"
	"github.com/logiwaflow/logiwaflow/pkg/sfnlocal"
)

// fastConfig runs in memory with a Logiwa limit high enough that tests are
// not paced to 2 requests a second.
func fastConfig(t *testing.T) Config {
	t.Helper()
	return Config{
		RateLimit: 50, GateConcurrency: 2,
		Simulator: logiwasim.Options{Seed: 3, Rate: 100},
		Logger:    testLogger(t),
	}
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func start(t *testing.T, cfg Config) *Runtime {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return r
}

func idle(t *testing.T, r *Runtime, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	if err := r.Idle(ctx); err != nil {
		t.Fatalf("not idle within %s: %v", within, err)
	}
}

func send(t *testing.T, r *Runtime, f message.Flow, body string) {
	t.Helper()
	if _, err := r.Send(context.Background(), f, []byte(body)); err != nil {
		t.Fatal(err)
	}
}

// executions returns the executions of a definition.
func executions(r *Runtime, machine string) []sfnlocal.ExecutionInfo {
	return r.SFN().Executions(r.Target().StateMachines[machine])
}

func onlyExecution(t *testing.T, r *Runtime, machine string) sfnlocal.ExecutionInfo {
	t.Helper()
	ex := executions(r, machine)
	if len(ex) != 1 {
		t.Fatalf("%s executions: %d, want 1: %+v", machine, len(ex), ex)
	}
	return ex[0]
}

func record(t *testing.T, r *Runtime, pk string) records.Applied {
	t.Helper()
	st := &records.Store{DB: dynamodb.NewFromConfig(r.AWSConfig()), RecordTable: RecordsTable, JobTable: JobsTable}
	a, ok, err := st.Get(context.Background(), pk)
	if err != nil || !ok {
		t.Fatalf("record %s: found %v, err %v", pk, ok, err)
	}
	return a
}

const (
	inventoryMsg = `{"schema":"inventory.v1","messageId":"m-inv-1","sku":"LR-MUG","version":2,"occurredAt":"2026-11-24T09:00:00Z","product":{"name":"Local Mug"}}`
	orderMsg     = `{"schema":"order.v1","messageId":"m-ord-1","orderNumber":"LR-1001","version":1,"occurredAt":"2026-11-24T09:15:00Z","orderDate":"2026-11-24",` +
		`"customer":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"},` +
		`"shipTo":{"addressLine1":"12 Analytical St","city":"London","postalCode":"N1 9GU","country":"GB"},` +
		`"shippingMethod":"Standard","currency":"USD","lines":[{"sku":"MUG-BLUE","quantity":2}]}`
	refundMsg = `{"schema":"refund.v1","messageId":"m-ref-1","rma":"LR-RMA-1","orderNumber":"LR-1001","version":1,"occurredAt":"2026-11-28T16:20:00Z",` +
		`"kind":"return","reason":"Damaged","lines":[{"sku":"MUG-BLUE","quantity":1}]}`
)

// TestMessagesApplied sends an inventory update, an order and its return:
// each ends SUCCEEDED, recorded in DynamoDB and present in the simulator.
func TestMessagesApplied(t *testing.T) {
	r := start(t, fastConfig(t))
	send(t, r, message.FlowInventory, inventoryMsg)
	send(t, r, message.FlowOrders, orderMsg)
	idle(t, r, 20*time.Second)
	send(t, r, message.FlowRefunds, refundMsg)
	idle(t, r, 20*time.Second)

	for _, c := range []struct{ machine, pk string }{
		{"inventory", "product#LR-MUG"}, {"orders", "order#LR-1001"}, {"refunds", "refund#LR-RMA-1"},
	} {
		ex := onlyExecution(t, r, c.machine)
		if ex.Status != asl.StatusSucceeded {
			t.Fatalf("%s: %s %s %s", c.machine, ex.Status, ex.Error, ex.Cause)
		}
		if !strings.HasPrefix(ex.Name, c.machine+"-") {
			t.Errorf("%s execution name %q", c.machine, ex.Name)
		}
		rec := record(t, r, c.pk)
		if rec.Version < 1 || rec.LogiwaID == "" || rec.Execution != ex.Name {
			t.Errorf("%s record %+v", c.pk, rec)
		}
	}
	snap := r.Simulator().Snapshot()
	has := func(what string, ok bool) {
		if !ok {
			t.Errorf("simulator has no %s", what)
		}
	}
	var product, order, ret bool
	for _, p := range snap.Products {
		product = product || p.SKU == "LR-MUG"
	}
	for _, o := range snap.ShipmentOrders {
		order = order || o.Code == "LR-1001"
	}
	for _, rt := range snap.ReturnOrders {
		ret = ret || rt.RMANumber == "LR-RMA-1"
	}
	has("product LR-MUG", product)
	has("order LR-1001", order)
	has("return LR-RMA-1", ret)
	gst := r.GateMeter().Stats()
	if gst.Requests == 0 {
		t.Errorf("gate meter counted no Logiwa requests: %+v", gst)
	}
	// Every one of them reached the embedded simulator in-process.
	if sst := r.Simulator().Stats(); sst.InProcess != gst.Requests || sst.Total != sst.InProcess {
		t.Errorf("simulator: %d requests, %d in-process; the gate sent %d", sst.Total, sst.InProcess, gst.Requests)
	}
}

// TestDuplicateDeliveryStartsNothing sends the same message twice: one
// execution, one record.
func TestDuplicateDeliveryStartsNothing(t *testing.T) {
	r := start(t, fastConfig(t))
	send(t, r, message.FlowInventory, inventoryMsg)
	idle(t, r, 20*time.Second)
	send(t, r, message.FlowInventory, inventoryMsg)
	idle(t, r, 20*time.Second)
	ex := onlyExecution(t, r, "inventory")
	if ex.Status != asl.StatusSucceeded {
		t.Fatalf("%s %s", ex.Status, ex.Cause)
	}
}

// TestBadMessageParkedInvalid: a message missing its version ends
// Parked.invalid with the parked object in S3 naming the field.
func TestBadMessageParkedInvalid(t *testing.T) {
	r := start(t, fastConfig(t))
	send(t, r, message.FlowInventory, `{"schema":"inventory.v1","messageId":"m-bad","sku":"LR-BAD","occurredAt":"2026-11-24T09:00:00Z","product":{"name":"x"}}`)
	idle(t, r, 20*time.Second)
	ex := onlyExecution(t, r, "inventory")
	if ex.Status != asl.StatusFailed || ex.Error != "Parked.invalid" {
		t.Fatalf("%s %s %s", ex.Status, ex.Error, ex.Cause)
	}
	s3c := s3.NewFromConfig(r.AWSConfig())
	out, err := s3c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(ParkedBucket), Prefix: aws.String("parked/invalid/inventory/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 1 || !strings.HasSuffix(aws.ToString(out.Contents[0].Key), ex.Name+".json") {
		t.Fatalf("parked objects %+v", out.Contents)
	}
	obj, err := s3c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(ParkedBucket), Key: out.Contents[0].Key})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(obj.Body)
	_ = obj.Body.Close()
	if !strings.Contains(string(b), "version") || !strings.Contains(string(b), "LR-BAD") {
		t.Fatalf("parked object does not name the field or keep the message: %s", b)
	}
}

func TestTargetListsEverything(t *testing.T) {
	r := start(t, fastConfig(t))
	tg := r.Target()
	if err := tg.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(tg.StateMachines) != 6 || tg.StateMachines["orders"] != sfnlocal.StateMachineARN("orders") {
		t.Errorf("state machines %v", tg.StateMachines)
	}
	for _, k := range QueueKeys {
		if tg.Queues[k] == "" || tg.Queues[k+"-dlq"] == "" {
			t.Errorf("queue %s missing: %v", k, tg.Queues)
		}
	}
	if _, err := r.Send(context.Background(), message.Flow("gate"), []byte("{}")); err == nil {
		t.Error("Send accepted a queue that is not a flow")
	}
	if tg.ConsoleURL != r.URL() || tg.Endpoints["SFN"] != r.URL() || tg.LogiwaURL == "" {
		t.Errorf("target %+v", tg)
	}
}
