package logiwasim

import (
	"time"
)

// StateFileVersion is the version of the state file format this simulator
// writes and reads. A file of another version is refused rather than half
// read, so a downgrade never silently drops data.
const StateFileVersion = 1

// StateFile is the warehouse as Options.StatePath keeps it across restarts:
// everything the store holds plus the positions of the generators, so that
// identifiers, tracking numbers and tokens issued after a restart never repeat
// ones issued before it. Tokens, statistics, faults and the rate limiter's
// buckets are not kept: clients log in again on 401, and faults and limits
// come from Options.
type StateFile struct {
	Version int `json:"version"`
	// Seed is the seed the warehouse was created with (informational: the
	// generator positions below are what continue the sequences).
	Seed uint64 `json:"seed"`
	// ClockOffset is everything passed to Advance.
	ClockOffset Duration `json:"clockOffset"`
	// Sequence is the last creation sequence number handed out.
	Sequence   int                  `json:"sequence"`
	Generators StateGenerators      `json:"generators"`
	Clients    []StateFileClient    `json:"clients"`
	Warehouses []StateFileWarehouse `json:"warehouses"`
	OrderTypes []StateFileRef       `json:"orderTypes"`
	Carriers   []StateFileRef       `json:"carriers"`
	Products   []StateFileProduct   `json:"products"`
	Stock      []StateFileStock     `json:"stock"`
	Orders     []StateFileOrder     `json:"shipmentOrders"`
	Returns    []StateFileReturn    `json:"returnOrders"`
	// Archive, when present, names the directory holding the settled orders
	// that are not in Orders and Returns (see Options.SettledInMemory).
	Archive *StateFileArchive `json:"archive,omitempty"`
}

// StateFileArchive says where the archived orders are and how many, so a
// restart can tell an archive that lost records from a complete one.
type StateFileArchive struct {
	// Dir is the archive directory's name, beside the state file.
	Dir            string `json:"dir"`
	ShipmentOrders int    `json:"shipmentOrders"`
	ReturnOrders   int    `json:"returnOrders"`
}

// StateGenerators are the binary states of the PCG generators (base64 in JSON).
type StateGenerators struct {
	IDs       []byte `json:"ids"`
	Warehouse []byte `json:"warehouse"`
	Tokens    []byte `json:"tokens"`
}

// StateFileClient is a client.
type StateFileClient struct {
	ID               string    `json:"id"`
	DisplayName      string    `json:"displayName"`
	FullName         string    `json:"fullName"`
	OfficialIdentity string    `json:"officialIdentity"`
	Created          time.Time `json:"created"`
}

// StateFileWarehouse is a warehouse.
type StateFileWarehouse struct {
	ID          string    `json:"id"`
	Code        string    `json:"code"`
	Description string    `json:"description"`
	Created     time.Time `json:"created"`
}

// StateFileRef is a named lookup entry (shipment order type, carrier).
type StateFileRef struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	GUID string `json:"guid"`
}

// StateFileProduct is a product.
type StateFileProduct struct {
	ID                  string    `json:"id"`
	ClientID            string    `json:"clientId"`
	SKU                 string    `json:"sku"`
	FNSKU               string    `json:"fnsku,omitempty"`
	Name                string    `json:"name"`
	Description         string    `json:"description,omitempty"`
	UPC                 []string  `json:"upc,omitempty"`
	SalesPrice          float64   `json:"salesPrice"`
	PurchasePrice       float64   `json:"purchasePrice"`
	TaxRate             float64   `json:"taxRate"`
	UOMPackTypeName     string    `json:"uomPackTypeName"`
	ProductGroupName    string    `json:"productGroupName"`
	ProductTypeName     string    `json:"productTypeName"`
	IsActive            bool      `json:"isActive"`
	IsDigital           bool      `json:"isDigital"`
	IsPackaging         bool      `json:"isPackaging"`
	CurrencyID          int       `json:"currencyId"`
	Weight              float64   `json:"weight"`
	Length              float64   `json:"length"`
	Width               float64   `json:"width"`
	Height              float64   `json:"height"`
	WeightUnitID        int       `json:"weightUnitId"`
	DimensionUnitID     int       `json:"dimensionUnitId"`
	CustomFieldTextBox1 string    `json:"customFieldTextBox1,omitempty"`
	CustomFieldTextBox2 string    `json:"customFieldTextBox2,omitempty"`
	Created             time.Time `json:"created"`
	Updated             time.Time `json:"updated"`
}

