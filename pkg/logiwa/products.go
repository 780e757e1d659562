package logiwa

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
)

// Product endpoints. Create is the v3.1 operation: the reference documents it
// alongside v3.2 with the same body; update is PUT v3.1 (BooleanValueResponse).
const (
	productListPath   = "/v3.1/Product/list"
	productCreatePath = "/v3.1/Product/create"
	productUpdatePath = "/v3.1/Product/update"
)

// Product is a row of GET /v3.1/Product/list (the fields the flows use).
type Product struct {
	Identifier        string     `json:"identifier"`
	SKU               string     `json:"sku"`
	Name              string     `json:"name"`
	Description       string     `json:"description"`
	ClientIdentifier  string     `json:"clientIdentifier"`
	ClientDisplayName string     `json:"clientDisplayName"`
	FNSKU             string     `json:"fnsku"`
	UPC               stringList `json:"upc"`
	SalesPrice        float64    `json:"salesPrice"`
	PurchasePrice     float64    `json:"purchasePrice"`
	TaxRate           float64    `json:"taxRate"`
	ProductGroupName  string     `json:"productGroupName"`
	ProductTypeName   string     `json:"productTypeName"`
	UOMPackTypeName   string     `json:"uomPackTypeName"`
	IsActive          bool       `json:"isActive"`
	IsPackaging       bool       `json:"isPackagingMaterial"`
	Weight            float64    `json:"uomPackTypeWeight"`
	Width             float64    `json:"uomPackTypeWidth"`
	Height            float64    `json:"uomPackTypeHeight"`
	Length            float64    `json:"uomPackTypeLength"`
	CreatedDateTime   Time       `json:"createdDateTime"`
	UpdatedDateTime   Time       `json:"updatedDateTime"`
}

// ProductInput is what the shop says a product should look like. SKU, Name
// and ClientIdentifier identify and name it; pointer and slice fields left
// nil are not managed by us: they are neither compared nor sent.
type ProductInput struct {
	SKU              string
	Name             string
	Description      string
	ClientIdentifier string
	FNSKU            string
	UPC              []string
	SalesPrice       *float64
	PurchasePrice    *float64
	TaxRate          *float64
	CurrencyID       int // Logiwa's CurrencyType; required by Logiwa, 0 means 1 (USD)
	ProductGroupName string
	ProductTypeName  string
	UOMPackTypeName  string // e.g. "Piece"
	IsActive         *bool
	// IsPackagingMaterial is required by Logiwa, so always sent and compared.
	IsPackagingMaterial bool
	Weight              *float64 // in WeightUnitID units
	WeightUnitID        int
	Length              *float64 // in DimensionUnitID units
	Width               *float64
	Height              *float64
	DimensionUnitID     int
}

// Outcome says what an idempotent write did.
type Outcome string

// Outcomes of UpsertProduct, CreateShipmentOrder, CreateReturnOrder and CancelShipmentOrder.
const (
	OutcomeCreated   Outcome = "created"
	OutcomeUpdated   Outcome = "updated"
	OutcomeUnchanged Outcome = "unchanged"
	OutcomeCancelled Outcome = "cancelled"
)

// ProductResult is the Logiwa identifier of the product and what the upsert did.
type ProductResult struct {
	Identifier string
	SKU        string
	Outcome    Outcome
	Changed    []string // fields that differed, when Outcome is updated
}

type packingSettings struct {
	WeightUnitID    int      `json:"uomPackTypeWeightUnitId,omitempty"`
	Weight          *float64 `json:"uomPackTypeWeight,omitempty"`
	DimensionUnitID int      `json:"uomPackTypeDimensionUnitId,omitempty"`
	Length          *float64 `json:"uomPackTypeLength,omitempty"`
	Width           *float64 `json:"uomPackTypeWidth,omitempty"`
	Height          *float64 `json:"uomPackTypeHeight,omitempty"`
}

