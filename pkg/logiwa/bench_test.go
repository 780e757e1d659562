package logiwa

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkOrderPage measures one 200-row shipment order page end to end
// (request, auth header, decode) against a local server: the client's own
// cost per sync step, apart from Logiwa's latency.
func BenchmarkOrderPage(b *testing.B) {
	rows := make([]map[string]any, 200)
	for i := range rows {
		rows[i] = map[string]any{
			"identifier": fmt.Sprintf("00000000-0000-4000-8000-%012d", i), "code": fmt.Sprint("SO-", i),
			"shipmentOrderStatusId": 20, "shipmentOrderStatusName": "Shipped", "trackingNumbers": []string{"1Z999"},
			"updatedDateTime": "2026-01-05T21:23:19.610Z", "actualShipmentDate": "2026-01-05T20:00:00",
			"products":     []any{map[string]any{"productSKU": "A", "quantity": 2, "shippedUOMQuantity": 2}},
			"shipmentInfo": []any{map[string]any{"productSku": "A", "packQuantity": 2, "trackingNumber": "1Z999", "shipmentDate": "2026-01-05T20:00:00"}},
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == tokenPath {
			writeJSON(w, 200, map[string]any{"token": "t"})
			return
		}
		writeJSON(w, 200, map[string]any{"data": rows, "totalCount": 200})
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, Email: "e", Password: "p"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	w := OrderWindow{From: time.Now().Add(-time.Hour), To: time.Now()}
	b.ReportAllocs()
	for b.Loop() {
		p, err := c.ShipmentOrdersChangedPage(ctx, w, 0, 200)
		if err != nil || len(p.Items) != 200 {
			b.Fatal(p.Items, err)
		}
	}
}
