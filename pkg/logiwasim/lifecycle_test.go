package logiwasim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"
)

func TestOrderLifecycleOnTheClock(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	client := h.s.Snapshot().Client(SeedClient)
	before := h.s.Snapshot().Stock(SeedWarehouse, client, "MUG-BLUE")
	h.createOrder(h.order("LIFE-1", line("MUG-BLUE", 3), line("NOTEBOOK-A5", 2)))

	tl := DefaultTimeline
	steps := []struct {
		advance     time.Duration
		status      int
		onHand      int64
		allocated   int64
		hasTracking bool
	}{
		{0, StatusOpen, before.OnHand, 0, false},
		{tl.Pick - time.Second, StatusOpen, before.OnHand, 0, false},
		{time.Second, StatusPickingStarted, before.OnHand, 3, false},
		{tl.Pack, StatusReadyToPack, before.OnHand, 3, false},
		{tl.Ship, StatusShipped, before.OnHand - 3, 0, true},
		{time.Hour, StatusShipped, before.OnHand - 3, 0, true},
	}
	for i, st := range steps {
		h.s.Advance(st.advance)
		row := h.orderRow("LIFE-1")
		if got := int(row["shipmentOrderStatusId"].(float64)); got != st.status {
			t.Fatalf("step %d: status %d (%v), want %d", i, got, row["shipmentOrderStatusName"], st.status)
		}
		if row["shipmentOrderStatusName"] != StatusName(st.status) {
			t.Errorf("step %d: status name %v", i, row["shipmentOrderStatusName"])
		}
		inv := h.s.Snapshot().Stock(SeedWarehouse, client, "MUG-BLUE")
		if inv.OnHand != st.onHand || inv.Allocated != st.allocated {
			t.Errorf("step %d: stock %+v, want on hand %d allocated %d", i, inv, st.onHand, st.allocated)
		}
		tn, _ := row["trackingNumbers"].([]any)
		if (len(tn) > 0) != st.hasTracking {
			t.Errorf("step %d: tracking numbers %v", i, tn)
		}
	}
	row := h.orderRow("LIFE-1")
	if row["isPartial"] != false || row["actualShipmentDate"] != "2026-03-02T09:05:00.000Z" {
		t.Errorf("shipped row: isPartial %v actualShipmentDate %v", row["isPartial"], row["actualShipmentDate"])
	}
	var shipped float64
	for _, si := range row["shipmentInfo"].([]any) {
		shipped += si.(map[string]any)["packQuantity"].(float64)
		if si.(map[string]any)["trackingNumber"] == "" {
			t.Error("shipment info without tracking number")
		}
	}
	if shipped != 5 {
		t.Errorf("shipment info ships %v units, want 5", shipped)
	}
	// The report agrees with the state.
	var rep struct {
		Data []inventoryRow `json:"data"`
	}
	mustJSON(t, h.want(200, "GET", "/v3.1/Report/TotalInventory/i/0/s/10?Sku.eq=MUG-BLUE&ClientIdentifier.eq="+client+"&WarehouseIdentifier.eq="+h.s.Snapshot().Warehouse(SeedWarehouse), nil), &rep)
	if len(rep.Data) != 1 || rep.Data[0].TotalQuantity != before.OnHand-3 || rep.Data[0].OpenShipmentOrderQuantity != 0 {
		t.Errorf("report %+v", rep.Data)
	}
}

func TestShortageAndPartialShipmentFromStock(t *testing.T) {
	h := newHarness(t, Options{Seed: 2})
	client := h.s.Snapshot().Client(SeedClient)
	if err := h.s.SetStock(SeedWarehouse, "TSHIRT-RED-M", 0); err != nil {
		t.Fatal(err)
	}
	h.createOrder(h.order("SHORT-1", line("TSHIRT-RED-M", 4)))
	h.s.Advance(DefaultTimeline.Pick)
	if o, _ := h.s.Snapshot().Order("SHORT-1"); o.Status != StatusShortage {
		t.Fatalf("with no stock: %s, want Shortage", o.StatusName)
	}
	// Three arrive; the order proceeds with them and ships partially.
	if err := h.s.SetStock(SeedWarehouse, "TSHIRT-RED-M", 3); err != nil {
		t.Fatal(err)
	}
	h.s.Advance(DefaultTimeline.Pick + DefaultTimeline.Pack + DefaultTimeline.Ship)
	o, _ := h.s.Snapshot().Order("SHORT-1")
	if o.Status != StatusShipped || !o.IsPartial || o.Lines[0].Shipped != 3 || o.Lines[0].Cancelled != 1 {
		t.Fatalf("partial shipment: %+v", o)
	}
	if inv := h.s.Snapshot().Stock(SeedWarehouse, client, "TSHIRT-RED-M"); inv.OnHand != 0 || inv.Allocated != 0 {
		t.Errorf("stock after shipping all there was: %+v", inv)
	}
}

