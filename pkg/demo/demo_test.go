package demo

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/records"
	"github.com/logiwaflow/logiwaflow/pkg/traffic"
)

func TestBaseNameIsTheTriggersName(t *testing.T) {
	for _, tc := range []struct {
		flow message.Flow
		body string
		key  string
	}{
		{message.FlowOrders, `{"orderNumber":"SO-1","version":1}`, "SO-1"},
		{message.FlowInventory, `{"sku":"SKU-1","version":2}`, "SKU-1"},
		{message.FlowRefunds, `{"rma":"RMA-1"}`, "RMA-1"},
		{message.FlowOrders, `{"orderNumber":`, "invalid"},
		{message.FlowOrders, `{"sku":"X"}`, "invalid"},
	} {
		want := message.ExecutionName(tc.flow, tc.key, []byte(tc.body), 0)
		if got := baseName(tc.flow, []byte(tc.body)); got != want {
			t.Errorf("%s %s: %s, want %s", tc.flow, tc.body, got, want)
		}
	}
}

func TestSplitNames(t *testing.T) {
	for _, tc := range []struct {
		in     string
		base   string
		replay int
	}{
		{"orders-SO-1-0123456789", "orders-SO-1-0123456789", 0},
		{"orders-SO-1-0123456789-r2", "orders-SO-1-0123456789", 2},
		{"inventory-SKU-r-0123456789", "inventory-SKU-r-0123456789", 0},
		{"orders-x-r0", "orders-x-r0", 0},
	} {
		b, r := splitReplay(tc.in)
		if b != tc.base || r != tc.replay {
			t.Errorf("splitReplay(%q) = %q, %d", tc.in, b, r)
		}
	}
	p, reason, exec, ok := splitParkedKey("redriven/outage/orders/2026/11/27/orders-SO-1-abc-r1.json")
	if !ok || p != "redriven/" || reason != "outage" || exec != "orders-SO-1-abc-r1" {
		t.Fatalf("got %q %q %q %v", p, reason, exec, ok)
	}
	if _, _, _, ok := splitParkedKey("parked/outage/x.json"); ok {
		t.Fatal("a short key parsed")
	}
}

func TestAvoidDailyRedrive(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 11, 27, h, m, 0, 0, time.UTC) }
	if got := avoidDailyRedrive(at(10, 0), 12*time.Hour); !got.Equal(at(10, 0)) {
		t.Errorf("10:00 + 12h crosses no 06:00, moved to %v", got)
	}
	if got := avoidDailyRedrive(at(1, 0), 12*time.Hour); !got.Equal(at(6, 1)) {
		t.Errorf("01:00 + 12h crosses 06:00: got %v, want 06:01", got)
	}
	if got := avoidDailyRedrive(at(20, 0), 12*time.Hour); !got.Equal(at(6, 1).Add(24 * time.Hour)) {
		t.Errorf("20:00 + 12h crosses the next 06:00: got %v", got)
	}
}

func TestWarpClockTimersFollowSpeedChanges(t *testing.T) {
	start := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	c := newWarpClock(start, 100)
	// 100 virtual seconds at 100x is one wall second; speeding up to 10000x
	// after 100 ms must bring it forward to about 110 ms of wall time.
	t0 := time.Now()
	tm := c.NewTimer(100 * time.Second)
	time.Sleep(100 * time.Millisecond)
	c.SetFactor(10000)
	at := <-tm.C()
	if wall := time.Since(t0); wall > 600*time.Millisecond {
		t.Fatalf("timer fired after %v of wall time; the speed-up was ignored", wall)
	}
	if at.Before(start.Add(100 * time.Second)) {
		t.Fatalf("timer fired at %v, before its virtual deadline", at)
	}
	stopped := c.NewTimer(time.Hour)
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop: want true once, then false")
	}
	if err := c.Sleep(context.Background(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Hour); err == nil {
		t.Fatal("Sleep on a cancelled context returned nil")
	}
}

func TestParseHWM(t *testing.T) {
	in := "Name:\tdemo\nVmPeak:\t  900000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t 1000 kB\n"
	if got := parseHWM(strings.NewReader(in)); got != 200 {
		t.Fatalf("got %v MB, want 200", got)
	}
	if got := parseHWM(strings.NewReader("VmRSS: 1 kB\n")); got != 0 {
		t.Fatalf("no VmHWM: got %v", got)
	}
}

