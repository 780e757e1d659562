package inbound

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/records"
	"github.com/logiwaflow/logiwaflow/pkg/records/recordstest"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../message/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestValidate(t *testing.T) {
	store, _ := recordstest.NewStore(t)
	h := &Handlers{Store: store}
	ctx := context.Background()
	if err := store.Apply(ctx, records.Applied{PK: "product#SKU-1001", Version: 3, Flow: "inventory"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		in        ValidateInput
		wantErr   string // field named by the InvalidError
		wantOp    string
		wantStale bool
	}{
		{"order", ValidateInput{Flow: "orders", Body: fixture(t, "order.json")}, "", OpCreateShipmentOrder, false},
		{"return", ValidateInput{Flow: "refunds", Body: fixture(t, "refund-return.json")}, "", OpCreateReturnOrder, false},
		{"cancel", ValidateInput{Flow: "refunds", Body: fixture(t, "refund-cancel.json")}, "", OpCancelShipmentOrder, false},
		{"same version already applied", ValidateInput{Flow: "inventory", Body: fixture(t, "inventory.json")}, "", OpUpsertProduct, true},
		{"malformed", ValidateInput{Flow: "orders", Body: "{"}, "", "", false},
		{"no body", ValidateInput{Flow: "orders"}, "", "", false},
		{"kept in S3 for its size", ValidateInput{Flow: "orders", BodyRef: "s3://parked/oversized/orders/x.json", BodySize: 300000}, "", "", false},
		{"unknown flow", ValidateInput{Flow: "returns", Body: "{}"}, "flow", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := h.Validate(ctx, tt.in)
			if tt.wantOp == "" {
				var ie *message.InvalidError
				if !errors.As(err, &ie) || ie.Field != tt.wantErr || ie.ErrorName() != "Message.Invalid" {
					t.Fatalf("want Message.Invalid on %q, got %v", tt.wantErr, err)
				}
				if tt.in.BodyRef != "" && (!strings.Contains(err.Error(), tt.in.BodyRef) || !strings.Contains(err.Error(), "300000 bytes")) {
					t.Fatalf("the error should name the size and where the original is: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.Operation != tt.wantOp || out.Stale != tt.wantStale || !json.Valid(out.Message) {
				t.Fatalf("got %+v", out)
			}
		})
	}
}

func TestRecord(t *testing.T) {
	store, _ := recordstest.NewStore(t)
	h := &Handlers{Store: store}
	ctx := context.Background()
	res := json.RawMessage(`{"id":"g-1","outcome":"created"}`)
	out, err := h.Record(ctx, RecordInput{Flow: "orders", Execution: "orders-SO-1-abc", Key: "SO-1", Version: 2, Result: res})
	if err != nil || out.Outcome != "applied" || out.LogiwaID != "g-1" {
		t.Fatalf("first record: %+v %v", out, err)
	}
	// A slower execution of an older version loses the race: stale, not an error.
	out, err = h.Record(ctx, RecordInput{Flow: "orders", Key: "SO-1", Version: 1, Result: res})
	if err != nil || out.Outcome != "stale" {
		t.Fatalf("older record: %+v %v", out, err)
	}
	rec, _, _ := store.Get(ctx, "order#SO-1")
	if rec.Version != 2 || rec.Execution != "orders-SO-1-abc" || rec.Outcome != "created" {
		t.Fatalf("record %+v", rec)
	}
}