// StateFileStock is what one warehouse holds of one product.
type StateFileStock struct {
	WarehouseID string `json:"warehouseId"`
	ProductID   string `json:"productId"`
	OnHand      int64  `json:"onHand"`
	Allocated   int64  `json:"allocated"`
}

// StateFileAddress is a shipping or billing address.
type StateFileAddress struct {
	Type        string `json:"type,omitempty"`
	Country     string `json:"country,omitempty"`
	State       string `json:"state,omitempty"`
	Line1       string `json:"line1,omitempty"`
	Line2       string `json:"line2,omitempty"`
	City        string `json:"city,omitempty"`
	PostalCode  string `json:"postalCode,omitempty"`
	Phone       string `json:"phone,omitempty"`
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	Email       string `json:"email,omitempty"`
	CompanyName string `json:"companyName,omitempty"`
}

// StateFileOrderLine is a line of a shipment order.
type StateFileOrderLine struct {
	ID             string  `json:"id"`
	ProductID      string  `json:"productId"`
	SKU            string  `json:"sku"`
	Name           string  `json:"name"`
	PackType       string  `json:"packType"`
	Qty            int64   `json:"qty"`
	Allocated      int64   `json:"allocated"`
	Picked         int64   `json:"picked"`
	Packed         int64   `json:"packed"`
	Shipped        int64   `json:"shipped"`
	Cancel         int64   `json:"cancel"`
	UnitPrice      float64 `json:"unitPrice"`
	UnitTax        float64 `json:"unitTax"`
	UnitDiscount   float64 `json:"unitDiscount"`
	LotBatchNumber string  `json:"lotBatchNumber,omitempty"`
}

// StateFilePackage is one shipped package of an order.
type StateFilePackage struct {
	TrackingNumber string                 `json:"trackingNumber"`
	ShippedAt      time.Time              `json:"shippedAt"`
	Lines          []StateFilePackageLine `json:"lines"`
}

// StateFilePackageLine says how many units of an order line (by index) a package holds.
type StateFilePackageLine struct {
	Line int   `json:"line"`
	Qty  int64 `json:"qty"`
}

// StateFileOrder is a shipment order. Next is when its next warehouse step is
// due (absent when the order is final).
type StateFileOrder struct {
	Seq                 int                  `json:"seq"`
	ID                  string               `json:"id"`
	Code                string               `json:"code"`
	ClientID            string               `json:"clientId"`
	WarehouseID         string               `json:"warehouseId"`
	TypeName            string               `json:"typeName"`
	CurrencyID          int                  `json:"currencyId"`
	Status              int                  `json:"status"`
	CustomerFirst       string               `json:"customerFirst,omitempty"`
	CustomerLast        string               `json:"customerLast,omitempty"`
	CustomerEmail       string               `json:"customerEmail,omitempty"`
	CompanyName         string               `json:"companyName,omitempty"`
	Ship                StateFileAddress     `json:"ship"`
	Bill                StateFileAddress     `json:"bill"`
	UseSameAddress      bool                 `json:"useSameAddress"`
	OrderDate           time.Time            `json:"orderDate"`
	ExpectedShipment    *time.Time           `json:"expectedShipment,omitempty"`
	ExpectedDelivery    *time.Time           `json:"expectedDelivery,omitempty"`
	Note                string               `json:"note,omitempty"`
	ClientReferenceCode string               `json:"clientReferenceCode,omitempty"`
	ChannelNo           string               `json:"channelNo,omitempty"`
	Carrier             string               `json:"carrier,omitempty"`
	ShippingOption      string               `json:"shippingOption,omitempty"`
	Priority            *int                 `json:"priority,omitempty"`
	Discount            float64              `json:"discount"`
	Lines               []StateFileOrderLine `json:"lines"`
	Packages            []StateFilePackage   `json:"packages,omitempty"`
	TrackingNumbers     []string             `json:"trackingNumbers,omitempty"`
	IsPartial           bool                 `json:"isPartial"`
	CancelReasonName    string               `json:"cancelReasonName,omitempty"`
	Created             time.Time            `json:"created"`
	Updated             time.Time            `json:"updated"`
	ShippedAt           *time.Time           `json:"shippedAt,omitempty"`
	Next                *time.Time           `json:"next,omitempty"`
}