func TestSendDurationFollowsTheProfile(t *testing.T) {
	p := traffic.Profile{Quiet: 1, Burst: 10, QuietFor: time.Minute, BurstFor: time.Minute}
	if got := sendDuration(p, 0, 60); got != time.Minute {
		t.Fatalf("60 quiet messages: %v", got)
	}
	if got := sendDuration(p, 0, 660); got != 2*time.Minute {
		t.Fatalf("60 quiet + 600 burst messages: %v", got)
	}
	if got := sendDuration(p, time.Minute, 600); got != time.Minute {
		t.Fatalf("600 burst messages from the burst on: %v", got)
	}
}

func TestCheckNamesEachViolation(t *testing.T) {
	good := Report{Applied: 10, RateLimit: 2, PeakRPS: 2, OutageParked: 3, OutageDelivered: 3, Transitions: Transitions{HappyPathMax: 6}}
	if v := good.Check(); len(v) != 0 {
		t.Fatalf("a clean report has violations: %v", v)
	}
	for name, tc := range map[string]struct {
		mutate func(*Report)
		want   string
	}{
		"reconciliation": {func(r *Report) { r.ReconciliationDifferences = 1 }, "reconciliation"},
		"lost":           {func(r *Report) { r.Lost = 2 }, "lost"},
		"duplicates":     {func(r *Report) { r.DuplicatesCreated = 1 }, "created twice"},
		"stale":          {func(r *Report) { r.StaleOverwrites = 1 }, "stale overwrites"},
		"outage":         {func(r *Report) { r.OutageDelivered = 2 }, "outage-parked"},
		"transitions":    {func(r *Report) { r.Transitions.HappyPathMax = 7 }, "transitions"},
		"peak":           {func(r *Report) { r.PeakRPS = 3 }, "requests in one second"},
		"nothing":        {func(r *Report) { r.Applied = 0 }, "nothing was applied"},
	} {
		r := good
		tc.mutate(&r)
		v := r.Check()
		if len(v) != 1 || !strings.Contains(v[0], tc.want) {
			t.Errorf("%s: violations %v, want one naming %q", name, v, tc.want)
		}
	}
}

