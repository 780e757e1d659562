package logiwasim

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// wireTime is how Logiwa writes date-times in examples: UTC with milliseconds.
const wireTime = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string { return t.UTC().Format(wireTime) }

func tsp(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	v := ts(*t)
	return &v
}

// guidResult is the 201 body of the create endpoints (GuidResult). Real
// client code reports some creates answering {value} instead; the reference
// shows {data}, so that is what we send.
type guidResult struct {
	Data        string  `json:"data"`
	Status      int     `json:"status"`
	Message     *string `json:"message"`
	Code        *string `json:"code"`
	ErrorType   *string `json:"errorType"`
	Description *string `json:"description"`
}

func created(id string) response {
	return jsonResp(http.StatusCreated, guidResult{Data: id, Status: 1})
}

type boolValue struct {
	Value bool `json:"value"`
}

type packingSettings struct {
	UOMPackTypeWeightUnitID    *int     `json:"uomPackTypeWeightUnitId"`
	UOMPackTypeWeight          *float64 `json:"uomPackTypeWeight"`
	UOMPackTypeDimensionUnitID *int     `json:"uomPackTypeDimensionUnitId"`
	UOMPackTypeLength          *float64 `json:"uomPackTypeLength"`
	UOMPackTypeWidth           *float64 `json:"uomPackTypeWidth"`
	UOMPackTypeHeight          *float64 `json:"uomPackTypeHeight"`
}

