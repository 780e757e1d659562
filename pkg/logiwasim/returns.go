package logiwasim

import (
	"net/http"
	"strconv"
	"strings"
)

type returnLineRequest struct {
	ProductIdentifier *string `json:"productIdentifier"`
	ProductSKU        *string `json:"productSKU"`
	PackType          *string `json:"packType"`
	RequestedQuantity *int64  `json:"requestedQuantity"`
	ReturnReason      *string `json:"returnReason"`
	ReturnNote        *string `json:"returnNote"`
}

// returnRequest is ReturnOrderUpsertApiRequest as far as the simulator keeps it.
type returnRequest struct {
	ShipmentOrderCode          *string             `json:"shipmentOrderCode"`
	ShipmentOrderIdentifier    *string             `json:"shipmentOrderIdentifier"`
	Warehouse                  *string             `json:"warehouse"`
	WarehouseIdentifier        *string             `json:"warehouseIdentifier"`
	Client                     *string             `json:"client"`
	ClientIdentifier           *string             `json:"clientIdentifier"`
	RMANumber                  *string             `json:"rmaNumber"`
	ScheduledReturnDate        *flexTime           `json:"scheduledReturnDate"`
	Carrier                    *string             `json:"carrier"`
	TrackingNumber             *string             `json:"trackingNumber"`
	ReturnOrderProductLineList []returnLineRequest `json:"returnOrderProductLineList"`
}

// POST /v3.2/ReturnOrder/create. The RMA number is unique: a second create
// with the same one is refused, which makes our refund flow idempotent.
func (s *Server) handleReturnCreate(c *call) response {
	var req returnRequest
	if errs := decode(c.body, &req); errs != nil {
		return invalid(errs)
	}
	var errs []fieldError
	errs = required(errs, "RmaNumber", req.RMANumber)
	if len(req.ReturnOrderProductLineList) == 0 {
		errs = append(errs, fieldError{"ReturnOrderProductLineList", "ReturnOrderProductLineList is required."})
	}
	for i, l := range req.ReturnOrderProductLineList {
		p := "ReturnOrderProductLineList[" + strconv.Itoa(i) + "]"
		if id := str(l.ProductIdentifier); !guidRE.MatchString(id) {
			errs = append(errs, fieldError{p + ".ProductIdentifier", "ProductIdentifier is required."})
		}
		if l.RequestedQuantity == nil || *l.RequestedQuantity < 0 {
			errs = append(errs, fieldError{p + ".RequestedQuantity", "RequestedQuantity must be greater than or equal to 0."})
		}
	}
	if errs != nil {
		return invalid(errs)
	}
	if _, dup := s.st.returnByRMA[*req.RMANumber]; dup {
		return msg(http.StatusBadRequest, "Return order with RMA number %s already exists.", *req.RMANumber)
	}
	r := &returnOrder{
		Seq: s.st.nextSeq(), ID: s.newID(), RMA: *req.RMANumber, Status: ReturnStatusOpen,
		Carrier: str(req.Carrier), TrackingNumber: str(req.TrackingNumber),
		Scheduled: req.ScheduledReturnDate.ptr(), Created: c.now, Updated: c.now,
	}
	// The original order, when named, decides client and warehouse.
	var so *order
	var (
		i     int32
		found bool
	)
	switch {
	case str(req.ShipmentOrderIdentifier) != "":
		i, found = s.st.orderByID[strings.ToLower(*req.ShipmentOrderIdentifier)]
	case str(req.ShipmentOrderCode) != "":
		i, found = s.st.orderByCode[*req.ShipmentOrderCode]
	}
	if found {
		var err error
		if so, err = s.loadOrder(&s.st.orders[i]); err != nil {
			return internalError(s, err)
		}
	}
	if so == nil && (str(req.ShipmentOrderIdentifier) != "" || str(req.ShipmentOrderCode) != "") {
		return msg(http.StatusBadRequest, "Shipment order not found.")
	}
	if so != nil {
		r.ClientID, r.WarehouseID, r.ShipmentOrderID, r.ShipmentOrderCode, r.ChannelOrderNumber = so.ClientID, so.WarehouseID, so.ID, so.Code, so.ChannelNo
	} else {
		cl, ferr := s.resolveClient(req.ClientIdentifier, req.Client)
		if ferr != nil {
			return invalid([]fieldError{*ferr})
		}
		r.ClientID = cl.ID
		var wh *warehouse
		if str(req.WarehouseIdentifier) != "" {
			wh = s.st.warehouse(strings.ToLower(*req.WarehouseIdentifier))
		} else if str(req.Warehouse) != "" {
			wh = s.st.warehouseByCode(*req.Warehouse)
		}
		if wh == nil {
			return invalid([]fieldError{{"WarehouseIdentifier", "Warehouse is required when no shipment order is given."}})
		}
		r.WarehouseID = wh.ID
	}
	for i, l := range req.ReturnOrderProductLineList {
		p := s.st.productByID[strings.ToLower(*l.ProductIdentifier)]
		if p == nil || p.ClientID != r.ClientID {
			return invalid([]fieldError{{"ReturnOrderProductLineList[" + strconv.Itoa(i) + "].ProductIdentifier", "Product not found."}})
		}
		r.Lines = append(r.Lines, returnLine{
			ID: s.newID(), ProductID: p.ID, SKU: p.SKU, PackType: p.UOMPackTypeName,
			Requested: *l.RequestedQuantity, Reason: str(l.ReturnReason), Note: str(l.ReturnNote),
		})
	}
	s.st.addReturn(r)
	s.scheduleReturn(r, c.now.Add(s.opts.Timeline.Return))
	return created(r.ID)
}

