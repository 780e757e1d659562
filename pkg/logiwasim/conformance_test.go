package logiwasim

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The reference's example bodies live in testdata/reference (extracted by
// extract.py). Each response of the simulator must use only fields the
// example has, with the same JSON types (null allowed anywhere: the
// reference marks nearly every field nullable), and must carry the fields
// our flows read.

func loadExample(t *testing.T, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "reference", name))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	mustJSON(t, b, &v)
	return v
}

// shapeErrors lists where got uses a field the reference lacks or a type it
// does not have there.
func shapeErrors(path string, got, want any) []string {
	if got == nil || want == nil {
		return nil
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{path + ": got " + jsonType(got) + ", reference has object"}
		}
		var errs []string
		for k, gv := range g {
			wv, ok := w[k]
			if !ok {
				errs = append(errs, path+"."+k+": not in the reference")
				continue
			}
			errs = append(errs, shapeErrors(path+"."+k, gv, wv)...)
		}
		return errs
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{path + ": got " + jsonType(got) + ", reference has array"}
		}
		var errs []string
		if len(w) > 0 {
			for _, gv := range g {
				errs = append(errs, shapeErrors(path+"[]", gv, w[0])...)
			}
		}
		return errs
	default:
		if jsonType(got) != jsonType(want) {
			return []string{path + ": got " + jsonType(got) + ", reference has " + jsonType(want)}
		}
	}
	return nil
}

func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	}
	return "null"
}

// lookupPath reads a dotted path ("data[].code") from v; [] takes the first element.
func lookupPath(v any, path string) (any, bool) {
	for _, part := range strings.Split(path, ".") {
		first := strings.HasSuffix(part, "[]")
		part = strings.TrimSuffix(part, "[]")
		if part != "" {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[part]; !ok {
				return nil, false
			}
		}
		if first {
			a, ok := v.([]any)
			if !ok || len(a) == 0 {
				return nil, false
			}
			v = a[0]
		}
	}
	return v, true
}

