package demo

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/records"
	"github.com/logiwaflow/logiwaflow/pkg/traffic"
)

// ourRecords is the records table, split by kind of item, each record
// cut down to what the reconciliation compares: the report reads every
// record at once, so its size is what grows with the run.
type ourRecords struct {
	applied map[string]ourRecord     // product#, order#, refund#
	stock   map[string]records.Stock // stock#<sku>#<warehouse>
}

// ourRecord is the part of a records.Applied the report reads.
type ourRecord struct {
	Version  int64
	LogiwaID string
	Status   string
	Tracking []string
}

// scanRecords reads the whole records table.
func scanRecords(ctx context.Context, db *dynamodb.Client, table string) (ourRecords, error) {
	out := ourRecords{applied: map[string]ourRecord{}, stock: map[string]records.Stock{}}
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, fmt.Errorf("demo: scan %s: %w", table, err)
		}
		for _, item := range page.Items {
			pk, _ := item["pk"].(*types.AttributeValueMemberS)
			if pk == nil {
				continue
			}
			if strings.HasPrefix(pk.Value, "stock#") {
				var s records.Stock
				if err := attributevalue.UnmarshalMap(item, &s); err != nil {
					return out, fmt.Errorf("demo: decode %s: %w", pk.Value, err)
				}
				out.stock[pk.Value] = s
				continue
			}
			var a records.Applied
			if err := attributevalue.UnmarshalMap(item, &a); err != nil {
				return out, fmt.Errorf("demo: decode %s: %w", pk.Value, err)
			}
			out.applied[pk.Value] = ourRecord{Version: a.Version, LogiwaID: a.LogiwaID, Status: a.Status, Tracking: a.Tracking}
		}
	}
	return out, nil
}

// warehouseView is what the reconciliation reads of the simulator: the
// catalogue (clients, products, stock) and the return orders whole, the
// shipment orders, which grow with the run, cut down to what is compared.
type warehouseView struct {
	catalog logiwasim.State // without shipment orders
	orders  map[string]*simOrder
	returns []logiwasim.ReturnState
}

// simOrder is the part of a shipment order the report compares; created
// counts the orders with its client and code (more than 1: a duplicate).
type simOrder struct {
	id, statusName string
	status         int
	tracking       []string
	created        int
}

func orderKey(client, code string) string { return client + "/" + code }

func newWarehouseView(catalog logiwasim.State) *warehouseView {
	catalog.ShipmentOrders, catalog.ReturnOrders = nil, nil
	return &warehouseView{catalog: catalog, orders: map[string]*simOrder{}}
}

func (v *warehouseView) addOrder(o logiwasim.OrderState) {
	k := orderKey(o.ClientIdentifier, o.Code)
	if prev := v.orders[k]; prev != nil {
		prev.created++
		return
	}
	v.orders[k] = &simOrder{id: o.Identifier, statusName: o.StatusName, status: o.Status, tracking: o.TrackingNumbers, created: 1}
}

// viewOf builds the view from a whole State (tests).
func viewOf(st logiwasim.State) *warehouseView {
	v := newWarehouseView(st)
	for _, o := range st.ShipmentOrders {
		v.addOrder(o)
	}
	v.returns = st.ReturnOrders
	return v
}

