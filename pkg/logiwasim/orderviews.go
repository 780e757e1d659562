package logiwasim

// Wire views of shipment orders. Field names are the reference's; the list
// row (ShipmentOrderListGatewayQueryResponse) and the detail
// (ShipmentOrderGatewayQueryResponse) differ as they do there: only the row
// has shipmentOrderStatusId, actualShipmentDate and shipmentInfo, only the
// detail has warehouseIdentifier.

type orderLineView struct {
	Identifier           string  `json:"identifier"`
	ProductSKU           string  `json:"productSKU"`
	ProductName          string  `json:"productName"`
	Quantity             int64   `json:"quantity"`
	UOMQuantity          int64   `json:"uomQuantity"`
	PackType             string  `json:"packType"`
	ProductIdentifier    string  `json:"productIdentifier"`
	LotBatchNumber       *string `json:"lotBatchNumber"`
	AllocatedUOMQuantity int64   `json:"allocatedUOMQuantity"`
	PickedUOMQuantity    int64   `json:"pickedUOMQuantity"`
	SortedUOMQuantity    int64   `json:"sortedUOMQuantity"`
	PackedUOMQuantity    int64   `json:"packedUOMQuantity"`
	LoadedUOMQuantity    int64   `json:"loadedUOMQuantity"`
	ShippedUOMQuantity   int64   `json:"shippedUOMQuantity"`
	CancelledUOMQuantity int64   `json:"cancelledUOMQuantity"`
	UOMRatio             int     `json:"uomRatio"`
}

type shipmentInfoView struct {
	IsBackOrder        bool    `json:"isBackOrder"`
	ProductName        string  `json:"productName"`
	ProductSku         string  `json:"productSku"`
	ShipmentDate       string  `json:"shipmentDate"`
	PackQuantity       int64   `json:"packQuantity"`
	UOMQuantity        int64   `json:"uomQuantity"`
	PackTypeName       string  `json:"packTypeName"`
	ShipmentTypeName   string  `json:"shipmentTypeName"`
	LotBatchNumber     *string `json:"lotBatchNumber"`
	ShippingOptionName *string `json:"shippingOptionName"`
	CreatedDateTime    string  `json:"createdDateTime"`
	UpdatedDateTime    string  `json:"updatedDateTime"`
	TrackingNumber     string  `json:"trackingNumber"`
	LicensePlateNumber string  `json:"licensePlateNumber"`
}

// orderCommon holds the fields both views share.
type orderCommon struct {
	Identifier                string          `json:"identifier"`
	Code                      string          `json:"code"`
	ClientIdentifier          string          `json:"clientIdentifier"`
	ClientDisplayName         string          `json:"clientDisplayName"`
	CustomerFirstName         *string         `json:"customerFirstName"`
	CustomerLastName          *string         `json:"customerLastName"`
	CustomerEmail             *string         `json:"customerEmail"`
	CustomerFullName          *string         `json:"customerFullName"`
	CompanyName               *string         `json:"companyName"`
	BillingAddressFirstName   *string         `json:"billingAddressFirstName"`
	BillingAddressLastName    *string         `json:"billingAddressLastName"`
	BillingAddressEmail       *string         `json:"billingAddressEmail"`
	BillingAddressPhoneNumber *string         `json:"billingAddressPhoneNumber"`
	BillingAddressLine1       *string         `json:"billingAddressLine1"`
	BillingAddressLine2       *string         `json:"billingAddressLine2"`
	BillingCity               *string         `json:"billingCity"`
	BillingPostalCode         *string         `json:"billingPostalCode"`
	ShipmentAddressLine1      *string         `json:"shipmentAddressLine1"`
	ShipmentAddressLine2      *string         `json:"shipmentAddressLine2"`
	ShipmentCity              *string         `json:"shipmentCity"`
	ShipmentPostalCode        *string         `json:"shipmentPostalCode"`
	ShipmentPhoneNumber       *string         `json:"shipmentPhoneNumber"`
	ShipmentStateOrRegionName *string         `json:"shipmentStateOrRegionName"`
	ChannelOrderNumber        *string         `json:"channelOrderNumber"`
	CarrierName               *string         `json:"carrierName"`
	ShippingOptionName        *string         `json:"shippingOptionName"`
	TrackingNumbers           []string        `json:"trackingNumbers"`
	TotalShippingCost         float64         `json:"totalShippingCost"`
	TotalPrice                float64         `json:"totalPrice"`
	Discount                  float64         `json:"discount"`
	ShipmentOrderTypeName     string          `json:"shipmentOrderTypeName"`
	ShipmentOrderStatusName   string          `json:"shipmentOrderStatusName"`
	ShipmentOrderDate         string          `json:"shipmentOrderDate"`
	ExpectedShipmentDate      *string         `json:"expectedShipmentDate"`
	ExpectedDeliveryDate      *string         `json:"expectedDeliveryDate"`
	WarehouseCode             string          `json:"warehouseCode"`
	HasLabel                  bool            `json:"hasLabel"`
	IsBackOrder               bool            `json:"isBackOrder"`
	IsPartial                 bool            `json:"isPartial"`
	Priority                  *int            `json:"priority"`
	Note                      *string         `json:"note"`
	ClientReferenceCode       *string         `json:"clientReferenceCode"`
	CancelReasonName          *string         `json:"cancelReasonName"`
	TotalWeight               float64         `json:"totalWeight"`
	WeightUnitID              int             `json:"weightUnitId"`
	UpdatedDateTime           string          `json:"updatedDateTime"`
	Products                  []orderLineView `json:"products"`
}

