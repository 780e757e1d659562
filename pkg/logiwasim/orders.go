package logiwasim

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

type addressRequest struct {
	Type         *string `json:"type"`
	Country      *string `json:"country"`
	State        *string `json:"state"`
	AddressLine1 *string `json:"addressLine1"`
	AddressLine2 *string `json:"addressLine2"`
	City         *string `json:"city"`
	PostalCode   *string `json:"postalCode"`
	PhoneNumber  *string `json:"phoneNumber"`
	FirstName    *string `json:"firstName"`
	LastName     *string `json:"lastName"`
	Email        *string `json:"email"`
	CompanyName  *string `json:"companyName"`
}

func (a *addressRequest) toAddress() address {
	if a == nil {
		return address{}
	}
	return address{
		Type: str(a.Type), Country: str(a.Country), State: str(a.State), Line1: str(a.AddressLine1),
		Line2: str(a.AddressLine2), City: str(a.City), PostalCode: str(a.PostalCode), Phone: str(a.PhoneNumber),
		FirstName: str(a.FirstName), LastName: str(a.LastName), Email: str(a.Email), CompanyName: str(a.CompanyName),
	}
}

type orderLineRequest struct {
	SKU            *string  `json:"sku"`
	PackType       *string  `json:"packType"`
	PackQuantity   *int64   `json:"packQuantity"`
	UnitPrice      *float64 `json:"unitPrice"`
	UnitTax        *float64 `json:"unitTax"`
	UnitDiscount   *float64 `json:"unitDiscount"`
	LotBatchNumber *string  `json:"lotBatchNumber"`
}

// orderRequest is ShipmentOrderCreateApiRequest as far as the simulator keeps it.
type orderRequest struct {
	ClientIdentifier *string `json:"clientIdentifier"`
	Client           *string `json:"client"`
	Code             *string `json:"code"`
	Customer         *struct {
		FirstName *string `json:"firstName"`
		LastName  *string `json:"lastName"`
		Email     *string `json:"email"`
	} `json:"customer"`
	CompanyName           *string            `json:"companyName"`
	ShipmentAddress       *addressRequest    `json:"shipmentAddress"`
	BillingAddress        *addressRequest    `json:"billingAddress"`
	UseSameAddress        *bool              `json:"useSameAddress"`
	WarehouseIdentifier   *string            `json:"warehouseIdentifier"`
	Warehouse             *string            `json:"warehouse"`
	ShipmentOrderType     *string            `json:"shipmentOrderType"`
	ShipmentOrderDate     *flexTime          `json:"shipmentOrderDate"`
	ExpectedShipmentDate  *flexTime          `json:"expectedShipmentDate"`
	ExpectedDeliveryDate  *flexTime          `json:"expectedDeliveryDate"`
	ClientReferenceCode   *string            `json:"clientReferenceCode"`
	Discount              *float64           `json:"discount"`
	Note                  *string            `json:"note"`
	GiftNote              *string            `json:"giftNote"`
	CurrencyID            *int               `json:"currencyId"`
	ShipmentOrderLineList []orderLineRequest `json:"shipmentOrderLineList"`
	Priority              *int               `json:"priority"`
	ChannelOrderNumber    *string            `json:"channelOrderNumber"`
	PackingInstructions   *string            `json:"packingInstructions"`
	ShippingOptionDetails *struct {
		ShippingOptionName *string `json:"shippingOptionName"`
		CarrierName        *string `json:"carrierName"`
	} `json:"shippingOptionDetails"`
}

