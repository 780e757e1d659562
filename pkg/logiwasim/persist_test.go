package logiwasim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// stateOpts are the options of a persistent simulator in these tests: every
// order with more than one unit ships partially, so restored orders carry
// partial shipments, cancelled lines and several packages.
func stateOpts(path string) Options {
	return Options{Seed: 11, PartialRate: 1, StatePath: path, Now: frozen}
}

// warehouseBefore is the first half of a scenario: a new product, an order
// that ships partially, a cancelled order, an order still in the warehouse
// and a return not yet received.
func warehouseBefore(h *harness) {
	h.t.Helper()
	st := h.s.Snapshot()
	clientID := st.Client(SeedClient)
	h.want(http.StatusCreated, "POST", "/v3.1/Product/create", map[string]any{
		"clientIdentifier": clientID, "sku": "LAMP-1", "name": "Lamp", "description": "Desk lamp", "currencyId": 1, "isPackagingMaterial": false,
	})
	if err := h.s.SetStock(SeedWarehouse, "LAMP-1", 7); err != nil {
		h.t.Fatal(err)
	}
	h.createOrder(h.order("ST-SHIP", line("MUG-BLUE", 4), line("NOTEBOOK-A5", 3), line("LAMP-1", 2)))
	cancelID := h.createOrder(h.order("ST-CANCEL", line("MUG-BLUE", 1)))
	h.want(http.StatusOK, "POST", "/v3.1/ShipmentOrder/cancel/"+cancelID, map[string]any{"cancelReasonName": "Customer request"})
	h.s.Advance(DefaultTimeline.Pick + DefaultTimeline.Pack + DefaultTimeline.Ship)
	h.createOrder(h.order("ST-OPEN", line("NOTEBOOK-A5", 5), line("LAMP-1", 1)))
	h.s.Advance(DefaultTimeline.Pick + time.Second) // ST-OPEN is picking, its next step due
	h.want(http.StatusCreated, "POST", "/v3.2/ReturnOrder/create", map[string]any{
		"rmaNumber": "RMA-ST-1", "shipmentOrderCode": "ST-SHIP",
		"returnOrderProductLineList": []any{map[string]any{"productIdentifier": productID(h, "MUG-BLUE"), "requestedQuantity": 1, "returnReason": "Broken"}},
	})
}

// warehouseAfter is the second half: new creates and the clock running on.
func warehouseAfter(h *harness) (orderID string) {
	h.t.Helper()
	orderID = h.createOrder(h.order("ST-AFTER", line("MUG-BLUE", 2), line("LAMP-1", 1)))
	h.want(http.StatusCreated, "POST", "/v3.2/ReturnOrder/create", map[string]any{
		"rmaNumber": "RMA-ST-2", "shipmentOrderCode": "ST-OPEN",
		"returnOrderProductLineList": []any{map[string]any{"productIdentifier": productID(h, "LAMP-1"), "requestedQuantity": 1}},
	})
	h.s.Advance(time.Hour) // everything ships and every return is received
	return orderID
}

func productID(h *harness, sku string) string {
	h.t.Helper()
	st := h.s.Snapshot()
	for _, p := range st.Products {
		if p.SKU == sku && p.ClientIdentifier == st.Client(SeedClient) {
			return p.Identifier
		}
	}
	h.t.Fatalf("no product %s", sku)
	return ""
}

