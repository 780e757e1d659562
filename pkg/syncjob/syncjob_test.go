package syncjob

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/gate"
	"github.com/logiwaflow/logiwaflow/pkg/records"
	"github.com/logiwaflow/logiwaflow/pkg/records/recordstest"
)

func page(t *testing.T, index, total int, items ...any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(gate.PageResult{Index: index, TotalCount: total, Items: items})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOrderSyncRun walks one run the way the state machine does: acquire,
// write pages until no more, release; then checks the cursor and records.
func TestOrderSyncRun(t *testing.T) {
	store, clk := recordstest.NewStore(t)
	h := &Handler{Store: store, Now: clk.Now}
	ctx := context.Background()

	out, err := h.Handle(ctx, Input{Action: "acquire", Job: JobOrders, Owner: "run-1", Request: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Window.Since != "2026-11-24T12:00:00Z" || out.Window.Until != "2026-11-25T12:00:00Z" || out.Window.Size != PageSize {
		t.Fatalf("first window %+v", out.Window)
	}
	// A second run while the first holds the lease does nothing.
	var held *records.LeaseHeldError
	if _, err := h.Handle(ctx, Input{Action: "acquire", Job: JobOrders, Owner: "run-2"}); !errors.As(err, &held) {
		t.Fatalf("overlapping run: %v", err)
	}

	w := out.Window
	w.Size = 2 // small pages so the run takes three
	shipped := gate.OrderItem{OrderNumber: "SO-1", Status: "Shipped", Tracking: []string{"T1", "T2"}, Partial: true, ShippedQty: 1, OrderedQty: 2, UpdatedAt: "2026-11-25T11:00:00Z"}
	open := gate.OrderItem{OrderNumber: "SO-2", Status: "Open", Tracking: []string{}, UpdatedAt: "2026-11-25T11:00:00Z"}
	pages := []json.RawMessage{page(t, 0, 5, shipped, open), page(t, 1, 5, open, open), page(t, 2, 5, open)}
	stats := &Stats{}
	for i, p := range pages {
		out, err = h.Handle(ctx, Input{Action: "write", Job: JobOrders, Owner: "run-1", Window: &w, Page: p, Stats: stats})
		if err != nil {
			t.Fatal(err)
		}
		if wantMore := i < 2; out.More != wantMore {
			t.Fatalf("page %d: more=%v", i, out.More)
		}
		w, stats = out.Window, &out.Stats
	}
	if stats.Pages != 3 || stats.Items != 5 {
		t.Fatalf("stats %+v", stats)
	}
	if _, err := h.Handle(ctx, Input{Action: "release", Job: JobOrders, Owner: "run-1", Window: &w, Succeeded: true}); err != nil {
		t.Fatal(err)
	}
	rec, _, _ := store.Get(ctx, "order#SO-1")
	if rec.Status != "Shipped" || len(rec.Tracking) != 2 || !rec.Partial {
		t.Fatalf("order record %+v", rec)
	}
	// The next run starts where this one ended.
	clk.Advance(15 * time.Minute)
	out, err = h.Handle(ctx, Input{Action: "acquire", Job: JobOrders, Owner: "run-3"})
	if err != nil || out.Window.Since != "2026-11-25T12:00:00Z" || out.Window.Until != "2026-11-25T12:15:00Z" {
		t.Fatalf("next window %+v %v", out.Window, err)
	}
}

func TestInventorySyncBySKUsKeepsCursor(t *testing.T) {
	store, clk := recordstest.NewStore(t)
	h := &Handler{Store: store, Now: clk.Now}
	ctx := context.Background()
	out, err := h.Handle(ctx, Input{Action: "acquire", Job: JobInventory, Owner: "by-hand", Request: json.RawMessage(`{"skus":["A","B"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	w := out.Window
	for i, sku := range []string{"A", "B"} {
		out, err = h.Handle(ctx, Input{Action: "write", Job: JobInventory, Owner: "by-hand", Window: &w,
			Page: page(t, 0, 1, gate.StockItem{SKU: sku, Warehouse: "WH1", Available: 7, Total: 9})})
		if err != nil {
			t.Fatal(err)
		}
		if wantMore := i == 0; out.More != wantMore || (wantMore && out.Window.SKUIndex != 1) {
			t.Fatalf("after %s: %+v", sku, out)
		}
		w = out.Window
	}
	if _, err := h.Handle(ctx, Input{Action: "release", Job: JobInventory, Owner: "by-hand", Window: &w, Succeeded: true}); err != nil {
		t.Fatal(err)
	}
	if j, _ := store.Job(ctx, JobInventory); j.Cursor != "" {
		t.Fatalf("a by-hand SKU sync moved the cursor to %q", j.Cursor)
	}
	if rec, _, _ := store.Get(ctx, "stock#B#WH1"); rec.PK == "" {
		t.Fatal("stock of B not written")
	}
}

func TestBadInput(t *testing.T) {
	store, _ := recordstest.NewStore(t)
	h := &Handler{Store: store}
	tests := []Input{
		{Action: "acquire", Job: "stock"},
		{Action: "fetch", Job: JobOrders},
		{Action: "acquire", Job: JobOrders, Owner: "x", Request: json.RawMessage(`{"since":"yesterday"}`)},
		{Action: "write", Job: JobOrders},
	}
	for _, in := range tests {
		if _, err := h.Handle(context.Background(), in); err == nil {
			t.Errorf("%+v: want an error", in)
		}
	}
}
