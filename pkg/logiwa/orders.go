package logiwa

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	orderListPath   = "/v3.1/ShipmentOrder/list"
	orderCreatePath = "/v3.1/ShipmentOrder/create"
	orderCancelPath = "/v3.1/ShipmentOrder/cancel"
)

// Shipment order status ids seen in Logiwa answers (NOTES.md: partial list;
// the account's full list is at GET /v3.1/Helper/shipmentorderstatustypes).
const (
	StatusShortage       = 2
	StatusOnHold         = 4
	StatusOpen           = 6
	StatusPickingStarted = 9
	StatusPending        = 10
	StatusReadyToPack    = 12
	StatusShipped        = 20
	StatusCancelled      = 30
)

// Address is Logiwa's ShipmentAddressInfoApiRequest.
type Address struct {
	Type         string `json:"type,omitempty"`
	Country      string `json:"country,omitempty"`
	State        string `json:"state,omitempty"`
	AddressLine1 string `json:"addressLine1,omitempty"`
	AddressLine2 string `json:"addressLine2,omitempty"`
	City         string `json:"city,omitempty"`
	PostalCode   string `json:"postalCode,omitempty"`
	PhoneNumber  string `json:"phoneNumber,omitempty"`
}

// BillingAddress is Logiwa's BillingAddressInfoApiRequest.
type BillingAddress struct {
	Address
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	Email       string `json:"email,omitempty"`
	CompanyName string `json:"companyName,omitempty"`
}

// Customer is Logiwa's CustomerApiRequest.
type Customer struct {
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	Email     string `json:"email,omitempty"`
}

// OrderLine is a ShipmentOrderLineApiRequest.
type OrderLine struct {
	SKU          string   `json:"sku"`
	PackType     string   `json:"packType,omitempty"`
	PackQuantity int      `json:"packQuantity"`
	UnitPrice    *float64 `json:"unitPrice,omitempty"`
	UnitTax      *float64 `json:"unitTax,omitempty"`
	UnitDiscount *float64 `json:"unitDiscount,omitempty"`
	LineNotes1   string   `json:"lineNotes1,omitempty"`
}

// ShipmentOrderInput is a ShipmentOrderCreateApiRequest with the fields the
// flows use. Code, ShipmentOrderType and at least one line are required;
// ShipmentOrderDate defaults to now and CurrencyID to 1 (USD).
type ShipmentOrderInput struct {
	Code                string          `json:"code"`
	ClientIdentifier    string          `json:"clientIdentifier,omitempty"`
	Client              string          `json:"client,omitempty"`
	WarehouseIdentifier string          `json:"warehouseIdentifier,omitempty"`
	Warehouse           string          `json:"warehouse,omitempty"`
	ShipmentOrderType   string          `json:"shipmentOrderType"`
	ShipmentOrderDate   time.Time       `json:"shipmentOrderDate"`
	CurrencyID          int             `json:"currencyId"`
	Customer            *Customer       `json:"customer,omitempty"`
	ShipmentAddress     *Address        `json:"shipmentAddress,omitempty"`
	BillingAddress      *BillingAddress `json:"billingAddress,omitempty"`
	UseSameAddress      *bool           `json:"useSameAddress,omitempty"`
	ChannelOrderNumber  string          `json:"channelOrderNumber,omitempty"`
	ClientReferenceCode string          `json:"clientReferenceCode,omitempty"`
	Note                string          `json:"note,omitempty"`
	Lines               []OrderLine     `json:"shipmentOrderLineList"`
}

// ShipmentInfo is one shipped line/package of an order (list rows only).
type ShipmentInfo struct {
	ProductSKU         string  `json:"productSku"`
	PackQuantity       float64 `json:"packQuantity"`
	UOMQuantity        float64 `json:"uomQuantity"`
	PackTypeName       string  `json:"packTypeName"`
	TrackingNumber     string  `json:"trackingNumber"`
	ShipmentDate       Time    `json:"shipmentDate"`
	ShippingOptionName string  `json:"shippingOptionName"`
	LicensePlateNumber string  `json:"licensePlateNumber"`
	LotBatchNumber     string  `json:"lotBatchNumber"`
	IsBackOrder        bool    `json:"isBackOrder"`
}