func TestResponsesMatchReference(t *testing.T) {
	h := newHarness(t, Options{Seed: 7, PartialRate: -1})
	st := h.s.Snapshot()
	clientID := st.Client(SeedClient)
	var mugID string
	for _, p := range st.Products {
		if p.SKU == "MUG-BLUE" && p.ClientIdentifier == clientID {
			mugID = p.Identifier
		}
	}
	// A shipped order with two lines, so shipmentInfo and tracking are filled.
	orderID := h.createOrder(h.order("REF-1", line("MUG-BLUE", 2), line("NOTEBOOK-A5", 3)))
	h.s.Advance(10 * DefaultTimeline.Pick)
	h.want(http.StatusCreated, "POST", "/v3.2/ReturnOrder/create", map[string]any{
		"rmaNumber": "RMA-REF-1", "shipmentOrderCode": "REF-1",
		"returnOrderProductLineList": []any{map[string]any{"productIdentifier": mugID, "requestedQuantity": 1}},
	})

	productCreate := map[string]any{"clientIdentifier": clientID, "sku": "NEW-1", "name": "New", "description": "New product", "currencyId": 1, "isPackagingMaterial": false}
	productCreate32 := map[string]any{"clientIdentifier": clientID, "sku": "NEW-2", "name": "New 2", "description": "New product", "currencyId": 1, "isPackagingMaterial": false}
	cases := []struct {
		name, method, path string
		body               any
		noToken            bool
		status             int
		example            string
		must               []string
	}{
		{"token", "POST", "/v3.1/Authorize/token", map[string]string{"email": DefaultEmail, "password": DefaultPassword}, true, 200, "token.200.json", []string{"token"}},
		{"token bad password", "POST", "/v3.1/Authorize/token", map[string]string{"email": DefaultEmail, "password": "nope"}, true, 400, "token.400.json", []string{"message"}},
		{"no token", "GET", "/v3.1/Product/list/i/0/s/10", nil, true, 401, "token.401.json", []string{"type", "title", "status", "detail"}},
		{"validation", "POST", "/v3.1/Product/create", map[string]any{"sku": ""}, false, 400, "product_listing.400.json", []string{"message", "data[].property", "data[].errorMessage", "code", "status"}},
		{"product create", "POST", "/v3.1/Product/create", productCreate, false, 201, "product_create.201.json", []string{"data", "status"}},
		{"product create v3.2", "POST", "/v3.2/Product/create", productCreate32, false, 201, "product_create_v32.201.json", []string{"data"}},
		{"product update", "PUT", "/v3.1/Product/update", map[string]any{"clientIdentifier": clientID, "sku": "NEW-1", "name": "Renamed", "description": "d", "packingSettings": map[string]any{}}, false, 200, "product_update.200.json", []string{"value"}},
		{"product list", "GET", "/v3.1/Product/list/i/0/s/200", nil, false, 200, "product_list.200.json", []string{"totalCount", "data[].identifier", "data[].sku", "data[].name", "data[].clientIdentifier", "data[].updatedDateTime", "data[].salesPrice"}},
		{"order create", "POST", "/v3.1/ShipmentOrder/create", h.order("REF-2"), false, 201, "shipmentorder_create.201.json", []string{"data"}},
		{"order get", "GET", "/v3.1/ShipmentOrder/" + orderID, nil, false, 200, "shipmentorder_get.200.json", []string{"identifier", "code", "shipmentOrderStatusName", "trackingNumbers", "isPartial", "warehouseIdentifier", "products[].productSKU", "products[].shippedUOMQuantity"}},
		{"order list", "GET", "/v3.1/ShipmentOrder/list/i/0/s/10?Code.eq=REF-1", nil, false, 200, "shipmentorder_list.200.json", []string{"totalCount", "data[].identifier", "data[].code", "data[].shipmentOrderStatusId", "data[].shipmentOrderStatusName", "data[].trackingNumbers", "data[].actualShipmentDate", "data[].updatedDateTime", "data[].isPartial", "data[].shipmentInfo[].trackingNumber", "data[].products[].shippedUOMQuantity"}},
		{"return list v3.2", "GET", "/v3.2/ReturnOrder/list/i/0/s/10", nil, false, 200, "returnorder_list.200.json", []string{"data.totalCount", "data.data[].identifier", "data.data[].rmaNumber", "data.data[].returnOrderStatusName", "data.data[].returnOrderProductLineList[].productSKU"}},
		{"return list v3.3", "GET", "/v3.3/ReturnOrder/list/i/0/s/10", nil, false, 200, "returnorder_list_v33.200.json", []string{"data.data[].rmaNumber"}},
		{"return create", "POST", "/v3.2/ReturnOrder/create", map[string]any{"rmaNumber": "RMA-REF-2", "shipmentOrderIdentifier": orderID, "returnOrderProductLineList": []any{map[string]any{"productIdentifier": mugID, "requestedQuantity": 1}}}, false, 201, "returnorder_create.201.json", []string{"data"}},
		{"total inventory", "GET", "/v3.1/Report/TotalInventory/i/0/s/50", nil, false, 200, "totalinventory.200.json", []string{"totalCount", "data[].productSku", "data[].warehouseIdentifier", "data[].availableUOMQuantity", "data[].totalQuantity"}},
		{"clients", "GET", "/v3.1/Client/list/i/0/s/10", nil, false, 200, "client_list.200.json", []string{"data[].identifier", "data[].displayName"}},
		{"warehouses", "GET", "/v3.1/Warehouse/list/i/0/s/10", nil, false, 200, "warehouse_list.200.json", []string{"[].identifier", "[].code"}},
		{"order types", "GET", "/v3.1/DataSetup/shipmentordertype/list/i/0/s/10", nil, false, 200, "shipmentordertype_list.200.json", []string{"[].identifier", "[].name"}},
		{"lookup", "GET", "/v3.1/Helper/lookup", nil, false, 200, "lookup.200.json", []string{"data.clientList[].identifier", "data.warehouseList[].name", "data.shipmentOrderTypeList[].name"}},
		{"carriers", "GET", "/v3.1/Helper/carriers", nil, false, 200, "carriers.200.json", []string{"[].id", "[].name"}},
		{"status types", "GET", "/v3.1/Helper/shipmentorderstatustypes", nil, false, 200, "shipmentorderstatustypes.200.json", []string{"[].identifier", "[].name"}},
		{"cancel", "POST", "/v3.1/ShipmentOrder/cancel/%ORDER2%", map[string]any{"cancelReasonName": "Customer request"}, false, 200, "shipmentorder_cancel.200.json", []string{"value"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if strings.Contains(path, "%ORDER2%") {
				path = strings.ReplaceAll(path, "%ORDER2%", h.s.mustOrderID(t, "REF-2"))
			}
			tok := h.token
			if tc.noToken {
				h.token = ""
			}
			status, body := h.call(tc.method, path, tc.body)
			h.token = tok
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			var got any
			mustJSON(t, body, &got)
			for _, e := range shapeErrors("$", got, loadExample(t, tc.example)) {
				t.Error(e)
			}
			for _, p := range tc.must {
				if v, ok := lookupPath(got, p); !ok || v == nil {
					t.Errorf("%s missing or null in %s", p, body)
				}
			}
		})
	}
}

