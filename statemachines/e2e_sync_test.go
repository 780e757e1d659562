package statemachines_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/localrun"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/parking"
)

// stockRecord is a stock level as the inventory sync wrote it.
type stockRecord struct {
	Available, Total int64
	Found            bool
}

func (e *env) stock(sku, warehouse string) stockRecord {
	e.t.Helper()
	out, err := dynamodb.NewFromConfig(e.r.AWSConfig()).GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(localrun.RecordsTable),
		Key:       map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "stock#" + sku + "#" + warehouse}},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if out.Item == nil {
		return stockRecord{}
	}
	num := func(k string) int64 {
		var n int64
		if v, ok := out.Item[k].(*ddbtypes.AttributeValueMemberN); ok {
			_, _ = fmt.Sscan(v.Value, &n)
		}
		return n
	}
	return stockRecord{Available: num("available"), Total: num("total"), Found: true}
}

// seedClientStock is the simulator's inventory of the client the flows work for.
func seedClientStock(snap logiwasim.State) []logiwasim.InventoryState {
	id := ""
	for _, c := range snap.Clients {
		if c.DisplayName == logiwasim.SeedClient {
			id = c.Identifier
		}
	}
	var out []logiwasim.InventoryState
	for _, inv := range snap.Inventory {
		if inv.ClientIdentifier == id {
			out = append(out, inv)
		}
	}
	return out
}

// TestE2EInventorySync: the lease keeps a second run out, a scheduled run
// records every level and moves the cursor, and a by-hand run for named SKUs
// records only those and leaves the cursor alone.
func TestE2EInventorySync(t *testing.T) {
	t.Parallel()
	e := startEnv(t, nil)
	ctx := context.Background()

	// Someone else holds the lease: the run ends at once, writing nothing.
	if _, err := e.store.AcquireLease(ctx, "inventory", "inventory-sync-elsewhere", time.Hour); err != nil {
		t.Fatal(err)
	}
	x := e.startExecution("inventory-sync", "inventory-sync-busy", `{}`)
	if x.Status != asl.StatusSucceeded || !slices.Equal(entered(x.History()), []string{"AcquireLease", "AlreadyRunning"}) {
		t.Fatalf("busy run: %s %s states %v", x.Status, x.Error, entered(x.History()))
	}
	if e.stock("MUG-BLUE", logiwasim.SeedWarehouse).Found {
		t.Fatal("a run without the lease wrote stock")
	}
	if err := e.store.ReleaseLease(ctx, "inventory", "inventory-sync-elsewhere", "", "succeeded"); err != nil {
		t.Fatal(err)
	}

	// By hand, two SKUs: one report query each, the cursor stays unset.
	x = e.startExecution("inventory-sync", "inventory-sync-by-hand", `{"since":"2026-11-01T00:00:00Z","skus":["NOTEBOOK-A5","TSHIRT-RED-M"]}`)
	if x.Status != asl.StatusSucceeded {
		t.Fatalf("by-hand run: %s %s %s", x.Status, x.Error, x.Cause)
	}
	if got := strings.Count(strings.Join(entered(x.History()), ","), "FetchPage"); got != 2 {
		t.Errorf("by-hand run fetched %d pages, want one per SKU", got)
	}
	if !e.stock("NOTEBOOK-A5", logiwasim.SeedWarehouse).Found || !e.stock("TSHIRT-RED-M", logiwasim.SeedWarehouse).Found {
		t.Error("by-hand run did not record the SKUs it named")
	}
	if e.stock("MUG-BLUE", logiwasim.SeedWarehouse).Found {
		t.Error("by-hand run recorded a SKU it did not name")
	}
	if job, err := e.store.Job(ctx, "inventory"); err != nil || job.Cursor != "" {
		t.Errorf("by-hand run moved the cursor: %+v %v", job, err)
	}

	// The stock moves (an order allocates), then a scheduled run records all of it.
	e.send(message.FlowOrders, orderBody("SYNC-SO", 1, line{"MUG-BLUE", 3}))
	e.idle()
	e.expectApplied(message.FlowOrders, "SYNC-SO", 1)
	x = e.startExecution("inventory-sync", "inventory-sync-scheduled", `{}`)
	if x.Status != asl.StatusSucceeded {
		t.Fatalf("scheduled run: %s %s %s", x.Status, x.Error, x.Cause)
	}
	levels := seedClientStock(e.sim.Snapshot())
	if len(levels) == 0 {
		t.Fatal("simulator reports no stock")
	}
	for _, inv := range levels {
		got := e.stock(inv.SKU, inv.WarehouseCode)
		if !got.Found || got.Available != inv.Available || got.Total != inv.OnHand {
			t.Errorf("stock %s@%s recorded %+v, Logiwa has available %d of %d", inv.SKU, inv.WarehouseCode, got, inv.Available, inv.OnHand)
		}
	}
	job, err := e.store.Job(ctx, "inventory")
	if err != nil || job.Cursor == "" || job.LeaseOwner != "" {
		t.Errorf("after the scheduled run the job is %+v (%v); want a cursor and no lease", job, err)
	}
	until, _ := field(x.Output, "window", "until").(string)
	if job.Cursor != until {
		t.Errorf("cursor %q, want the run's window end %q", job.Cursor, until)
	}
}