// StateFileReturnLine is a line of a return order.
type StateFileReturnLine struct {
	ID        string `json:"id"`
	ProductID string `json:"productId"`
	SKU       string `json:"sku"`
	PackType  string `json:"packType"`
	Requested int64  `json:"requested"`
	Returned  int64  `json:"returned"`
	Reason    string `json:"reason,omitempty"`
	Note      string `json:"note,omitempty"`
}

// StateFileReturn is a return order. Next is when it is due to be received.
type StateFileReturn struct {
	Seq                int                   `json:"seq"`
	ID                 string                `json:"id"`
	RMA                string                `json:"rma"`
	ClientID           string                `json:"clientId"`
	WarehouseID        string                `json:"warehouseId"`
	ShipmentOrderID    string                `json:"shipmentOrderId,omitempty"`
	ShipmentOrderCode  string                `json:"shipmentOrderCode,omitempty"`
	ChannelOrderNumber string                `json:"channelOrderNumber,omitempty"`
	Status             int                   `json:"status"`
	Lines              []StateFileReturnLine `json:"lines"`
	Scheduled          *time.Time            `json:"scheduled,omitempty"`
	ActualReturn       *time.Time            `json:"actualReturn,omitempty"`
	Carrier            string                `json:"carrier,omitempty"`
	TrackingNumber     string                `json:"trackingNumber,omitempty"`
	Created            time.Time             `json:"created"`
	Updated            time.Time             `json:"updated"`
	Next               *time.Time            `json:"next,omitempty"`
}

func timePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

// nextPtr is a due time as the file keeps it: absent when zero.
func nextPtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func addressFile(a address) StateFileAddress {
	return StateFileAddress{
		Type: a.Type, Country: a.Country, State: a.State, Line1: a.Line1, Line2: a.Line2, City: a.City,
		PostalCode: a.PostalCode, Phone: a.Phone, FirstName: a.FirstName, LastName: a.LastName,
		Email: a.Email, CompanyName: a.CompanyName,
	}
}

func (a StateFileAddress) address() address {
	return address{
		Type: a.Type, Country: a.Country, State: a.State, Line1: a.Line1, Line2: a.Line2, City: a.City,
		PostalCode: a.PostalCode, Phone: a.Phone, FirstName: a.FirstName, LastName: a.LastName,
		Email: a.Email, CompanyName: a.CompanyName,
	}
}

func productFile(p *product) StateFileProduct {
	return StateFileProduct{
		ID: p.ID, ClientID: p.ClientID, SKU: p.SKU, FNSKU: p.FNSKU, Name: p.Name, Description: p.Description,
		UPC: append([]string(nil), p.UPC...), SalesPrice: p.SalesPrice, PurchasePrice: p.PurchasePrice, TaxRate: p.TaxRate,
		UOMPackTypeName: p.UOMPackTypeName, ProductGroupName: p.ProductGroupName, ProductTypeName: p.ProductTypeName,
		IsActive: p.IsActive, IsDigital: p.IsDigital, IsPackaging: p.IsPackaging, CurrencyID: p.CurrencyID,
		Weight: p.Weight, Length: p.Length, Width: p.Width, Height: p.Height,
		WeightUnitID: p.WeightUnitID, DimensionUnitID: p.DimensionUnitID,
		CustomFieldTextBox1: p.CustomFieldTextBox1, CustomFieldTextBox2: p.CustomFieldTextBox2,
		Created: p.Created, Updated: p.Updated,
	}
}