func snapshotJSON(t *testing.T, s *Server) string {
	t.Helper()
	b, err := json.MarshalIndent(s.Snapshot(), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// apiViews are the answers a client reads the warehouse through.
func apiViews(h *harness) string {
	h.t.Helper()
	var b strings.Builder
	for _, p := range []string{
		"/v3.1/ShipmentOrder/list/i/0/s/50",
		"/v3.2/ReturnOrder/list/i/0/s/50",
		"/v3.1/Product/list/i/0/s/50",
		"/v3.1/Report/TotalInventory/i/0/s/50",
	} {
		b.Write(h.want(http.StatusOK, "GET", p, nil))
		b.WriteByte('\n')
	}
	return b.String()
}

func TestWarehouseSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sim", "logiwa-sim.json") // the directory is created on the first write

	// ref runs the same requests without a restart: the restarted simulator
	// must end in exactly its state, identifiers and tracking numbers included.
	ref := newHarness(t, stateOpts(""))
	warehouseBefore(ref)

	h1 := newHarness(t, stateOpts(path))
	warehouseBefore(h1)
	before := snapshotJSON(t, h1.s)
	viewsBefore := apiViews(h1)
	st := h1.s.Snapshot()
	ship, _ := st.Order("ST-SHIP")
	if !ship.IsPartial || ship.Status != StatusShipped || len(ship.TrackingNumbers) == 0 {
		t.Fatalf("scenario did not ship partially with tracking: %+v", ship)
	}
	if open, _ := st.Order("ST-OPEN"); open.Status != StatusPickingStarted {
		t.Fatalf("ST-OPEN status %d, want %d (a step pending across the restart)", open.Status, StatusPickingStarted)
	}
	if err := h1.s.Close(); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("state file after Close: %v", err)
	}

	h2 := newHarness(t, stateOpts(path))
	if got := snapshotJSON(t, h2.s); got != before {
		t.Errorf("snapshot after restart differs\nbefore: %s\nafter:  %s", before, got)
	}
	if got := apiViews(h2); got != viewsBefore {
		t.Errorf("API views after restart differ\nbefore: %s\nafter:  %s", viewsBefore, got)
	}
	// Loading and saving again gives the same file: nothing in it is dropped
	// or changed on the way through the store. Only the token generator
	// moved, as h2 logged in.
	if err := h2.s.Flush(); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(path)
	if a, b := withoutTokens(t, saved), withoutTokens(t, again); a != b {
		t.Errorf("state file changed by a load and save\nbefore: %s\nafter:  %s", a, b)
	}

	known := map[string]bool{}
	snap := h2.s.Snapshot()
	for _, c := range snap.Clients {
		known[c.Identifier] = true
	}
	for _, w := range snap.Warehouses {
		known[w.Identifier] = true
	}
	for _, p := range snap.Products {
		known[p.Identifier] = true
	}
	for _, o := range snap.ShipmentOrders {
		known[o.Identifier] = true
	}
	for _, r := range snap.ReturnOrders {
		known[r.Identifier] = true
	}
	newID := warehouseAfter(h2)
	if known[newID] {
		t.Errorf("order created after the restart reuses identifier %s", newID)
	}
	refID := warehouseAfter(ref)
	if newID != refID {
		t.Errorf("identifier after restart %s, want %s (the generator continues where it stopped)", newID, refID)
	}
	if got, want := snapshotJSON(t, h2.s), snapshotJSON(t, ref.s); got != want {
		t.Errorf("restarted simulator diverged from one never restarted\nrestarted: %s\nreference: %s", got, want)
	}
	for _, r := range h2.s.Snapshot().ReturnOrders {
		if r.Status != ReturnStatusCompleted {
			t.Errorf("return %s status %d after an hour, want received", r.RMANumber, r.Status)
		}
	}
}

// withoutTokens is a state file with the token generator left out.
func withoutTokens(t *testing.T, b []byte) string {
	t.Helper()
	var f StateFile
	mustJSON(t, b, &f)
	if len(f.Generators.Tokens) == 0 {
		t.Fatal("state file without a token generator")
	}
	f.Generators.Tokens = nil
	out, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestAdvanceSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	opts := Options{Now: frozen, StatePath: path}
	s := New(opts)
	s.Advance(90 * time.Minute)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got, want := s2.Now(), t0.Add(90*time.Minute); !got.Equal(want) {
		t.Errorf("clock after restart %v, want %v", got, want)
	}
}

func TestOpenWritesAFreshWarehouse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, err := Open(Options{Now: frozen, StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var f StateFile
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no state file after Open: %v", err)
	}
	mustJSON(t, b, &f)
	if f.Version != StateFileVersion || len(f.Products) != len(seedCatalogue) || len(f.Warehouses) != 2 {
		t.Errorf("fresh state file: version %d, %d products, %d warehouses", f.Version, len(f.Products), len(f.Warehouses))
	}

	// A path that cannot be written is an error from Open, not a warehouse
	// that is silently lost later.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Options{StatePath: filepath.Join(blocker, "state.json")}); err == nil {
		t.Error("Open with a state path under a regular file succeeded")
	}
}

// validState is the file of a simulator with one shipped order, as a map to
// break in the table below.
func validState(t *testing.T) map[string]any {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.json")
	h := newHarness(t, stateOpts(path))
	h.createOrder(h.order("V-1", line("MUG-BLUE", 2)))
	h.s.Advance(time.Hour)
	if err := h.s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	mustJSON(t, b, &m)
	return m
}