// TestE2EOrderSync: shipped orders come back with their status, tracking
// numbers and partial shipments; a sync that fails releases the lease and
// keeps the cursor, so the next run covers the window again.
func TestE2EOrderSync(t *testing.T) {
	t.Parallel()
	e := startEnv(t, func(c *localrun.Config) {
		c.Simulator.Timeline = logiwasim.Timeline{Pick: 10 * time.Second, Pack: 10 * time.Second, Ship: 10 * time.Second, Return: time.Hour}
		c.Simulator.PartialRate = 1 // every order of more than one unit ships short
	})
	ctx := context.Background()
	e.send(message.FlowOrders, orderBody("SYNC-PARTIAL", 1, line{"MUG-BLUE", 3}))
	e.send(message.FlowOrders, orderBody("SYNC-FULL", 1, line{"NOTEBOOK-A5", 1}))
	e.idle()
	shipped := func() bool {
		n := 0
		for _, o := range e.sim.Snapshot().ShipmentOrders {
			if strings.HasPrefix(o.Code, "SYNC-") && o.ShippedAt != nil {
				n++
			}
		}
		return n == 2
	}
	e.waitFor("both orders to ship", shipped)
	// Let the shipping second end: the sync window stops at whole seconds.
	time.Sleep(3 * time.Second / speedup) // 3 s of the shared clock

	// Logiwa is down for the first run: it fails, releases the lease, keeps the cursor.
	if err := e.sim.SetFaults(logiwasim.Faults{Errors: []logiwasim.RateRule{{Rate: 1, Status: 500}}}); err != nil {
		t.Fatal(err)
	}
	x := e.startExecution("orders-sync", "orders-sync-down", `{}`)
	if x.Status != asl.StatusFailed || x.Error != "Logiwa.Unavailable" || !slices.Contains(entered(x.History()), "ReleaseAfterFailure") {
		t.Fatalf("run during an outage: %s %s states %v", x.Status, x.Error, entered(x.History()))
	}
	if job, err := e.store.Job(ctx, "orders"); err != nil || job.LeaseOwner != "" || job.Cursor != "" || job.LastResult != "failed" {
		t.Fatalf("after a failed run the job is %+v (%v); want no lease, no cursor, result failed", job, err)
	}
	if err := e.sim.SetFaults(logiwasim.Faults{}); err != nil {
		t.Fatal(err)
	}

	// A run that finds the lease taken does nothing.
	if _, err := e.store.AcquireLease(ctx, "orders", "orders-sync-elsewhere", time.Hour); err != nil {
		t.Fatal(err)
	}
	x = e.startExecution("orders-sync", "orders-sync-busy", `{}`)
	if x.Status != asl.StatusSucceeded || !slices.Equal(entered(x.History()), []string{"AcquireLease", "AlreadyRunning"}) {
		t.Fatalf("busy run: %s %s states %v", x.Status, x.Error, entered(x.History()))
	}
	if rec, _ := e.record("order#SYNC-FULL"); rec.Status != "" {
		t.Fatalf("a run without the lease recorded a status: %+v", rec)
	}
	if err := e.store.ReleaseLease(ctx, "orders", "orders-sync-elsewhere", "", "failed"); err != nil {
		t.Fatal(err)
	}

	x = e.startExecution("orders-sync", "orders-sync-scheduled", `{}`)
	if x.Status != asl.StatusSucceeded {
		t.Fatalf("orders sync: %s %s %s", x.Status, x.Error, x.Cause)
	}
	var sawPartial, sawFull bool
	for _, o := range e.sim.Snapshot().ShipmentOrders {
		if !strings.HasPrefix(o.Code, "SYNC-") {
			continue
		}
		rec, ok := e.record("order#" + o.Code)
		var shippedQty, ordered int64
		for _, l := range o.Lines {
			shippedQty += l.Shipped
			ordered += l.Quantity
		}
		if !ok || rec.Status != o.StatusName || !slices.Equal(rec.Tracking, o.TrackingNumbers) || len(rec.Tracking) == 0 ||
			rec.Partial != o.IsPartial || rec.ShippedQty != shippedQty || rec.OrderedQty != ordered || len(rec.Shipments) == 0 {
			t.Errorf("order %s recorded %+v; Logiwa has %s, tracking %v, partial %v, %d of %d shipped", o.Code, rec, o.StatusName, o.TrackingNumbers, o.IsPartial, shippedQty, ordered)
		}
		if rec.Version != 1 {
			t.Errorf("order %s: the sync changed the applied version to %d", o.Code, rec.Version)
		}
		sawPartial = sawPartial || (o.Code == "SYNC-PARTIAL" && rec.Partial && rec.ShippedQty < rec.OrderedQty)
		sawFull = sawFull || (o.Code == "SYNC-FULL" && !rec.Partial && rec.ShippedQty == rec.OrderedQty)
	}
	if !sawPartial || !sawFull {
		t.Errorf("partial shipment recorded %v, full shipment recorded %v", sawPartial, sawFull)
	}
	job, err := e.store.Job(ctx, "orders")
	if until, _ := field(x.Output, "window", "until").(string); err != nil || job.Cursor != until || until == "" {
		t.Errorf("cursor %q (%v), want the window end %q", job.Cursor, err, until)
	}

	// By hand with a window of its own: the cursor stays where it was.
	before := job.Cursor
	x = e.startExecution("orders-sync", "orders-sync-by-hand", fmt.Sprintf(`{"since":%q}`, time.Now().Add(-48*time.Hour).UTC().Format(time.RFC3339)))
	if x.Status != asl.StatusSucceeded || field(x.Output, "stats", "items") == json.Number("0") {
		t.Fatalf("by-hand orders sync: %s %s output %v", x.Status, x.Error, x.Output)
	}
	if job, _ := e.store.Job(ctx, "orders"); job.Cursor < before {
		t.Errorf("by-hand run moved the cursor back: %q -> %q", before, job.Cursor)
	}
}

