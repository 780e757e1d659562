package logiwasim

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestEachOrderMatchesSnapshot(t *testing.T) {
	cases := []struct {
		name    string
		archive bool
		keep    int
	}{
		{"in memory", false, 0},
		{"all archived", true, -1},
		{"some archived", true, 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := ""
			if tc.archive {
				path = filepath.Join(t.TempDir(), "sim.json")
			}
			h := newHarness(t, archiveOpts(path, tc.keep))
			ids := archiveScenario(h)
			// More than a chunk, the last batch still in the warehouse.
			fillShipped(t, h.s, 3*eachChunk+10, eachChunk, time.Hour, nil)
			h.createOrder(h.order("EACH-OPEN", line("MUG-BLUE", 1)))
			snap := h.s.Snapshot()
			cat := h.s.Catalog()
			withoutOrders := snap
			withoutOrders.ShipmentOrders, withoutOrders.ReturnOrders = nil, nil
			if got, want := jsonOf(t, cat), jsonOf(t, withoutOrders); got != want || len(cat.Products) == 0 || len(cat.Inventory) == 0 {
				t.Errorf("Catalog differs from Snapshot without its orders\ncatalog:  %s\nsnapshot: %s", got, want)
			}

			var orders []OrderState
			if err := h.s.EachShipmentOrder(func(o OrderState) error { orders = append(orders, o); return nil }); err != nil {
				t.Fatal(err)
			}
			var returns []ReturnState
			if err := h.s.EachReturnOrder(func(r ReturnState) error { returns = append(returns, r); return nil }); err != nil {
				t.Fatal(err)
			}
			if got, want := jsonOf(t, orders), jsonOf(t, snap.ShipmentOrders); got != want {
				t.Errorf("EachShipmentOrder differs from Snapshot\neach:     %.600s\nsnapshot: %.600s", got, want)
			}
			if got, want := jsonOf(t, returns), jsonOf(t, snap.ReturnOrders); got != want || len(returns) != 2 {
				t.Errorf("EachReturnOrder differs from Snapshot (%d returns)\neach:     %s\nsnapshot: %s", len(returns), got, want)
			}

			for _, code := range []string{"AR-00", "AR-03", "MEM-000100", "EACH-OPEN"} {
				got, ok := h.s.ShipmentOrderByCode(code)
				want, _ := snap.Order(code)
				if !ok || jsonOf(t, got) != jsonOf(t, want) {
					t.Errorf("ShipmentOrderByCode(%s) = %+v, %v; want %+v", code, got, ok, want)
				}
			}
			if _, ok := h.s.ShipmentOrderByCode("NO-SUCH"); ok {
				t.Error("ShipmentOrderByCode found an unknown code")
			}
			if o, _ := h.s.ShipmentOrderByCode("AR-00"); o.Identifier != ids[0] {
				t.Errorf("AR-00 has identifier %s, want %s", o.Identifier, ids[0])
			}

			// fn's error stops the walk and comes back as it is.
			stop := errors.New("stop")
			n := 0
			err := h.s.EachShipmentOrder(func(OrderState) error {
				if n++; n == eachChunk+3 {
					return stop
				}
				return nil
			})
			if err != stop || n != eachChunk+3 {
				t.Errorf("EachShipmentOrder returned %v after %d calls, want stop after %d", err, n, eachChunk+3)
			}
		})
	}
}

