package logiwasim

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

func TestValidation(t *testing.T) {
	h := newHarness(t, Options{MaxBodyBytes: 4096})
	clientID := h.s.Snapshot().Client(SeedClient)
	h.createOrder(h.order("DUP-1"))
	withoutField := func(field string) map[string]any {
		o := h.order("VAL-" + field)
		delete(o, field)
		return o
	}
	cases := []struct {
		name, method, path string
		body               any
		status             int
		// wantProperty is a property the validation error must name; wantMessage a substring of message.
		wantProperty, wantMessage string
	}{
		{"token without password", "POST", "/v3.1/Authorize/token", map[string]any{"email": DefaultEmail}, 400, "Password", ""},
		{"token email wrong type", "POST", "/v3.1/Authorize/token", map[string]any{"email": 5, "password": "x"}, 400, "email", ""},
		{"product without sku", "POST", "/v3.1/Product/create", map[string]any{"clientIdentifier": clientID, "name": "n", "description": "d", "currencyId": 1, "isPackagingMaterial": false}, 400, "Sku", ""},
		{"product without currency", "POST", "/v3.1/Product/create", map[string]any{"clientIdentifier": clientID, "sku": "S", "name": "n", "description": "d", "isPackagingMaterial": false}, 400, "CurrencyId", ""},
		{"product description too long", "POST", "/v3.1/Product/create", map[string]any{"clientIdentifier": clientID, "sku": "S", "name": "n", "description": strings.Repeat("x", 501), "currencyId": 1, "isPackagingMaterial": false}, 400, "Description", ""},
		{"product duplicate sku", "POST", "/v3.1/Product/create", map[string]any{"clientIdentifier": clientID, "sku": "MUG-BLUE", "name": "n", "description": "d", "currencyId": 1, "isPackagingMaterial": false}, 400, "", "already exists"},
		{"product update without packing settings", "PUT", "/v3.1/Product/update", map[string]any{"clientIdentifier": clientID, "sku": "MUG-BLUE", "name": "n", "description": "d"}, 400, "PackingSettings", ""},
		{"product update unknown sku", "PUT", "/v3.2/Product/update", map[string]any{"clientIdentifier": clientID, "sku": "NOPE", "name": "n", "description": "d", "packingSettings": map[string]any{}}, 404, "", "not found"},
		{"order without code", "POST", "/v3.1/ShipmentOrder/create", withoutField("code"), 400, "Code", ""},
		{"order without type", "POST", "/v3.1/ShipmentOrder/create", withoutField("shipmentOrderType"), 400, "ShipmentOrderType", ""},
		{"order without date", "POST", "/v3.1/ShipmentOrder/create", withoutField("shipmentOrderDate"), 400, "ShipmentOrderDate", ""},
		{"order without currency", "POST", "/v3.1/ShipmentOrder/create", withoutField("currencyId"), 400, "CurrencyId", ""},
		{"order without lines", "POST", "/v3.1/ShipmentOrder/create", withoutField("shipmentOrderLineList"), 400, "ShipmentOrderLineList", ""},
		{"order bad date", "POST", "/v3.1/ShipmentOrder/create", func() map[string]any { o := h.order("BAD-DATE"); o["shipmentOrderDate"] = "yesterday"; return o }(), 400, "shipmentOrderDate", ""},
		{"order quantity zero", "POST", "/v3.1/ShipmentOrder/create", h.order("ZERO", line("MUG-BLUE", 0)), 400, "ShipmentOrderLineList[0].PackQuantity", ""},
		{"order unknown sku", "POST", "/v3.1/ShipmentOrder/create", h.order("UNKNOWN", line("NOPE", 1)), 400, "ShipmentOrderLineList[0].Sku", ""},
		{"order unknown type", "POST", "/v3.1/ShipmentOrder/create", func() map[string]any { o := h.order("TYPE"); o["shipmentOrderType"] = "Teleport"; return o }(), 400, "", "type"},
		{"order duplicate code", "POST", "/v3.1/ShipmentOrder/create", h.order("DUP-1"), 400, "", "already exists"},
		{"return without rma", "POST", "/v3.2/ReturnOrder/create", map[string]any{"returnOrderProductLineList": []any{map[string]any{"productIdentifier": clientID, "requestedQuantity": 1}}}, 400, "RmaNumber", ""},
		{"return negative quantity", "POST", "/v3.2/ReturnOrder/create", map[string]any{"rmaNumber": "R", "shipmentOrderCode": "DUP-1", "returnOrderProductLineList": []any{map[string]any{"productIdentifier": clientID, "requestedQuantity": -1}}}, 400, "ReturnOrderProductLineList[0].RequestedQuantity", ""},
		{"page size over 200", "GET", "/v3.1/Product/list/i/0/s/201", nil, 400, "", "Pagesize can't be greater than 200"},
		{"page size zero", "GET", "/v3.1/ShipmentOrder/list/i/0/s/0", nil, 400, "", "Pagesize"},
		{"negative page", "GET", "/v3.1/ShipmentOrder/list/i/-1/s/10", nil, 400, "", "index"},
		{"unknown filter", "GET", "/v3.1/Product/list/i/0/s/10?Colour.eq=red", nil, 400, "", "Colour"},
		{"unsupported operator", "GET", "/v3.1/Product/list/i/0/s/10?Sku.gt=A", nil, 400, "", "Operator gt"},
		{"bad guid", "GET", "/v3.1/ShipmentOrder/list/i/0/s/10?ClientIdentifier.eq=abc", nil, 400, "", "identifier"},
		{"bad date", "GET", "/v3.1/ShipmentOrder/list/i/0/s/10?UpdatedDateTime.bt=2026-01-01", nil, 400, "", "bt needs two"},
		{"order get not found", "GET", "/v3.1/ShipmentOrder/3fa85f64-5717-4562-b3fc-2c963f66afa6", nil, 404, "", "not found"},
		{"cancel not found", "POST", "/v3.1/ShipmentOrder/cancel/3fa85f64-5717-4562-b3fc-2c963f66afa6", map[string]any{}, 404, "", "not found"},
		{"unknown endpoint", "GET", "/v3.1/Teleport/list", nil, 404, "", "No endpoint"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := h.call(tc.method, tc.path, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			var e validationError
			mustJSON(t, body, &e)
			if e.Message == "" {
				t.Errorf("no message in %s", body)
			}
			if tc.wantMessage != "" && !contains(e.Message, tc.wantMessage) {
				t.Errorf("message %q lacks %q", e.Message, tc.wantMessage)
			}
			if tc.wantProperty != "" {
				if e.Code != "validation" || e.Status != 2 {
					t.Errorf("want a validation error (code validation, status 2): %s", body)
				}
				found := false
				for _, d := range e.Data {
					found = found || d.Property == tc.wantProperty
				}
				if !found {
					t.Errorf("no error for property %s in %s", tc.wantProperty, body)
				}
			}
		})
	}
}

