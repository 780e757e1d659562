package gate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/logiwaflow/logiwaflow/pkg/logiwa"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
)

type answers struct {
	mu        sync.Mutex
	successes map[string]Response
	failures  map[string][2]string
}

func (a *answers) SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, _ ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	var r Response
	if err := json.Unmarshal([]byte(*in.Output), &r); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.successes[*in.TaskToken] = r
	return &sfn.SendTaskSuccessOutput{}, nil
}

func (a *answers) SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, _ ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failures[*in.TaskToken] = [2]string{*in.Error, *in.Cause}
	return &sfn.SendTaskFailureOutput{}, nil
}

// setup serves the simulator at limit req/s and returns a worker pacing its
// requests at pace req/s (0: not paced).
func setup(t *testing.T, limit, pace float64) (*Worker, *answers, *logiwasim.Server) {
	t.Helper()
	sim := logiwasim.New(logiwasim.Options{Seed: 7, Rate: limit})
	hs := httptest.NewServer(sim.Handler())
	t.Cleanup(hs.Close)
	cfg := logiwa.Config{BaseURL: hs.URL, Email: logiwasim.DefaultEmail, Password: logiwasim.DefaultPassword}
	if pace > 0 {
		p, err := NewPacer(pace, 1, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Pacer = p
	}
	client, err := logiwa.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	snap := sim.Snapshot()
	acct := Account{OrderType: "Sales Order"}
	if len(snap.Clients) > 0 {
		acct.ClientIdentifier = snap.Clients[0].Identifier
	}
	if len(snap.Warehouses) > 0 {
		acct.WarehouseIdentifier = snap.Warehouses[0].Identifier
	}
	a := &answers{successes: map[string]Response{}, failures: map[string][2]string{}}
	return &Worker{SFN: a, Operations: Operations(client, acct)}, a, sim
}

func upsert(token, sku string) events.SQSMessage {
	payload := fmt.Sprintf(`{"schema":"inventory.v1","messageId":"m-%s","sku":%q,"version":1,"occurredAt":"2026-11-25T10:00:00Z","product":{"name":"Mug %s"}}`, sku, sku, sku)
	body, _ := json.Marshal(Request{TaskToken: token, Execution: "inventory-" + sku, Operation: "upsertProduct", Payload: json.RawMessage(payload)})
	return events.SQSMessage{MessageId: token, Body: string(body)}
}

// TestBurstIsPacedUnderTheLimit sends a burst of concurrent batches through
// the gate: Logiwa never sees more than its limit in a second and answers no
// 429, and every waiting execution gets its answer with a measured latency.
func TestBurstIsPacedUnderTheLimit(t *testing.T) {
	const limit = 20
	w, a, sim := setup(t, limit, limit)
	var wg sync.WaitGroup
	for b := range 4 { // four concurrent workers, as the event source mapping would run
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ev events.SQSEvent
			for i := range 5 {
				ev.Records = append(ev.Records, upsert(fmt.Sprintf("tok-%d-%d", b, i), fmt.Sprintf("SKU-%d-%d", b, i)))
			}
			resp, err := w.Handle(context.Background(), ev)
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Errorf("batch %d: %v %+v", b, err, resp)
			}
		}()
	}
	wg.Wait()
	if len(a.successes) != 20 || len(a.failures) != 0 {
		t.Fatalf("successes %d, failures %v", len(a.successes), a.failures)
	}
	for tok, r := range a.successes {
		res, _ := json.Marshal(r.Result)
		if r.Operation != "upsertProduct" || r.LatencyMs < 0 || string(res) == "null" {
			t.Fatalf("%s: %+v", tok, r)
		}
	}
	st := sim.Stats()
	for acct, n := range st.RateLimited {
		if n > 0 {
			t.Fatalf("Logiwa answered %d requests of %s with 429", n, acct)
		}
	}
	if got := st.MaxPerSecond(); got > limit {
		t.Fatalf("Logiwa saw %d requests in one second; the limit is %d", got, limit)
	}
}

