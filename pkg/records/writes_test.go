package records_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/records"
	"github.com/logiwaflow/logiwaflow/pkg/records/recordstest"
)

func TestWriteClaims(t *testing.T) {
	s, clk := recordstest.NewStore(t)
	ctx := context.Background()
	const pk = "product#SKU-1"
	ttl := time.Minute

	type step struct {
		name    string
		do      func() error
		wantErr any // nil, *records.WriteBusyError or *records.SupersededError
	}
	var busy *records.WriteBusyError
	var sup *records.SupersededError
	steps := []step{
		{"v3 claims", func() error { return s.ClaimWrite(ctx, pk, 3, "exec-v3", ttl) }, nil},
		{"v2 waits while v3 writes", func() error { return s.ClaimWrite(ctx, pk, 2, "exec-v2", ttl) }, &busy},
		{"v3 claims again (its own retry)", func() error { return s.ClaimWrite(ctx, pk, 3, "exec-v3", ttl) }, nil},
		{"v3 written", func() error { return s.FinishWrite(ctx, pk, 3, "exec-v3", "P-1", true) }, nil},
		{"v2 is superseded", func() error { return s.ClaimWrite(ctx, pk, 2, "exec-v2", ttl) }, &sup},
		{"v3 replayed is superseded", func() error { return s.ClaimWrite(ctx, pk, 3, "exec-v3-r1", ttl) }, &sup},
		{"v4 claims", func() error { return s.ClaimWrite(ctx, pk, 4, "exec-v4", ttl) }, nil},
		{"v4 fails without writing", func() error { return s.FinishWrite(ctx, pk, 4, "exec-v4", "", false) }, nil},
		{"v5 claims after v4 let go", func() error { return s.ClaimWrite(ctx, pk, 5, "exec-v5", ttl) }, nil},
		{"v6 waits", func() error { return s.ClaimWrite(ctx, pk, 6, "exec-v6", ttl) }, &busy},
		{"v6 takes an expired lock", func() error { clk.Advance(2 * ttl); return s.ClaimWrite(ctx, pk, 6, "exec-v6", ttl) }, nil},
		{"v5 finds its lock gone", func() error { return s.FinishWrite(ctx, pk, 5, "exec-v5", "P-1", true) }, errors.New("no longer holds")},
	}
	for _, st := range steps {
		err := st.do()
		switch want := st.wantErr.(type) {
		case nil:
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		case **records.WriteBusyError:
			if !errors.As(err, want) {
				t.Fatalf("%s: got %v, want busy", st.name, err)
			}
		case **records.SupersededError:
			if !errors.As(err, want) || (*want).Written != 3 || (*want).LogiwaID != "P-1" {
				t.Fatalf("%s: got %v, want superseded by 3 (P-1)", st.name, err)
			}
		case error:
			if err == nil {
				t.Fatalf("%s: no error, want %v", st.name, want)
			}
		}
	}
	if busy.ErrorName() != "Gate.Busy" {
		t.Fatalf("busy error name %q", busy.ErrorName())
	}
}