// ShipmentOrderLine is a product line of an order as Logiwa reports it.
type ShipmentOrderLine struct {
	Identifier           string  `json:"identifier"`
	ProductSKU           string  `json:"productSKU"`
	ProductIdentifier    string  `json:"productIdentifier"`
	PackType             string  `json:"packType"`
	Quantity             float64 `json:"quantity"`
	UOMQuantity          float64 `json:"uomQuantity"`
	ShippedUOMQuantity   float64 `json:"shippedUOMQuantity"`
	CancelledUOMQuantity float64 `json:"cancelledUOMQuantity"`
}

// ShipmentOrder is a row of GET /v3.1/ShipmentOrder/list: status, tracking
// and shipment info, which the order sync copies to the shop.
type ShipmentOrder struct {
	Identifier            string              `json:"identifier"`
	Code                  string              `json:"code"`
	ClientIdentifier      string              `json:"clientIdentifier"`
	WarehouseIdentifier   string              `json:"warehouseIdentifier"`
	WarehouseCode         string              `json:"warehouseCode"`
	StatusID              int                 `json:"shipmentOrderStatusId"`
	StatusName            string              `json:"shipmentOrderStatusName"`
	ShipmentOrderTypeName string              `json:"shipmentOrderTypeName"`
	TrackingNumbers       []string            `json:"trackingNumbers"`
	ReturnTrackingNumbers []string            `json:"returnTrackingNumbers"`
	CarrierName           string              `json:"carrierName"`
	ShippingOptionName    string              `json:"shippingOptionName"`
	IsPartial             bool                `json:"isPartial"`
	CancelReasonName      string              `json:"cancelReasonName"`
	ChannelOrderNumber    string              `json:"channelOrderNumber"`
	ShipmentOrderDate     Time                `json:"shipmentOrderDate"`
	ActualShipmentDate    Time                `json:"actualShipmentDate"`
	ShipmentDateTime      Time                `json:"shipmentDateTime"`
	CreatedDateTime       Time                `json:"createdDateTime"`
	UpdatedDateTime       Time                `json:"updatedDateTime"`
	Products              []ShipmentOrderLine `json:"products"`
	ShipmentInfo          []ShipmentInfo      `json:"shipmentInfo"`
}

// Cancelled reports whether Logiwa shows the order as cancelled.
func (o ShipmentOrder) Cancelled() bool {
	n := strings.ToLower(o.StatusName)
	return o.StatusID == StatusCancelled || n == "cancelled" || n == "canceled"
}

// OrderResult is the outcome of CreateShipmentOrder. An order that already
// existed is reported as created too (Outcome created, AlreadyExisted set):
// for the workflow both mean "Logiwa has this order".
type OrderResult struct {
	Identifier     string
	Code           string
	Outcome        Outcome
	AlreadyExisted bool
}

// FindShipmentOrderByCode returns the order with exactly this code (LQL
// Code.eq), or nil. Should Logiwa hold several, the oldest is returned.
func (c *Client) FindShipmentOrderByCode(ctx context.Context, code string) (*ShipmentOrder, error) {
	op := fmt.Sprintf("find shipment order %q", code)
	return c.findOrder(ctx, op, url.Values{"Code.eq": {code}}, func(o ShipmentOrder) bool { return o.Code == code })
}

// FindShipmentOrder returns the order with this Logiwa identifier, or nil.
// It reads the list endpoint (Identifier.eq) because only list rows carry
// shipment info and the actual shipment date.
func (c *Client) FindShipmentOrder(ctx context.Context, identifier string) (*ShipmentOrder, error) {
	op := fmt.Sprintf("find shipment order %s", identifier)
	return c.findOrder(ctx, op, url.Values{"Identifier.eq": {identifier}}, func(o ShipmentOrder) bool {
		return strings.EqualFold(o.Identifier, identifier)
	})
}

