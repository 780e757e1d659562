package logiwa

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

func inventoryRows(n int) []map[string]any {
	rows := make([]map[string]any, n)
	for i := range rows {
		rows[i] = map[string]any{"productSku": fmt.Sprintf("SKU-%04d", i), "warehouseIdentifier": "wh-1", "availableUOMQuantity": i}
	}
	return rows
}

func TestInventoryStreamsAllPages(t *testing.T) {
	tests := []struct {
		rows, size int
		wantPages  int
	}{
		{450, 200, 3},
		{400, 200, 2}, // exact multiple: totalCount stops it without a third call
		{5, 2, 3},
		{0, 200, 1}, // a 204 first page is yielded once, empty
		{10, 500, 1},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d rows by %d", tc.rows, tc.size), func(t *testing.T) {
			f, srv := newFake(t)
			f.inventory = inventoryRows(tc.rows)
			c, _ := newTestClient(t, srv.URL)
			seen, pages := 0, 0
			for p, err := range c.InventoryLevels(ctxTimeout(t, 5*time.Second), InventoryFilter{}, tc.size) {
				if err != nil {
					t.Fatal(err)
				}
				if p.Index != pages || p.Size > MaxPageSize {
					t.Errorf("page index %d size %d", p.Index, p.Size)
				}
				for i, it := range p.Items {
					if want := fmt.Sprintf("SKU-%04d", seen+i); it.ProductSKU != want {
						t.Fatalf("item %s, want %s", it.ProductSKU, want)
					}
				}
				seen += len(p.Items)
				pages++
			}
			if seen != tc.rows || pages != tc.wantPages {
				t.Fatalf("saw %d rows in %d pages, want %d in %d", seen, pages, tc.rows, tc.wantPages)
			}
			if n := f.count("GET " + totalInventoryPath); n != tc.wantPages {
				t.Fatalf("requests = %d, want %d", n, tc.wantPages)
			}
		})
	}
}

func TestStreamingStopsWhenConsumerStops(t *testing.T) {
	f, srv := newFake(t)
	f.inventory = inventoryRows(1000)
	c, _ := newTestClient(t, srv.URL)
	for p, err := range c.InventoryLevels(ctxTimeout(t, 5*time.Second), InventoryFilter{}, 100) {
		if err != nil || len(p.Items) != 100 {
			t.Fatal(p, err)
		}
		break
	}
	if n := f.count("GET " + totalInventoryPath); n != 1 {
		t.Fatalf("requests = %d: the iterator read ahead", n)
	}
}

func TestStreamingYieldsErrorOnceAndStops(t *testing.T) {
	f, srv := newFake(t)
	f.inventory = inventoryRows(500)
	f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == totalInventoryPath+"/i/1/s/200" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	}
	c, _ := newTestClient(t, srv.URL)
	var got []string
	for p, err := range c.InventoryLevels(ctxTimeout(t, 5*time.Second), InventoryFilter{}, 200) {
		if err != nil {
			name, _ := ErrorName(err)
			got = append(got, name)
			continue
		}
		got = append(got, fmt.Sprint(len(p.Items)))
	}
	if fmt.Sprint(got) != "[200 Logiwa.Unavailable]" {
		t.Fatalf("sequence = %v", got)
	}
}