type orderRowView struct {
	orderCommon
	CreatedDateTime       string             `json:"createdDateTime"`
	ShipmentCountryCode   *string            `json:"shipmentCountryCode"`
	ShipmentStateCode     *string            `json:"shipmentStateCode"`
	BillingCountryCode    *string            `json:"billingCountryCode"`
	BillingStateCode      *string            `json:"billingStateCode"`
	TotalQuantity         int64              `json:"totalQuantity"`
	CurrencyCode          string             `json:"currencyCode"`
	ShipmentOrderStatusID int                `json:"shipmentOrderStatusId"`
	ActualShipmentDate    *string            `json:"actualShipmentDate"`
	ShipmentDateTime      *string            `json:"shipmentDateTime"`
	ShipmentInfo          []shipmentInfoView `json:"shipmentInfo"`
}

type orderDetailView struct {
	orderCommon
	WarehouseIdentifier   string  `json:"warehouseIdentifier"`
	CurrentTrackingNumber *string `json:"currentTrackingNumber"`
	UseSameAddress        bool    `json:"useSameAddress"`
}

func (s *Server) viewOrderCommon(o *order) orderCommon {
	v := orderCommon{
		Identifier: o.ID, Code: o.Code, ClientIdentifier: o.ClientID,
		CustomerFirstName: nonEmpty(o.CustomerFirst), CustomerLastName: nonEmpty(o.CustomerLast),
		CustomerEmail: nonEmpty(o.CustEmail), CompanyName: nonEmpty(o.CompanyName),
		BillingAddressFirstName: nonEmpty(o.Bill.FirstName), BillingAddressLastName: nonEmpty(o.Bill.LastName),
		BillingAddressEmail: nonEmpty(o.Bill.Email), BillingAddressPhoneNumber: nonEmpty(o.Bill.Phone),
		BillingAddressLine1: nonEmpty(o.Bill.Line1), BillingAddressLine2: nonEmpty(o.Bill.Line2),
		BillingCity: nonEmpty(o.Bill.City), BillingPostalCode: nonEmpty(o.Bill.PostalCode),
		ShipmentAddressLine1: nonEmpty(o.Ship.Line1), ShipmentAddressLine2: nonEmpty(o.Ship.Line2),
		ShipmentCity: nonEmpty(o.Ship.City), ShipmentPostalCode: nonEmpty(o.Ship.PostalCode),
		ShipmentPhoneNumber: nonEmpty(o.Ship.Phone), ShipmentStateOrRegionName: nonEmpty(o.Ship.State),
		ChannelOrderNumber: nonEmpty(o.ChannelNo), CarrierName: nonEmpty(o.Carrier),
		ShippingOptionName: nonEmpty(o.ShippingOption), TrackingNumbers: append([]string{}, o.TrackingNumbers...),
		Discount: o.Discount, ShipmentOrderTypeName: o.TypeName, ShipmentOrderStatusName: StatusName(o.Status),
		ShipmentOrderDate: ts(o.OrderDate), ExpectedShipmentDate: tsp(o.ExpectedShipment),
		ExpectedDeliveryDate: tsp(o.ExpectedDelivery), HasLabel: len(o.Packages) > 0, IsPartial: o.IsPartial,
		Priority: o.Priority, Note: nonEmpty(o.Note), ClientReferenceCode: nonEmpty(o.ClientReferenceCode),
		CancelReasonName: nonEmpty(o.CancelReasonName), WeightUnitID: 1, UpdatedDateTime: ts(o.Updated),
	}
	if o.CustomerFirst != "" || o.CustomerLast != "" {
		full := o.CustomerFirst + " " + o.CustomerLast
		v.CustomerFullName = &full
	}
	if cl := s.st.client(o.ClientID); cl != nil {
		v.ClientDisplayName = cl.DisplayName
	}
	if w := s.st.warehouse(o.WarehouseID); w != nil {
		v.WarehouseCode = w.Code
	}
	total := -o.Discount
	for _, l := range o.Lines {
		total += float64(l.Qty) * (l.UnitPrice - l.UnitDiscount + l.UnitTax)
		if p := s.st.productByID[l.ProductID]; p != nil {
			v.TotalWeight += float64(l.Qty) * p.Weight
		}
		v.Products = append(v.Products, orderLineView{
			Identifier: l.ID, ProductSKU: l.SKU, ProductName: l.Name, Quantity: l.Qty, UOMQuantity: l.Qty,
			PackType: l.PackType, ProductIdentifier: l.ProductID, LotBatchNumber: nonEmpty(l.LotBatchNumber),
			AllocatedUOMQuantity: l.Allocated, PickedUOMQuantity: l.Picked, SortedUOMQuantity: l.Picked,
			PackedUOMQuantity: l.Packed, LoadedUOMQuantity: l.Shipped, ShippedUOMQuantity: l.Shipped,
			CancelledUOMQuantity: l.Cancel, UOMRatio: 1,
		})
	}
	v.TotalPrice = total
	return v
}