func TestPartialRateShortPicks(t *testing.T) {
	h := newHarness(t, Options{Seed: 3, PartialRate: 1})
	h.createOrder(h.order("P-1", line("MUG-BLUE", 5), line("NOTEBOOK-A5", 5)))
	h.createOrder(h.order("P-2", line("MUG-BLUE", 1))) // a single unit always ships whole
	h.s.Advance(time.Hour)
	st := h.s.Snapshot()
	p1, _ := st.Order("P-1")
	var shipped, cancelled int64
	for _, l := range p1.Lines {
		shipped += l.Shipped
		cancelled += l.Cancelled
	}
	if !p1.IsPartial || cancelled == 0 || shipped == 0 || shipped+cancelled != 10 {
		t.Errorf("P-1: %+v", p1)
	}
	if p2, _ := st.Order("P-2"); p2.IsPartial || p2.Lines[0].Shipped != 1 {
		t.Errorf("P-2: %+v", p2)
	}
	client := st.Client(SeedClient)
	if got := st.Stock(SeedWarehouse, client, "MUG-BLUE").OnHand + st.Stock(SeedWarehouse, client, "NOTEBOOK-A5").OnHand; got != 100+250-shipped-1 {
		t.Errorf("stock on hand %d, want %d", got, 100+250-shipped-1)
	}
}

func TestCancel(t *testing.T) {
	h := newHarness(t, Options{})
	open := h.createOrder(h.order("C-OPEN"))
	picking := h.createOrder(h.order("C-LATE"))
	h.want(http.StatusOK, "POST", "/v3.1/ShipmentOrder/cancel/"+open, map[string]any{"cancelReasonName": "Customer request"})
	h.want(http.StatusBadRequest, "POST", "/v3.1/ShipmentOrder/cancel/"+open, nil) // already cancelled
	h.s.Advance(DefaultTimeline.Pick)
	b := h.want(http.StatusBadRequest, "POST", "/v3.1/ShipmentOrder/cancel/"+picking, nil)
	if !contains(string(b), "Picking Started") {
		t.Errorf("refusal does not say why: %s", b)
	}
	st := h.s.Snapshot()
	if o, _ := st.Order("C-OPEN"); o.Status != StatusCancelled || o.Lines[0].Cancelled != 2 {
		t.Errorf("cancelled order: %+v", o)
	}
	if o, _ := st.Order("C-LATE"); o.Status != StatusPickingStarted {
		t.Errorf("late order: %+v", o)
	}
	// A cancelled order never moves again and holds no stock.
	h.s.Advance(time.Hour)
	var row orderDetailView
	mustJSON(t, h.want(http.StatusOK, "GET", "/v3.1/ShipmentOrder/"+open, nil), &row)
	if row.ShipmentOrderStatusName != "Cancelled" || row.CancelReasonName == nil || *row.CancelReasonName != "Customer request" {
		t.Errorf("detail after cancel: %+v", row)
	}
}

