package records_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/records"
	"github.com/logiwaflow/logiwaflow/pkg/records/recordstest"
)

func TestApplyNeverGoesBack(t *testing.T) {
	s, _ := recordstest.NewStore(t)
	ctx := context.Background()
	steps := []struct {
		version   int64
		id        string
		wantStale bool
		wantVer   int64
		wantID    string
	}{
		{3, "id-3", false, 3, "id-3"},
		{2, "id-2", true, 3, "id-3"},  // out of order: older version arrives late
		{3, "id-3b", true, 3, "id-3"}, // duplicate
		{5, "id-5", false, 5, "id-5"},
	}
	for _, st := range steps {
		err := s.Apply(ctx, records.Applied{PK: records.Key("product", "SKU-1"), Version: st.version, Flow: "inventory", LogiwaID: st.id, Outcome: "updated"})
		if gotStale := errors.Is(err, records.ErrStale); gotStale != st.wantStale || (err != nil && !gotStale) {
			t.Fatalf("apply v%d: err %v, want stale %v", st.version, err, st.wantStale)
		}
		rec, ok, err := s.Get(ctx, records.Key("product", "SKU-1"))
		if err != nil || !ok {
			t.Fatalf("get: %v %v", ok, err)
		}
		if rec.Version != st.wantVer || rec.LogiwaID != st.wantID {
			t.Fatalf("after v%d: record v%d %s, want v%d %s", st.version, rec.Version, rec.LogiwaID, st.wantVer, st.wantID)
		}
	}
}

func TestOrderStatusKeepsAppliedFieldsAndNewestUpdate(t *testing.T) {
	s, _ := recordstest.NewStore(t)
	ctx := context.Background()
	if err := s.Apply(ctx, records.Applied{PK: records.Key("order", "SO-1"), Version: 1, Flow: "orders", LogiwaID: "g1", Outcome: "created"}); err != nil {
		t.Fatal(err)
	}
	newer := records.OrderStatus{OrderNumber: "SO-1", Status: "Shipped", Tracking: []string{"TRK1", "TRK2"}, Partial: true, ShippedQty: 1, OrderedQty: 2, UpdatedAt: "2026-11-25T11:00:00Z"}
	older := records.OrderStatus{OrderNumber: "SO-1", Status: "Open", UpdatedAt: "2026-11-25T10:00:00Z"}
	for _, st := range []records.OrderStatus{newer, older} {
		if err := s.PutOrderStatus(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	rec, _, err := s.Get(ctx, records.Key("order", "SO-1"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != "Shipped" || len(rec.Tracking) != 2 || !rec.Partial || rec.ShippedQty != 1 {
		t.Fatalf("status regressed or lost: %+v", rec)
	}
	if rec.Version != 1 || rec.LogiwaID != "g1" {
		t.Fatalf("sync overwrote applied fields: %+v", rec)
	}
}

func TestPutStockBatches(t *testing.T) {
	s, _ := recordstest.NewStore(t)
	ctx := context.Background()
	var levels []records.Stock
	for i := range 60 { // more than two BatchWriteItem calls
		levels = append(levels, records.Stock{SKU: "SKU-" + string(rune('A'+i%26)) + string(rune('a'+i/26)), Warehouse: "WH1", Available: int64(i), Total: int64(i + 1)})
	}
	if err := s.PutStock(ctx, levels); err != nil {
		t.Fatal(err)
	}
	all, err := s.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 60 {
		t.Fatalf("scanned %d records, want 60", len(all))
	}
}

func TestLease(t *testing.T) {
	s, clk := recordstest.NewStore(t)
	ctx := context.Background()
	if _, err := s.AcquireLease(ctx, "orders", "run-1", 10*time.Minute); err != nil {
		t.Fatalf("first acquire: %v", err)
	}
	var held *records.LeaseHeldError
	if _, err := s.AcquireLease(ctx, "orders", "run-2", 10*time.Minute); !errors.As(err, &held) || held.Owner != "run-1" || held.ErrorName() != "Sync.LeaseHeld" {
		t.Fatalf("second acquire: %v", err)
	}
	if _, err := s.AcquireLease(ctx, "inventory", "run-2", 10*time.Minute); err != nil {
		t.Fatalf("another job's lease is independent: %v", err)
	}
	if err := s.ReleaseLease(ctx, "orders", "run-2", "x", "succeeded"); err == nil {
		t.Fatal("a run that does not hold the lease must not release it")
	}
	if err := s.ReleaseLease(ctx, "orders", "run-1", "2026-11-25T12:00:00Z", "succeeded"); err != nil {
		t.Fatalf("release: %v", err)
	}
	j, err := s.AcquireLease(ctx, "orders", "run-3", 10*time.Minute)
	if err != nil || j.Cursor != "2026-11-25T12:00:00Z" {
		t.Fatalf("acquire after release: %+v %v", j, err)
	}
	// A crashed run's lease expires.
	clk.Advance(11 * time.Minute)
	if _, err := s.AcquireLease(ctx, "orders", "run-4", 10*time.Minute); err != nil {
		t.Fatalf("acquire after expiry: %v", err)
	}
	// A failed run releases without moving the cursor.
	if err := s.ReleaseLease(ctx, "orders", "run-4", "", "failed"); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.Job(ctx, "orders"); j.Cursor != "2026-11-25T12:00:00Z" || j.LastResult != "failed" {
		t.Fatalf("job after failed run: %+v", j)
	}
}