func TestReconcileFindsEachKindOfDifference(t *testing.T) {
	client := "c-1"
	state := logiwasim.State{
		Clients: []logiwasim.ClientState{{Identifier: client, DisplayName: logiwasim.SeedClient}},
		Products: []logiwasim.ProductState{
			{Identifier: "p-1", ClientIdentifier: client, SKU: "SKU-1", Name: "Blue Mug v3"},
			{Identifier: "p-2", ClientIdentifier: client, SKU: "SKU-2", Name: "Red Mug v2"},
		},
		ShipmentOrders: []logiwasim.OrderState{
			{Identifier: "o-1", Code: "SO-1", ClientIdentifier: client, StatusName: "Shipped", TrackingNumbers: []string{"T2", "T1"}},
			{Identifier: "o-2", Code: "SO-2", ClientIdentifier: client, Status: logiwasim.StatusCancelled, StatusName: "Cancelled"},
		},
		ReturnOrders: []logiwasim.ReturnState{{RMANumber: "RMA-1", ShipmentOrderCode: "SO-1"}},
		Inventory:    []logiwasim.InventoryState{{WarehouseCode: "WH-EAST", ClientIdentifier: client, SKU: "SKU-1", OnHand: 10, Available: 8}},
	}
	l := newLedger()
	l.add(traffic.Message{Flow: message.FlowRefunds, Kind: traffic.KindReturn, Key: "RMA-1", Version: 1, Valid: true, Body: []byte(`{"rma":"RMA-1","orderNumber":"SO-1"}`)}, nil)
	l.add(traffic.Message{Flow: message.FlowRefunds, Kind: traffic.KindCancel, Key: "RMA-2", Version: 1, Valid: true, Body: []byte(`{"rma":"RMA-2","orderNumber":"SO-2"}`)}, nil)
	consistent := func() ourRecords {
		return ourRecords{
			applied: map[string]ourRecord{
				"product#SKU-1": {Version: 3, LogiwaID: "p-1"},
				"product#SKU-2": {Version: 2, LogiwaID: "p-2"},
				"order#SO-1":    {Version: 1, LogiwaID: "o-1", Status: "Shipped", Tracking: []string{"T1", "T2"}},
				"order#SO-2":    {Version: 1, LogiwaID: "o-2", Status: "Cancelled"},
				"refund#RMA-1":  {Version: 1},
				"refund#RMA-2":  {Version: 1},
			},
			stock: map[string]records.Stock{
				"stock#SKU-1#WH-EAST": {SKU: "SKU-1", Warehouse: "WH-EAST", Total: 10, Available: 8},
				"stock#SKU-2#WH-WEST": {SKU: "SKU-2", Warehouse: "WH-WEST"}, // zero: Logiwa lists it, the state omits it
			},
		}
	}
	catalogue := []string{"SKU-1", "SKU-2"}
	if d := reconcile(viewOf(state), consistent(), catalogue, l); len(d) != 0 {
		t.Fatalf("consistent state has differences: %v", d)
	}
	for name, tc := range map[string]struct {
		mutate func(*ourRecords)
		want   string
	}{
		"older product in Logiwa": {func(o *ourRecords) { o.applied["product#SKU-1"] = ourRecord{Version: 4, LogiwaID: "p-1"} }, `product SKU-1: our record v4, Logiwa holds "Blue Mug v3"`},
		"order status":            {func(o *ourRecords) { a := o.applied["order#SO-1"]; a.Status = "Open"; o.applied["order#SO-1"] = a }, `order SO-1: our status "Open", Logiwa "Shipped"`},
		"tracking": {func(o *ourRecords) {
			a := o.applied["order#SO-1"]
			a.Tracking = []string{"T1"}
			o.applied["order#SO-1"] = a
		}, "order SO-1: our tracking"},
		"order not recorded":  {func(o *ourRecords) { delete(o.applied, "order#SO-1") }, "order SO-1: in Logiwa (Shipped) but not recorded"},
		"return not recorded": {func(o *ourRecords) { delete(o.applied, "refund#RMA-1") }, "return RMA-1: in Logiwa, not recorded"},
		"cancel not recorded": {func(o *ourRecords) { delete(o.applied, "refund#RMA-2") }, "order SO-2: cancelled in Logiwa, no cancellation recorded"},
		"stock": {func(o *ourRecords) {
			o.stock["stock#SKU-1#WH-EAST"] = records.Stock{SKU: "SKU-1", Warehouse: "WH-EAST", Total: 10, Available: 9}
		}, "stock SKU-1 at WH-EAST: ours 9 available / 10 total, Logiwa 8 / 10"},
		"stock Logiwa lacks": {func(o *ourRecords) {
			o.stock["stock#SKU-2#WH-WEST"] = records.Stock{SKU: "SKU-2", Warehouse: "WH-WEST", Total: 1}
		}, "stock SKU-2 at WH-WEST: ours 0 available / 1 total, Logiwa holds none"},
	} {
		o := consistent()
		tc.mutate(&o)
		d := reconcile(viewOf(state), o, catalogue, l)
		if len(d) != 1 || d[0] != tc.want && !strings.HasPrefix(d[0], tc.want) {
			t.Errorf("%s: differences %q, want one starting %q", name, d, tc.want)
		}
	}
}

func TestDuplicatesCreated(t *testing.T) {
	st := logiwasim.State{
		ShipmentOrders: []logiwasim.OrderState{{Code: "SO-1", ClientIdentifier: "c"}, {Code: "SO-1", ClientIdentifier: "c"}, {Code: "SO-1", ClientIdentifier: "other"}},
		ReturnOrders:   []logiwasim.ReturnState{{RMANumber: "R-1"}, {RMANumber: "R-2"}},
		Products:       []logiwasim.ProductState{{SKU: "A", ClientIdentifier: "c"}, {SKU: "A", ClientIdentifier: "other"}},
	}
	got := duplicatesCreated(viewOf(st))
	if len(got) != 1 || !strings.Contains(got[0], "shipment order c/SO-1 created 2 times") {
		t.Fatalf("got %v", got)
	}
}

func TestOverLimitNamesTheSeconds(t *testing.T) {
	st := logiwasim.Stats{ReceivedPerSecond: map[string]map[int64]int{
		"a": {10: 3, 5: 2, 7: 4},
		"b": {3: 1},
	}}
	for _, tc := range []struct {
		limit float64
		want  string
	}{
		{2, "[1970-01-01T00:00:07Z 1970-01-01T00:00:10Z]"},
		{3, "[1970-01-01T00:00:07Z]"},
		{4, "[]"},
	} {
		if got := fmt.Sprint(overLimit(st, tc.limit)); got != tc.want {
			t.Errorf("limit %g: %s, want %s", tc.limit, got, tc.want)
		}
	}
}
