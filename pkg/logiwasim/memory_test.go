package logiwasim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// fillShipped creates n orders through the handler, batch at a time, moving
// the clock on by step after each batch (long enough for the batch to ship),
// and calls after with the number created so far.
func fillShipped(tb testing.TB, s *Server, n, batch int, step time.Duration, after func(done int)) {
	tb.Helper()
	if err := s.SetStock(SeedWarehouse, "NOTEBOOK-A5", 1e9); err != nil {
		tb.Fatal(err)
	}
	tok := s.handlerToken(tb)
	h := &harness{s: s}
	for i := range n {
		body, err := json.Marshal(h.order(fmt.Sprintf("MEM-%06d", i), line("NOTEBOOK-A5", 1+i%3)))
		if err != nil {
			tb.Fatal(err)
		}
		req := httptest.NewRequest("POST", "/v3.1/ShipmentOrder/create", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			tb.Fatalf("create %d: %d %s", i, rec.Code, rec.Body)
		}
		if (i+1)%batch == 0 || i+1 == n {
			s.Advance(step)
			if after != nil {
				after(i + 1)
			}
		}
	}
}

func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// memoryOpts is a persistent simulator for the memory test and benchmark:
// no rate limit, no token expiry, and no timed state writes (Close writes).
func memoryOpts(path string) Options {
	return Options{Seed: 5, Now: frozen, Rate: -1, TokenTTL: -1, StatePath: path, StateFlushInterval: time.Hour}
}

// TestMemoryFlatWithArchive is the must-show: 20,000 orders shipped leave
// the live heap within 8 MB of what it was after the first 2,000. The
// control case runs the same without the archive (no StatePath), where every
// order stays in memory and the heap grows by far more (measured: 27.7 MB,
// about 1.6 KB an order, against 4.6 MB, about 270 bytes an order, with it):
// it shows the bound would catch the archive not doing its job.
func TestMemoryFlatWithArchive(t *testing.T) {
	const orders, batch = 20000, 2000
	cases := []struct {
		name                 string
		archive              bool
		minGrowth, maxGrowth int64
	}{
		{"archive", true, 0, 8 << 20},
		{"in memory (control)", false, 16 << 20, 1 << 40},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := ""
			if tc.archive {
				path = filepath.Join(t.TempDir(), "sim.json")
			}
			s, err := Open(memoryOpts(path))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var base, end uint64
			fillShipped(t, s, orders, batch, time.Hour, func(done int) {
				switch done {
				case batch:
					base = liveHeap()
				case orders:
					end = liveHeap()
				}
			})
			s.mu.Lock()
			archived := s.st.archivedOrders
			s.mu.Unlock()
			want := 0
			if tc.archive {
				want = orders - DefaultSettledInMemory
			}
			if archived != want {
				t.Fatalf("%d orders archived, want %d", archived, want)
			}
			growth := int64(end) - int64(base)
			t.Logf("live heap after %d shipped: %.1f MB; after %d: %.1f MB; growth %.1f MB (%d bytes an order)",
				batch, float64(base)/(1<<20), orders, float64(end)/(1<<20), float64(growth)/(1<<20), growth/int64(orders-batch))
			if growth < tc.minGrowth || growth > tc.maxGrowth {
				t.Errorf("live heap grew by %.1f MB over %d more orders, want between %d and %d MB",
					float64(growth)/(1<<20), orders-batch, tc.minGrowth>>20, tc.maxGrowth>>20)
			}
		})
	}
}

// BenchmarkListArchived lists a page of 50 among 20,000 archived orders
// with the order sync's filter: UpdatedDateTime in a 15-minute window (the
// orders shipped a batch of 500 per window, so the window holds 500).
func BenchmarkListArchived(b *testing.B) {
	s, err := Open(memoryOpts(filepath.Join(b.TempDir(), "sim.json")))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	fillShipped(b, s, 20000, 500, 15*time.Minute, nil)
	s.Advance(time.Hour)
	tok := s.handlerToken(b)
	// The 20th batch was created at t0+19*15m and shipped 5 minutes later.
	from := t0.Add(19 * 15 * time.Minute)
	path := "/v3.1/ShipmentOrder/list/i/2/s/50?UpdatedDateTime.bt=" + lqlTime(from) + "," + lqlTime(from.Add(15*time.Minute))
	var rec *httptest.ResponseRecorder
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec = httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("list: %d %s", rec.Code, rec.Body)
		}
	}
	b.StopTimer()
	var rows listing[map[string]any]
	if err := json.Unmarshal(rec.Body.Bytes(), &rows); err != nil {
		b.Fatal(err)
	}
	if len(rows.Data) != 50 || rows.TotalCount != 500 {
		b.Fatalf("page of %d rows of %d, want 50 of 500", len(rows.Data), rows.TotalCount)
	}
	s.mu.Lock()
	archived := s.st.archivedOrders
	s.mu.Unlock()
	if archived < 19000 {
		b.Fatalf("only %d orders archived", archived)
	}
}

func lqlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