// productBody is the body of both Product/create and Product/update (update
// adds identifier and requires packingSettings and description).
type productBody struct {
	Identifier       string          `json:"identifier,omitempty"`
	ClientIdentifier string          `json:"clientIdentifier,omitempty"`
	SKU              string          `json:"sku"`
	Name             string          `json:"name"`
	Description      string          `json:"description"`
	FNSKU            string          `json:"fnsku,omitempty"`
	UPC              []string        `json:"upc,omitempty"`
	SalesPrice       *float64        `json:"salesPrice,omitempty"`
	PurchasePrice    *float64        `json:"purchasePrice,omitempty"`
	TaxRate          *float64        `json:"taxRate,omitempty"`
	CurrencyID       int             `json:"currencyId"`
	ProductGroupName string          `json:"productGroupName,omitempty"`
	ProductTypeName  string          `json:"productTypeName,omitempty"`
	UOMPackTypeName  string          `json:"uomPackTypeName,omitempty"`
	IsActive         *bool           `json:"isActive,omitempty"`
	IsPackaging      bool            `json:"isPackagingMaterial"`
	PackingSettings  packingSettings `json:"packingSettings"`
}

func (in ProductInput) body(identifier string) productBody {
	currency := in.CurrencyID
	if currency == 0 {
		currency = 1
	}
	return productBody{
		Identifier: identifier, ClientIdentifier: in.ClientIdentifier,
		SKU: in.SKU, Name: in.Name, Description: in.Description, FNSKU: in.FNSKU, UPC: in.UPC,
		SalesPrice: in.SalesPrice, PurchasePrice: in.PurchasePrice, TaxRate: in.TaxRate,
		CurrencyID: currency, ProductGroupName: in.ProductGroupName, IsPackaging: in.IsPackagingMaterial,
		ProductTypeName: in.ProductTypeName, UOMPackTypeName: in.UOMPackTypeName, IsActive: in.IsActive,
		PackingSettings: packingSettings{
			WeightUnitID: in.WeightUnitID, Weight: in.Weight, DimensionUnitID: in.DimensionUnitID,
			Length: in.Length, Width: in.Width, Height: in.Height,
		},
	}
}

// FindProductBySKU returns the product with exactly this SKU (LQL Sku.eq,
// narrowed to the client when clientIdentifier is set), or nil when there is
// none. The same SKU under several clients without a client to choose is
// Rejected: guessing would write to the wrong client's product.
func (c *Client) FindProductBySKU(ctx context.Context, sku, clientIdentifier string) (*Product, error) {
	q := url.Values{"Sku.eq": {sku}}
	if clientIdentifier != "" {
		q.Set("ClientIdentifier.eq", clientIdentifier)
	}
	p, err := getPage[Product](ctx, c, productListPath, q, 0, 50)
	if err != nil {
		return nil, withOp(err, fmt.Sprintf("find product %q", sku))
	}
	var found []Product
	for _, it := range p.Items {
		// Filter again here: LQL strings are case-sensitive and exact, and a
		// server that ignored the filter must not make us pick a stranger.
		if it.SKU == sku && (clientIdentifier == "" || it.ClientIdentifier == "" || it.ClientIdentifier == clientIdentifier) {
			found = append(found, it)
		}
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return &found[0], nil
	}
	return nil, &RejectedError{Op: fmt.Sprintf("find product %q", sku), Call: p.Call, Message: fmt.Sprintf("SKU %q matches %d products; set the client identifier", sku, len(found))}
}

// UpsertProduct makes Logiwa's product for in.SKU look like in: it creates it
// when missing, updates it when a managed field differs, and otherwise does
// nothing (Outcome unchanged). Skipping the identical update is deliberate:
// a replayed message then costs one read and changes nothing, not even
// Logiwa's UpdatedDateTime (which would wake the order/inventory syncs).
func (c *Client) UpsertProduct(ctx context.Context, in ProductInput) (ProductResult, error) {
	res := ProductResult{SKU: in.SKU}
	if err := in.validate(); err != nil {
		return res, err
	}
	unlock, err := c.keys.lock(ctx, "product#"+in.ClientIdentifier+"#"+in.SKU)
	if err != nil {
		return res, err
	}
	defer unlock()

	existing, err := c.FindProductBySKU(ctx, in.SKU, in.ClientIdentifier)
	if err != nil {
		return res, err
	}
	if existing == nil {
		id, err := c.createProduct(ctx, in)
		if err == nil {
			res.Identifier, res.Outcome = id, OutcomeCreated
			return res, nil
		}
		// Refused, or answered without an identifier: another writer may
		// have created it meanwhile. Look again before giving up.
		again, ferr := c.FindProductBySKU(ctx, in.SKU, in.ClientIdentifier)
		if ferr != nil || again == nil {
			return res, err
		}
		c.log.LogAttrs(ctx, slog.LevelInfo, "logiwa: product appeared during create", slog.String("sku", in.SKU))
		existing = again
	}
	res.Identifier = existing.Identifier
	res.Changed = diffProduct(in, *existing)
	if len(res.Changed) == 0 {
		res.Outcome = OutcomeUnchanged
		return res, nil
	}
	if err := c.updateProduct(ctx, in, existing.Identifier); err != nil {
		return res, err
	}
	res.Outcome = OutcomeUpdated
	return res, nil
}

