package logiwasim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// archiveOpts are the options of the archive tests: a persistent simulator
// (path empty: in memory only) that keeps keep settled orders in memory, with
// partial shipments so archived orders carry several packages and cancelled
// lines.
func archiveOpts(path string, keep int) Options {
	return Options{Seed: 21, PartialRate: 1, StatePath: path, Now: frozen, SettledInMemory: keep}
}

// archiveScenario creates orders a minute apart (one cancelled, one with an
// expected shipment date), lets them all ship, then files two returns and
// lets them be received: with an archive, everything settled moves there.
func archiveScenario(h *harness) (ids []string) {
	h.t.Helper()
	for i := range 12 {
		body := h.order(fmt.Sprintf("AR-%02d", i), line("MUG-BLUE", 1+i%3), line("NOTEBOOK-A5", 2))
		if i == 5 {
			body["expectedShipmentDate"] = "2026-03-04"
			body["shipmentOrderLineList"] = []any{line("MUG-BLUE", 1)}
		}
		ids = append(ids, h.createOrder(body))
		if i == 3 {
			h.want(http.StatusOK, "POST", "/v3.1/ShipmentOrder/cancel/"+ids[3], map[string]any{"cancelReasonName": "Fraud"})
		}
		h.s.Advance(time.Minute)
	}
	h.s.Advance(time.Hour)
	h.want(http.StatusCreated, "POST", "/v3.2/ReturnOrder/create", map[string]any{
		"rmaNumber": "AR-RMA-1", "shipmentOrderCode": "AR-00", "scheduledReturnDate": "2026-03-03",
		"returnOrderProductLineList": []any{map[string]any{"productIdentifier": productID(h, "MUG-BLUE"), "requestedQuantity": 1, "returnReason": "Broken"}},
	})
	h.want(http.StatusCreated, "POST", "/v3.2/ReturnOrder/create", map[string]any{
		"rmaNumber": "AR-RMA-2", "shipmentOrderIdentifier": ids[1],
		"returnOrderProductLineList": []any{map[string]any{"productIdentifier": productID(h, "NOTEBOOK-A5"), "requestedQuantity": 1}},
	})
	h.s.Advance(time.Hour)
	return ids
}

// archiveRequest is one request whose answer must not change with archiving.
type archiveRequest struct {
	method, path string
	body         any
}