func (p StateFileProduct) product() *product {
	return &product{
		ID: p.ID, ClientID: p.ClientID, SKU: p.SKU, FNSKU: p.FNSKU, Name: p.Name, Description: p.Description,
		UPC: append([]string(nil), p.UPC...), SalesPrice: p.SalesPrice, PurchasePrice: p.PurchasePrice, TaxRate: p.TaxRate,
		UOMPackTypeName: p.UOMPackTypeName, ProductGroupName: p.ProductGroupName, ProductTypeName: p.ProductTypeName,
		IsActive: p.IsActive, IsDigital: p.IsDigital, IsPackaging: p.IsPackaging, CurrencyID: p.CurrencyID,
		Weight: p.Weight, Length: p.Length, Width: p.Width, Height: p.Height,
		WeightUnitID: p.WeightUnitID, DimensionUnitID: p.DimensionUnitID,
		CustomFieldTextBox1: p.CustomFieldTextBox1, CustomFieldTextBox2: p.CustomFieldTextBox2,
		Created: p.Created, Updated: p.Updated,
	}
}

func orderFile(o *order) StateFileOrder {
	f := StateFileOrder{
		Seq: o.Seq, ID: o.ID, Code: o.Code, ClientID: o.ClientID, WarehouseID: o.WarehouseID, TypeName: o.TypeName,
		CurrencyID: o.CurrencyID, Status: o.Status, CustomerFirst: o.CustomerFirst, CustomerLast: o.CustomerLast,
		CustomerEmail: o.CustEmail, CompanyName: o.CompanyName, Ship: addressFile(o.Ship), Bill: addressFile(o.Bill),
		UseSameAddress: o.UseSameAddress, OrderDate: o.OrderDate,
		ExpectedShipment: timePtr(o.ExpectedShipment), ExpectedDelivery: timePtr(o.ExpectedDelivery),
		Note: o.Note, ClientReferenceCode: o.ClientReferenceCode, ChannelNo: o.ChannelNo,
		Carrier: o.Carrier, ShippingOption: o.ShippingOption, Discount: o.Discount,
		TrackingNumbers: append([]string(nil), o.TrackingNumbers...), IsPartial: o.IsPartial,
		CancelReasonName: o.CancelReasonName, Created: o.Created, Updated: o.Updated,
		ShippedAt: timePtr(o.ShippedAt), Next: nextPtr(o.next),
	}
	if o.Priority != nil {
		p := *o.Priority
		f.Priority = &p
	}
	for _, l := range o.Lines {
		f.Lines = append(f.Lines, StateFileOrderLine{
			ID: l.ID, ProductID: l.ProductID, SKU: l.SKU, Name: l.Name, PackType: l.PackType,
			Qty: l.Qty, Allocated: l.Allocated, Picked: l.Picked, Packed: l.Packed, Shipped: l.Shipped, Cancel: l.Cancel,
			UnitPrice: l.UnitPrice, UnitTax: l.UnitTax, UnitDiscount: l.UnitDiscount, LotBatchNumber: l.LotBatchNumber,
		})
	}
	for _, p := range o.Packages {
		fp := StateFilePackage{TrackingNumber: p.TrackingNumber, ShippedAt: p.ShippedAt}
		for _, pl := range p.Lines {
			fp.Lines = append(fp.Lines, StateFilePackageLine{Line: pl.Line, Qty: pl.Qty})
		}
		f.Packages = append(f.Packages, fp)
	}
	return f
}