// TestE2ERedrive: an outage parks one message of each kind; a redrive while
// it lasts parks them again with their history; after it, a redrive applies
// them all. A message past its replay budget stays parked, marked exhausted.
func TestE2ERedrive(t *testing.T) {
	t.Parallel()
	e := startEnv(t, nil)
	ctx := context.Background()
	k := newFourKinds("RD")
	k.setupOrders(e)
	e.sim.OutageFor(240 * time.Hour)
	k.sendAll(e)
	spent := inventoryBody("RD-SPENT", 1, "Spent")
	spent = strings.Replace(spent, `"version":1`, `"version":1,"replay":5`, 1)
	e.send(message.FlowInventory, spent)
	e.idle()
	for _, s := range k.each() {
		e.expectParked(s.flow, s.key, s.body, "outage", "Logiwa.Unavailable")
	}
	if p := e.expectParked(message.FlowInventory, "RD-SPENT", spent, "outage", "Logiwa.Unavailable"); !p.Exhausted || p.Replay != 5 {
		t.Errorf("a message at its replay budget parked as %+v, want exhausted", p)
	}

	// Redrive during the outage: each replay parks again, remembering the first park.
	x := e.startExecution("redrive", "redrive-during-outage", `{"reason":"outage"}`)
	if x.Status != asl.StatusSucceeded {
		t.Fatalf("redrive: %s %s %s", x.Status, x.Error, x.Cause)
	}
	equalJSON(t, "redrive totals", x.Output, `{"redriven":4,"exhausted":1,"failed":0,"dryRun":0}`)
	e.idle()
	for _, s := range k.each() {
		xs := e.executionsOf(s.flow, s.key)
		if len(xs) != 2 || !strings.HasSuffix(xs[0].Name, "-r1") {
			t.Fatalf("%s executions %v, want the original and replay r1", s.key, names(xs))
		}
		p := e.expectParkedExecution(s.flow, xs[0], replayBody(t, s.body, 1), "outage", "Logiwa.Unavailable")
		if p.Replay != 1 || len(p.History) != 1 || p.History[0].Execution != xs[1].Name || p.History[0].Replay != 0 {
			t.Errorf("%s re-parked with replay %d and history %+v, want replay 1 and the first park", s.key, p.Replay, p.History)
		}
	}

	// The outage ends; the next redrive delivers everything it can.
	if err := e.sim.SetFaults(logiwasim.Faults{}); err != nil {
		t.Fatal(err)
	}
	x = e.startExecution("redrive", "redrive-after-outage", `{}`)
	if x.Status != asl.StatusSucceeded {
		t.Fatalf("redrive: %s %s %s", x.Status, x.Error, x.Cause)
	}
	equalJSON(t, "redrive totals", x.Output, `{"redriven":4,"exhausted":1,"failed":0,"dryRun":0}`)
	e.idle()
	for _, s := range k.each() {
		xs := e.executionsOf(s.flow, s.key)
		if len(xs) != 3 || !strings.HasSuffix(xs[0].Name, "-r2") || xs[0].Status != asl.StatusSucceeded {
			t.Errorf("%s executions %v, want the replay r2 to succeed", s.key, names(xs))
			continue
		}
		rec, ok := e.record(recordPK(s.flow, s.key))
		if !ok || rec.Execution != xs[0].Name || rec.Version != 1 {
			t.Errorf("%s record %+v", s.key, rec)
		}
	}
	k.expectLogiwaHolds(e)
	left, _, err := e.park.List(ctx, parking.Filter{Reason: "outage"}, time.Time{}, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || !strings.Contains(left[0], "inventory-RD-SPENT-") {
		t.Errorf("still parked %v, want only the exhausted message", left)
	}
	// Nothing is deleted silently: each redriven copy is kept under redriven/ with its mark.
	out, err := s3.NewFromConfig(e.r.AWSConfig()).ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: aws.String(localrun.ParkedBucket), Prefix: aws.String(parking.RedrivenPrefix),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 8 {
		t.Errorf("%d objects under %s, want 8 (4 messages redriven twice)", len(out.Contents), parking.RedrivenPrefix)
	}
	for _, o := range out.Contents {
		if p, err := e.park.Get(ctx, aws.ToString(o.Key)); err != nil || p.Redriven == nil || p.Redriven.Replay != p.Replay+1 {
			t.Errorf("redriven copy %s: %+v %v", aws.ToString(o.Key), p.Redriven, err)
		}
	}
	// Nothing left to do: a third run redrives nothing and reports the exhausted one again.
	x = e.startExecution("redrive", "redrive-nothing-left", `{}`)
	equalJSON(t, "redrive totals", x.Output, `{"redriven":0,"exhausted":1,"failed":0,"dryRun":0}`)
}

// replayBody is a message as the redrive re-publishes it.
func replayBody(t *testing.T, body string, replay int) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	m["replay"] = json.RawMessage(fmt.Sprint(replay))
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestE2EInventorySyncPages: with more levels than one Logiwa page holds
// (200), the sync walks the pages and records every level.
func TestE2EInventorySyncPages(t *testing.T) {
	t.Parallel()
	e := startEnv(t, nil)
	const extra = 98 // (3 seeded + 98) products x 2 warehouses = 202 levels: two pages
	for i := range extra {
		e.send(message.FlowInventory, inventoryBody(fmt.Sprintf("PAGE-%03d", i), 1, "Paged product"))
	}
	e.idle()
	for i := range extra {
		sku := fmt.Sprintf("PAGE-%03d", i)
		e.expectApplied(message.FlowInventory, sku, 1)
		if err := e.sim.SetStock(logiwasim.SeedWarehouse, sku, int64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	x := e.startExecution("inventory-sync", "inventory-sync-pages", `{}`)
	if x.Status != asl.StatusSucceeded {
		t.Fatalf("sync: %s %s %s", x.Status, x.Error, x.Cause)
	}
	want := []string{"AcquireLease", "FetchPage", "WritePage", "MorePages", "FetchPage", "WritePage", "MorePages", "SaveCursor"}
	if got := entered(x.History()); !slices.Equal(got, want) {
		t.Errorf("states %v, want two pages", got)
	}
	// Logiwa's report lists every product in every warehouse, stocked or not.
	equalJSON(t, "sync stats", field(x.Output, "stats"), fmt.Sprintf(`{"pages":2,"items":%d}`, 2*(3+extra)))
	if got := e.stock("PAGE-097", logiwasim.SeedWarehouse2); !got.Found || got.Total != 0 {
		t.Errorf("an empty level (last row of the second page) recorded %+v", got)
	}
	for _, inv := range seedClientStock(e.sim.Snapshot()) {
		if got := e.stock(inv.SKU, inv.WarehouseCode); !got.Found || got.Total != inv.OnHand || got.Available != inv.Available {
			t.Errorf("stock %s@%s recorded %+v, Logiwa has %d of %d", inv.SKU, inv.WarehouseCode, got, inv.Available, inv.OnHand)
		}
	}
}

// TestE2ERedriveOnAnEarlierClock: the runtime's clock may read a time long
// before the wall clock (the demo replays a fixed sale day); the redrive
// still finds what was parked before it started.
func TestE2ERedriveOnAnEarlierClock(t *testing.T) {
	t.Parallel()
	e := startEnv(t, func(c *localrun.Config) {
		c.Clock = clock.NewScaled(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC).Add(-365*24*time.Hour), speedup)
	})
	e.sim.OutageFor(240 * time.Hour)
	body := inventoryBody("EARLY-SKU", 1, "Early")
	e.send(message.FlowInventory, body)
	e.idle()
	e.expectParked(message.FlowInventory, "EARLY-SKU", body, "outage", "Logiwa.Unavailable")
	if err := e.sim.SetFaults(logiwasim.Faults{}); err != nil {
		t.Fatal(err)
	}
	x := e.startExecution("redrive", "redrive-early", `{}`)
	equalJSON(t, "redrive totals", x.Output, `{"redriven":1,"exhausted":0,"failed":0,"dryRun":0}`)
	e.idle()
	if xs := e.executionsOf(message.FlowInventory, "EARLY-SKU"); len(xs) != 2 || xs[0].Status != asl.StatusSucceeded {
		t.Errorf("executions %v, want the replay to apply", names(xs))
	}
}

// TestE2ERedriveOfBrokenJSON: a message that is not even JSON cannot carry
// its replay count in the body; the redrive's message attribute gives the
// replay its own execution (else it would be taken for a duplicate of the
// first delivery and silently dropped), which parks again with its history.
func TestE2ERedriveOfBrokenJSON(t *testing.T) {
	t.Parallel()
	e := startEnv(t, nil)
	broken := `{"orderNumber": "RD-BROKEN",`
	e.send(message.FlowOrders, broken)
	e.idle()
	first := e.expectParked(message.FlowOrders, "invalid", broken, "invalid", "Message.Invalid")
	x := e.startExecution("redrive", "redrive-broken", `{"reason":"invalid"}`)
	equalJSON(t, "redrive totals", x.Output, `{"redriven":1,"exhausted":0,"failed":0,"dryRun":0}`)
	e.idle()
	xs := e.executionsOf(message.FlowOrders, "invalid")
	if len(xs) != 2 || !strings.HasSuffix(xs[0].Name, "-r1") {
		t.Fatalf("executions %v, want the first delivery and replay r1", names(xs))
	}
	p := e.expectParkedExecution(message.FlowOrders, xs[0], broken, "invalid", "Message.Invalid")
	if p.Replay != 1 || len(p.History) != 1 || p.History[0].Execution != first.Execution {
		t.Errorf("re-parked with replay %d and history %+v, want replay 1 after %s", p.Replay, p.History, first.Execution)
	}
}
