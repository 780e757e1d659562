package logiwasim

import (
	"fmt"
	"time"
)

// Shipment order statuses. Logiwa's full list is account data served by
// Helper/shipmentorderstatustypes; these ids are the ones real client code
// uses (Shortage 2, On Hold 4, Open 6, Picking Started 9, Ready to Pack 12,
// Shipped 20, Cancelled 30).
const (
	StatusShortage       = 2
	StatusOnHold         = 4
	StatusOpen           = 6
	StatusPickingStarted = 9
	StatusReadyToPack    = 12
	StatusShipped        = 20
	StatusCancelled      = 30
)

var statusNames = map[int]string{
	StatusShortage:       "Shortage",
	StatusOnHold:         "On Hold",
	StatusOpen:           "Open",
	StatusPickingStarted: "Picking Started",
	StatusReadyToPack:    "Ready to Pack",
	StatusShipped:        "Shipped",
	StatusCancelled:      "Cancelled",
}

// statusOrder lists the statuses in the order Helper/shipmentorderstatustypes serves them.
var statusOrder = []int{StatusShortage, StatusOnHold, StatusOpen, StatusPickingStarted, StatusReadyToPack, StatusShipped, StatusCancelled}

// StatusName is the display name of a shipment order status id.
func StatusName(id int) string { return statusNames[id] }

// Return order statuses. The reference gives no enum; these are the
// simulator's own.
const (
	ReturnStatusOpen      = 1
	ReturnStatusCompleted = 3
	ReturnStatusCancelled = 4
)

var returnStatusNames = map[int]string{
	ReturnStatusOpen:      "Open",
	ReturnStatusCompleted: "Completed",
	ReturnStatusCancelled: "Cancelled",
}

type client struct {
	ID, DisplayName, FullName, OfficialIdentity string
	Created                                     time.Time
}

type warehouse struct {
	ID, Code, Description string
	Created               time.Time
}

type namedRef struct {
	ID   int
	Name string
	GUID string
}

type product struct {
	ID, ClientID                             string
	SKU, FNSKU, Name, Description            string
	UPC                                      []string
	SalesPrice, PurchasePrice, TaxRate       float64
	UOMPackTypeName                          string
	ProductGroupName, ProductTypeName        string
	IsActive, IsDigital, IsPackaging         bool
	CurrencyID                               int
	Weight, Length, Width, Height            float64
	WeightUnitID, DimensionUnitID            int
	CustomFieldTextBox1, CustomFieldTextBox2 string
	Created, Updated                         time.Time
}

type stockKey struct{ WarehouseID, ProductID string }

// stock is what one warehouse holds of one product. Allocated units belong to
// orders being picked; they leave OnHand when the order ships.
type stock struct {
	OnHand, Allocated int64
}

type address struct {
	Type, Country, State, Line1, Line2, City, PostalCode, Phone string
	FirstName, LastName, Email, CompanyName                     string
}

type orderLine struct {
	ID, ProductID, SKU, Name, PackType              string
	Qty, Allocated, Picked, Packed, Shipped, Cancel int64
	UnitPrice, UnitTax, UnitDiscount                float64
	LotBatchNumber                                  string
}

type shipmentPackage struct {
	TrackingNumber string
	ShippedAt      time.Time
	Lines          []packageLine
}

type packageLine struct {
	Line int // index in order.Lines
	Qty  int64
}

type order struct {
	Seq                                    int
	ID, Code, ClientID, WarehouseID        string
	TypeName                               string
	CurrencyID                             int
	Status                                 int
	CustomerFirst, CustomerLast, CustEmail string
	CompanyName                            string
	Ship, Bill                             address
	UseSameAddress                         bool
	OrderDate                              time.Time
	ExpectedShipment, ExpectedDelivery     *time.Time
	Note, ClientReferenceCode, ChannelNo   string
	Carrier, ShippingOption                string
	Priority                               *int
	Discount                               float64
	Lines                                  []orderLine
	Packages                               []shipmentPackage
	TrackingNumbers                        []string
	IsPartial                              bool
	CancelReasonName                       string
	Created, Updated                       time.Time
	ShippedAt                              *time.Time
	next                                   time.Time // when the next warehouse step is due; zero when final
}

type returnLine struct {
	ID, ProductID, SKU, PackType string
	Requested, Returned          int64
	Reason, Note                 string
}

type returnOrder struct {
	Seq                                int
	ID, RMA, ClientID, WarehouseID     string
	ShipmentOrderID, ShipmentOrderCode string
	ChannelOrderNumber                 string
	Status                             int
	Lines                              []returnLine
	Scheduled, ActualReturn            *time.Time
	Carrier, TrackingNumber            string
	Created, Updated                   time.Time
	next                               time.Time
}

// store is the tenant's data. Slices keep creation order, which is the order
// lists are served in; maps index them.
type store struct {
	clients    []*client
	warehouses []*warehouse
	orderTypes []namedRef
	carriers   []namedRef

	products      []*product
	productByID   map[string]*product
	productBySKU  map[[2]string]*product // client id, sku
	stock         map[stockKey]*stock
	orders        []orderEntry
	orderByID     map[string]int32 // index in orders
	orderByCode   map[string]int32
	returns       []returnEntry
	returnByRMA   map[string]int32
	seq           int
	pendingEvents eventQueue
	// settled lists the settled orders and returns still held in memory,
	// oldest first: the archive takes them from the front (archive.go).
	settled []settledRef
	// archived counts the entries whose records live in the archive.
	archivedOrders, archivedReturns int
}

func newStore() *store {
	return &store{
		productByID:  map[string]*product{},
		productBySKU: map[[2]string]*product{},
		stock:        map[stockKey]*stock{},
		orderByID:    map[string]int32{},
		orderByCode:  map[string]int32{},
		returnByRMA:  map[string]int32{},
	}
}

func (st *store) client(id string) *client {
	for _, c := range st.clients {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (st *store) clientByName(name string) *client {
	for _, c := range st.clients {
		if c.DisplayName == name {
			return c
		}
	}
	return nil
}

func (st *store) warehouse(id string) *warehouse {
	for _, w := range st.warehouses {
		if w.ID == id {
			return w
		}
	}
	return nil
}

func (st *store) warehouseByCode(code string) *warehouse {
	for _, w := range st.warehouses {
		if w.Code == code {
			return w
		}
	}
	return nil
}

func (st *store) stockOf(warehouseID, productID string) *stock {
	k := stockKey{warehouseID, productID}
	s := st.stock[k]
	if s == nil {
		s = &stock{}
		st.stock[k] = s
	}
	return s
}

func (st *store) nextSeq() int {
	st.seq++
	return st.seq
}

// newID returns a version-4 style UUID drawn from the identifier generator.
// Needs s.mu.
func (s *Server) newID() string {
	a, b := s.ids.Uint64(), s.ids.Uint64()
	a = a&^(0xf<<12) | 0x4<<12 // version 4
	b = b&^(0x3<<62) | 0x2<<62 // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}