func (s *Server) viewOrderRow(o *order) orderRowView {
	v := orderRowView{
		orderCommon: s.viewOrderCommon(o), CreatedDateTime: ts(o.Created),
		ShipmentCountryCode: nonEmpty(o.Ship.Country), ShipmentStateCode: nonEmpty(o.Ship.State),
		BillingCountryCode: nonEmpty(o.Bill.Country), BillingStateCode: nonEmpty(o.Bill.State),
		CurrencyCode: currencyCodes[o.CurrencyID], ShipmentOrderStatusID: o.Status,
		ActualShipmentDate: tsp(o.ShippedAt), ShipmentDateTime: tsp(o.ShippedAt),
		ShipmentInfo: []shipmentInfoView{},
	}
	for _, l := range o.Lines {
		v.TotalQuantity += l.Qty
	}
	for _, p := range o.Packages {
		for _, pl := range p.Lines {
			l := o.Lines[pl.Line]
			v.ShipmentInfo = append(v.ShipmentInfo, shipmentInfoView{
				ProductName: l.Name, ProductSku: l.SKU, ShipmentDate: ts(p.ShippedAt), PackQuantity: pl.Qty,
				UOMQuantity: pl.Qty, PackTypeName: l.PackType, ShipmentTypeName: "Carrier",
				LotBatchNumber: nonEmpty(l.LotBatchNumber), ShippingOptionName: nonEmpty(o.ShippingOption),
				CreatedDateTime: ts(p.ShippedAt), UpdatedDateTime: ts(p.ShippedAt), TrackingNumber: p.TrackingNumber,
				LicensePlateNumber: "LP-" + p.TrackingNumber,
			})
		}
	}
	return v
}

func (s *Server) viewOrderDetail(o *order) orderDetailView {
	v := orderDetailView{orderCommon: s.viewOrderCommon(o), WarehouseIdentifier: o.WarehouseID, UseSameAddress: o.UseSameAddress}
	if n := len(o.TrackingNumbers); n > 0 {
		v.CurrentTrackingNumber = &o.TrackingNumbers[n-1]
	}
	return v
}