// TestEachOrderWhileServing walks the orders while other goroutines create
// and ship more: no deadlock, no race, and the walk sees every order that
// existed when it started, in creation order.
func TestEachOrderWhileServing(t *testing.T) {
	h := newHarness(t, archiveOpts(filepath.Join(t.TempDir(), "sim.json"), 10))
	fillShipped(t, h.s, 600, 100, time.Hour, nil)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 50 {
			h.createOrder(h.order(fmt.Sprintf("LIVE-%d", i), line("NOTEBOOK-A5", 1)))
			h.s.Advance(time.Minute)
		}
	}()
	var codes []string
	last := time.Time{}
	err := h.s.EachShipmentOrder(func(o OrderState) error {
		if o.Created.Before(last) {
			return fmt.Errorf("order %s created %v, before the previous one (%v)", o.Code, o.Created, last)
		}
		last = o.Created
		codes = append(codes, o.Code)
		return nil
	})
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) < 600 || codes[0] != "MEM-000000" || codes[599] != "MEM-000599" {
		t.Errorf("walk saw %d orders (first %v), want at least the 600 made before it", len(codes), codes[:min(len(codes), 1)])
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStateFileStaysSmall: with the archive, the state file (and the copy
// of it the simulator keeps to skip unchanged writes) does not grow with the
// orders shipped.
func TestStateFileStaysSmall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sim.json")
	s, err := Open(memoryOpts(path))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sizes := map[int]int64{}
	fillShipped(t, s, 3000, 1000, time.Hour, func(done int) {
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		sizes[done] = fi.Size()
		if b, err := os.ReadFile(path); err != nil || sha256.Sum256(b) != s.lastSum {
			t.Errorf("after %d: the digest kept is not the file's (%v)", done, err)
		}
	})
	// The file holds the catalogue and the 256 most recently settled orders
	// whatever the total; only the archive's counts and codes change.
	if d := sizes[3000] - sizes[1000]; d < -512 || d > 512 {
		t.Errorf("state file %d bytes after 1000 orders, %d after 3000: grew with the orders", sizes[1000], sizes[3000])
	}
	var f StateFile
	b, _ := os.ReadFile(path)
	mustJSON(t, b, &f)
	if len(f.Orders) != DefaultSettledInMemory || f.Archive == nil || f.Archive.ShipmentOrders != 3000-DefaultSettledInMemory {
		t.Errorf("state file: %d orders, archive %+v", len(f.Orders), f.Archive)
	}
}

// TestCrashAfterArchiving: orders archived after the last state write, and
// never counted by the file, are dropped on restart; the simulator comes
// back as the file left it (orders the file holds as hot stay hot).
func TestCrashAfterArchiving(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sim.json")
	opts := archiveOpts(path, -1)
	opts.StateFlushInterval = time.Hour // only explicit writes
	h := newHarness(t, opts)
	archiveScenario(h)
	h.createOrder(h.order("CRASH-OPEN", line("MUG-BLUE", 1))) // hot in the file, archived after it
	if err := h.s.Flush(); err != nil {
		t.Fatal(err)
	}
	want := snapshotJSON(t, h.s)
	h.createOrder(h.order("CRASH-NEW", line("MUG-BLUE", 1))) // never in the file
	h.s.Advance(time.Hour)
	if _, ok := h.s.ShipmentOrderByCode("CRASH-NEW"); !ok {
		t.Fatal("CRASH-NEW missing before the crash")
	}
	// The crash: the archive's writes reach the disk, the state file is
	// not written again.
	h.s.flusher.Stop()
	h.s.closeOnce.Do(func() {})
	if err := h.s.closeArchive(); err != nil {
		t.Fatal(err)
	}

	h2 := newHarness(t, opts)
	if got := snapshotJSON(t, h2.s); got != want {
		t.Errorf("after the crash\ngot:  %s\nwant: %s", got, want)
	}
	if _, ok := h2.s.ShipmentOrderByCode("CRASH-NEW"); ok {
		t.Error("an order the state file never held came back from the archive")
	}
	h2.s.mu.Lock()
	e := h2.s.st.orderByCode["CRASH-OPEN"]
	hot := h2.s.st.orders[e].o != nil
	h2.s.mu.Unlock()
	if !hot {
		t.Error("CRASH-OPEN is not in memory: the file held it as live")
	}
	// It ships and is archived again, and a restart after a clean close
	// finds everything.
	h2.s.Advance(time.Hour)
	want = snapshotJSON(t, h2.s)
	if err := h2.s.Close(); err != nil {
		t.Fatal(err)
	}
	h3 := newHarness(t, opts)
	if got := snapshotJSON(t, h3.s); got != want {
		t.Errorf("after a clean restart\ngot:  %s\nwant: %s", got, want)
	}
}
