package logiwasim

import (
	"encoding/json"
	"net/http"
	"time"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.route(mux, "POST /v3.1/Authorize/token", false, s.handleToken)

	for _, v := range []string{"v3.1", "v3.2"} {
		s.route(mux, "POST /"+v+"/Product/create", true, s.handleProductCreate)
	}
	for _, v := range []string{"v3.1", "v3.2", "v3.3", "v3.4"} {
		s.route(mux, "PUT /"+v+"/Product/update", true, s.handleProductUpdate)
	}
	s.route(mux, "GET /v3.1/Product/list/i/{index}/s/{size}", true, s.handleProductList)

	s.route(mux, "POST /v3.1/ShipmentOrder/create", true, s.handleOrderCreate)
	s.route(mux, "GET /v3.1/ShipmentOrder/list/i/{index}/s/{size}", true, s.handleOrderList)
	s.route(mux, "GET /v3.1/ShipmentOrder/{identifier}", true, s.handleOrderGet)
	s.route(mux, "POST /v3.1/ShipmentOrder/cancel/{identifier}", true, s.handleOrderCancel)

	s.route(mux, "POST /v3.2/ReturnOrder/create", true, s.handleReturnCreate)
	s.route(mux, "GET /v3.2/ReturnOrder/list/i/{index}/s/{size}", true, s.handleReturnList)
	s.route(mux, "GET /v3.3/ReturnOrder/list/i/{index}/s/{size}", true, s.handleReturnList)

	s.route(mux, "GET /v3.1/Report/TotalInventory/i/{index}/s/{size}", true, s.handleTotalInventory)
	s.route(mux, "GET /v3.1/Client/list/i/{index}/s/{size}", true, s.handleClientList)
	s.route(mux, "GET /v3.1/Warehouse/list/i/{index}/s/{size}", true, s.handleWarehouseList)
	s.route(mux, "GET /v3.1/DataSetup/shipmentordertype/list/i/{index}/s/{size}", true, s.handleOrderTypeList)
	s.route(mux, "GET /v3.1/Helper/lookup", true, s.handleLookup)
	s.route(mux, "GET /v3.1/Helper/carriers", true, s.handleCarriers)
	s.route(mux, "GET /v3.1/Helper/shipmentorderstatustypes", true, s.handleStatusTypes)

	// Anything else is Logiwa's 404, still subject to faults and the limit.
	s.route(mux, "/", false, func(c *call) response {
		return msg(http.StatusNotFound, "No endpoint %s %s.", c.r.Method, c.r.URL.Path)
	})

	// The control API: never faulty, limited or counted.
	mux.HandleFunc("GET /_sim/state", func(w http.ResponseWriter, r *http.Request) { writeControl(w, http.StatusOK, s.Snapshot()) })
	mux.HandleFunc("GET /_sim/stats", func(w http.ResponseWriter, r *http.Request) { writeControl(w, http.StatusOK, s.Stats()) })
	mux.HandleFunc("DELETE /_sim/stats", func(w http.ResponseWriter, r *http.Request) {
		s.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_sim/faults", func(w http.ResponseWriter, r *http.Request) { writeControl(w, http.StatusOK, s.Faults()) })
	mux.HandleFunc("PUT /_sim/faults", s.controlSetFaults)
	mux.HandleFunc("POST /_sim/outage", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			For Duration `json:"for"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.For <= 0 {
			writeControl(w, http.StatusBadRequest, exceptionMessage{Message: `want {"for": "30s"}`})
			return
		}
		s.OutageFor(time.Duration(req.For))
		writeControl(w, http.StatusOK, s.Faults())
	})
	mux.HandleFunc("POST /_sim/advance", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			By Duration `json:"by"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.By < 0 {
			writeControl(w, http.StatusBadRequest, exceptionMessage{Message: `want {"by": "5m"}`})
			return
		}
		s.Advance(time.Duration(req.By))
		writeControl(w, http.StatusOK, map[string]string{"now": ts(s.Now())})
	})
	mux.HandleFunc("POST /_sim/tokens/expire", func(w http.ResponseWriter, r *http.Request) {
		s.ExpireTokens()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("PUT /_sim/rate", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Rate  float64 `json:"rate"`
			Burst int     `json:"burst"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Rate == 0 {
			writeControl(w, http.StatusBadRequest, exceptionMessage{Message: `want {"rate": 6, "burst": 6}`})
			return
		}
		s.SetRate(req.Rate, req.Burst)
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func (s *Server) controlSetFaults(w http.ResponseWriter, r *http.Request) {
	var f Faults
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		writeControl(w, http.StatusBadRequest, exceptionMessage{Message: "faults: " + err.Error()})
		return
	}
	if err := s.SetFaults(f); err != nil {
		writeControl(w, http.StatusBadRequest, exceptionMessage{Message: err.Error()})
		return
	}
	writeControl(w, http.StatusOK, s.Faults())
}

func writeControl(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// State is a read-only copy of everything the simulator holds, for
// reconciliation tests (GET /_sim/state serves the same).
type State struct {
	Now            time.Time        `json:"now"`
	Clients        []ClientState    `json:"clients"`
	Warehouses     []WarehouseState `json:"warehouses"`
	Products       []ProductState   `json:"products"`
	Inventory      []InventoryState `json:"inventory"`
	ShipmentOrders []OrderState     `json:"shipmentOrders"`
	ReturnOrders   []ReturnState    `json:"returnOrders"`
}

// ClientState is a client.
type ClientState struct {
	Identifier  string `json:"identifier"`
	DisplayName string `json:"displayName"`
}

// WarehouseState is a warehouse.
type WarehouseState struct {
	Identifier string `json:"identifier"`
	Code       string `json:"code"`
}

// ProductState is a product.
type ProductState struct {
	Identifier       string    `json:"identifier"`
	ClientIdentifier string    `json:"clientIdentifier"`
	SKU              string    `json:"sku"`
	Name             string    `json:"name"`
	Description      string    `json:"description"`
	SalesPrice       float64   `json:"salesPrice"`
	IsActive         bool      `json:"isActive"`
	Created          time.Time `json:"created"`
	Updated          time.Time `json:"updated"`
}

// InventoryState is what a warehouse holds of a product.
type InventoryState struct {
	WarehouseCode     string `json:"warehouseCode"`
	ProductIdentifier string `json:"productIdentifier"`
	ClientIdentifier  string `json:"clientIdentifier"`
	SKU               string `json:"sku"`
	OnHand            int64  `json:"onHand"`
	Allocated         int64  `json:"allocated"`
	Available         int64  `json:"available"`
}

// OrderState is a shipment order.
type OrderState struct {
	Identifier       string           `json:"identifier"`
	Code             string           `json:"code"`
	ClientIdentifier string           `json:"clientIdentifier"`
	WarehouseCode    string           `json:"warehouseCode"`
	Status           int              `json:"status"`
	StatusName       string           `json:"statusName"`
	IsPartial        bool             `json:"isPartial"`
	TrackingNumbers  []string         `json:"trackingNumbers"`
	Lines            []OrderLineState `json:"lines"`
	Created          time.Time        `json:"created"`
	Updated          time.Time        `json:"updated"`
	ShippedAt        *time.Time       `json:"shippedAt,omitempty"`
}

// OrderLineState is a line of a shipment order.
type OrderLineState struct {
	SKU       string `json:"sku"`
	Quantity  int64  `json:"quantity"`
	Shipped   int64  `json:"shipped"`
	Cancelled int64  `json:"cancelled"`
}

// ReturnState is a return order.
type ReturnState struct {
	Identifier        string            `json:"identifier"`
	RMANumber         string            `json:"rmaNumber"`
	ShipmentOrderCode string            `json:"shipmentOrderCode,omitempty"`
	WarehouseCode     string            `json:"warehouseCode"`
	Status            int               `json:"status"`
	StatusName        string            `json:"statusName"`
	Lines             []ReturnLineState `json:"lines"`
	Created           time.Time         `json:"created"`
	ReceivedAt        *time.Time        `json:"receivedAt,omitempty"`
}

// ReturnLineState is a line of a return order.
type ReturnLineState struct {
	SKU       string `json:"sku"`
	Requested int64  `json:"requested"`
	Returned  int64  `json:"returned"`
}

// Snapshot catches the warehouse up to now and copies the state. It holds
// the simulator's lock while it reads every order, archived ones from disk:
// over a large warehouse prefer Catalog with EachShipmentOrder and
// EachReturnOrder.
func (s *Server) Snapshot() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.catalogLocked()
	whCode := s.warehouseCodes()
	for i := range s.st.orders {
		o, err := s.loadOrder(&s.st.orders[i])
		if err != nil {
			s.log.Error("logiwasim: snapshot: shipment order left out", "code", s.st.orders[i].code, "err", err)
			continue
		}
		st.ShipmentOrders = append(st.ShipmentOrders, orderState(o, whCode))
	}
	for i := range s.st.returns {
		r, err := s.loadReturn(&s.st.returns[i])
		if err != nil {
			s.log.Error("logiwasim: snapshot: return order left out", "rma", s.st.returns[i].rma, "err", err)
			continue
		}
		st.ReturnOrders = append(st.ReturnOrders, returnState(r, whCode))
	}
	return st
}

// Catalog catches the warehouse up to now and copies everything but the
// orders: clients, warehouses, products and inventory (ShipmentOrders and
// ReturnOrders are nil). It costs nothing that grows with the orders.
func (s *Server) Catalog() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.catalogLocked()
}

// catalogLocked is Catalog. Needs s.mu.
func (s *Server) catalogLocked() State {
	now := s.now()
	s.tick(now)
	st := State{Now: now}
	for _, c := range s.st.clients {
		st.Clients = append(st.Clients, ClientState{Identifier: c.ID, DisplayName: c.DisplayName})
	}
	for _, w := range s.st.warehouses {
		st.Warehouses = append(st.Warehouses, WarehouseState{Identifier: w.ID, Code: w.Code})
	}
	for _, p := range s.st.products {
		st.Products = append(st.Products, ProductState{
			Identifier: p.ID, ClientIdentifier: p.ClientID, SKU: p.SKU, Name: p.Name, Description: p.Description,
			SalesPrice: p.SalesPrice, IsActive: p.IsActive, Created: p.Created, Updated: p.Updated,
		})
	}
	for _, w := range s.st.warehouses {
		for _, p := range s.st.products {
			if v := s.st.stock[stockKey{w.ID, p.ID}]; v != nil {
				st.Inventory = append(st.Inventory, InventoryState{
					WarehouseCode: w.Code, ProductIdentifier: p.ID, ClientIdentifier: p.ClientID, SKU: p.SKU,
					OnHand: v.OnHand, Allocated: v.Allocated, Available: max(v.OnHand-v.Allocated, 0),
				})
			}
		}
	}
	return st
}

// Order returns the state of the shipment order with the given code.
func (st State) Order(code string) (OrderState, bool) {
	for _, o := range st.ShipmentOrders {
		if o.Code == code {
			return o, true
		}
	}
	return OrderState{}, false
}

// Stock returns what a warehouse holds of a client's SKU (0 when unknown).
func (st State) Stock(warehouseCode, clientID, sku string) InventoryState {
	for _, i := range st.Inventory {
		if i.WarehouseCode == warehouseCode && i.SKU == sku && (clientID == "" || i.ClientIdentifier == clientID) {
			return i
		}
	}
	return InventoryState{WarehouseCode: warehouseCode, SKU: sku}
}

// Client returns the identifier of the client with the display name.
func (st State) Client(name string) string {
	for _, c := range st.Clients {
		if c.DisplayName == name {
			return c.Identifier
		}
	}
	return ""
}

// Warehouse returns the identifier of the warehouse with the code.
func (st State) Warehouse(code string) string {
	for _, w := range st.Warehouses {
		if w.Code == code {
			return w.Identifier
		}
	}
	return ""
}

func orderState(o *order, whCode map[string]string) OrderState {
	os := OrderState{
		Identifier: o.ID, Code: o.Code, ClientIdentifier: o.ClientID, WarehouseCode: whCode[o.WarehouseID],
		Status: o.Status, StatusName: StatusName(o.Status), IsPartial: o.IsPartial,
		TrackingNumbers: append([]string{}, o.TrackingNumbers...), Created: o.Created, Updated: o.Updated,
	}
	if o.ShippedAt != nil {
		t := *o.ShippedAt
		os.ShippedAt = &t
	}
	for _, l := range o.Lines {
		os.Lines = append(os.Lines, OrderLineState{SKU: l.SKU, Quantity: l.Qty, Shipped: l.Shipped, Cancelled: l.Cancel})
	}
	return os
}

func returnState(r *returnOrder, whCode map[string]string) ReturnState {
	rs := ReturnState{
		Identifier: r.ID, RMANumber: r.RMA, ShipmentOrderCode: r.ShipmentOrderCode, WarehouseCode: whCode[r.WarehouseID],
		Status: r.Status, StatusName: returnStatusNames[r.Status], Created: r.Created,
	}
	if r.ActualReturn != nil {
		t := *r.ActualReturn
		rs.ReceivedAt = &t
	}
	for _, l := range r.Lines {
		rs.Lines = append(rs.Lines, ReturnLineState{SKU: l.SKU, Requested: l.Requested, Returned: l.Returned})
	}
	return rs
}