// archiveRequests reads the scenario's orders every way a client can: by
// id, through every list filter, paged, and by writing against them.
func archiveRequests(h *harness, ids []string) []archiveRequest {
	st := h.s.Snapshot()
	client, wh := st.Client(SeedClient), st.Warehouse(SeedWarehouse)
	var reqs []archiveRequest
	get := func(p string) { reqs = append(reqs, archiveRequest{"GET", p, nil}) }
	for _, id := range ids {
		get("/v3.1/ShipmentOrder/" + id)
	}
	get("/v3.1/ShipmentOrder/" + strings.Repeat("0", 8) + "-0000-4000-8000-" + strings.Repeat("0", 12)) // 404
	const ol = "/v3.1/ShipmentOrder/list/i/"
	for _, q := range []string{
		"0/s/50", "1/s/5", "2/s/5", "3/s/5",
		"0/s/50?Code.eq=AR-07",
		"0/s/50?Identifier.eq=" + strings.ToUpper(ids[9]),
		"0/s/50?UpdatedDateTime.bt=2026-03-02T09:08:00Z,2026-03-02T09:12:00Z",
		"0/s/3?UpdatedDateTime.bt=2026-03-02,2026-03-02",
		"0/s/50?CreatedDateTime.bt=2026-03-02T09:02:00Z,2026-03-02T09:04:00Z",
		"0/s/50?Status.in=20,30",
		"0/s/50?Status.eq=30",
		"0/s/50?Sku.eq=NOTEBOOK-A5",
		"1/s/4?Sku.eq=MUG-BLUE&Status.eq=20",
		"0/s/50?ActualShipmentDate.bt=2026-03-02T09:10:00Z,2026-03-02T09:20:00Z",
		"0/s/50?ShipmentOrderDate.bt=2026-03-02,2026-03-02",
		"0/s/50?ExpectedShipmentDate.bt=2026-03-03,2026-03-05",
		"0/s/50?ShipmentOrderTypeName.eq=" + url.QueryEscape(SeedOrderType),
		"0/s/50?ClientIdentifier.eq=" + client + "&WarehouseIdentifier.in=" + wh,
		"0/s/50?Sku.eq=NO-SUCH-SKU",
		"0/s/50?Sku.gt=x",
	} {
		get(ol + q)
	}
	for _, v := range []string{"v3.2", "v3.3"} {
		for _, q := range []string{
			"0/s/50", "1/s/1",
			"0/s/50?rmaNumber.eq=AR-RMA-2",
			"0/s/50?ReturnOrderStatus.eq=3",
			"0/s/50?ShipmentOrderCode.eq=AR-00",
			"0/s/50?ShipmentOrderIdentifier.in=" + ids[1],
			"0/s/50?ScheduledReturnDate.bt=2026-03-03,2026-03-03",
			"0/s/50?actualReturnDateTime.bt=2026-03-02,2026-03-02",
			"0/s/50?ClientCode.eq=" + url.QueryEscape(SeedClient) + "&WarehouseCode.eq=" + SeedWarehouse,
		} {
			get("/" + v + "/ReturnOrder/list/i/" + q)
		}
	}
	get("/v3.1/Report/TotalInventory/i/0/s/50")
	mug := productID(h, "MUG-BLUE")
	ret := func(rma string, so map[string]any) {
		body := map[string]any{"rmaNumber": rma,
			"returnOrderProductLineList": []any{map[string]any{"productIdentifier": mug, "requestedQuantity": 1}}}
		for k, v := range so {
			body[k] = v
		}
		reqs = append(reqs, archiveRequest{"POST", "/v3.2/ReturnOrder/create", body})
	}
	ret("AR-RMA-3", map[string]any{"shipmentOrderCode": "AR-02"})
	ret("AR-RMA-4", map[string]any{"shipmentOrderIdentifier": ids[4]})
	ret("AR-RMA-1", map[string]any{"shipmentOrderCode": "AR-02"})  // duplicate RMA of an archived return
	ret("AR-RMA-5", map[string]any{"shipmentOrderCode": "AR-404"}) // no such order
	for _, i := range []int{3, 4} {                                // cancelled, shipped
		reqs = append(reqs, archiveRequest{"POST", "/v3.1/ShipmentOrder/cancel/" + ids[i], map[string]any{"cancelReasonName": "Late"}})
	}
	reqs = append(reqs, archiveRequest{"POST", "/v3.1/ShipmentOrder/create", h.order("AR-05")}) // duplicate code
	get("/v3.2/ReturnOrder/list/i/0/s/50")
	return reqs
}

func TestArchivedOrdersServedAsInMemory(t *testing.T) {
	cases := []struct {
		name              string
		keep              int
		archived, returns int
	}{
		{"every settled order archived", -1, 12, 2},
		{"three most recent kept in memory", 3, 11, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ref := newHarness(t, archiveOpts("", tc.keep)) // no state path: all in memory
			path := filepath.Join(t.TempDir(), "sim.json")
			h := newHarness(t, archiveOpts(path, tc.keep))
			refIDs, ids := archiveScenario(ref), archiveScenario(h)
			if strings.Join(refIDs, ",") != strings.Join(ids, ",") {
				t.Fatalf("identifiers differ: %v vs %v", refIDs, ids)
			}
			h.s.mu.Lock()
			archived, returns, hot := h.s.st.archivedOrders, h.s.st.archivedReturns, 0
			for _, e := range h.s.st.orders {
				if e.o != nil {
					hot++
				}
			}
			h.s.mu.Unlock()
			if archived != tc.archived || returns != tc.returns || hot != 12-tc.archived {
				t.Fatalf("archived %d orders and %d returns, %d orders in memory; want %d, %d, %d",
					archived, returns, hot, tc.archived, tc.returns, 12-tc.archived)
			}
			if ref.s.arc != nil {
				t.Fatal("a simulator without StatePath opened an archive")
			}
			for _, r := range archiveRequests(ref, refIDs) {
				gotStatus, got := h.call(r.method, r.path, r.body)
				wantStatus, want := ref.call(r.method, r.path, r.body)
				if gotStatus != wantStatus || string(got) != string(want) {
					t.Errorf("%s %s:\narchive:   %d %s\nin memory: %d %s", r.method, r.path, gotStatus, got, wantStatus, want)
				}
			}
			if got, want := snapshotJSON(t, h.s), snapshotJSON(t, ref.s); got != want {
				t.Errorf("snapshot differs\narchive:   %s\nin memory: %s", got, want)
			}
		})
	}
}

func TestArchiveSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sim", "sim.json")
	ref := newHarness(t, archiveOpts("", 2))
	h1 := newHarness(t, archiveOpts(path, 2))
	ids := archiveScenario(h1)
	archiveScenarioTail(ref, archiveScenario(ref))

	reqs := archiveRequestsReadOnly(h1, ids)
	before := answers(h1, reqs)
	snapBefore := snapshotJSON(t, h1.s)
	if err := h1.s.Close(); err != nil {
		t.Fatal(err)
	}
	var f StateFile
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mustJSON(t, b, &f)
	// Two settled records stay in memory (the two returns, settled last);
	// every shipment order is archived.
	if len(f.Orders) != 0 || len(f.Returns) != 2 || f.Archive == nil ||
		*f.Archive != (StateFileArchive{Dir: "sim.json" + ArchiveSuffix, ShipmentOrders: 12, ReturnOrders: 0}) {
		t.Fatalf("state file: %d orders, %d returns, archive %+v", len(f.Orders), len(f.Returns), f.Archive)
	}

	h2 := newHarness(t, archiveOpts(path, 2))
	if got := answers(h2, reqs); got != before {
		t.Errorf("answers after restart differ\nbefore: %s\nafter:  %s", before, got)
	}
	if got := snapshotJSON(t, h2.s); got != snapBefore {
		t.Errorf("snapshot after restart differs\nbefore: %s\nafter:  %s", snapBefore, got)
	}
	// The restarted simulator goes on archiving and ends where one that
	// never stopped does.
	archiveScenarioTail(h2, ids)
	if got, want := snapshotJSON(t, h2.s), snapshotJSON(t, ref.s); got != want {
		t.Errorf("restarted simulator diverged\nrestarted: %s\nreference: %s", got, want)
	}
	if got, want := answers(h2, reqs), answers(ref, reqs); got != want {
		t.Errorf("answers diverged\nrestarted: %s\nreference: %s", got, want)
	}
}

// archiveScenarioTail writes against archived orders and settles more.
func archiveScenarioTail(h *harness, ids []string) {
	h.t.Helper()
	h.want(http.StatusCreated, "POST", "/v3.2/ReturnOrder/create", map[string]any{
		"rmaNumber": "AR-RMA-9", "shipmentOrderIdentifier": ids[6],
		"returnOrderProductLineList": []any{map[string]any{"productIdentifier": productID(h, "MUG-BLUE"), "requestedQuantity": 1}},
	})
	h.createOrder(h.order("AR-AFTER", line("NOTEBOOK-A5", 3)))
	h.s.Advance(time.Hour)
}

// archiveRequestsReadOnly are the GETs of archiveRequests (they come first).
func archiveRequestsReadOnly(h *harness, ids []string) []archiveRequest {
	var out []archiveRequest
	for _, r := range archiveRequests(h, ids) {
		if r.method != "GET" {
			break
		}
		out = append(out, r)
	}
	return out
}

func answers(h *harness, reqs []archiveRequest) string {
	h.t.Helper()
	var b strings.Builder
	for _, r := range reqs {
		status, body := h.call(r.method, r.path, r.body)
		fmt.Fprintf(&b, "%s %s -> %d %s\n", r.method, r.path, status, body)
	}
	return b.String()
}