type returnLineView struct {
	LineIdentifier            string  `json:"lineIdentifier"`
	ProductIdentifier         string  `json:"productIdentifier"`
	ProductSKU                string  `json:"productSKU"`
	PackType                  string  `json:"packType"`
	ReturnReason              *string `json:"returnReason,omitempty"` // v3.2 only
	ReturnNote                *string `json:"returnNote"`
	RequestedQuantity         int64   `json:"requestedQuantity"`
	ReturnOrderLineStatusID   int     `json:"returnOrderLineStatusId"`
	ReturnOrderLineStatusName string  `json:"returnOrderLineStatusName"`
}

type returnView struct {
	Identifier                 string           `json:"identifier"`
	WarehouseIdentifier        string           `json:"warehouseIdentifier"`
	WarehouseCode              string           `json:"warehouseCode"`
	ClientIdentifier           string           `json:"clientIdentifier"`
	ClientDisplayName          string           `json:"clientDisplayName"`
	ShipmentOrderCode          *string          `json:"shipmentOrderCode"`
	RMANumber                  string           `json:"rmaNumber"`
	ChannelOrderNumber         *string          `json:"channelOrderNumber"`
	ReturnOrderStatusID        int              `json:"returnOrderStatusId"`
	ReturnOrderStatusName      string           `json:"returnOrderStatusName"`
	RequestedQuantity          int64            `json:"requestedQuantity"`
	ReturnedQuantity           int64            `json:"returnedQuantity"`
	ReturnCarrierName          *string          `json:"returnCarrierName"`
	TrackingNumber             *string          `json:"trackingNumber"`
	CreatedDateTime            string           `json:"createdDateTime"`
	ScheduledReturnDate        *string          `json:"scheduledReturnDate"`
	ActualReturnDateTime       *string          `json:"actualReturnDateTime"`
	ReturnOrderProductLineList []returnLineView `json:"returnOrderProductLineList"`
}

// resultOf is the v3.2+ "Result" envelope around a listing.
type resultOf[T any] struct {
	Data        T       `json:"data"`
	Status      int     `json:"status"`
	Message     *string `json:"message"`
	Code        *string `json:"code"`
	ErrorType   *string `json:"errorType"`
	Description *string `json:"description"`
}