func TestReturnRaisesInventory(t *testing.T) {
	h := newHarness(t, Options{})
	st := h.s.Snapshot()
	client := st.Client(SeedClient)
	var notebook string
	for _, p := range st.Products {
		if p.SKU == "NOTEBOOK-A5" && p.ClientIdentifier == client {
			notebook = p.Identifier
		}
	}
	h.createOrder(h.order("R-1", line("NOTEBOOK-A5", 4)))
	h.s.Advance(time.Hour)
	afterShip := h.s.Snapshot().Stock(SeedWarehouse, client, "NOTEBOOK-A5").OnHand
	body := map[string]any{"rmaNumber": "RMA-1", "shipmentOrderCode": "R-1", "returnOrderProductLineList": []any{
		map[string]any{"productIdentifier": notebook, "requestedQuantity": 3, "returnReason": "Damaged"},
	}}
	h.want(http.StatusCreated, "POST", "/v3.2/ReturnOrder/create", body)
	h.want(http.StatusBadRequest, "POST", "/v3.2/ReturnOrder/create", body) // RMA numbers are unique
	h.s.Advance(DefaultTimeline.Return - time.Second)
	if r := h.s.Snapshot().ReturnOrders[0]; r.Status != ReturnStatusOpen || h.s.Snapshot().Stock(SeedWarehouse, client, "NOTEBOOK-A5").OnHand != afterShip {
		t.Fatalf("before receipt: %+v", r)
	}
	h.s.Advance(time.Second)
	if got := h.s.Snapshot().Stock(SeedWarehouse, client, "NOTEBOOK-A5").OnHand; got != afterShip+3 {
		t.Errorf("on hand after receipt %d, want %d", got, afterShip+3)
	}
	var l struct {
		Data struct {
			Data       []returnView `json:"data"`
			TotalCount int          `json:"totalCount"`
		} `json:"data"`
	}
	mustJSON(t, h.want(http.StatusOK, "GET", "/v3.2/ReturnOrder/list/i/0/s/10?rmaNumber.eq=RMA-1&ReturnOrderStatus.eq=3", nil), &l)
	if l.Data.TotalCount != 1 || l.Data.Data[0].ReturnedQuantity != 3 || l.Data.Data[0].ActualReturnDateTime == nil {
		t.Errorf("return list: %+v", l)
	}
	h.want(http.StatusNoContent, "GET", "/v3.3/ReturnOrder/list/i/0/s/10?ReturnOrderStatus.eq=1", nil)
}

// runScript drives a fresh simulator through a fixed sequence of requests
// and returns every response body and the final state.
func runScript(t *testing.T, seed uint64) ([]string, State) {
	h := newHarness(t, Options{Seed: seed, PartialRate: 0.5, Faults: Faults{
		Latency: []LatencyRule{{Dist: "uniform", Min: 0, Max: Duration(2 * time.Millisecond)}},
	}})
	var out []string
	for i := range 8 {
		code := "D-" + string(rune('A'+i))
		_, b := h.call("POST", "/v3.1/ShipmentOrder/create", h.order(code, line("MUG-BLUE", 1+i%3), line("NOTEBOOK-A5", 2)))
		out = append(out, string(b))
		h.s.Advance(37 * time.Second)
	}
	h.s.Advance(time.Hour)
	_, b := h.call("GET", "/v3.1/ShipmentOrder/list/i/0/s/200", nil)
	out = append(out, string(b))
	return out, h.s.Snapshot()
}

func TestDeterministicForASeed(t *testing.T) {
	a, sa := runScript(t, 42)
	b, sb := runScript(t, 42)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different responses")
	}
	ja, _ := json.Marshal(sa)
	jb, _ := json.Marshal(sb)
	if string(ja) != string(jb) {
		t.Fatal("same seed, different state")
	}
	c, _ := runScript(t, 43)
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds gave identical identifiers and tracking numbers")
	}
	partial := 0
	for _, o := range sa.ShipmentOrders {
		if o.IsPartial {
			partial++
		}
	}
	if partial == 0 || partial == len(sa.ShipmentOrders) {
		t.Errorf("at PartialRate 0.5, %d of %d orders partial", partial, len(sa.ShipmentOrders))
	}
}

// Concurrent clients see a consistent warehouse (run with -race).
func TestConcurrentClients(t *testing.T) {
	h := newHarness(t, Options{Seed: 11, PartialRate: 0.3})
	const n = 24
	errs := make(chan error, n)
	for i := range n {
		go func() {
			resp, err := h.send("POST", "/v3.1/ShipmentOrder/create", h.order("CC-"+strconv.Itoa(i), line("MUG-BLUE", 1+i%4)))
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					err = fmt.Errorf("order %d: status %d", i, resp.StatusCode)
				}
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	h.s.Advance(time.Hour)
	st := h.s.Snapshot()
	var shipped int64
	for _, o := range st.ShipmentOrders {
		if o.Status != StatusShipped {
			t.Errorf("%s: %s", o.Code, o.StatusName)
		}
		shipped += o.Lines[0].Shipped
	}
	inv := st.Stock(SeedWarehouse, st.Client(SeedClient), "MUG-BLUE")
	if len(st.ShipmentOrders) != n || inv.OnHand != 100-shipped || inv.Allocated != 0 {
		t.Errorf("%d orders, shipped %d, stock %+v", len(st.ShipmentOrders), shipped, inv)
	}
}