func TestOpenRejectsBrokenArchive(t *testing.T) {
	cases := []struct {
		name    string
		breakIt func(t *testing.T, path string)
		want    string
	}{
		{"archive removed", func(t *testing.T, path string) {
			if err := os.RemoveAll(path + ArchiveSuffix); err != nil {
				t.Fatal(err)
			}
		}, "does not exist"},
		{"record lost", func(t *testing.T, path string) {
			a, err := openArchive(path+ArchiveSuffix, false, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			var seq int
			if err := a.scan(archiveOrderKind, func(s int, _ []byte) error { seq = s; return nil }); err != nil {
				t.Fatal(err)
			}
			if err := errors.Join(a.delete(archiveOrderKind, seq), a.close()); err != nil {
				t.Fatal(err)
			}
		}, "holds 11 shipment and 2 return orders, the state file counts 12 and 2"},
		{"count raised", func(t *testing.T, path string) {
			editState(t, path, func(f *StateFile) { f.Archive.ShipmentOrders++ })
		}, "the state file counts 13 and 2"},
		{"archive elsewhere", func(t *testing.T, path string) {
			editState(t, path, func(f *StateFile) { f.Archive.Dir = "../x" })
		}, `archive.dir "../x"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sim.json")
			h := newHarness(t, archiveOpts(path, -1))
			archiveScenario(h)
			if err := h.s.Close(); err != nil {
				t.Fatal(err)
			}
			tc.breakIt(t, path)
			s, err := Open(archiveOpts(path, -1))
			if err == nil {
				_ = s.Close()
				t.Fatal("Open accepted the broken archive")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
}

func editState(t *testing.T, path string, edit func(f *StateFile)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f StateFile
	mustJSON(t, b, &f)
	edit(&f)
	if b, err = json.Marshal(f); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestArchiveWithoutItsStateFileIsDiscarded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sim.json")
	h := newHarness(t, archiveOpts(path, -1))
	archiveScenario(h)
	if err := h.s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	// A fresh warehouse: the old archive's orders point at products that
	// no longer exist, so it must not serve them.
	h2 := newHarness(t, archiveOpts(path, -1))
	h2.createOrder(h2.order("FRESH-1", line("MUG-BLUE", 1)))
	h2.s.Advance(time.Hour)
	if n := len(h2.s.Snapshot().ShipmentOrders); n != 1 {
		t.Errorf("%d shipment orders in a fresh warehouse, want 1", n)
	}
	h2.want(http.StatusNoContent, "GET", "/v3.1/ShipmentOrder/list/i/0/s/10?Code.eq=AR-00", nil)
}

// recordingHandler keeps the records logged through it.
type recordingHandler struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r)
	return nil
}
func (h *recordingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordingHandler) WithGroup(string) slog.Handler      { return h }

// Pebble's own chatter ("Found 0 WALs", flushes) goes to our logger at
// debug level, never to the process's stderr or above debug.
func TestArchiveLogsAtDebug(t *testing.T) {
	rec := &recordingHandler{}
	opts := archiveOpts(filepath.Join(t.TempDir(), "sim.json"), -1)
	opts.Logger = slog.New(rec)
	h := newHarness(t, opts)
	archiveScenario(h)
	if err := h.s.Close(); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	pebbleLines := 0
	for _, r := range rec.records {
		if !strings.HasPrefix(r.Message, "logiwasim archive: ") {
			continue
		}
		pebbleLines++
		if r.Level != slog.LevelDebug {
			t.Errorf("archive logged at %v: %s", r.Level, r.Message)
		}
	}
	if pebbleLines == 0 {
		t.Error("no archive messages at debug level: Pebble's logging is not routed to ours")
	}
}

// An archived order that changes is written back and stays archived; the
// change is served and survives a restart. (No API request changes a settled
// order today; this is the path one would take.)
func TestArchivedOrderChangesInPlace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sim.json")
	h := newHarness(t, archiveOpts(path, -1))
	ids := archiveScenario(h)
	h.s.mu.Lock()
	e := &h.s.st.orders[h.s.st.orderByID[ids[4]]]
	o, err := h.s.loadOrder(e)
	if err == nil {
		o.Note = "Left at the back door"
		o.Updated = o.Updated.Add(30 * time.Second)
		err = h.s.storeArchived(e, o)
	}
	archived := e.o == nil
	h.s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if !archived {
		t.Fatal("the order came back into memory")
	}
	check := func(h *harness) {
		h.t.Helper()
		var d map[string]any
		mustJSON(h.t, h.want(http.StatusOK, "GET", "/v3.1/ShipmentOrder/"+ids[4], nil), &d)
		if d["note"] != "Left at the back door" {
			h.t.Errorf("note %v after the change", d["note"])
		}
		// The stub moved with it: the new update time filters.
		row := h.orderRow("AR-04")
		q := "/v3.1/ShipmentOrder/list/i/0/s/50?UpdatedDateTime.bt=" + url.QueryEscape(row["updatedDateTime"].(string)) + "," + url.QueryEscape(row["updatedDateTime"].(string))
		var l listing[map[string]any]
		mustJSON(h.t, h.want(http.StatusOK, "GET", q, nil), &l)
		if l.TotalCount != 1 || l.Data[0]["code"] != "AR-04" {
			h.t.Errorf("filter on the new update time: %d rows", l.TotalCount)
		}
	}
	check(h)
	if err := h.s.Close(); err != nil {
		t.Fatal(err)
	}
	check(newHarness(t, archiveOpts(path, -1)))
}
