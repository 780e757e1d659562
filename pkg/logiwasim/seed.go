package logiwasim

import (
	"fmt"
	"time"
)

// Seed data created by New. Identifiers differ per seed; names do not.
const (
	SeedClient      = "Logiwaflow Demo" // the client the flows work for
	SeedOtherClient = "Other Brand"     // a second client, so client filters matter
	SeedWarehouse   = "WH-EAST"         // warehouse codes
	SeedWarehouse2  = "WH-WEST"
	SeedOrderType   = "Shipment Order" // shipment order type names the account knows
	SeedOrderType2  = "Sales Order"
)

// seedProduct is one product of the seed catalogue with its stock per warehouse.
type seedProduct struct {
	client, sku, name string
	price             float64
	east, west        int64
}

var seedCatalogue = []seedProduct{
	{SeedClient, "MUG-BLUE", "Blue Mug", 12.5, 100, 40},
	{SeedClient, "TSHIRT-RED-M", "Red T-Shirt M", 19.99, 60, 0},
	{SeedClient, "NOTEBOOK-A5", "A5 Notebook", 6.75, 250, 100},
	{SeedOtherClient, "MUG-BLUE", "Blue Mug (Other Brand)", 11, 10, 10},
}

// seed fills the store. Needs s.mu (or exclusive access during New).
func (s *Server) seed(now time.Time) {
	st := s.st
	for i, name := range []string{SeedClient, SeedOtherClient} {
		st.clients = append(st.clients, &client{
			ID: s.newID(), DisplayName: name, FullName: name + " Inc.",
			OfficialIdentity: fmt.Sprintf("TAX-%04d", i+1), Created: now,
		})
	}
	for _, w := range []struct{ code, desc string }{{SeedWarehouse, "East coast warehouse"}, {SeedWarehouse2, "West coast warehouse"}} {
		st.warehouses = append(st.warehouses, &warehouse{ID: s.newID(), Code: w.code, Description: w.desc, Created: now})
	}
	for i, n := range []string{SeedOrderType, SeedOrderType2} {
		st.orderTypes = append(st.orderTypes, namedRef{ID: i + 1, Name: n, GUID: s.newID()})
	}
	for i, n := range []string{"UPS", "FedEx", "USPS"} {
		st.carriers = append(st.carriers, namedRef{ID: i + 1, Name: n, GUID: s.newID()})
	}
	for _, sp := range seedCatalogue {
		c := st.clientByName(sp.client)
		p := &product{
			ID: s.newID(), ClientID: c.ID, SKU: sp.sku, Name: sp.name, Description: sp.name,
			SalesPrice: sp.price, PurchasePrice: sp.price / 2, UOMPackTypeName: "Piece",
			ProductGroupName: "Default", ProductTypeName: "Default", IsActive: true, CurrencyID: 1,
			Weight: 0.5, WeightUnitID: 1, DimensionUnitID: 1, Length: 10, Width: 10, Height: 10,
			Created: now, Updated: now,
		}
		st.addProduct(p)
		st.stockOf(st.warehouseByCode(SeedWarehouse).ID, p.ID).OnHand = sp.east
		st.stockOf(st.warehouseByCode(SeedWarehouse2).ID, p.ID).OnHand = sp.west
	}
}

func (st *store) addProduct(p *product) {
	st.products = append(st.products, p)
	st.productByID[p.ID] = p
	st.productBySKU[[2]string{p.ClientID, p.SKU}] = p
}

// SetStock sets what a warehouse holds of a SKU (of any client that has it;
// the first client in seed order wins), as a stock count would. Tests use it
// to provoke shortages and partial shipments.
func (s *Server) SetStock(warehouseCode, sku string, onHand int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick(s.now())
	w := s.st.warehouseByCode(warehouseCode)
	if w == nil {
		return fmt.Errorf("logiwasim: no warehouse %q", warehouseCode)
	}
	for _, c := range s.st.clients {
		if p := s.st.productBySKU[[2]string{c.ID, sku}]; p != nil {
			s.st.stockOf(w.ID, p.ID).OnHand = onHand
			s.changed()
			return nil
		}
	}
	return fmt.Errorf("logiwasim: no product with SKU %q", sku)
}