func (s *Server) viewReturn(r *returnOrder) returnView {
	v := returnView{
		Identifier: r.ID, WarehouseIdentifier: r.WarehouseID, ClientIdentifier: r.ClientID,
		ShipmentOrderCode: nonEmpty(r.ShipmentOrderCode), RMANumber: r.RMA, ChannelOrderNumber: nonEmpty(r.ChannelOrderNumber),
		ReturnOrderStatusID: r.Status, ReturnOrderStatusName: returnStatusNames[r.Status],
		ReturnCarrierName: nonEmpty(r.Carrier), TrackingNumber: nonEmpty(r.TrackingNumber),
		CreatedDateTime: ts(r.Created), ScheduledReturnDate: tsp(r.Scheduled), ActualReturnDateTime: tsp(r.ActualReturn),
		ReturnOrderProductLineList: []returnLineView{},
	}
	if w := s.st.warehouse(r.WarehouseID); w != nil {
		v.WarehouseCode = w.Code
	}
	if cl := s.st.client(r.ClientID); cl != nil {
		v.ClientDisplayName = cl.DisplayName
	}
	for _, l := range r.Lines {
		v.RequestedQuantity += l.Requested
		v.ReturnedQuantity += l.Returned
		lineStatus, lineName := 1, "Open"
		if r.Status == ReturnStatusCompleted {
			lineStatus, lineName = 3, "Received"
		}
		v.ReturnOrderProductLineList = append(v.ReturnOrderProductLineList, returnLineView{
			LineIdentifier: l.ID, ProductIdentifier: l.ProductID, ProductSKU: l.SKU, PackType: l.PackType,
			ReturnReason: nonEmpty(l.Reason), ReturnNote: nonEmpty(l.Note), RequestedQuantity: l.Requested,
			ReturnOrderLineStatusID: lineStatus, ReturnOrderLineStatusName: lineName,
		})
	}
	return v
}

// returnFields are the LQL fields of the return list, stub fields first
// (see orderFields).
func (s *Server) returnFields(ld *loader) []field[*returnEntry] {
	code := func(id string) string {
		if c := s.st.client(id); c != nil {
			return c.DisplayName
		}
		return ""
	}
	whCode := func(id string) string {
		if w := s.st.warehouse(id); w != nil {
			return w.Code
		}
		return ""
	}
	full := func(e *returnEntry) *returnOrder { return ld.returnOrder(e) }
	return []field[*returnEntry]{
		{"rmaNumber", kString, "eq", func(e *returnEntry) any { return e.rma }},
		{"ReturnOrderIdentifier", kGUID, "eq in", func(e *returnEntry) any { return e.id }},
		{"ShipmentOrderIdentifier", kGUID, "eq in", func(e *returnEntry) any { return e.shipmentOrderID }},
		{"ClientIdentifier", kGUID, "eq in", func(e *returnEntry) any { return e.clientID }},
		{"ShipmentOrderCode", kString, "eq", func(e *returnEntry) any { return e.shipmentOrderCode }},
		{"ReturnOrderCreatedDate", kDate, "bt", func(e *returnEntry) any { return (*unixNanos)(&e.created) }},
		{"ReturnOrderStatus", kNumber, "in eq", func(e *returnEntry) any { return float64(e.statusOf()) }},
		{"ClientCode", kString, "in eq", func(e *returnEntry) any { return code(e.clientID) }},
		{"WarehouseCode", kString, "in eq", func(e *returnEntry) any { return whCode(e.warehouseID) }},
		{"WarehouseIdentifier", kGUID, "in eq", func(e *returnEntry) any { return e.warehouseID }},
		{"ScheduledReturnDate", kDate, "bt", func(e *returnEntry) any { return timeOr(full(e).Scheduled) }},
		{"actualReturnDateTime", kDate, "bt", func(e *returnEntry) any { return timeOr(full(e).ActualReturn) }},
	}
}

// GET /v3.2/ReturnOrder/list/i/{index}/s/{size} and /v3.3/...: the listing
// comes wrapped in the Result envelope, as the reference shows for both; the
// v3.3 lines have no returnReason.
func (s *Server) handleReturnList(c *call) response {
	v33 := strings.HasPrefix(c.r.URL.Path, "/v3.3/")
	ld := &loader{s: s}
	resp := listEntries(s, c, len(s.st.returns), func(i int) *returnEntry { return &s.st.returns[i] }, s.returnFields(ld), func(e *returnEntry) returnView {
		v := s.viewReturn(ld.returnOrder(e))
		if v33 {
			for i := range v.ReturnOrderProductLineList {
				v.ReturnOrderProductLineList[i].ReturnReason = nil
			}
		}
		return v
	})
	if ld.err != nil {
		return internalError(s, ld.err)
	}
	if resp.status != http.StatusOK {
		return resp
	}
	resp.body = resultOf[any]{Data: resp.body, Status: 1}
	return resp
}