func (c *Client) findOrder(ctx context.Context, op string, q url.Values, match func(ShipmentOrder) bool) (*ShipmentOrder, error) {
	p, err := getPage[ShipmentOrder](ctx, c, orderListPath, q, 0, 10)
	if err != nil {
		return nil, withOp(err, op)
	}
	var found []ShipmentOrder
	for _, o := range p.Items {
		if match(o) {
			found = append(found, o)
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	if len(found) > 1 {
		c.log.LogAttrs(ctx, slog.LevelWarn, "logiwa: several shipment orders match", slog.String("op", op), slog.Int("count", len(found)))
		sort.SliceStable(found, func(i, j int) bool { return found[i].CreatedDateTime.Before(found[j].CreatedDateTime.Time) })
	}
	return &found[0], nil
}

// CreateShipmentOrder creates the order unless Logiwa already has one with
// in.Code. Logiwa has no idempotency key, so the code is the key: look it
// up first; create; and when the create is refused (Logiwa refuses a
// duplicate code, e.g. because another execution won a race), look again
// and report the order that is there. A create that timed out is not
// retried here: the workflow's retry runs this again and finds the order.
func (c *Client) CreateShipmentOrder(ctx context.Context, in ShipmentOrderInput) (OrderResult, error) {
	op := fmt.Sprintf("create shipment order %q", in.Code)
	res := OrderResult{Code: in.Code}
	if err := in.validate(op); err != nil {
		return res, err
	}
	find := func() (string, bool, error) {
		o, err := c.FindShipmentOrderByCode(ctx, in.Code)
		if err != nil || o == nil {
			return "", false, err
		}
		return o.Identifier, true, nil
	}
	prepare := func() (any, error) {
		if in.ShipmentOrderDate.IsZero() {
			in.ShipmentOrderDate = time.Now().UTC()
		}
		if in.CurrencyID == 0 {
			in.CurrencyID = 1
		}
		return in, nil
	}
	id, existed, err := c.createOnce(ctx, op, "order#"+in.Code, orderCreatePath, find, prepare)
	if err != nil {
		return res, err
	}
	res.Identifier, res.Outcome, res.AlreadyExisted = id, OutcomeCreated, existed
	return res, nil
}

func (in ShipmentOrderInput) validate(op string) error {
	var fe []FieldError
	if in.Code == "" {
		fe = append(fe, FieldError{Property: "code", Message: "required"})
	}
	if in.ShipmentOrderType == "" {
		fe = append(fe, FieldError{Property: "shipmentOrderType", Message: "required"})
	}
	if len(in.Lines) == 0 {
		fe = append(fe, FieldError{Property: "shipmentOrderLineList", Message: "at least one line is required"})
	}
	for i, l := range in.Lines {
		if l.SKU == "" {
			fe = append(fe, FieldError{Property: fmt.Sprintf("shipmentOrderLineList[%d].sku", i), Message: "required"})
		}
		if l.PackQuantity <= 0 {
			fe = append(fe, FieldError{Property: fmt.Sprintf("shipmentOrderLineList[%d].packQuantity", i), Message: "must be positive"})
		}
	}
	if len(fe) > 0 {
		return &RejectedError{Op: op, Call: CallInfo{Endpoint: "POST " + orderCreatePath}, Message: "invalid shipment order", FieldErrors: fe}
	}
	return nil
}

// CancelInput names the order to cancel by Identifier or, failing that, Code.
type CancelInput struct {
	Identifier          string
	Code                string
	ClientIdentifier    string
	WarehouseIdentifier string
	CancelReasonName    string
}

// CancelResult is the outcome of CancelShipmentOrder: cancelled now, or
// unchanged because Logiwa already shows it cancelled (a replay).
type CancelResult struct {
	Identifier string
	Outcome    Outcome
}

type cancelBody struct {
	ShipmentOrderCode   string `json:"shipmentOrderCode,omitempty"`
	WarehouseIdentifier string `json:"warehouseIdentifier,omitempty"`
	ClientIdentifier    string `json:"clientIdentifier,omitempty"`
	CancelReasonName    string `json:"cancelReasonName,omitempty"`
}

// CancelShipmentOrder cancels an order. It is idempotent: an order already
// cancelled is reported unchanged, including when Logiwa refuses the
// cancel because the order is already cancelled. An order Logiwa does not
// hold is OrderNotFound; a refusal for any other reason (e.g. picking
// started) is Rejected.
func (c *Client) CancelShipmentOrder(ctx context.Context, in CancelInput) (CancelResult, error) {
	op := fmt.Sprintf("cancel shipment order %q", firstNonEmpty(in.Code, in.Identifier))
	res := CancelResult{Identifier: in.Identifier}
	if in.Identifier == "" && in.Code == "" {
		return res, &RejectedError{Op: op, Message: "identifier or code is required"}
	}
	unlock, err := c.keys.lock(ctx, "order#"+firstNonEmpty(in.Code, in.Identifier))
	if err != nil {
		return res, withOp(err, op)
	}
	defer unlock()

	current := func() (*ShipmentOrder, error) {
		if in.Identifier != "" {
			return c.FindShipmentOrder(ctx, in.Identifier)
		}
		return c.FindShipmentOrderByCode(ctx, in.Code)
	}
	o, err := current()
	if err != nil {
		return res, withOp(err, op)
	}
	if o == nil {
		// Not Rejected: the order's own message may simply not have been
		// applied yet, and the workflow waits for it.
		return res, &OrderNotFoundError{Op: op, Call: CallInfo{Endpoint: "GET " + orderListPath}, Order: firstNonEmpty(in.Code, in.Identifier)}
	}
	res.Identifier = o.Identifier
	if o.Cancelled() {
		res.Outcome = OutcomeUnchanged
		return res, nil
	}
	req := c.newRequest(http.MethodPost, orderCancelPath+"/{identifier}", orderCancelPath+"/"+url.PathEscape(o.Identifier))
	req.body = cancelBody{
		ShipmentOrderCode: firstNonEmpty(in.Code, o.Code), ClientIdentifier: firstNonEmpty(in.ClientIdentifier, o.ClientIdentifier),
		WarehouseIdentifier: firstNonEmpty(in.WarehouseIdentifier, o.WarehouseIdentifier), CancelReasonName: in.CancelReasonName,
	}
	var out boolResult
	ci, cerr := c.do(ctx, req, &out)
	if cerr == nil {
		if v, ok := out.ok(); !ok || v {
			res.Outcome = OutcomeCancelled
			return res, nil
		}
		cerr = &RejectedError{Call: ci, Message: "Logiwa answered value=false"}
	}
	if rj, refused := cerr.(*RejectedError); refused {
		again, ferr := current()
		switch {
		case ferr == nil && again != nil && again.Cancelled():
			res.Outcome = OutcomeUnchanged
			return res, nil
		case ferr == nil && again == nil:
			// Gone between the lookup and the cancel (Logiwa answers 404).
			return res, &OrderNotFoundError{Op: op, Call: ci, Order: firstNonEmpty(in.Code, in.Identifier), Message: rj.Message}
		}
	}
	return res, withOp(cerr, op)
}

// OrderWindow selects orders whose UpdatedDateTime lies in [From, To] (a
// zero To means now)
// (LQL bt is inclusive at both ends, so consecutive windows share their
// boundary instant; the sync dedupes by identifier and updatedDateTime).
type OrderWindow struct {
	From, To             time.Time
	ClientIdentifiers    []string
	WarehouseIdentifiers []string
	Statuses             []int
}

func (w OrderWindow) query() url.Values {
	if w.To.IsZero() {
		w.To = time.Now() // an open window ends now
	}
	q := url.Values{}
	// Whole seconds, widened outwards: From down and To up, so an update in
	// the window's last partial second is not lost to truncation.
	to := w.To.Truncate(time.Second)
	if to.Before(w.To) {
		to = to.Add(time.Second)
	}
	q.Set("UpdatedDateTime.bt", lqlTime(w.From)+","+lqlTime(to))
	setIn(q, "ClientIdentifier", w.ClientIdentifiers)
	setIn(q, "WarehouseIdentifier", w.WarehouseIdentifiers)
	if len(w.Statuses) > 0 {
		s := make([]string, len(w.Statuses))
		for i, v := range w.Statuses {
			s[i] = strconv.Itoa(v)
		}
		setIn(q, "Status", s)
	}
	return q
}

// lqlTime formats an instant for LQL: ISO 8601 in UTC to the second (the
// fraction is dropped), which Logiwa accepts in bt filters beside plain
// dates (NOTES.md, bedrock client).
func lqlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// setIn adds Field.eq for one value and Field.in for several.
func setIn(q url.Values, field string, vals []string) {
	switch len(vals) {
	case 0:
	case 1:
		q.Set(field+".eq", vals[0])
	default:
		q.Set(field+".in", strings.Join(vals, ","))
	}
}

// ShipmentOrdersChangedPage fetches one page (0-based index) of the orders
// changed in w. The order sync calls it once per step of its loop.
func (c *Client) ShipmentOrdersChangedPage(ctx context.Context, w OrderWindow, index, size int) (Page[ShipmentOrder], error) {
	p, err := getPage[ShipmentOrder](ctx, c, orderListPath, w.query(), index, size)
	return p, withOp(err, "list changed shipment orders")
}

// ShipmentOrdersChanged streams the orders changed in w page by page.
func (c *Client) ShipmentOrdersChanged(ctx context.Context, w OrderWindow, size int) iter.Seq2[Page[ShipmentOrder], error] {
	return func(yield func(Page[ShipmentOrder], error) bool) {
		for p, err := range pages[ShipmentOrder](ctx, c, orderListPath, w.query(), size) {
			if !yield(p, withOp(err, "list changed shipment orders")) {
				return
			}
		}
	}
}