// readWarehouse builds the view from the simulator, reading its orders one
// at a time (settled ones come from its on-disk archive) rather than as one
// snapshot of the whole warehouse.
func readWarehouse(sim *logiwasim.Server) (*warehouseView, error) {
	v := newWarehouseView(sim.Catalog())
	if err := sim.EachShipmentOrder(func(o logiwasim.OrderState) error {
		v.addOrder(o)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("demo: read the simulator's shipment orders: %w", err)
	}
	if err := sim.EachReturnOrder(func(r logiwasim.ReturnState) error {
		v.returns = append(v.returns, r)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("demo: read the simulator's return orders: %w", err)
	}
	return v, nil
}

// nameVersion reads the version the generator wrote into a product name
// ("Blue Mug v3"): what Logiwa holds, in the shop's numbering.
func nameVersion(name string) (int64, bool) {
	i := strings.LastIndex(name, " v")
	if i < 0 {
		return 0, false
	}
	v, err := strconv.ParseInt(name[i+2:], 10, 64)
	return v, err == nil
}

// reconcile compares our records with the simulator's state: products
// (version and identifier), shipment orders (identifier, status,
// tracking), returns and cancellations, and stock levels. Each difference
// is one line.
func reconcile(v *warehouseView, ours ourRecords, catalogue []string, l *ledger) []string {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	st := v.catalog
	client := st.Client(logiwasim.SeedClient)

	// Products of the catalogue.
	products := map[string]logiwasim.ProductState{}
	for _, p := range st.Products {
		if p.ClientIdentifier == client {
			products[p.SKU] = p
		}
	}
	for _, sku := range catalogue {
		rec, haveRec := ours.applied[records.Key("product", sku)]
		p, inLogiwa := products[sku]
		switch {
		case !haveRec && !inLogiwa:
			continue
		case !haveRec:
			add("product %s: in Logiwa (%q) but no record of ours", sku, p.Name)
		case !inLogiwa:
			add("product %s: our record v%d, not in Logiwa", sku, rec.Version)
		default:
			v, ok := nameVersion(p.Name)
			if !ok || v != rec.Version {
				add("product %s: our record v%d, Logiwa holds %q", sku, rec.Version, p.Name)
			}
			if rec.LogiwaID != p.Identifier {
				add("product %s: our record has Logiwa id %s, Logiwa %s", sku, rec.LogiwaID, p.Identifier)
			}
		}
	}

	// Shipment orders and their status and tracking (from the order sync).
	orders := map[string]*simOrder{} // the client's, by code
	for k, o := range v.orders {
		if code, ok := strings.CutPrefix(k, client+"/"); ok {
			orders[code] = o
		}
	}
	for code, o := range orders {
		rec, ok := ours.applied[records.Key("order", code)]
		if !ok || rec.Version == 0 {
			add("order %s: in Logiwa (%s) but not recorded as applied", code, o.statusName)
			continue
		}
		if rec.LogiwaID != o.id {
			add("order %s: our record has Logiwa id %s, Logiwa %s", code, rec.LogiwaID, o.id)
		}
		if rec.Status != o.statusName {
			add("order %s: our status %q, Logiwa %q", code, rec.Status, o.statusName)
		}
		if !sameSet(rec.Tracking, o.tracking) {
			add("order %s: our tracking %v, Logiwa %v", code, rec.Tracking, o.tracking)
		}
	}
	for pk, rec := range ours.applied {
		if code, ok := strings.CutPrefix(pk, "order#"); ok {
			if _, inLogiwa := orders[code]; !inLogiwa && rec.Version > 0 {
				add("order %s: recorded as applied, not in Logiwa", code)
			}
		}
	}

	// Refunds: a return is a return order; a cancellation a cancelled order.
	refunds := map[string]*sentMessage{}
	for _, m := range l.msgs {
		if m.flow == message.FlowRefunds && m.valid {
			refunds[m.key] = m
		}
	}
	returns := map[string]logiwasim.ReturnState{}
	for _, r := range v.returns {
		returns[r.RMANumber] = r
	}
	cancelledBy := map[string]string{} // order -> RMA recorded as its cancellation
	for pk, rec := range ours.applied {
		rma, ok := strings.CutPrefix(pk, "refund#")
		if !ok || rec.Version == 0 {
			continue
		}
		m := refunds[rma]
		switch {
		case m == nil:
			add("refund %s: recorded, but the demo sent no such refund", rma)
		case m.kind == traffic.KindReturn:
			r, ok := returns[rma]
			if !ok {
				add("return %s: recorded as applied, no return order in Logiwa", rma)
			} else if r.ShipmentOrderCode != m.order {
				add("return %s: Logiwa's return is of order %s, the refund named %s", rma, r.ShipmentOrderCode, m.order)
			}
		default:
			cancelledBy[m.order] = rma
			if o, ok := orders[m.order]; !ok || o.status != logiwasim.StatusCancelled {
				status := "absent"
				if ok {
					status = o.statusName
				}
				add("cancellation %s: recorded as applied, order %s is %q in Logiwa", rma, m.order, status)
			}
		}
	}
	for rma := range returns {
		if rec, ok := ours.applied[records.Key("refund", rma)]; !ok || rec.Version == 0 {
			add("return %s: in Logiwa, not recorded as applied", rma)
		}
	}
	for code, o := range orders {
		if o.status == logiwasim.StatusCancelled && cancelledBy[code] == "" {
			add("order %s: cancelled in Logiwa, no cancellation recorded", code)
		}
	}

	// Stock levels (from the inventory sync) of the client's products.
	seen := map[string]bool{}
	for _, inv := range st.Inventory {
		if inv.ClientIdentifier != client {
			continue
		}
		pk := records.Key("stock", inv.SKU+"#"+inv.WarehouseCode)
		seen[pk] = true
		s, ok := ours.stock[pk]
		if !ok {
			add("stock %s at %s: Logiwa %d available, %d on hand; no record", inv.SKU, inv.WarehouseCode, inv.Available, inv.OnHand)
			continue
		}
		if s.Available != inv.Available || s.Total != inv.OnHand {
			add("stock %s at %s: ours %d available / %d total, Logiwa %d / %d", inv.SKU, inv.WarehouseCode, s.Available, s.Total, inv.Available, inv.OnHand)
		}
	}
	// Logiwa lists a product in every warehouse; the simulator's state
	// leaves out levels never touched, which are zero.
	for pk, s := range ours.stock {
		if !seen[pk] && (s.Available != 0 || s.Total != 0) {
			add("stock %s at %s: ours %d available / %d total, Logiwa holds none", s.SKU, s.Warehouse, s.Available, s.Total)
		}
	}
	sort.Strings(diffs)
	return diffs
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