func (f StateFileOrder) order() *order {
	o := &order{
		Seq: f.Seq, ID: f.ID, Code: f.Code, ClientID: f.ClientID, WarehouseID: f.WarehouseID, TypeName: f.TypeName,
		CurrencyID: f.CurrencyID, Status: f.Status, CustomerFirst: f.CustomerFirst, CustomerLast: f.CustomerLast,
		CustEmail: f.CustomerEmail, CompanyName: f.CompanyName, Ship: f.Ship.address(), Bill: f.Bill.address(),
		UseSameAddress: f.UseSameAddress, OrderDate: f.OrderDate,
		ExpectedShipment: timePtr(f.ExpectedShipment), ExpectedDelivery: timePtr(f.ExpectedDelivery),
		Note: f.Note, ClientReferenceCode: f.ClientReferenceCode, ChannelNo: f.ChannelNo,
		Carrier: f.Carrier, ShippingOption: f.ShippingOption, Discount: f.Discount,
		TrackingNumbers: append([]string(nil), f.TrackingNumbers...), IsPartial: f.IsPartial,
		CancelReasonName: f.CancelReasonName, Created: f.Created, Updated: f.Updated,
		ShippedAt: timePtr(f.ShippedAt),
	}
	if f.Priority != nil {
		p := *f.Priority
		o.Priority = &p
	}
	if f.Next != nil {
		o.next = *f.Next
	}
	for _, l := range f.Lines {
		o.Lines = append(o.Lines, orderLine{
			ID: l.ID, ProductID: l.ProductID, SKU: l.SKU, Name: l.Name, PackType: l.PackType,
			Qty: l.Qty, Allocated: l.Allocated, Picked: l.Picked, Packed: l.Packed, Shipped: l.Shipped, Cancel: l.Cancel,
			UnitPrice: l.UnitPrice, UnitTax: l.UnitTax, UnitDiscount: l.UnitDiscount, LotBatchNumber: l.LotBatchNumber,
		})
	}
	for _, p := range f.Packages {
		sp := shipmentPackage{TrackingNumber: p.TrackingNumber, ShippedAt: p.ShippedAt}
		for _, pl := range p.Lines {
			sp.Lines = append(sp.Lines, packageLine{Line: pl.Line, Qty: pl.Qty})
		}
		o.Packages = append(o.Packages, sp)
	}
	return o
}

func returnFile(r *returnOrder) StateFileReturn {
	f := StateFileReturn{
		Seq: r.Seq, ID: r.ID, RMA: r.RMA, ClientID: r.ClientID, WarehouseID: r.WarehouseID,
		ShipmentOrderID: r.ShipmentOrderID, ShipmentOrderCode: r.ShipmentOrderCode, ChannelOrderNumber: r.ChannelOrderNumber,
		Status: r.Status, Scheduled: timePtr(r.Scheduled), ActualReturn: timePtr(r.ActualReturn),
		Carrier: r.Carrier, TrackingNumber: r.TrackingNumber, Created: r.Created, Updated: r.Updated, Next: nextPtr(r.next),
	}
	for _, l := range r.Lines {
		f.Lines = append(f.Lines, StateFileReturnLine{
			ID: l.ID, ProductID: l.ProductID, SKU: l.SKU, PackType: l.PackType,
			Requested: l.Requested, Returned: l.Returned, Reason: l.Reason, Note: l.Note,
		})
	}
	return f
}

func (f StateFileReturn) returnOrder() *returnOrder {
	r := &returnOrder{
		Seq: f.Seq, ID: f.ID, RMA: f.RMA, ClientID: f.ClientID, WarehouseID: f.WarehouseID,
		ShipmentOrderID: f.ShipmentOrderID, ShipmentOrderCode: f.ShipmentOrderCode, ChannelOrderNumber: f.ChannelOrderNumber,
		Status: f.Status, Scheduled: timePtr(f.Scheduled), ActualReturn: timePtr(f.ActualReturn),
		Carrier: f.Carrier, TrackingNumber: f.TrackingNumber, Created: f.Created, Updated: f.Updated,
	}
	if f.Next != nil {
		r.next = *f.Next
	}
	for _, l := range f.Lines {
		r.Lines = append(r.Lines, returnLine{
			ID: l.ID, ProductID: l.ProductID, SKU: l.SKU, PackType: l.PackType,
			Requested: l.Requested, Returned: l.Returned, Reason: l.Reason, Note: l.Note,
		})
	}
	return r
}