func TestTransportLevelChecks(t *testing.T) {
	h := newHarness(t, Options{MaxBodyBytes: 1024})
	send := func(contentType string, body []byte) int {
		req, _ := http.NewRequest("POST", h.url+"/v3.1/ShipmentOrder/create", bytes.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set("Authorization", "Bearer "+h.token)
		resp, err := h.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	cases := []struct {
		name        string
		contentType string
		body        []byte
		want        int
	}{
		{"xml is unsupported", "application/xml", []byte("<order/>"), http.StatusUnsupportedMediaType},
		{"form is unsupported", "application/x-www-form-urlencoded", []byte("code=1"), http.StatusUnsupportedMediaType},
		{"no content type with a body", "", []byte(`{"code":"X"}`), http.StatusUnsupportedMediaType},
		{"too large", "application/json", bytes.Repeat([]byte(" "), 2048), http.StatusRequestEntityTooLarge},
		{"json with charset is fine (then validated)", "application/json; charset=utf-8", []byte(`{}`), http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := send(tc.contentType, tc.body); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
		})
	}
}

func TestLQLFiltersAndPaging(t *testing.T) {
	h := newHarness(t, Options{})
	st := h.s.Snapshot()
	client, other := st.Client(SeedClient), st.Client(SeedOtherClient)
	for i, code := range []string{"F-1", "F-2", "F-3"} {
		h.createOrder(h.order(code, line([]string{"MUG-BLUE", "NOTEBOOK-A5", "MUG-BLUE"}[i], 1)))
		h.s.Advance(DefaultTimeline.Pick) // F-1 starts picking as F-2 arrives, and so on
	}
	o := h.order("F-OTHER", line("MUG-BLUE", 1))
	o["client"] = SeedOtherClient
	h.createOrder(o)
	// Clock now t0+3m. F-1 (created t0) is Ready to Pack since t0+3m; F-2 (t0+1m)
	// and F-3 (t0+2m) are Picking Started; F-OTHER (t0+3m) is Open.

	count := func(path string) (int, int) {
		status, body := h.call("GET", path, nil)
		if status == http.StatusNoContent {
			if len(body) != 0 {
				t.Errorf("%s: 204 with a body %q", path, body)
			}
			return 0, 0
		}
		if status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, status, body)
		}
		var l struct {
			Data       []map[string]any `json:"data"`
			TotalCount int              `json:"totalCount"`
		}
		mustJSON(t, body, &l)
		return len(l.Data), l.TotalCount
	}
	cases := []struct {
		name        string
		path        string
		rows, total int
	}{
		{"all orders", "/v3.1/ShipmentOrder/list/i/0/s/200", 4, 4},
		{"page of two", "/v3.1/ShipmentOrder/list/i/0/s/2", 2, 4},
		{"second page", "/v3.1/ShipmentOrder/list/i/1/s/3", 1, 4},
		{"past the end is 204", "/v3.1/ShipmentOrder/list/i/2/s/2", 0, 0},
		{"code eq", "/v3.1/ShipmentOrder/list/i/0/s/10?Code.eq=F-2", 1, 1},
		{"code eq is case sensitive", "/v3.1/ShipmentOrder/list/i/0/s/10?Code.eq=f-2", 0, 0},
		{"field names are not", "/v3.1/ShipmentOrder/list/i/0/s/10?code.eq=F-2", 1, 1},
		{"sku matches any line", "/v3.1/ShipmentOrder/list/i/0/s/10?Sku.eq=MUG-BLUE", 3, 3},
		{"client eq", "/v3.1/ShipmentOrder/list/i/0/s/10?ClientIdentifier.eq=" + other, 1, 1},
		{"client in", "/v3.1/ShipmentOrder/list/i/0/s/10?ClientIdentifier.in=" + other + "," + client, 4, 4},
		{"status eq open", "/v3.1/ShipmentOrder/list/i/0/s/10?Status.eq=6", 1, 1},
		{"status in", "/v3.1/ShipmentOrder/list/i/0/s/10?Status.in=6,9", 3, 3},
		{"status eq ready to pack", "/v3.1/ShipmentOrder/list/i/0/s/10?Status.eq=12", 1, 1},
		{"created bt datetimes", "/v3.1/ShipmentOrder/list/i/0/s/10?CreatedDateTime.bt=2026-03-02T09:00:30Z,2026-03-02T09:02:00Z", 2, 2},
		{"updated bt since 09:02", "/v3.1/ShipmentOrder/list/i/0/s/10?UpdatedDateTime.bt=2026-03-02T09:02:00Z,2026-03-02T10:00:00Z", 4, 4},
		{"updated bt whole day", "/v3.1/ShipmentOrder/list/i/0/s/10?UpdatedDateTime.bt=2026-03-02,2026-03-02", 4, 4},
		{"updated bt other day", "/v3.1/ShipmentOrder/list/i/0/s/10?UpdatedDateTime.bt=2026-03-01,2026-03-01", 0, 0},
		{"combined filters", "/v3.1/ShipmentOrder/list/i/0/s/10?Sku.eq=MUG-BLUE&ClientIdentifier.eq=" + client, 2, 2},
		{"product sku", "/v3.1/Product/list/i/0/s/10?Sku.eq=MUG-BLUE", 2, 2},
		{"product sku and client", "/v3.1/Product/list/i/0/s/10?Sku.eq=MUG-BLUE&ClientIdentifier.eq=" + client, 1, 1},
		{"inventory by warehouse", "/v3.1/Report/TotalInventory/i/0/s/200?WarehouseIdentifier.eq=" + st.Warehouse(SeedWarehouse), 4, 4},
		{"inventory paged", "/v3.1/Report/TotalInventory/i/1/s/3", 3, 8},
		{"inventory out of stock", "/v3.1/Report/TotalInventory/i/0/s/200?OutOfStock.eq=true", 1, 1},
		{"client by name", "/v3.1/Client/list/i/0/s/10?DisplayName.eq=" + "Other%20Brand", 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, total := count(tc.path)
			if rows != tc.rows || total != tc.total {
				t.Fatalf("rows %d total %d, want %d and %d", rows, total, tc.rows, tc.total)
			}
		})
	}
}
