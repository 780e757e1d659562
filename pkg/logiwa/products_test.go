package logiwa

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func sampleProduct() ProductInput {
	return ProductInput{
		SKU: "TSHIRT-M", Name: "Red T-Shirt M", Description: "cotton", ClientIdentifier: "client-1",
		UPC: []string{"0123456789012"}, SalesPrice: ptr(19.99), IsActive: ptr(true), UOMPackTypeName: "Piece",
		Weight: ptr(0.3), WeightUnitID: 1,
	}
}

func TestUpsertProductReplayChangesNothing(t *testing.T) {
	f, srv := newFake(t)
	c, _ := newTestClient(t, srv.URL)
	ctx := ctxTimeout(t, 5*time.Second)
	in := sampleProduct()

	first, err := c.UpsertProduct(ctx, in)
	if err != nil || first.Outcome != OutcomeCreated || first.Identifier == "" {
		t.Fatalf("first upsert = %+v, %v", first, err)
	}
	for i := range 3 {
		again, err := c.UpsertProduct(ctx, in)
		if err != nil || again.Outcome != OutcomeUnchanged || again.Identifier != first.Identifier {
			t.Fatalf("replay %d = %+v, %v", i, again, err)
		}
	}
	if n, u := f.count("POST "+productCreatePath), f.count("PUT "+productUpdatePath); n != 1 || u != 0 {
		t.Fatalf("creates=%d updates=%d, want 1 and 0", n, u)
	}

	in.SalesPrice = ptr(17.5)
	upd, err := c.UpsertProduct(ctx, in)
	if err != nil || upd.Outcome != OutcomeUpdated || !slices.Equal(upd.Changed, []string{"salesPrice"}) {
		t.Fatalf("price change = %+v, %v", upd, err)
	}
	again, err := c.UpsertProduct(ctx, in)
	if err != nil || again.Outcome != OutcomeUnchanged {
		t.Fatalf("replay after update = %+v, %v", again, err)
	}
	if u := f.count("PUT " + productUpdatePath); u != 1 {
		t.Fatalf("updates = %d, want 1", u)
	}
}

func TestUpsertProductCreateRace(t *testing.T) {
	f, srv := newFake(t)
	c, _ := newTestClient(t, srv.URL)
	ctx := ctxTimeout(t, 5*time.Second)
	// Another writer creates the product between our lookup and our create:
	// hide it from the first lookup, and let the fake refuse the duplicate.
	f.products = append(f.products, map[string]any{
		"identifier": "other-writer", "sku": "TSHIRT-M", "name": "Red T-Shirt M", "description": "cotton",
		"clientIdentifier": "client-1", "upc": "0123456789012", "salesPrice": 19.99, "isActive": true,
		"uomPackTypeName": "Piece", "uomPackTypeWeight": 0.3,
	})
	hidden := true
	f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodGet && r.URL.Path == productListPath+"/i/0/s/50" && hidden {
			hidden = false
			w.WriteHeader(http.StatusNoContent)
			return true
		}
		return false
	}
	res, err := c.UpsertProduct(ctx, sampleProduct())
	if err != nil || res.Identifier != "other-writer" || res.Outcome != OutcomeUnchanged {
		t.Fatalf("race upsert = %+v, %v", res, err)
	}
	if n := f.count("POST " + productCreatePath); n != 1 {
		t.Fatalf("creates = %d, want the 1 refused attempt", n)
	}
}

func TestUpsertProductValidation(t *testing.T) {
	f, srv := newFake(t)
	c, _ := newTestClient(t, srv.URL)
	_, err := c.UpsertProduct(ctxTimeout(t, 5*time.Second), ProductInput{Name: "no sku"})
	var rj *RejectedError
	if !errors.As(err, &rj) || len(rj.FieldErrors) != 2 || rj.FieldErrors[0].Property != "sku" || rj.FieldErrors[1].Property != "clientIdentifier" {
		t.Fatalf("got %v", err)
	}
	if f.loginCount() != 0 {
		t.Errorf("an invalid product must not reach Logiwa")
	}
}

func TestCreateResponseDataOrValue(t *testing.T) {
	for _, key := range []string{"data", "value"} {
		t.Run(key, func(t *testing.T) {
			f, srv := newFake(t)
			f.createResponseKey = key
			c, _ := newTestClient(t, srv.URL)
			res, err := c.UpsertProduct(ctxTimeout(t, 5*time.Second), sampleProduct())
			if err != nil || res.Identifier == "" || res.Outcome != OutcomeCreated {
				t.Fatalf("got %+v, %v", res, err)
			}
		})
	}
}

func TestAmbiguousSKUIsRejected(t *testing.T) {
	f, srv := newFake(t)
	f.products = []map[string]any{
		{"identifier": "p1", "sku": "X", "clientIdentifier": "c1"},
		{"identifier": "p2", "sku": "X", "clientIdentifier": "c2"},
	}
	c, _ := newTestClient(t, srv.URL)
	_, err := c.FindProductBySKU(ctxTimeout(t, 5*time.Second), "X", "")
	if name, _ := ErrorName(err); name != NameRejected {
		t.Fatalf("got %v", err)
	}
	p, err := c.FindProductBySKU(ctxTimeout(t, 5*time.Second), "X", "c2")
	if err != nil || p == nil || p.Identifier != "p2" {
		t.Fatalf("with client: %+v, %v", p, err)
	}
}

func TestDiffProduct(t *testing.T) {
	have := Product{
		Name: "N", Description: "D", UPC: stringList{"1", "2"}, SalesPrice: 10, IsActive: true, Weight: 1.5,
	}
	tests := []struct {
		name string
		in   ProductInput
		want []string
	}{
		{"same", ProductInput{Name: "N", Description: "D", UPC: []string{"1", "2"}, SalesPrice: ptr(10.0), IsActive: ptr(true)}, nil},
		{"unmanaged fields ignored", ProductInput{Name: "N", Description: "D"}, nil},
		{"name", ProductInput{Name: "M", Description: "D"}, []string{"name"}},
		{"description cleared", ProductInput{Name: "N"}, []string{"description"}},
		{"upc order", ProductInput{Name: "N", Description: "D", UPC: []string{"2", "1"}}, []string{"upc"}},
		{"price", ProductInput{Name: "N", Description: "D", SalesPrice: ptr(10.01)}, []string{"salesPrice"}},
		{"inactive", ProductInput{Name: "N", Description: "D", IsActive: ptr(false)}, []string{"isActive"}},
		{"weight", ProductInput{Name: "N", Description: "D", Weight: ptr(2.0)}, []string{"weight"}},
	}
	for _, tc := range tests {
		if got := diffProduct(tc.in, have); !slices.Equal(got, tc.want) {
			t.Errorf("%s: diff = %v, want %v", tc.name, got, tc.want)
		}
	}
}