// POST /v3.1/ShipmentOrder/create. The code is unique in the system: a
// second create with the same code is refused, which is what makes our
// order create idempotent.
func (s *Server) handleOrderCreate(c *call) response {
	var req orderRequest
	if errs := decode(c.body, &req); errs != nil {
		return invalid(errs)
	}
	var errs []fieldError
	errs = required(errs, "Code", req.Code)
	errs = required(errs, "ShipmentOrderType", req.ShipmentOrderType)
	if req.ShipmentOrderDate == nil {
		errs = append(errs, fieldError{"ShipmentOrderDate", "ShipmentOrderDate is required."})
	}
	if req.CurrencyID == nil {
		errs = append(errs, fieldError{"CurrencyId", "CurrencyId is required."})
	}
	if len(req.ShipmentOrderLineList) == 0 {
		errs = append(errs, fieldError{"ShipmentOrderLineList", "ShipmentOrderLineList is required."})
	}
	errs = maxLen(errs, "CompanyName", req.CompanyName, 250)
	errs = maxLen(errs, "Note", req.Note, 500)
	errs = maxLen(errs, "GiftNote", req.GiftNote, 250)
	errs = maxLen(errs, "PackingInstructions", req.PackingInstructions, 1000)
	for i, l := range req.ShipmentOrderLineList {
		p := "ShipmentOrderLineList[" + strconv.Itoa(i) + "]"
		if str(l.SKU) == "" {
			errs = append(errs, fieldError{p + ".Sku", "Sku is required."})
		}
		if l.PackQuantity == nil || *l.PackQuantity <= 0 {
			errs = append(errs, fieldError{p + ".PackQuantity", "PackQuantity must be greater than 0."})
		}
	}
	if errs != nil {
		return invalid(errs)
	}
	cl, ferr := s.resolveClient(req.ClientIdentifier, req.Client)
	if ferr != nil {
		return invalid([]fieldError{*ferr})
	}
	var wh *warehouse
	switch {
	case str(req.WarehouseIdentifier) != "":
		wh = s.st.warehouse(strings.ToLower(*req.WarehouseIdentifier))
	case str(req.Warehouse) != "":
		wh = s.st.warehouseByCode(*req.Warehouse)
	default:
		return invalid([]fieldError{{"WarehouseIdentifier", "WarehouseIdentifier or Warehouse is required."}})
	}
	if wh == nil {
		return msg(http.StatusBadRequest, "Warehouse not found.")
	}
	typeOK := false
	for _, t := range s.st.orderTypes {
		typeOK = typeOK || t.Name == *req.ShipmentOrderType
	}
	if !typeOK {
		return msg(http.StatusBadRequest, "Shipment order type %s not found.", *req.ShipmentOrderType)
	}
	if _, dup := s.st.orderByCode[*req.Code]; dup {
		return msg(http.StatusBadRequest, "Shipment order code %s already exists.", *req.Code)
	}
	o := &order{
		Seq: s.st.nextSeq(), ID: s.newID(), Code: *req.Code, ClientID: cl.ID, WarehouseID: wh.ID,
		TypeName: *req.ShipmentOrderType, CurrencyID: *req.CurrencyID, Status: StatusOpen,
		CompanyName: str(req.CompanyName), Ship: req.ShipmentAddress.toAddress(), Bill: req.BillingAddress.toAddress(),
		OrderDate: req.ShipmentOrderDate.time(), ExpectedShipment: req.ExpectedShipmentDate.ptr(), ExpectedDelivery: req.ExpectedDeliveryDate.ptr(),
		Note: str(req.Note), ClientReferenceCode: str(req.ClientReferenceCode), ChannelNo: str(req.ChannelOrderNumber),
		Priority: req.Priority, Created: c.now, Updated: c.now,
	}
	if req.UseSameAddress != nil {
		o.UseSameAddress = *req.UseSameAddress
	}
	if req.Discount != nil {
		o.Discount = *req.Discount
	}
	if cu := req.Customer; cu != nil {
		o.CustomerFirst, o.CustomerLast, o.CustEmail = str(cu.FirstName), str(cu.LastName), str(cu.Email)
	}
	if so := req.ShippingOptionDetails; so != nil {
		o.Carrier, o.ShippingOption = str(so.CarrierName), str(so.ShippingOptionName)
	}
	for i, l := range req.ShipmentOrderLineList {
		p := s.st.productBySKU[[2]string{cl.ID, *l.SKU}]
		if p == nil {
			return invalid([]fieldError{{"ShipmentOrderLineList[" + strconv.Itoa(i) + "].Sku", "Product " + *l.SKU + " not found."}})
		}
		line := orderLine{
			ID: s.newID(), ProductID: p.ID, SKU: p.SKU, Name: p.Name, PackType: p.UOMPackTypeName,
			Qty: *l.PackQuantity, LotBatchNumber: str(l.LotBatchNumber),
		}
		if l.UnitPrice != nil {
			line.UnitPrice = *l.UnitPrice
		}
		if l.UnitTax != nil {
			line.UnitTax = *l.UnitTax
		}
		if l.UnitDiscount != nil {
			line.UnitDiscount = *l.UnitDiscount
		}
		o.Lines = append(o.Lines, line)
	}
	s.st.addOrder(o)
	s.scheduleOrder(o, c.now.Add(s.opts.Timeline.Pick))
	return created(o.ID)
}

