package logiwasim

import (
	"net/http"
	"strconv"
)

type clientView struct {
	Identifier       string  `json:"identifier"`
	OfficialIdentity string  `json:"officialIdentity"`
	DisplayName      string  `json:"displayName"`
	FullName         string  `json:"fullName"`
	TaxNumber        *string `json:"taxNumber"`
	TimeZoneID       int     `json:"timeZoneId"`
}

var clientFields = []field[*client]{
	{"DisplayName", kString, "eq", func(c *client) any { return c.DisplayName }},
	{"Identifier", kGUID, "eq", func(c *client) any { return c.ID }},
}

// GET /v3.1/Client/list/i/{index}/s/{size}
func (s *Server) handleClientList(c *call) response {
	return list(s, c, s.st.clients, clientFields, func(cl *client) clientView {
		return clientView{Identifier: cl.ID, OfficialIdentity: cl.OfficialIdentity, DisplayName: cl.DisplayName, FullName: cl.FullName}
	})
}

// warehouseView follows the reference's example for Warehouse/list, which is
// a bare array of location-style rows (OpenAPIListWarehouseLocationResponse)
// rather than the {data, totalCount} envelope; we serve what it shows.
type warehouseView struct {
	Identifier      string `json:"identifier"`
	CreatedDateTime string `json:"createdDateTime"`
	UpdatedDateTime string `json:"updatedDateTime"`
	Code            string `json:"code"`
	WarehouseCode   string `json:"warehouseCode"`
	DisplayMember   string `json:"displayMember"`
}

// GET /v3.1/Warehouse/list/i/{index}/s/{size}
func (s *Server) handleWarehouseList(c *call) response {
	resp := list(s, c, s.st.warehouses, nil, func(w *warehouse) warehouseView {
		return warehouseView{Identifier: w.ID, CreatedDateTime: ts(w.Created), UpdatedDateTime: ts(w.Created), Code: w.Code, WarehouseCode: w.Code, DisplayMember: w.Description}
	})
	if l, ok := resp.body.(listing[warehouseView]); ok {
		resp.body = l.Data
	}
	return resp
}

type idNameCode struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Code string `json:"code"`
}

// GET /v3.1/Helper/carriers
func (s *Server) handleCarriers(*call) response {
	out := make([]idNameCode, len(s.st.carriers))
	for i, c := range s.st.carriers {
		out[i] = idNameCode{ID: strconv.Itoa(c.ID), Name: c.Name, Code: c.Name}
	}
	return jsonResp(http.StatusOK, out)
}

// GET /v3.1/Helper/shipmentorderstatustypes
func (s *Server) handleStatusTypes(*call) response {
	type row struct {
		Identifier string `json:"identifier"`
		Name       string `json:"name"`
	}
	out := make([]row, len(statusOrder))
	for i, id := range statusOrder {
		out[i] = row{Identifier: strconv.Itoa(id), Name: statusNames[id]}
	}
	return jsonResp(http.StatusOK, out)
}

type shipmentOrderTypeView struct {
	Identifier               string  `json:"identifier"`
	Name                     string  `json:"name"`
	Description              *string `json:"description"`
	IsAllowPartialAllocation bool    `json:"isAllowPartialAllocation"`
}

// GET /v3.1/DataSetup/shipmentordertype/list/i/{index}/s/{size}: a bare array, as in the reference.
func (s *Server) handleOrderTypeList(c *call) response {
	resp := list(s, c, s.st.orderTypes, nil, func(t namedRef) shipmentOrderTypeView {
		return shipmentOrderTypeView{Identifier: t.GUID, Name: t.Name, IsAllowPartialAllocation: true}
	})
	if l, ok := resp.body.(listing[shipmentOrderTypeView]); ok {
		resp.body = l.Data
	}
	return resp
}

type lookupItem struct {
	ID         int    `json:"id"`
	Name       string `json:"name"`
	Identifier string `json:"identifier"`
}

// GET /v3.1/Helper/lookup
func (s *Server) handleLookup(*call) response {
	var clients, warehouses, types, carriers []lookupItem
	for i, c := range s.st.clients {
		clients = append(clients, lookupItem{ID: i + 1, Name: c.DisplayName, Identifier: c.ID})
	}
	for i, w := range s.st.warehouses {
		warehouses = append(warehouses, lookupItem{ID: i + 1, Name: w.Code, Identifier: w.ID})
	}
	for _, t := range s.st.orderTypes {
		types = append(types, lookupItem{ID: t.ID, Name: t.Name, Identifier: t.GUID})
	}
	for _, c := range s.st.carriers {
		carriers = append(carriers, lookupItem{ID: c.ID, Name: c.Name, Identifier: c.GUID})
	}
	return jsonResp(http.StatusOK, map[string]any{"data": map[string][]lookupItem{
		"clientList": clients, "warehouseList": warehouses, "shipmentOrderTypeList": types, "carrierList": carriers,
	}})
}

