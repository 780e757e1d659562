package logiwa

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func sampleOrder(code string) ShipmentOrderInput {
	return ShipmentOrderInput{
		Code: code, ClientIdentifier: "client-1", WarehouseIdentifier: "wh-1", ShipmentOrderType: "Shipment Order",
		Customer:        &Customer{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.test"},
		ShipmentAddress: &Address{Country: "US", State: "NY", AddressLine1: "1 Main St", City: "New York", PostalCode: "10001"},
		Lines:           []OrderLine{{SKU: "TSHIRT-M", PackType: "Unit", PackQuantity: 2}},
	}
}

func TestCreateShipmentOrderIdempotent(t *testing.T) {
	f, srv := newFake(t)
	c, _ := newTestClient(t, srv.URL)
	ctx := ctxTimeout(t, 5*time.Second)

	first, err := c.CreateShipmentOrder(ctx, sampleOrder("SO-1"))
	if err != nil || first.Outcome != OutcomeCreated || first.AlreadyExisted || first.Identifier == "" {
		t.Fatalf("first = %+v, %v", first, err)
	}
	again, err := c.CreateShipmentOrder(ctx, sampleOrder("SO-1"))
	if err != nil || again.Outcome != OutcomeCreated || !again.AlreadyExisted || again.Identifier != first.Identifier {
		t.Fatalf("replay = %+v, %v", again, err)
	}
	if n := f.count("POST " + orderCreatePath); n != 1 {
		t.Fatalf("creates = %d, want 1", n)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.orders) != 1 {
		t.Fatalf("orders in Logiwa = %d", len(f.orders))
	}
	o := f.orders[0]
	if o["shipmentOrderDate"] == "" || o["currencyId"] != float64(1) || o["shipmentOrderType"] != "Shipment Order" {
		t.Errorf("required fields not filled: %v", o)
	}
}

// TestCreateShipmentOrderRace: our lookup misses an order another execution
// is creating; its create lands first, Logiwa refuses ours as a duplicate,
// and the client reports the existing order instead of an error.
func TestCreateShipmentOrderRace(t *testing.T) {
	f, srv := newFake(t)
	c, _ := newTestClient(t, srv.URL)
	ctx := ctxTimeout(t, 5*time.Second)
	other, err := c.CreateShipmentOrder(ctx, sampleOrder("SO-2"))
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.hideNextOrderLookups = 1
	f.mu.Unlock()
	res, err := c.CreateShipmentOrder(ctx, sampleOrder("SO-2"))
	if err != nil || !res.AlreadyExisted || res.Identifier != other.Identifier || res.Outcome != OutcomeCreated {
		t.Fatalf("raced create = %+v, %v", res, err)
	}
	if n := f.count("POST " + orderCreatePath); n != 2 {
		t.Fatalf("creates = %d, want 2 (one refused)", n)
	}
}

func TestConcurrentCreatesInProcess(t *testing.T) {
	f, srv := newFake(t)
	f.rejectDuplicateOrders = false // even a lax server must not get two creates from us
	c, _ := newTestClient(t, srv.URL)
	ctx := ctxTimeout(t, 10*time.Second)
	var wg sync.WaitGroup
	ids := make([]string, 10)
	for i := range ids {
		wg.Go(func() {
			res, err := c.CreateShipmentOrder(ctx, sampleOrder("SO-3"))
			if err != nil {
				t.Errorf("create: %v", err)
			}
			ids[i] = res.Identifier
		})
	}
	wg.Wait()
	if n := f.count("POST " + orderCreatePath); n != 1 {
		t.Fatalf("creates = %d, want 1", n)
	}
	for _, id := range ids {
		if id != ids[0] || id == "" {
			t.Fatalf("identifiers differ: %v", ids)
		}
	}
}

func TestCreateShipmentOrderRejected(t *testing.T) {
	f, srv := newFake(t)
	f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == orderCreatePath {
			writeJSON(w, 400, map[string]any{"message": "Product not found: NOPE"})
			return true
		}
		return false
	}
	c, _ := newTestClient(t, srv.URL)
	in := sampleOrder("SO-4")
	in.Lines[0].SKU = "NOPE"
	_, err := c.CreateShipmentOrder(ctxTimeout(t, 5*time.Second), in)
	var rj *RejectedError
	if !errors.As(err, &rj) || rj.Message != "Product not found: NOPE" || rj.Op != `create shipment order "SO-4"` {
		t.Fatalf("got %#v", err)
	}
	if n := f.count("GET " + orderListPath); n != 2 {
		t.Errorf("lookups = %d, want 2 (before, and after the refusal)", n)
	}
}

func TestCreateShipmentOrderValidation(t *testing.T) {
	_, srv := newFake(t)
	c, _ := newTestClient(t, srv.URL)
	_, err := c.CreateShipmentOrder(ctxTimeout(t, 5*time.Second), ShipmentOrderInput{Lines: []OrderLine{{}}})
	var rj *RejectedError
	if !errors.As(err, &rj) || len(rj.FieldErrors) != 4 {
		t.Fatalf("got %v", err)
	}
}

