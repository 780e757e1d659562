package gate

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/records"
)

type fakeClaims struct {
	claimErr error
	finished []string // "pk v wrote id"
}

func (f *fakeClaims) ClaimWrite(context.Context, string, int64, string, time.Duration) error {
	return f.claimErr
}

func (f *fakeClaims) FinishWrite(_ context.Context, pk string, v int64, _ string, id string, wrote bool) error {
	f.finished = append(f.finished, pk+" "+string(rune('0'+v))+" "+map[bool]string{true: "wrote", false: "failed"}[wrote]+" "+id)
	return nil
}

func TestClaimedWrites(t *testing.T) {
	upsert := Request{Execution: "inventory-SKU-1-x", Operation: "upsertProduct", Payload: json.RawMessage(`{"sku":"SKU-1","version":3}`)}
	order := Request{Execution: "orders-SO-1-x", Operation: "createShipmentOrder", Payload: json.RawMessage(`{"orderNumber":"SO-1","version":3}`)}
	ok := func() (any, time.Duration, error) {
		return WriteResult{ID: "P-9", Outcome: "updated"}, time.Millisecond, nil
	}
	failing := func() (any, time.Duration, error) { return nil, 0, errors.New("503") }
	tests := []struct {
		name         string
		req          Request
		claimErr     error
		call         func() (any, time.Duration, error)
		wantCalled   bool
		wantOutcome  string
		wantErrName  string
		wantFinished string
	}{
		{"claimed and written", upsert, nil, ok, true, "updated", "", "product#SKU-1 3 wrote P-9"},
		{"claimed, Logiwa failed", upsert, nil, failing, true, "", "Gate.Internal", "product#SKU-1 3 failed "},
		{"newer already written", upsert, &records.SupersededError{PK: "product#SKU-1", Written: 4, LogiwaID: "P-9"}, ok, false, OutcomeSuperseded, "", ""},
		{"another version writing", upsert, &records.WriteBusyError{PK: "product#SKU-1", Owner: "other"}, ok, false, "", "Gate.Busy", ""},
		{"creates need no claim", order, errors.New("never asked"), ok, true, "updated", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := &fakeClaims{claimErr: tt.claimErr}
			w := &Worker{Claims: fc}
			called := false
			res, _, err := w.claimed(context.Background(), tt.req, func() (any, time.Duration, error) { called = true; return tt.call() })
			if called != tt.wantCalled {
				t.Fatalf("Logiwa called = %v, want %v", called, tt.wantCalled)
			}
			if tt.wantErrName != "" {
				if name, _ := describe(err); name != tt.wantErrName {
					t.Fatalf("error %v named %s, want %s", err, name, tt.wantErrName)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if wr := res.(WriteResult); wr.Outcome != tt.wantOutcome || wr.ID != "P-9" {
				t.Fatalf("result %+v, want outcome %s with id P-9", wr, tt.wantOutcome)
			}
			got := ""
			if len(fc.finished) > 0 {
				got = fc.finished[0]
			}
			if got != tt.wantFinished {
				t.Fatalf("finished %q, want %q", got, tt.wantFinished)
			}
		})
	}
}