// productRequest covers ProductCreateApiRequest (v3.1/v3.2) and
// OpenAPIUpdateProductRequest (v3.1..v3.4) as far as the simulator keeps them.
type productRequest struct {
	Identifier          *string          `json:"identifier"`
	ClientIdentifier    *string          `json:"clientIdentifier"`
	Client              *string          `json:"client"`
	SKU                 *string          `json:"sku"`
	FNSKU               *string          `json:"fnsku"`
	Name                *string          `json:"name"`
	Description         *string          `json:"description"`
	UPC                 []string         `json:"upc"`
	SalesPrice          *float64         `json:"salesPrice"`
	PurchasePrice       *float64         `json:"purchasePrice"`
	TaxRate             *float64         `json:"taxRate"`
	UOMPackTypeName     *string          `json:"uomPackTypeName"`
	ProductGroupName    *string          `json:"productGroupName"`
	ProductTypeName     *string          `json:"productTypeName"`
	IsActive            *bool            `json:"isActive"`
	IsDigitalProduct    *bool            `json:"isDigitalProduct"`
	IsPackagingMaterial *bool            `json:"isPackagingMaterial"`
	CurrencyID          *int             `json:"currencyId"`
	PackingSettings     *packingSettings `json:"packingSettings"`
	CustomFieldTextBox1 *string          `json:"customFieldTextBox1"`
	CustomFieldTextBox2 *string          `json:"customFieldTextBox2"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func required(errs []fieldError, name string, p *string) []fieldError {
	if p == nil || strings.TrimSpace(*p) == "" {
		errs = append(errs, fieldError{name, name + " is required."})
	}
	return errs
}

func maxLen(errs []fieldError, name string, p *string, n int) []fieldError {
	if p != nil && len([]rune(*p)) > n {
		errs = append(errs, fieldError{name, name + " must be " + strconv.Itoa(n) + " characters or fewer."})
	}
	return errs
}

// resolveClient finds the client named by identifier or display name. Needs s.mu.
func (s *Server) resolveClient(id, name *string) (*client, *fieldError) {
	switch {
	case str(id) != "":
		if c := s.st.client(strings.ToLower(*id)); c != nil {
			return c, nil
		}
		return nil, &fieldError{"ClientIdentifier", "Client not found."}
	case str(name) != "":
		if c := s.st.clientByName(*name); c != nil {
			return c, nil
		}
		return nil, &fieldError{"Client", "Client not found."}
	}
	return nil, &fieldError{"ClientIdentifier", "ClientIdentifier or Client is required."}
}

// POST /v3.1/Product/create and /v3.2/Product/create
func (s *Server) handleProductCreate(c *call) response {
	var req productRequest
	if errs := decode(c.body, &req); errs != nil {
		return invalid(errs)
	}
	var errs []fieldError
	if str(req.ClientIdentifier) == "" {
		errs = append(errs, fieldError{"ClientIdentifier", "ClientIdentifier is required."})
	}
	errs = required(errs, "Sku", req.SKU)
	errs = required(errs, "Name", req.Name)
	errs = required(errs, "Description", req.Description)
	errs = maxLen(errs, "Description", req.Description, 500)
	errs = maxLen(errs, "Name", req.Name, 200)
	if req.CurrencyID == nil {
		errs = append(errs, fieldError{"CurrencyId", "CurrencyId is required."})
	}
	if req.IsPackagingMaterial == nil {
		errs = append(errs, fieldError{"IsPackagingMaterial", "IsPackagingMaterial is required."})
	}
	if req.SalesPrice != nil && *req.SalesPrice < 0 {
		errs = append(errs, fieldError{"SalesPrice", "SalesPrice must be greater than or equal to 0."})
	}
	if errs != nil {
		return invalid(errs)
	}
	cl, ferr := s.resolveClient(req.ClientIdentifier, nil)
	if ferr != nil {
		return invalid([]fieldError{*ferr})
	}
	if s.st.productBySKU[[2]string{cl.ID, *req.SKU}] != nil {
		return msg(http.StatusBadRequest, "Product with Sku %s already exists for client %s.", *req.SKU, cl.DisplayName)
	}
	p := &product{ID: s.newID(), ClientID: cl.ID, SKU: *req.SKU, UOMPackTypeName: "Piece", IsActive: true, Created: c.now}
	applyProduct(p, &req, c.now)
	s.st.addProduct(p)
	return created(p.ID)
}

func applyProduct(p *product, req *productRequest, now time.Time) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&p.Name, req.Name)
	set(&p.Description, req.Description)
	set(&p.FNSKU, req.FNSKU)
	set(&p.UOMPackTypeName, req.UOMPackTypeName)
	set(&p.ProductGroupName, req.ProductGroupName)
	set(&p.ProductTypeName, req.ProductTypeName)
	set(&p.CustomFieldTextBox1, req.CustomFieldTextBox1)
	set(&p.CustomFieldTextBox2, req.CustomFieldTextBox2)
	if req.UPC != nil {
		p.UPC = append([]string(nil), req.UPC...)
	}
	for _, f := range []struct {
		dst *float64
		src *float64
	}{{&p.SalesPrice, req.SalesPrice}, {&p.PurchasePrice, req.PurchasePrice}, {&p.TaxRate, req.TaxRate}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if req.IsActive != nil {
		p.IsActive = *req.IsActive
	}
	if req.IsDigitalProduct != nil {
		p.IsDigital = *req.IsDigitalProduct
	}
	if req.IsPackagingMaterial != nil {
		p.IsPackaging = *req.IsPackagingMaterial
	}
	if req.CurrencyID != nil {
		p.CurrencyID = *req.CurrencyID
	}
	if ps := req.PackingSettings; ps != nil {
		for _, f := range []struct {
			dst *float64
			src *float64
		}{{&p.Weight, ps.UOMPackTypeWeight}, {&p.Length, ps.UOMPackTypeLength}, {&p.Width, ps.UOMPackTypeWidth}, {&p.Height, ps.UOMPackTypeHeight}} {
			if f.src != nil {
				*f.dst = *f.src
			}
		}
		if ps.UOMPackTypeWeightUnitID != nil {
			p.WeightUnitID = *ps.UOMPackTypeWeightUnitID
		}
		if ps.UOMPackTypeDimensionUnitID != nil {
			p.DimensionUnitID = *ps.UOMPackTypeDimensionUnitID
		}
	}
	p.Updated = now
}

// PUT /v3.1/Product/update (and v3.2..v3.4): found by identifier, else by
// client and SKU; the SKU itself may change only when found by identifier.
func (s *Server) handleProductUpdate(c *call) response {
	var req productRequest
	if errs := decode(c.body, &req); errs != nil {
		return invalid(errs)
	}
	var errs []fieldError
	errs = required(errs, "Sku", req.SKU)
	errs = required(errs, "Name", req.Name)
	errs = required(errs, "Description", req.Description)
	errs = maxLen(errs, "Name", req.Name, 200)
	if req.PackingSettings == nil {
		errs = append(errs, fieldError{"PackingSettings", "PackingSettings is required."})
	}
	if req.SalesPrice != nil && *req.SalesPrice < 0 {
		errs = append(errs, fieldError{"SalesPrice", "SalesPrice must be greater than or equal to 0."})
	}
	if errs != nil {
		return invalid(errs)
	}
	var p *product
	if id := str(req.Identifier); id != "" {
		p = s.st.productByID[strings.ToLower(id)]
	} else {
		cl, ferr := s.resolveClient(req.ClientIdentifier, req.Client)
		if ferr != nil {
			return invalid([]fieldError{*ferr})
		}
		p = s.st.productBySKU[[2]string{cl.ID, *req.SKU}]
	}
	if p == nil {
		return msg(http.StatusNotFound, "Product not found.")
	}
	if *req.SKU != p.SKU {
		if other := s.st.productBySKU[[2]string{p.ClientID, *req.SKU}]; other != nil {
			return msg(http.StatusBadRequest, "Product with Sku %s already exists.", *req.SKU)
		}
		delete(s.st.productBySKU, [2]string{p.ClientID, p.SKU})
		p.SKU = *req.SKU
		s.st.productBySKU[[2]string{p.ClientID, p.SKU}] = p
	}
	applyProduct(p, &req, c.now)
	return jsonResp(http.StatusOK, boolValue{Value: true})
}

// productView is a row of Product/list (OpenAPIListProductResponse).
type productView struct {
	Identifier                 string  `json:"identifier"`
	CreatedDateTime            string  `json:"createdDateTime"`
	UpdatedDateTime            string  `json:"updatedDateTime"`
	Name                       string  `json:"name"`
	ClientIdentifier           string  `json:"clientIdentifier"`
	ClientDisplayName          string  `json:"clientDisplayName"`
	Description                string  `json:"description"`
	FNSKU                      *string `json:"fnsku"`
	ProductGroupName           string  `json:"productGroupName"`
	ProductTypeName            string  `json:"productTypeName"`
	UOMPackTypeName            string  `json:"uomPackTypeName"`
	SKU                        string  `json:"sku"`
	UPC                        *string `json:"upc"`
	CurrencyCode               string  `json:"currencyCode"`
	SalesPrice                 float64 `json:"salesPrice"`
	PurchasePrice              float64 `json:"purchasePrice"`
	TaxRate                    float64 `json:"taxRate"`
	IsActive                   bool    `json:"isActive"`
	IsDigitalProduct           bool    `json:"isDigitalProduct"`
	IsPackagingMaterial        bool    `json:"isPackagingMaterial"`
	UOMRatio                   int     `json:"uomRatio"`
	UOMPackTypeWeightUnitID    int     `json:"uomPackTypeWeightUnitId"`
	UOMPackTypeWeight          float64 `json:"uomPackTypeWeight"`
	UOMPackTypeDimensionUnitID int     `json:"uomPackTypeDimensionUnitId"`
	UOMPackTypeWidth           float64 `json:"uomPackTypeWidth"`
	UOMPackTypeHeight          float64 `json:"uomPackTypeHeight"`
	UOMPackTypeLength          float64 `json:"uomPackTypeLength"`
	CustomFieldTextBox1        *string `json:"customFieldTextBox1"`
	CustomFieldTextBox2        *string `json:"customFieldTextBox2"`
}

var currencyCodes = map[int]string{1: "USD", 2: "EUR", 3: "CAD", 4: "GBP", 5: "INR", 6: "TRY", 11: "AUD", 16: "MXN"}

func nonEmpty(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

func (s *Server) viewProduct(p *product) productView {
	v := productView{
		Identifier: p.ID, CreatedDateTime: ts(p.Created), UpdatedDateTime: ts(p.Updated), Name: p.Name,
		ClientIdentifier: p.ClientID, Description: p.Description, FNSKU: nonEmpty(p.FNSKU),
		ProductGroupName: p.ProductGroupName, ProductTypeName: p.ProductTypeName, UOMPackTypeName: p.UOMPackTypeName,
		SKU: p.SKU, CurrencyCode: currencyCodes[p.CurrencyID], SalesPrice: p.SalesPrice, PurchasePrice: p.PurchasePrice,
		TaxRate: p.TaxRate, IsActive: p.IsActive, IsDigitalProduct: p.IsDigital, IsPackagingMaterial: p.IsPackaging,
		UOMRatio: 1, UOMPackTypeWeightUnitID: p.WeightUnitID, UOMPackTypeWeight: p.Weight,
		UOMPackTypeDimensionUnitID: p.DimensionUnitID, UOMPackTypeWidth: p.Width, UOMPackTypeHeight: p.Height,
		UOMPackTypeLength: p.Length, CustomFieldTextBox1: nonEmpty(p.CustomFieldTextBox1),
		CustomFieldTextBox2: nonEmpty(p.CustomFieldTextBox2),
	}
	if len(p.UPC) > 0 {
		v.UPC = &p.UPC[0]
	}
	if cl := s.st.client(p.ClientID); cl != nil {
		v.ClientDisplayName = cl.DisplayName
	}
	return v
}

var productFields = []field[*product]{
	{"Sku", kString, "eq", func(p *product) any { return p.SKU }},
	{"FNSKU", kString, "eq", func(p *product) any { return p.FNSKU }},
	{"ClientIdentifier", kGUID, "eq in", func(p *product) any { return p.ClientID }},
	{"Identifier", kGUID, "eq", func(p *product) any { return p.ID }},
	{"CreatedDateTime", kDate, "bt", func(p *product) any { return p.Created }},
	{"UpdatedDateTime", kDate, "bt", func(p *product) any { return p.Updated }},
	{"ProductTypeName", kString, "eq", func(p *product) any { return p.ProductTypeName }},
	{"ProductGroupName", kString, "eq", func(p *product) any { return p.ProductGroupName }},
	{"CustomFieldTextBox1", kString, "eq in", func(p *product) any { return p.CustomFieldTextBox1 }},
	{"CustomFieldTextBox2", kString, "eq in", func(p *product) any { return p.CustomFieldTextBox2 }},
}

// GET /v3.1/Product/list/i/{index}/s/{size}
func (s *Server) handleProductList(c *call) response {
	return list(s, c, s.st.products, productFields, s.viewProduct)
}
