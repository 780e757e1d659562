package gate

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/logiwa"
	"github.com/logiwaflow/logiwaflow/pkg/message"
)

// Account holds the Logiwa settings every request needs: which client (the
// shop's account in the 3PL sense), warehouse and order type to use.
type Account struct {
	ClientIdentifier    string
	WarehouseIdentifier string
	OrderType           string // e.g. "Sales Order"; account-configured in Logiwa
	CancelReason        string
}

// Logiwa is the part of the client the operations use.
type Logiwa interface {
	UpsertProduct(ctx context.Context, in logiwa.ProductInput) (logiwa.ProductResult, error)
	CreateShipmentOrder(ctx context.Context, in logiwa.ShipmentOrderInput) (logiwa.OrderResult, error)
	CancelShipmentOrder(ctx context.Context, in logiwa.CancelInput) (logiwa.CancelResult, error)
	CreateReturnOrder(ctx context.Context, in logiwa.ReturnOrderInput) (logiwa.ReturnResult, error)
	InventoryPage(ctx context.Context, f logiwa.InventoryFilter, index, size int) (logiwa.Page[logiwa.InventoryLevel], error)
	ShipmentOrdersChangedPage(ctx context.Context, w logiwa.OrderWindow, index, size int) (logiwa.Page[logiwa.ShipmentOrder], error)
}

// WriteResult is what an inbound operation reports to the workflow.
type WriteResult struct {
	ID      string `json:"id"`
	Outcome string `json:"outcome"`
}

// Window is a sync page request; the sync task builds it.
type Window struct {
	Since string   `json:"since"`
	Until string   `json:"until"`
	Index int      `json:"index"`
	Size  int      `json:"size"`
	SKUs  []string `json:"skus,omitempty"`
	// SKUIndex walks the SKU list when a by-hand sync names SKUs: Logiwa's
	// report filters one SKU per request.
	SKUIndex int `json:"skuIndex,omitempty"`
}

// PageResult is a sync page as the workflow carries it.
type PageResult struct {
	Index      int   `json:"index"`
	TotalCount int   `json:"totalCount"`
	Items      []any `json:"items"`
}

// StockItem is one inventory row of a sync page.
type StockItem struct {
	SKU       string `json:"sku"`
	Warehouse string `json:"warehouse"`
	Available int64  `json:"available"`
	Total     int64  `json:"total"`
	Damaged   int64  `json:"damaged"`
}

// OrderItem is one shipment order of a sync page.
type OrderItem struct {
	OrderNumber string   `json:"orderNumber"`
	Status      string   `json:"status"`
	Tracking    []string `json:"tracking"`
	Shipments   []string `json:"shipments"`
	Partial     bool     `json:"partial"`
	ShippedQty  int64    `json:"shippedQty"`
	OrderedQty  int64    `json:"orderedQty"`
	UpdatedAt   string   `json:"updatedAt"`
}

// Operations returns the gate's operations over a Logiwa client. Each
// returns the time spent in Logiwa calls (recorded by the client), which
// the workflows compare with their latency thresholds.
func Operations(c Logiwa, acct Account) map[string]Operation {
	return map[string]Operation{
		"upsertProduct":       timed(func(ctx context.Context, p json.RawMessage) (any, error) { return upsertProduct(ctx, c, acct, p) }),
		"createShipmentOrder": timed(func(ctx context.Context, p json.RawMessage) (any, error) { return createOrder(ctx, c, acct, p) }),
		"cancelShipmentOrder": timed(func(ctx context.Context, p json.RawMessage) (any, error) { return cancelOrder(ctx, c, acct, p) }),
		"createReturnOrder":   timed(func(ctx context.Context, p json.RawMessage) (any, error) { return createReturn(ctx, c, acct, p) }),
		"inventoryPage":       timed(func(ctx context.Context, p json.RawMessage) (any, error) { return inventoryPage(ctx, c, acct, p) }),
		"shipmentOrdersPage":  timed(func(ctx context.Context, p json.RawMessage) (any, error) { return ordersPage(ctx, c, acct, p) }),
	}
}