func TestShipmentOrdersChangedPaged(t *testing.T) {
	f, srv := newFake(t)
	var gotQuery string
	f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == orderListPath+"/i/0/s/2" || r.URL.Path == orderListPath+"/i/1/s/2" {
			gotQuery = r.URL.Query().Get("UpdatedDateTime.bt")
		}
		return false
	}
	for i := range 3 {
		f.orders = append(f.orders, map[string]any{
			"identifier": fmt.Sprint("o-", i), "code": fmt.Sprint("SO-", i), "shipmentOrderStatusId": StatusShipped,
			"shipmentOrderStatusName": "Shipped", "trackingNumbers": []string{fmt.Sprint("1Z", i)},
			"updatedDateTime": "2026-01-05T10:00:00",
			"shipmentInfo":    []any{map[string]any{"productSku": "A", "packQuantity": 1, "trackingNumber": fmt.Sprint("1Z", i), "shipmentDate": "2026-01-05T09:59:00.123Z"}},
		})
	}
	c, _ := newTestClient(t, srv.URL)
	w := OrderWindow{From: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 6, 0, 0, 0, 0, time.UTC)}
	var all []ShipmentOrder
	for p, err := range c.ShipmentOrdersChanged(ctxTimeout(t, 5*time.Second), w, 2) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, p.Items...)
	}
	if len(all) != 3 || gotQuery != "2026-01-05T00:00:00Z,2026-01-06T00:00:00Z" {
		t.Fatalf("got %d orders, query %q", len(all), gotQuery)
	}
	o := all[2]
	if o.StatusID != StatusShipped || o.TrackingNumbers[0] != "1Z2" || o.ShipmentInfo[0].TrackingNumber != "1Z2" ||
		!o.UpdatedDateTime.Equal(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)) ||
		!o.ShipmentInfo[0].ShipmentDate.Equal(time.Date(2026, 1, 5, 9, 59, 0, 123e6, time.UTC)) {
		t.Fatalf("order = %+v", o)
	}
	p, err := c.ShipmentOrdersChangedPage(ctxTimeout(t, 5*time.Second), w, 1, 2)
	if err != nil || len(p.Items) != 1 || p.TotalCount != 3 || !p.Last() {
		t.Fatalf("page 1 = %+v, %v", p, err)
	}
}

func TestListEnvelopes(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantItems int
		wantTotal int
		hasTotal  bool
	}{
		{"data and totalCount", `{"data":[{"code":"a"},{"code":"b"}],"totalCount":7}`, 2, 7, true},
		{"bare array", `[{"code":"a"}]`, 1, 0, false},
		{"nested result", `{"data":{"data":[{"code":"a"}],"totalCount":1},"status":1}`, 1, 1, true},
		{"null data", `{"data":null,"totalCount":0}`, 0, 0, true},
	}
	for _, tc := range tests {
		var env listEnvelope[Warehouse]
		if err := json.Unmarshal([]byte(tc.body), &env); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(env.Items) != tc.wantItems || env.TotalCount != tc.wantTotal || env.HasTotal != tc.hasTotal {
			t.Errorf("%s: got %+v", tc.name, env)
		}
	}
}

func TestTimeAndStringListDecoding(t *testing.T) {
	times := []struct {
		in   string
		want time.Time
	}{
		{`"2026-01-05T21:23:19.610Z"`, time.Date(2026, 1, 5, 21, 23, 19, 610e6, time.UTC)},
		{`"2025-01-15T10:00:00"`, time.Date(2025, 1, 15, 10, 0, 0, 0, time.UTC)},
		{`"2025-01-15T10:00:00+02:00"`, time.Date(2025, 1, 15, 8, 0, 0, 0, time.UTC)},
		{`"2025-01-15"`, time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)},
		{`null`, time.Time{}},
	}
	for _, tc := range times {
		var got Time
		if err := json.Unmarshal([]byte(tc.in), &got); err != nil || !got.Equal(tc.want) {
			t.Errorf("Time %s = %v, %v", tc.in, got, err)
		}
	}
	var bad Time
	if err := json.Unmarshal([]byte(`"yesterday"`), &bad); err == nil {
		t.Error("want an error for an unknown format")
	}
	lists := map[string]string{`["a","b"]`: "[a b]", `"a, b"`: "[a b]", `null`: "[]", `""`: "[]"}
	for in, want := range lists {
		var l stringList
		if err := json.Unmarshal([]byte(in), &l); err != nil || fmt.Sprint([]string(l)) != want {
			t.Errorf("stringList %s = %v, %v", in, l, err)
		}
	}
}