func TestCancelShipmentOrder(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		byID        bool
		wantOutcome Outcome
		wantErr     string
		wantPosts   int
	}{
		{"open order by code", StatusOpen, false, OutcomeCancelled, "", 1},
		{"open order by identifier", StatusOpen, true, OutcomeCancelled, "", 1},
		{"already cancelled", StatusCancelled, false, OutcomeUnchanged, "", 0},
		{"shipped", StatusShipped, false, "", NameRejected, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFake(t)
			f.orders = []map[string]any{{"identifier": "o-1", "code": "SO-9", "shipmentOrderStatusId": tc.status}}
			c, _ := newTestClient(t, srv.URL)
			in := CancelInput{Code: "SO-9", CancelReasonName: "Customer request"}
			if tc.byID {
				in = CancelInput{Identifier: "o-1"}
			}
			res, err := c.CancelShipmentOrder(ctxTimeout(t, 5*time.Second), in)
			if name, _ := ErrorName(err); name != tc.wantErr {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if err == nil && (res.Outcome != tc.wantOutcome || res.Identifier != "o-1") {
				t.Errorf("result = %+v", res)
			}
			if n := f.count("POST " + orderCancelPath); n != tc.wantPosts {
				t.Errorf("cancel posts = %d, want %d", n, tc.wantPosts)
			}
		})
	}
}

// TestCancelRefusedButCancelled: the order was cancelled between our
// lookup and our cancel; Logiwa refuses, and the client reports unchanged.
func TestCancelRefusedButCancelled(t *testing.T) {
	f, srv := newFake(t)
	f.orders = []map[string]any{{"identifier": "o-1", "code": "SO-9", "shipmentOrderStatusId": StatusOpen}}
	f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPost && r.URL.Path == orderCancelPath+"/o-1" {
			f.mu.Lock()
			f.orders[0]["shipmentOrderStatusId"] = StatusCancelled
			f.mu.Unlock()
			writeJSON(w, 400, map[string]any{"message": "Shipment order is already cancelled."})
			return true
		}
		return false
	}
	c, _ := newTestClient(t, srv.URL)
	res, err := c.CancelShipmentOrder(ctxTimeout(t, 5*time.Second), CancelInput{Code: "SO-9"})
	if err != nil || res.Outcome != OutcomeUnchanged {
		t.Fatalf("got %+v, %v", res, err)
	}
}

func TestCancelUnknownOrder(t *testing.T) {
	_, srv := newFake(t)
	c, _ := newTestClient(t, srv.URL)
	_, err := c.CancelShipmentOrder(ctxTimeout(t, 5*time.Second), CancelInput{Code: "missing"})
	var nf *OrderNotFoundError
	if name, _ := ErrorName(err); name != NameOrderNotFound || !errors.As(err, &nf) || nf.Order != "missing" {
		t.Fatalf("got %v, want %s naming the order", err, NameOrderNotFound)
	}
}

// TestCancelOrderGoneBeforeCancel: the lookup finds the order, the cancel is
// refused 404 and a second lookup no longer finds it: OrderNotFound, not
// Rejected.
func TestCancelOrderGoneBeforeCancel(t *testing.T) {
	f, srv := newFake(t)
	c, _ := newTestClient(t, srv.URL)
	ctx := ctxTimeout(t, 5*time.Second)
	if _, err := c.CreateShipmentOrder(ctx, sampleOrder("SO-GONE")); err != nil {
		t.Fatal(err)
	}
	f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, orderCancelPath+"/") {
			f.mu.Lock()
			f.orders = nil // deleted in Logiwa meanwhile
			f.mu.Unlock()
			writeJSON(w, http.StatusNotFound, map[string]any{"message": "Shipment order not found."})
			return true
		}
		return false
	}
	_, err := c.CancelShipmentOrder(ctx, CancelInput{Code: "SO-GONE"})
	var nf *OrderNotFoundError
	if !errors.As(err, &nf) || nf.Call.Status != http.StatusNotFound || nf.Message != "Shipment order not found." {
		t.Fatalf("got %v, want %s with Logiwa's 404", err, NameOrderNotFound)
	}
}

func TestOrderWindowQuery(t *testing.T) {
	w := OrderWindow{
		From:     time.Date(2026, 1, 5, 10, 0, 0, 0, time.FixedZone("X", 3600)),
		To:       time.Date(2026, 1, 5, 11, 29, 59, 1e6, time.UTC), // rounded up to 11:30:00
		Statuses: []int{StatusShipped, StatusCancelled}, WarehouseIdentifiers: []string{"wh-1"},
	}
	q := w.query()
	if got := q.Get("UpdatedDateTime.bt"); got != "2026-01-05T09:00:00Z,2026-01-05T11:30:00Z" {
		t.Errorf("bt = %q", got)
	}
	if q.Get("Status.in") != "20,30" || q.Get("WarehouseIdentifier.eq") != "wh-1" || q.Has("ClientIdentifier.eq") {
		t.Errorf("query = %v", q)
	}
}