func timed(f func(ctx context.Context, p json.RawMessage) (any, error)) Operation {
	return func(ctx context.Context, p json.RawMessage) (any, time.Duration, error) {
		ctx, rec := logiwa.Record(ctx)
		res, err := f(ctx, p)
		return res, rec.Latency(), err
	}
}

func decode[T any](p json.RawMessage, what string) (T, error) {
	var v T
	if err := json.Unmarshal(p, &v); err != nil {
		return v, &BadRequestError{Msg: fmt.Sprintf("payload is not a %s: %v", what, err)}
	}
	return v, nil
}

func upsertProduct(ctx context.Context, c Logiwa, acct Account, p json.RawMessage) (any, error) {
	m, err := decode[message.Inventory](p, "inventory message")
	if err != nil {
		return nil, err
	}
	// Logiwa requires a description; the shop's is optional.
	desc := m.Product.Description
	if desc == "" {
		desc = m.Product.Name
	}
	in := logiwa.ProductInput{
		SKU:              m.SKU,
		Name:             m.Product.Name,
		Description:      desc,
		ClientIdentifier: acct.ClientIdentifier,
		UPC:              m.Product.Barcodes,
		SalesPrice:       m.Product.SalesPrice,
		PurchasePrice:    m.Product.PurchasePrice,
		ProductGroupName: m.Product.ProductGroup,
		ProductTypeName:  m.Product.ProductType,
		IsActive:         m.Product.Active,
		Weight:           m.Product.WeightKg,
	}
	res, err := c.UpsertProduct(ctx, in)
	if err != nil {
		return nil, err
	}
	return WriteResult{ID: res.Identifier, Outcome: string(res.Outcome)}, nil
}

func createOrder(ctx context.Context, c Logiwa, acct Account, p json.RawMessage) (any, error) {
	m, err := decode[message.Order](p, "order message")
	if err != nil {
		return nil, err
	}
	date, err := time.Parse("2006-01-02", m.OrderDate)
	if err != nil {
		return nil, &BadRequestError{Msg: fmt.Sprintf("orderDate %q: %v", m.OrderDate, err)}
	}
	in := logiwa.ShipmentOrderInput{
		Code:                m.OrderNumber,
		ClientIdentifier:    acct.ClientIdentifier,
		WarehouseIdentifier: acct.WarehouseIdentifier,
		ShipmentOrderType:   acct.OrderType,
		ShipmentOrderDate:   date,
		CurrencyID:          1,
		ChannelOrderNumber:  m.OrderNumber,
		Customer:            &logiwa.Customer{FirstName: m.Customer.FirstName, LastName: m.Customer.LastName, Email: m.Customer.Email},
		ShipmentAddress: &logiwa.Address{
			Country: m.ShipTo.Country, State: m.ShipTo.State, AddressLine1: m.ShipTo.AddressLine1,
			AddressLine2: m.ShipTo.AddressLine2, City: m.ShipTo.City, PostalCode: m.ShipTo.PostalCode, PhoneNumber: m.ShipTo.PhoneNumber,
		},
	}
	same := true
	in.UseSameAddress = &same
	for _, l := range m.Lines {
		in.Lines = append(in.Lines, logiwa.OrderLine{SKU: l.SKU, PackQuantity: l.Quantity, UnitPrice: l.UnitPrice})
	}
	res, err := c.CreateShipmentOrder(ctx, in)
	if err != nil {
		return nil, err
	}
	return WriteResult{ID: res.Identifier, Outcome: string(res.Outcome)}, nil
}

func cancelOrder(ctx context.Context, c Logiwa, acct Account, p json.RawMessage) (any, error) {
	m, err := decode[message.Refund](p, "refund message")
	if err != nil {
		return nil, err
	}
	reason := acct.CancelReason
	if m.Reason != "" {
		reason = m.Reason
	}
	res, err := c.CancelShipmentOrder(ctx, logiwa.CancelInput{
		Code: m.OrderNumber, ClientIdentifier: acct.ClientIdentifier,
		WarehouseIdentifier: acct.WarehouseIdentifier, CancelReasonName: reason,
	})
	if err != nil {
		return nil, err
	}
	return WriteResult{ID: res.Identifier, Outcome: string(res.Outcome)}, nil
}

