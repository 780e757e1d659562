package logiwa

import (
	"errors"
	"testing"
	"time"
)

func TestCreateReturnOrderResolvesSKUs(t *testing.T) {
	f, srv := newFake(t)
	f.products = []map[string]any{
		{"identifier": "prod-a", "sku": "A", "clientIdentifier": "client-1"},
		{"identifier": "prod-b", "sku": "B", "clientIdentifier": "client-1"},
	}
	c, _ := newTestClient(t, srv.URL)
	ctx := ctxTimeout(t, 5*time.Second)
	in := ReturnOrderInput{
		RMANumber: "RMA-1", ShipmentOrderCode: "SO-1", ClientIdentifier: "client-1", WarehouseIdentifier: "wh-1",
		Lines: []ReturnLine{{SKU: "A", Quantity: 1}, {SKU: "B", Quantity: 2}, {SKU: "A", Quantity: 1, ReturnReason: "Damaged"}},
	}
	res, err := c.CreateReturnOrder(ctx, in)
	if err != nil || res.Outcome != OutcomeCreated || res.AlreadyExisted {
		t.Fatalf("create = %+v, %v", res, err)
	}
	if n := f.count("GET " + productListPath); n != 2 {
		t.Errorf("product lookups = %d, want 2 (one per distinct SKU)", n)
	}
	f.mu.Lock()
	lines := f.returns[0]["returnOrderProductLineList"].([]any)
	f.mu.Unlock()
	wantIDs := []string{"prod-a", "prod-b", "prod-a"}
	for i, l := range lines {
		if got := l.(map[string]any)["productIdentifier"]; got != wantIDs[i] {
			t.Errorf("line %d productIdentifier = %v, want %s", i, got, wantIDs[i])
		}
	}

	again, err := c.CreateReturnOrder(ctx, in)
	if err != nil || !again.AlreadyExisted || again.Identifier != res.Identifier {
		t.Fatalf("replay = %+v, %v", again, err)
	}
	if n := f.count("POST " + returnCreatePath); n != 1 {
		t.Fatalf("creates = %d", n)
	}
}

func TestCreateReturnOrderUnknownSKU(t *testing.T) {
	f, srv := newFake(t)
	c, _ := newTestClient(t, srv.URL)
	_, err := c.CreateReturnOrder(ctxTimeout(t, 5*time.Second), ReturnOrderInput{
		RMANumber: "RMA-2", Lines: []ReturnLine{{SKU: "GHOST", Quantity: 1}},
	})
	var rj *RejectedError
	if !errors.As(err, &rj) || len(rj.FieldErrors) != 1 || rj.FieldErrors[0].Property != "returnOrderProductLineList[0].productSKU" {
		t.Fatalf("got %v", err)
	}
	if n := f.count("POST " + returnCreatePath); n != 0 {
		t.Errorf("must not create with an unknown SKU")
	}
}