// inventoryRow is one line of Report/TotalInventory
// (ConsolidatedInventoryListGatewayQueryResponse): a product in a warehouse.
type inventoryRow struct {
	ClientIdentifier              string `json:"clientIdentifier"`
	ClientDisplayName             string `json:"clientDisplayName"`
	WarehouseIdentifier           string `json:"warehouseIdentifier"`
	WarehouseCode                 string `json:"warehouseCode"`
	ProductIdentifier             string `json:"productIdentifier"`
	ProductSku                    string `json:"productSku"`
	ProductName                   string `json:"productName"`
	ProductIsActive               bool   `json:"productIsActive"`
	ProductTypeName               string `json:"productTypeName"`
	ProductGroupName              string `json:"productGroupName"`
	DamagedQuantity               int64  `json:"damagedQuantity"`
	TotalQuantity                 int64  `json:"totalQuantity"`
	TotalUOMQuantity              int64  `json:"totalUOMQuantity"`
	AvailableUOMQuantity          int64  `json:"availableUOMQuantity"`
	OpenShipmentOrderQuantity     int64  `json:"openShipmentOrderQuantity"`
	UndamagedQuantity             int64  `json:"undamagedQuantity"`
	AvailableUndamagedUOMQuantity int64  `json:"availableUndamagedUOMQuantity"`
}

// inventoryRows lists every product in every warehouse (stock or not), in
// warehouse then product creation order. Needs s.mu.
func (s *Server) inventoryRows() []inventoryRow {
	open := map[stockKey]int64{}
	for i := range s.st.orders {
		o := s.st.orders[i].o // an archived order is settled: nothing open
		if o == nil || o.Status == StatusShipped || o.Status == StatusCancelled {
			continue
		}
		for _, l := range o.Lines {
			open[stockKey{o.WarehouseID, l.ProductID}] += l.Qty
		}
	}
	var rows []inventoryRow
	for _, w := range s.st.warehouses {
		for _, p := range s.st.products {
			k := stockKey{w.ID, p.ID}
			st := s.st.stock[k]
			if st == nil {
				st = &stock{}
			}
			avail := max(st.OnHand-st.Allocated, 0)
			row := inventoryRow{
				ClientIdentifier: p.ClientID, WarehouseIdentifier: w.ID, WarehouseCode: w.Code,
				ProductIdentifier: p.ID, ProductSku: p.SKU, ProductName: p.Name, ProductIsActive: p.IsActive,
				ProductTypeName: p.ProductTypeName, ProductGroupName: p.ProductGroupName,
				TotalQuantity: st.OnHand, TotalUOMQuantity: st.OnHand, AvailableUOMQuantity: avail,
				OpenShipmentOrderQuantity: open[k], UndamagedQuantity: st.OnHand, AvailableUndamagedUOMQuantity: avail,
			}
			if cl := s.st.client(p.ClientID); cl != nil {
				row.ClientDisplayName = cl.DisplayName
			}
			rows = append(rows, row)
		}
	}
	return rows
}

var inventoryFields = []field[inventoryRow]{
	{"Sku", kString, "eq", func(r inventoryRow) any { return r.ProductSku }},
	{"ClientIdentifier", kGUID, "eq in", func(r inventoryRow) any { return r.ClientIdentifier }},
	{"OutOfStock", kBool, "eq", func(r inventoryRow) any { return r.AvailableUOMQuantity <= 0 }},
	{"WarehouseIdentifier", kGUID, "eq in", func(r inventoryRow) any { return r.WarehouseIdentifier }},
	{"ProductTypeName", kString, "eq", func(r inventoryRow) any { return r.ProductTypeName }},
	{"ProductGroupName", kString, "eq", func(r inventoryRow) any { return r.ProductGroupName }},
}

// GET /v3.1/Report/TotalInventory/i/{index}/s/{size}
func (s *Server) handleTotalInventory(c *call) response {
	return list(s, c, s.inventoryRows(), inventoryFields, func(r inventoryRow) inventoryRow { return r })
}