func createReturn(ctx context.Context, c Logiwa, acct Account, p json.RawMessage) (any, error) {
	m, err := decode[message.Refund](p, "refund message")
	if err != nil {
		return nil, err
	}
	in := logiwa.ReturnOrderInput{
		RMANumber: m.RMA, ShipmentOrderCode: m.OrderNumber,
		ClientIdentifier: acct.ClientIdentifier, WarehouseIdentifier: acct.WarehouseIdentifier,
	}
	for _, l := range m.Lines {
		in.Lines = append(in.Lines, logiwa.ReturnLine{SKU: l.SKU, Quantity: l.Quantity, ReturnReason: m.Reason})
	}
	res, err := c.CreateReturnOrder(ctx, in)
	if err != nil {
		return nil, err
	}
	return WriteResult{ID: res.Identifier, Outcome: string(res.Outcome)}, nil
}

func inventoryPage(ctx context.Context, c Logiwa, acct Account, p json.RawMessage) (any, error) {
	w, err := decode[Window](p, "sync window")
	if err != nil {
		return nil, err
	}
	f := logiwa.InventoryFilter{}
	if acct.ClientIdentifier != "" {
		f.ClientIdentifiers = []string{acct.ClientIdentifier}
	}
	if len(w.SKUs) > 0 {
		f.SKU = w.SKUs[w.SKUIndex]
	}
	page, err := c.InventoryPage(ctx, f, w.Index, w.Size)
	if err != nil {
		return nil, err
	}
	out := PageResult{Index: page.Index, TotalCount: page.TotalCount, Items: make([]any, 0, len(page.Items))}
	for _, l := range page.Items {
		out.Items = append(out.Items, StockItem{SKU: l.ProductSKU, Warehouse: l.WarehouseCode, Available: l.AvailableUOMQuantity, Total: l.TotalQuantity, Damaged: l.DamagedQuantity})
	}
	return out, nil
}

func ordersPage(ctx context.Context, c Logiwa, acct Account, p json.RawMessage) (any, error) {
	w, err := decode[Window](p, "sync window")
	if err != nil {
		return nil, err
	}
	from, err1 := time.Parse(time.RFC3339, w.Since)
	to, err2 := time.Parse(time.RFC3339, w.Until)
	if err1 != nil || err2 != nil {
		return nil, &BadRequestError{Msg: fmt.Sprintf("sync window %q..%q is not two RFC 3339 times", w.Since, w.Until)}
	}
	ow := logiwa.OrderWindow{From: from, To: to}
	if acct.ClientIdentifier != "" {
		ow.ClientIdentifiers = []string{acct.ClientIdentifier}
	}
	page, err := c.ShipmentOrdersChangedPage(ctx, ow, w.Index, w.Size)
	if err != nil {
		return nil, err
	}
	out := PageResult{Index: page.Index, TotalCount: page.TotalCount, Items: make([]any, 0, len(page.Items))}
	for _, o := range page.Items {
		it := OrderItem{OrderNumber: o.Code, Status: o.StatusName, Tracking: o.TrackingNumbers, Partial: o.IsPartial, UpdatedAt: o.UpdatedDateTime.UTC().Format(time.RFC3339Nano)}
		if it.Tracking == nil {
			it.Tracking = []string{}
		}
		for _, l := range o.Products {
			it.OrderedQty += int64(l.UOMQuantity)
			it.ShippedQty += int64(l.ShippedUOMQuantity)
		}
		for _, s := range o.ShipmentInfo {
			it.Shipments = append(it.Shipments, fmt.Sprintf("%s x%g %s", s.ProductSKU, s.UOMQuantity, s.TrackingNumber))
		}
		out.Items = append(out.Items, it)
	}
	return out, nil
}