func TestFailuresAreTyped(t *testing.T) {
	w, a, sim := setup(t, -1, 0)
	now := sim.Now()
	if err := sim.SetFaults(logiwasim.Faults{Outages: []logiwasim.Outage{{Start: now.Add(-time.Minute), End: now.Add(time.Hour)}}}); err != nil {
		t.Fatal(err)
	}
	bad := events.SQSMessage{MessageId: "bad", Body: `{"taskToken":"tok-bad","operation":"upsertProduct","payload":"not an object"}`}
	unknown := events.SQSMessage{MessageId: "unk", Body: `{"taskToken":"tok-unk","operation":"dropTables","payload":{}}`}
	noToken := events.SQSMessage{MessageId: "nt", Body: `{"operation":"upsertProduct"}`}
	resp, err := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{upsert("tok-out", "SKU-1"), bad, unknown, noToken}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("handle: %v %+v", err, resp)
	}
	want := map[string]string{"tok-out": "Logiwa.Unavailable", "tok-bad": NameBadRequest, "tok-unk": NameBadRequest}
	for tok, name := range want {
		if got := a.failures[tok]; got[0] != name || got[1] == "" {
			t.Errorf("%s: got %q, want %s", tok, got, name)
		}
	}
	if len(a.successes) != 0 {
		t.Fatalf("unexpected successes %v", a.successes)
	}
}

func request(token, operation, payload string) events.SQSMessage {
	body, _ := json.Marshal(Request{TaskToken: token, Execution: "refunds-" + token, Operation: operation, Payload: json.RawMessage(payload)})
	return events.SQSMessage{MessageId: token, Body: string(body)}
}

// TestOrderNotFoundIsTyped: a refund naming a shipment order Logiwa does not
// hold (yet) fails as Logiwa.OrderNotFound, which the refunds workflow
// retries and parks apart from Logiwa.Rejected; every other refusal stays
// Rejected; once the order exists the same refunds apply.
func TestOrderNotFoundIsTyped(t *testing.T) {
	w, a, _ := setup(t, -1, 0)
	const (
		order    = `{"schema":"order.v1","orderNumber":"SO-LATE","version":1,"orderDate":"2026-11-24","customer":{"firstName":"A","lastName":"B","email":"a@example.com"},"shipTo":{"addressLine1":"1 St","city":"X","postalCode":"1","country":"GB"},"lines":[{"sku":"MUG-BLUE","quantity":2}]}`
		cancel   = `{"schema":"refund.v1","rma":"RMA-C","orderNumber":"SO-LATE","version":1,"kind":"cancel","reason":"Customer request"}`
		ret      = `{"schema":"refund.v1","rma":"RMA-R","orderNumber":"SO-LATE","version":1,"kind":"return","reason":"Damaged","lines":[{"sku":"MUG-BLUE","quantity":1}]}`
		ghostSKU = `{"schema":"refund.v1","rma":"RMA-G","orderNumber":"SO-LATE","version":1,"kind":"return","lines":[{"sku":"NO-SUCH-SKU","quantity":1}]}`
	)
	handle := func(recs ...events.SQSMessage) {
		t.Helper()
		resp, err := w.Handle(context.Background(), events.SQSEvent{Records: recs})
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("handle: %v %+v", err, resp)
		}
	}
	handle(request("cancel-early", "cancelShipmentOrder", cancel), request("return-early", "createReturnOrder", ret),
		request("ghost-early", "createReturnOrder", ghostSKU))
	for tok, want := range map[string]string{"cancel-early": logiwa.NameOrderNotFound, "return-early": logiwa.NameOrderNotFound, "ghost-early": logiwa.NameRejected} {
		if got := a.failures[tok]; got[0] != want || (want == logiwa.NameOrderNotFound && !strings.Contains(got[1], "SO-LATE")) {
			t.Errorf("%s: failed with %q, want %s naming the order", tok, got, want)
		}
	}

	handle(request("order", "createShipmentOrder", order))
	handle(request("return-late", "createReturnOrder", ret), request("cancel-late", "cancelShipmentOrder", cancel),
		request("ghost-late", "createReturnOrder", ghostSKU))
	for tok, want := range map[string]string{"return-late": "created", "cancel-late": "cancelled"} {
		res, _ := json.Marshal(a.successes[tok].Result)
		if !strings.Contains(string(res), `"outcome":"`+want+`"`) {
			t.Errorf("%s once the order exists: %s (failure %q), want %s", tok, res, a.failures[tok], want)
		}
	}
	// With the order there, a line Logiwa cannot take is still Rejected.
	if got := a.failures["ghost-late"]; got[0] != logiwa.NameRejected {
		t.Errorf("unknown SKU with the order present: %q, want %s", got, logiwa.NameRejected)
	}
}
