package logiwa

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
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

// TestCreateReturnOrderRefusedOrderLookup: a refused create is checked with a
// lookup of its shipment order. Found, the refusal stands; not found, it is
// OrderNotFound; a lookup that fails transiently is reported as such (the
// workflow retries the create); a return naming no order is not looked up.
func TestCreateReturnOrderRefusedOrderLookup(t *testing.T) {
	for _, tc := range []struct {
		name      string
		order     string // ShipmentOrderCode of the return
		exists    bool   // the fake holds the order
		lookup503 bool   // the order lookup answers 503
		want      string // error name
		lookups   int
	}{
		{name: "order missing", order: "SO-LATE", want: NameOrderNotFound, lookups: 1},
		{name: "order present", order: "SO-1", exists: true, want: NameRejected, lookups: 1},
		{name: "lookup fails", order: "SO-LATE", lookup503: true, want: NameUnavailable, lookups: 1},
		{name: "no order named", want: NameRejected, lookups: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFake(t)
			f.products = []map[string]any{{"identifier": "prod-a", "sku": "A", "clientIdentifier": "client-1"}}
			c, _ := newTestClient(t, srv.URL)
			ctx := ctxTimeout(t, 5*time.Second)
			if tc.exists {
				if _, err := c.CreateShipmentOrder(ctx, sampleOrder(tc.order)); err != nil {
					t.Fatal(err)
				}
			}
			var lookups atomic.Int32
			f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
				switch {
				case r.Method == http.MethodPost && r.URL.Path == returnCreatePath:
					writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Shipment order not found."})
					return true
				case strings.HasPrefix(r.URL.Path, orderListPath):
					lookups.Add(1)
					if tc.lookup503 {
						w.WriteHeader(http.StatusServiceUnavailable)
						return true
					}
				}
				return false
			}
			_, err := c.CreateReturnOrder(ctx, ReturnOrderInput{
				RMANumber: "RMA-9", ShipmentOrderCode: tc.order, ClientIdentifier: "client-1",
				Lines: []ReturnLine{{SKU: "A", Quantity: 1}},
			})
			if name, _ := ErrorName(err); name != tc.want {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
			if got := int(lookups.Load()); got != tc.lookups {
				t.Errorf("%d order lookups, want %d", got, tc.lookups)
			}
			var nf *OrderNotFoundError
			if tc.want == NameOrderNotFound && (!errors.As(err, &nf) || nf.Order != tc.order || nf.Call.Status != http.StatusBadRequest ||
				!strings.Contains(err.Error(), "Shipment order not found.")) {
				t.Errorf("error %v does not carry the order and Logiwa's answer", err)
			}
		})
	}
}