func (s *Server) mustOrderID(t *testing.T, code string) string {
	t.Helper()
	o, ok := s.Snapshot().Order(code)
	if !ok {
		t.Fatalf("no order %s", code)
	}
	return o.Identifier
}

// The request examples of the reference are accepted as they stand, once
// their placeholder references point at things the simulator knows.
func TestReferenceRequestExamplesAccepted(t *testing.T) {
	h := newHarness(t, Options{})
	st := h.s.Snapshot()
	clientID, whID := st.Client(SeedClient), st.Warehouse(SeedWarehouse)
	load := func(name string) map[string]any {
		m := loadExample(t, name).(map[string]any)
		return m
	}
	pc := load("product_create.request.json")
	pc["clientIdentifier"] = clientID
	h.want(http.StatusCreated, "POST", "/v3.1/Product/create", pc)

	pu := load("product_update.request.json")
	delete(pu, "identifier")
	pu["clientIdentifier"], pu["sku"] = clientID, pc["sku"]
	h.want(http.StatusOK, "PUT", "/v3.1/Product/update", pu)

	so := load("shipmentorder_create.request.json")
	so["clientIdentifier"], so["warehouseIdentifier"], so["shipmentOrderType"] = clientID, whID, SeedOrderType
	so["shipmentOrderLineList"].([]any)[0].(map[string]any)["sku"] = pc["sku"]
	so["shipmentOrderLineList"].([]any)[0].(map[string]any)["packQuantity"] = 1
	var g guidResult
	mustJSON(t, h.want(http.StatusCreated, "POST", "/v3.1/ShipmentOrder/create", so), &g)

	ro := load("returnorder_create.request.json")
	delete(ro, "identifier")
	delete(ro, "shipmentOrderCode")
	ro["shipmentOrderIdentifier"] = g.Data
	line := ro["returnOrderProductLineList"].([]any)[0].(map[string]any)
	var p struct {
		Data []productView `json:"data"`
	}
	mustJSON(t, h.want(http.StatusOK, "GET", "/v3.1/Product/list/i/0/s/1?Sku.eq="+pc["sku"].(string), nil), &p)
	line["productIdentifier"] = p.Data[0].Identifier
	h.want(http.StatusCreated, "POST", "/v3.2/ReturnOrder/create", ro)

	cancel := load("shipmentorder_cancel.request.json")
	b := h.want(http.StatusOK, "POST", "/v3.1/ShipmentOrder/cancel/"+g.Data, cancel)
	var v boolValue
	if err := json.Unmarshal(b, &v); err != nil || !v.Value {
		t.Fatalf("cancel answered %s", b)
	}
}