func (in ProductInput) validate() error {
	var fe []FieldError
	if in.SKU == "" {
		fe = append(fe, FieldError{Property: "sku", Message: "required"})
	}
	if in.Name == "" {
		fe = append(fe, FieldError{Property: "name", Message: "required"})
	}
	if in.ClientIdentifier == "" {
		// Required by Product/create; it also keeps the SKU lookup unambiguous.
		fe = append(fe, FieldError{Property: "clientIdentifier", Message: "required"})
	}
	if len(fe) > 0 {
		return &RejectedError{Op: "upsert product", Call: CallInfo{Endpoint: "POST " + productCreatePath}, Message: "invalid product", FieldErrors: fe}
	}
	return nil
}

func (c *Client) createProduct(ctx context.Context, in ProductInput) (string, error) {
	req := c.newRequest(http.MethodPost, productCreatePath, productCreatePath)
	req.body = in.body("")
	var out idResult
	ci, err := c.do(ctx, req, &out)
	if err != nil {
		return "", withOp(err, fmt.Sprintf("create product %q", in.SKU))
	}
	id := out.identifier()
	if id == "" {
		return "", &UnavailableError{Op: fmt.Sprintf("create product %q", in.SKU), Call: ci, Reason: missingIDReason}
	}
	return id, nil
}

func (c *Client) updateProduct(ctx context.Context, in ProductInput, identifier string) error {
	req := c.newRequest(http.MethodPut, productUpdatePath, productUpdatePath)
	req.body = in.body(identifier)
	var out boolResult
	ci, err := c.do(ctx, req, &out)
	if err != nil {
		return withOp(err, fmt.Sprintf("update product %q", in.SKU))
	}
	if v, ok := out.ok(); ok && !v {
		return &RejectedError{Op: fmt.Sprintf("update product %q", in.SKU), Call: ci, Message: "Logiwa answered value=false"}
	}
	return nil
}

// diffProduct lists the managed fields whose Logiwa value differs from in.
func diffProduct(in ProductInput, p Product) []string {
	var d []string
	str := func(name, want, have string) {
		if want != "" && want != have {
			d = append(d, name)
		}
	}
	num := func(name string, want *float64, have float64) {
		if want != nil && math.Abs(*want-have) > 1e-9 {
			d = append(d, name)
		}
	}
	str("name", in.Name, p.Name)
	if in.Description != p.Description {
		d = append(d, "description") // always sent, so always managed
	}
	str("fnsku", in.FNSKU, p.FNSKU)
	str("productGroupName", in.ProductGroupName, p.ProductGroupName)
	str("productTypeName", in.ProductTypeName, p.ProductTypeName)
	str("uomPackTypeName", in.UOMPackTypeName, p.UOMPackTypeName)
	if in.UPC != nil && !slices.Equal(in.UPC, []string(p.UPC)) {
		d = append(d, "upc")
	}
	num("salesPrice", in.SalesPrice, p.SalesPrice)
	num("purchasePrice", in.PurchasePrice, p.PurchasePrice)
	num("taxRate", in.TaxRate, p.TaxRate)
	num("weight", in.Weight, p.Weight)
	num("length", in.Length, p.Length)
	num("width", in.Width, p.Width)
	num("height", in.Height, p.Height)
	if in.IsActive != nil && *in.IsActive != p.IsActive {
		d = append(d, "isActive")
	}
	if in.IsPackagingMaterial != p.IsPackaging {
		d = append(d, "isPackagingMaterial")
	}
	return d
}
