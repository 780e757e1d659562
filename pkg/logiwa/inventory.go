package logiwa

import (
	"context"
	"iter"
	"net/url"
	"strconv"
)

const totalInventoryPath = "/v3.1/Report/TotalInventory"

// InventoryLevel is a row of GET /v3.1/Report/TotalInventory: one product in
// one warehouse for one client (quantities are int64 in the reference).
type InventoryLevel struct {
	ClientIdentifier              string `json:"clientIdentifier"`
	ClientDisplayName             string `json:"clientDisplayName"`
	WarehouseIdentifier           string `json:"warehouseIdentifier"`
	WarehouseCode                 string `json:"warehouseCode"`
	ProductIdentifier             string `json:"productIdentifier"`
	ProductSKU                    string `json:"productSku"`
	ProductName                   string `json:"productName"`
	ProductIsActive               bool   `json:"productIsActive"`
	DamagedQuantity               int64  `json:"damagedQuantity"`
	TotalQuantity                 int64  `json:"totalQuantity"`
	TotalUOMQuantity              int64  `json:"totalUOMQuantity"`
	AvailableUOMQuantity          int64  `json:"availableUOMQuantity"`
	OpenShipmentOrderQuantity     int64  `json:"openShipmentOrderQuantity"`
	UndamagedQuantity             int64  `json:"undamagedQuantity"`
	AvailableUndamagedUOMQuantity int64  `json:"availableUndamagedUOMQuantity"`
}

// InventoryFilter narrows the TotalInventory report (all fields optional).
type InventoryFilter struct {
	SKU                  string
	ClientIdentifiers    []string
	WarehouseIdentifiers []string
	OutOfStock           *bool
	ProductTypeName      string
	ProductGroupName     string
}

func (f InventoryFilter) query() url.Values {
	q := url.Values{}
	if f.SKU != "" {
		q.Set("Sku.eq", f.SKU)
	}
	setIn(q, "ClientIdentifier", f.ClientIdentifiers)
	setIn(q, "WarehouseIdentifier", f.WarehouseIdentifiers)
	if f.OutOfStock != nil {
		q.Set("OutOfStock.eq", strconv.FormatBool(*f.OutOfStock))
	}
	if f.ProductTypeName != "" {
		q.Set("ProductTypeName.eq", f.ProductTypeName)
	}
	if f.ProductGroupName != "" {
		q.Set("ProductGroupName.eq", f.ProductGroupName)
	}
	return q
}

// InventoryPage fetches one page (0-based index) of inventory levels.
func (c *Client) InventoryPage(ctx context.Context, f InventoryFilter, index, size int) (Page[InventoryLevel], error) {
	p, err := getPage[InventoryLevel](ctx, c, totalInventoryPath, f.query(), index, size)
	return p, withOp(err, "list inventory levels")
}

// InventoryLevels streams inventory levels page by page.
func (c *Client) InventoryLevels(ctx context.Context, f InventoryFilter, size int) iter.Seq2[Page[InventoryLevel], error] {
	return func(yield func(Page[InventoryLevel], error) bool) {
		for p, err := range pages[InventoryLevel](ctx, c, totalInventoryPath, f.query(), size) {
			if !yield(p, withOp(err, "list inventory levels")) {
				return
			}
		}
	}
}