// POST /v3.1/ShipmentOrder/cancel/{identifier}
func (s *Server) handleOrderCancel(c *call) response {
	var req struct {
		CancelReasonName *string `json:"cancelReasonName"`
	}
	if len(c.body) > 0 {
		if errs := decode(c.body, &req); errs != nil {
			return invalid(errs)
		}
	}
	i, ok := s.st.orderByID[strings.ToLower(c.r.PathValue("identifier"))]
	if !ok {
		return msg(http.StatusNotFound, "Shipment order not found.")
	}
	e := &s.st.orders[i]
	o, err := s.loadOrder(e)
	if err != nil {
		return internalError(s, err)
	}
	if err := s.cancelOrder(o, str(req.CancelReasonName), c.now); err != nil {
		return msg(http.StatusBadRequest, "%s", err.Error())
	}
	if e.o == nil { // an archived order changed: it stays archived
		if err := s.storeArchived(e, o); err != nil {
			return internalError(s, err)
		}
	}
	return jsonResp(http.StatusOK, boolValue{Value: true})
}

// GET /v3.1/ShipmentOrder/{identifier}
func (s *Server) handleOrderGet(c *call) response {
	id := c.r.PathValue("identifier")
	if !guidRE.MatchString(id) {
		return msg(http.StatusBadRequest, "The value '%s' is not valid.", id)
	}
	i, ok := s.st.orderByID[strings.ToLower(id)]
	if !ok {
		return msg(http.StatusNotFound, "Shipment order not found.")
	}
	o, err := s.loadOrder(&s.st.orders[i])
	if err != nil {
		return internalError(s, err)
	}
	return jsonResp(http.StatusOK, s.viewOrderDetail(o))
}

func orderSKUs(o *order) []string {
	out := make([]string, len(o.Lines))
	for i, l := range o.Lines {
		out[i] = l.SKU
	}
	return out
}

func timeOr(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// orderFields are the LQL fields of the order list. The ones a stub holds
// (orderEntry) filter without reading the archive; the others load archived
// orders through ld, one at a time.
func orderFields(ld *loader) []field[*orderEntry] {
	full := func(e *orderEntry) *order { return ld.order(e) }
	return []field[*orderEntry]{
		{"UpdatedDateTime", kDate, "bt", func(e *orderEntry) any { return e.updatedField() }},
		{"Code", kString, "eq", func(e *orderEntry) any { return e.code }},
		{"WarehouseIdentifier", kGUID, "eq in", func(e *orderEntry) any { return e.warehouseID }},
		{"Identifier", kGUID, "eq", func(e *orderEntry) any { return e.id }},
		{"ClientIdentifier", kGUID, "eq in", func(e *orderEntry) any { return e.clientID }},
		{"CreatedDateTime", kDate, "bt", func(e *orderEntry) any { return (*unixNanos)(&e.created) }},
		{"Status", kNumber, "in eq", func(e *orderEntry) any { return float64(e.statusOf()) }},
		{"Sku", kString, "eq", func(e *orderEntry) any { return orderSKUs(full(e)) }},
		{"ActualShipmentDate", kDate, "bt", func(e *orderEntry) any { return timeOr(full(e).ShippedAt) }},
		{"ShipmentOrderDate", kDate, "bt", func(e *orderEntry) any { return full(e).OrderDate }},
		{"ExpectedShipmentDate", kDate, "bt", func(e *orderEntry) any { return timeOr(full(e).ExpectedShipment) }},
		{"ShipmentOrderTypeName", kString, "eq", func(e *orderEntry) any { return full(e).TypeName }},
	}
}

// GET /v3.1/ShipmentOrder/list/i/{index}/s/{size}
func (s *Server) handleOrderList(c *call) response {
	ld := &loader{s: s}
	resp := listEntries(s, c, len(s.st.orders), func(i int) *orderEntry { return &s.st.orders[i] }, orderFields(ld),
		func(e *orderEntry) orderRowView { return s.viewOrderRow(ld.order(e)) })
	if ld.err != nil {
		return internalError(s, ld.err)
	}
	return resp
}

// flexTime reads the date-time forms .NET accepts and clients send:
// "2025-01-15", "2025-01-15T10:00:00" (taken as UTC) and RFC 3339.
type flexTime time.Time

// UnmarshalJSON implements json.Unmarshaler.
func (t *flexTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[time.Time]()}
	}
	v, err := parseLQLTime(s, false)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + s, Type: reflect.TypeFor[time.Time]()}
	}
	*t = flexTime(v)
	return nil
}

func (t *flexTime) time() time.Time {
	if t == nil {
		return time.Time{}
	}
	return time.Time(*t)
}

func (t *flexTime) ptr() *time.Time {
	if t == nil {
		return nil
	}
	v := time.Time(*t)
	return &v
}