func TestOpenRejectsBadStateFile(t *testing.T) {
	good := validState(t)
	edit := func(f func(m map[string]any)) []byte {
		b, _ := json.Marshal(good)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		f(m)
		out, _ := json.Marshal(m)
		return out
	}
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"not json", []byte("{not json"), "not a state file"},
		{"empty", []byte{}, "not a state file"},
		{"no version", []byte(`{"clients":[]}`), "no version"},
		{"future version", edit(func(m map[string]any) { m["version"] = 2 }), "version 2 is newer than this simulator reads (1)"},
		{"old version", edit(func(m map[string]any) { m["version"] = 0 }), "version 0 is not supported"},
		{"unknown field", edit(func(m map[string]any) { m["pallets"] = []any{} }), `unknown field "pallets"`},
		{"bad generator", edit(func(m map[string]any) { m["generators"].(map[string]any)["ids"] = "AAAA" }), "generators.ids"},
		{"dangling product", edit(func(m map[string]any) {
			o := m["shipmentOrders"].([]any)[0].(map[string]any)
			o["lines"].([]any)[0].(map[string]any)["productId"] = "00000000-0000-4000-8000-000000000000"
		}), "shipmentOrders[0] (V-1): line 0: unknown product"},
		{"package line out of range", edit(func(m map[string]any) {
			o := m["shipmentOrders"].([]any)[0].(map[string]any)
			o["packages"].([]any)[0].(map[string]any)["lines"].([]any)[0].(map[string]any)["line"] = 9
		}), "line index 9 out of range"},
		{"no carriers", edit(func(m map[string]any) { m["carriers"] = []any{} }), "carriers: none"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.json")
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := Open(Options{StatePath: path})
			if err == nil {
				_ = s.Close()
				t.Fatal("Open accepted the file")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want the path and %q", err, tc.want)
			}
			// The broken file is left as it was for a person to look at.
			if b, _ := os.ReadFile(path); !bytes.Equal(b, tc.file) {
				t.Error("Open overwrote the broken file")
			}
			// New, which cannot return the error, panics with it.
			func() {
				defer func() {
					r := recover()
					if e, ok := r.(error); !ok || !strings.Contains(e.Error(), tc.want) {
						t.Errorf("New panicked with %v, want the load error", r)
					}
				}()
				New(Options{StatePath: path})
			}()
		})
	}
}

func TestStateWrittenAfterChangesWithoutClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	opts := stateOpts(path)
	opts.StateFlushInterval = 10 * time.Millisecond
	h := newHarness(t, opts)
	h.createOrder(h.order("DEBOUNCED-1"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte(`"DEBOUNCED-1"`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("state file does not hold the new order 5s after the change (err %v)", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A crash now (no Close) loses nothing already flushed: a second
	// simulator reads the file as it stands.
	s2, err := Open(Options{StatePath: path, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close() // writes nothing: its state is the file's
	if _, ok := s2.Snapshot().Order("DEBOUNCED-1"); !ok {
		t.Error("order missing from the flushed state")
	}
	// Written by rename: no temporary files are left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("state directory holds %d entries, want only the state file", len(entries))
	}
}

func TestConcurrentRequestsWhileFlushing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	opts := stateOpts(path)
	opts.StateFlushInterval = time.Millisecond // flush as often as possible
	h := newHarness(t, opts)
	const workers, each = 4, 10
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				resp, err := h.send("POST", "/v3.1/ShipmentOrder/create", h.order(fmt.Sprintf("CC-%d-%d", w, i)))
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					t.Errorf("create: status %d", resp.StatusCode)
				}
				h.s.Advance(time.Second)
			}
		}()
	}
	wg.Wait()
	want := snapshotJSON(t, h.s)
	if err := h.s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(stateOpts(path))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got := snapshotJSON(t, s2); got != want {
		t.Errorf("state after concurrent requests and restart differs\nbefore: %s\nafter:  %s", want, got)
	}
	if n := len(s2.Snapshot().ShipmentOrders); n != workers*each {
		t.Errorf("%d orders restored, want %d", n, workers*each)
	}
}

// BenchmarkStateFlush measures one write of a warehouse holding 5000 shipped
// orders (what a long local run accumulates): the copy under the lock, the
// encoding and the atomic write.
func BenchmarkStateFlush(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.json")
	s, err := Open(Options{Now: frozen, Rate: -1, TokenTTL: -1, StatePath: path, StateFlushInterval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.SetStock(SeedWarehouse, "NOTEBOOK-A5", 1e9); err != nil {
		b.Fatal(err)
	}
	h := &harness{s: s}
	tok := s.handlerToken(b)
	for i := range 5000 {
		body, _ := json.Marshal(h.order(fmt.Sprintf("BENCH-%d", i), line("NOTEBOOK-A5", 2)))
		req := httptest.NewRequest("POST", "/v3.1/ShipmentOrder/create", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
	}
	s.Advance(time.Hour)
	b.ResetTimer()
	for b.Loop() {
		s.saved = false // force the write
		if err := s.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if fi, err := os.Stat(path); err == nil {
		b.ReportMetric(float64(fi.Size())/1e6, "MB/file")
	}
	lockStart := time.Now()
	s.mu.Lock()
	_, _ = s.stateFileLocked()
	s.mu.Unlock()
	b.ReportMetric(float64(time.Since(lockStart).Microseconds()), "µs-under-lock")
}

// handlerToken logs in through Handler and returns the bearer token.
func (s *Server) handlerToken(tb testing.TB) string {
	tb.Helper()
	req := httptest.NewRequest("POST", "/v3.1/Authorize/token", strings.NewReader(`{"email":"`+DefaultEmail+`","password":"`+DefaultPassword+`"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	var tr tokenResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &tr); err != nil || tr.Token == "" {
		tb.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	return tr.Token
}
