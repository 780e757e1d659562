package logiwa_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/logiwa"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
)

// These tests run the client against the simulator (pkg/logiwasim) in
// process, through its real listener so refused and reset connections are
// real too.

type simEnv struct {
	sim    *logiwasim.Server
	client *logiwa.Client
	url    string
	// inProcess sends through the simulator's in-process Transport, as the
	// embedded runtime's gate does, instead of over loopback.
	inProcess bool

	mu    sync.Mutex
	calls []logiwa.CallInfo // every HTTP call the client made, logins included
}

func startSim(t *testing.T, opts logiwasim.Options) *simEnv {
	t.Helper()
	return startSimVia(t, opts, false)
}

func startSimVia(t *testing.T, opts logiwasim.Options, inProcess bool) *simEnv {
	t.Helper()
	if opts.Rate == 0 {
		opts.Rate = -1 // most tests are not about the rate limit
	}
	sim := logiwasim.New(opts)
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("start simulator: %v", err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	env := &simEnv{sim: sim, url: url, inProcess: inProcess}
	env.client = env.newClient(t)
	return env
}

func (e *simEnv) newClient(t *testing.T) *logiwa.Client {
	t.Helper()
	cfg := logiwa.Config{
		BaseURL: e.url, Email: logiwasim.DefaultEmail, Password: logiwasim.DefaultPassword,
		Logger: slog.New(slog.DiscardHandler),
		OnCall: func(ci logiwa.CallInfo) { e.mu.Lock(); e.calls = append(e.calls, ci); e.mu.Unlock() },
	}
	if e.inProcess {
		cfg.HTTPClient = &http.Client{Transport: e.sim.Transport()}
	}
	c, err := logiwa.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *simEnv) seen() []logiwa.CallInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]logiwa.CallInfo(nil), e.calls...)
}

func timeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func seedIDs(t *testing.T, ctx context.Context, c *logiwa.Client) (clientID, warehouseID string) {
	t.Helper()
	cl, ok, err := c.ClientByName(ctx, logiwasim.SeedClient)
	if err != nil || !ok {
		t.Fatalf("seed client: %v %v", ok, err)
	}
	wh, ok, err := c.WarehouseByCode(ctx, logiwasim.SeedWarehouse)
	if err != nil || !ok {
		t.Fatalf("seed warehouse: %v %v", ok, err)
	}
	if _, ok, err := c.OrderTypeByName(ctx, logiwasim.SeedOrderType); err != nil || !ok {
		t.Fatalf("seed order type: %v %v", ok, err)
	}
	return cl.Identifier, wh.Identifier
}

func f64(v float64) *float64 { return &v }

func TestSimProductUpsert(t *testing.T) {
	env := startSim(t, logiwasim.Options{Seed: 1})
	ctx := timeout(t, 10*time.Second)
	clientID, _ := seedIDs(t, ctx, env.client)

	in := logiwa.ProductInput{
		SKU: "HOODIE-L", Name: "Hoodie L", Description: "Warm hoodie", ClientIdentifier: clientID,
		UPC: []string{"0001112223334"}, SalesPrice: f64(49.5), PurchasePrice: f64(20), UOMPackTypeName: "Piece",
		Weight: f64(0.8), WeightUnitID: 1, CurrencyID: 1,
	}
	res, err := env.client.UpsertProduct(ctx, in)
	if err != nil || res.Outcome != logiwa.OutcomeCreated {
		t.Fatalf("create: %+v %v", res, err)
	}
	before := env.sim.Snapshot()
	again, err := env.client.UpsertProduct(ctx, in)
	if err != nil || again.Outcome != logiwa.OutcomeUnchanged || again.Identifier != res.Identifier {
		t.Fatalf("replay: %+v %v", again, err)
	}
	after := env.sim.Snapshot()
	if fmt.Sprint(before.Products) != fmt.Sprint(after.Products) {
		t.Fatalf("replay changed the simulator's products")
	}

	in.SalesPrice = f64(44.5)
	upd, err := env.client.UpsertProduct(ctx, in)
	if err != nil || upd.Outcome != logiwa.OutcomeUpdated || fmt.Sprint(upd.Changed) != "[salesPrice]" {
		t.Fatalf("update: %+v %v", upd, err)
	}
	for _, p := range env.sim.Snapshot().Products {
		if p.SKU == "HOODIE-L" && p.SalesPrice != 44.5 {
			t.Fatalf("simulator price = %v", p.SalesPrice)
		}
	}
	// The seeded SKU exists under two clients: with the client it is found.
	p, err := env.client.FindProductBySKU(ctx, "MUG-BLUE", clientID)
	if err != nil || p == nil || p.Name != "Blue Mug" {
		t.Fatalf("seed product: %+v %v", p, err)
	}
}

func TestSimOrderLifecycle(t *testing.T) {
	env := startSim(t, logiwasim.Options{Seed: 2, PartialRate: -1})
	ctx := timeout(t, 10*time.Second)
	clientID, whID := seedIDs(t, ctx, env.client)
	start := env.sim.Now()

	in := logiwa.ShipmentOrderInput{
		Code: "SHOP-1001", ClientIdentifier: clientID, WarehouseIdentifier: whID, ShipmentOrderType: logiwasim.SeedOrderType,
		Customer:        &logiwa.Customer{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.test"},
		ShipmentAddress: &logiwa.Address{Country: "US", State: "NY", AddressLine1: "1 Main St", City: "New York", PostalCode: "10001"},
		Lines:           []logiwa.OrderLine{{SKU: "MUG-BLUE", PackQuantity: 2}, {SKU: "NOTEBOOK-A5", PackQuantity: 1}},
	}
	res, err := env.client.CreateShipmentOrder(ctx, in)
	if err != nil || res.AlreadyExisted {
		t.Fatalf("create: %+v %v", res, err)
	}
	again, err := env.client.CreateShipmentOrder(ctx, in)
	if err != nil || !again.AlreadyExisted || again.Identifier != res.Identifier {
		t.Fatalf("replay: %+v %v", again, err)
	}

	env.sim.Advance(time.Hour) // picked, packed and shipped
	var shipped []logiwa.ShipmentOrder
	w := logiwa.OrderWindow{From: start, To: env.sim.Now()}
	for p, err := range env.client.ShipmentOrdersChanged(ctx, w, 50) {
		if err != nil {
			t.Fatal(err)
		}
		shipped = append(shipped, p.Items...)
	}
	if len(shipped) != 1 {
		t.Fatalf("changed orders = %d", len(shipped))
	}
	o := shipped[0]
	if o.Code != "SHOP-1001" || o.StatusID != logiwa.StatusShipped || len(o.TrackingNumbers) == 0 || len(o.ShipmentInfo) == 0 ||
		o.ShipmentInfo[0].TrackingNumber == "" || o.ActualShipmentDate.IsZero() || o.UpdatedDateTime.Before(start) {
		t.Fatalf("shipped order = %+v", o)
	}
	// A shipped order cannot be cancelled: Rejected, never retried.
	if _, err := env.client.CancelShipmentOrder(ctx, logiwa.CancelInput{Code: "SHOP-1001"}); err == nil {
		t.Fatal("cancelled a shipped order")
	} else if name, _ := logiwa.ErrorName(err); name != logiwa.NameRejected {
		t.Fatalf("cancel shipped: %v", err)
	}

	// Return it, naming products by SKU only.
	ret := logiwa.ReturnOrderInput{
		RMANumber: "RMA-1001", ShipmentOrderCode: "SHOP-1001", ClientIdentifier: clientID, WarehouseIdentifier: whID,
		Lines: []logiwa.ReturnLine{{SKU: "MUG-BLUE", Quantity: 1, ReturnReason: "Damaged"}},
	}
	rr, err := env.client.CreateReturnOrder(ctx, ret)
	if err != nil || rr.AlreadyExisted || rr.Identifier == "" {
		t.Fatalf("return: %+v %v", rr, err)
	}
	rr2, err := env.client.CreateReturnOrder(ctx, ret)
	if err != nil || !rr2.AlreadyExisted || rr2.Identifier != rr.Identifier {
		t.Fatalf("return replay: %+v %v", rr2, err)
	}
	if n := len(env.sim.Snapshot().ReturnOrders); n != 1 {
		t.Fatalf("simulator returns = %d", n)
	}

	// Cancel a fresh order, twice.
	in.Code = "SHOP-1002"
	if _, err := env.client.CreateShipmentOrder(ctx, in); err != nil {
		t.Fatal(err)
	}
	for i, want := range []logiwa.Outcome{logiwa.OutcomeCancelled, logiwa.OutcomeUnchanged} {
		cr, err := env.client.CancelShipmentOrder(ctx, logiwa.CancelInput{Code: "SHOP-1002", CancelReasonName: "Customer request"})
		if err != nil || cr.Outcome != want {
			t.Fatalf("cancel %d: %+v %v", i, cr, err)
		}
	}
}

// TestSimConcurrentCreatesAcrossProcesses: two clients (two Lambdas, no
// shared lock) create the same order at once; Logiwa holds one order and
// both report its identifier.
func TestSimConcurrentCreatesAcrossProcesses(t *testing.T) {
	env := startSim(t, logiwasim.Options{Seed: 3})
	ctx := timeout(t, 10*time.Second)
	clientID, whID := seedIDs(t, ctx, env.client)
	in := logiwa.ShipmentOrderInput{
		Code: "SHOP-RACE", ClientIdentifier: clientID, WarehouseIdentifier: whID, ShipmentOrderType: logiwasim.SeedOrderType,
		Lines: []logiwa.OrderLine{{SKU: "MUG-BLUE", PackQuantity: 1}},
	}
	for round := range 5 {
		in.Code = fmt.Sprint("SHOP-RACE-", round)
		clients := []*logiwa.Client{env.newClient(t), env.newClient(t), env.newClient(t)}
		ids := make([]string, len(clients))
		var wg sync.WaitGroup
		for i, c := range clients {
			wg.Go(func() {
				res, err := c.CreateShipmentOrder(ctx, in)
				if err != nil {
					t.Errorf("create: %v", err)
				}
				ids[i] = res.Identifier
			})
		}
		wg.Wait()
		n := 0
		for _, o := range env.sim.Snapshot().ShipmentOrders {
			if o.Code == in.Code {
				n++
			}
		}
		if n != 1 || ids[0] == "" || ids[0] != ids[1] || ids[1] != ids[2] {
			t.Fatalf("round %d: %d orders, ids %v", round, n, ids)
		}
	}
}

func TestSimInventoryStreaming(t *testing.T) {
	env := startSim(t, logiwasim.Options{Seed: 4})
	ctx := timeout(t, 10*time.Second)
	clientID, _ := seedIDs(t, ctx, env.client)
	for i := range 7 {
		if _, err := env.client.UpsertProduct(ctx, logiwa.ProductInput{
			SKU: fmt.Sprint("BULK-", i), Name: "Bulk", Description: "bulk", ClientIdentifier: clientID,
		}); err != nil {
			t.Fatal(err)
		}
		if err := env.sim.SetStock(logiwasim.SeedWarehouse, fmt.Sprint("BULK-", i), int64(10+i)); err != nil {
			t.Fatal(err)
		}
	}
	want := len(env.sim.Snapshot().Inventory)
	rows, pages := 0, 0
	var total int
	for p, err := range env.client.InventoryLevels(ctx, logiwa.InventoryFilter{}, 3) {
		if err != nil {
			t.Fatal(err)
		}
		rows += len(p.Items)
		pages++
		total = p.TotalCount
	}
	if rows != total || rows < want || pages < 2 {
		t.Fatalf("streamed %d rows in %d pages, totalCount %d (simulator holds %d stock records)", rows, pages, total, want)
	}
	one, err := env.client.InventoryPage(ctx, logiwa.InventoryFilter{SKU: "BULK-3", ClientIdentifiers: []string{clientID}}, 0, 200)
	if err != nil || len(one.Items) == 0 || one.Items[0].ProductSKU != "BULK-3" {
		t.Fatalf("filtered page: %+v %v", one, err)
	}
}

// TestSimFaults injects each fault the simulator offers and checks the typed
// error the client returns.
func TestSimFaults(t *testing.T) {
	tests := []struct {
		name     string
		inject   func(s *logiwasim.Server) error
		timeout  time.Duration
		wantName string
		check    func(t *testing.T, err error, env *simEnv)
	}{
		{
			name:     "outage",
			inject:   func(s *logiwasim.Server) error { s.OutageFor(time.Hour); return nil },
			wantName: logiwa.NameUnavailable,
			check: func(t *testing.T, err error, _ *simEnv) {
				var u *logiwa.UnavailableError
				if !errors.As(err, &u) || !u.Maintenance {
					t.Errorf("want maintenance: %v", err)
				}
			},
		},
		{
			name: "latency beyond the deadline",
			inject: func(s *logiwasim.Server) error {
				return s.SetFaults(logiwasim.Faults{Latency: []logiwasim.LatencyRule{{Endpoint: "/v3.1/Report", Dist: "fixed", Fixed: logiwasim.Duration(2 * time.Second)}}})
			},
			timeout:  200 * time.Millisecond,
			wantName: logiwa.NameUnavailable,
			check: func(t *testing.T, err error, _ *simEnv) {
				var u *logiwa.UnavailableError
				if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &u) || u.Call.Latency > time.Second {
					t.Errorf("want a prompt timeout: %v", err)
				}
			},
		},
		{
			name: "5xx",
			inject: func(s *logiwasim.Server) error {
				return s.SetFaults(logiwasim.Faults{Errors: []logiwasim.RateRule{{Endpoint: "/v3.1/Report", Rate: 1, Status: 502}}})
			},
			wantName: logiwa.NameUnavailable,
		},
		{
			name: "reset",
			inject: func(s *logiwasim.Server) error {
				return s.SetFaults(logiwasim.Faults{Resets: []logiwasim.RateRule{{Endpoint: "/v3.1/Report", Rate: 1}}})
			},
			wantName: logiwa.NameUnavailable,
			check: func(t *testing.T, err error, _ *simEnv) {
				if !strings.Contains(err.Error(), "connection reset") {
					t.Errorf("want connection reset: %v", err)
				}
			},
		},
		{
			name:     "refused",
			inject:   func(s *logiwasim.Server) error { return s.SetFaults(logiwasim.Faults{RefuseConnections: true}) },
			wantName: logiwa.NameUnavailable,
			check: func(t *testing.T, err error, _ *simEnv) {
				if !strings.Contains(err.Error(), "connection refused") {
					t.Errorf("want connection refused: %v", err)
				}
			},
		},
		{
			name: "malformed body",
			inject: func(s *logiwasim.Server) error {
				return s.SetFaults(logiwasim.Faults{Malformed: []logiwasim.RateRule{{Endpoint: "/v3.1/Report", Rate: 1}}})
			},
			wantName: logiwa.NameUnavailable,
			check: func(t *testing.T, err error, _ *simEnv) {
				if !strings.Contains(err.Error(), "malformed") {
					t.Errorf("want malformed: %v", err)
				}
			},
		},
		{
			name:     "token expiry is healed by one re-login",
			inject:   func(s *logiwasim.Server) error { s.ExpireTokens(); return nil },
			wantName: "",
			check: func(t *testing.T, _ error, env *simEnv) {
				calls := env.seen()
				last := calls[len(calls)-1]
				logins := 0
				for _, c := range calls {
					if strings.HasSuffix(c.Endpoint, "/Authorize/token") {
						logins++
					}
				}
				if last.Attempts != 2 || last.Status != http.StatusOK || logins != 2 {
					t.Errorf("last call %+v, logins %d", last, logins)
				}
			},
		},
	}
	for _, tc := range tests {
		for _, via := range []struct {
			name      string
			inProcess bool
		}{{"loopback", false}, {"in-process", true}} {
			t.Run(tc.name+"/"+via.name, func(t *testing.T) {
				env := startSimVia(t, logiwasim.Options{Seed: 5}, via.inProcess)
				ctx := timeout(t, 10*time.Second)
				// Log in and warm the connection before the fault.
				if _, err := env.client.InventoryPage(ctx, logiwa.InventoryFilter{}, 0, 10); err != nil {
					t.Fatal(err)
				}
				if err := tc.inject(env.sim); err != nil {
					t.Fatal(err)
				}
				callCtx := ctx
				if tc.timeout > 0 {
					callCtx = timeout(t, tc.timeout)
				}
				_, err := env.client.InventoryPage(callCtx, logiwa.InventoryFilter{}, 0, 10)
				name, _ := logiwa.ErrorName(err)
				if name != tc.wantName {
					t.Fatalf("error %v, want %q", err, tc.wantName)
				}
				if tc.check != nil {
					tc.check(t, err, env)
				}
			})
		}
	}
}

// TestSimLatencyIsMeasured: the latency the client reports covers the
// simulator's injected delay, so CheckLatency can compare it.
func TestSimLatencyIsMeasured(t *testing.T) {
	env := startSim(t, logiwasim.Options{Seed: 6})
	ctx := timeout(t, 10*time.Second)
	if _, err := env.client.Clients(ctx); err != nil {
		t.Fatal(err)
	}
	if err := env.sim.SetFaults(logiwasim.Faults{Latency: []logiwasim.LatencyRule{{Dist: "fixed", Fixed: logiwasim.Duration(150 * time.Millisecond)}}}); err != nil {
		t.Fatal(err)
	}
	rctx, rec := logiwa.Record(ctx)
	p, err := env.client.InventoryPage(rctx, logiwa.InventoryFilter{}, 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	if p.Call.Latency < 150*time.Millisecond || rec.Latency() != p.Call.Latency || p.Call.Latency > 2*time.Second {
		t.Fatalf("page latency %s, recorded %s", p.Call.Latency, rec.Latency())
	}
}

// TestSimBurstAtTwoPerSecond fires a burst of concurrent calls at the
// simulator's default 2 req/s limit: some are answered 429 (RateLimited,
// with Retry-After), none is retried by the client, and the simulator's
// counters agree with what the client saw call by call.
func TestSimBurstAtTwoPerSecond(t *testing.T) {
	env := startSim(t, logiwasim.Options{Seed: 7, Rate: logiwasim.DefaultRate})
	ctx := timeout(t, 20*time.Second)
	if _, err := env.client.InventoryPage(ctx, logiwa.InventoryFilter{}, 0, 5); err != nil {
		t.Fatal(err) // logs in; the token is then shared by the burst
	}
	time.Sleep(1100 * time.Millisecond) // let the bucket refill
	env.sim.ResetStats()
	env.mu.Lock()
	env.calls = nil
	env.mu.Unlock()

	const n = 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	limited, ok := 0, 0
	var retryAfter time.Duration
	for range n {
		wg.Go(func() {
			_, err := env.client.InventoryPage(ctx, logiwa.InventoryFilter{}, 0, 5)
			mu.Lock()
			defer mu.Unlock()
			var rl *logiwa.RateLimitedError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &rl):
				limited++
				retryAfter = max(retryAfter, rl.RetryAfter)
			default:
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	wg.Wait()
	st := env.sim.Stats()
	calls := env.seen()
	byStatus := map[int]int{}
	for _, c := range calls {
		byStatus[c.Status]++
		if c.Attempts != 1 {
			t.Errorf("call retried: %+v", c)
		}
	}
	t.Logf("burst of %d: %d accepted, %d rate limited (Retry-After %s); simulator: total %d, 429s %d, max/s %d",
		n, ok, limited, retryAfter, st.Total, st.RateLimitedTotal(), st.MaxPerSecond())
	if limited == 0 || ok == 0 || ok+limited != n {
		t.Fatalf("accepted %d, limited %d", ok, limited)
	}
	if retryAfter <= 0 {
		t.Errorf("429 without a usable Retry-After")
	}
	if len(calls) != n || byStatus[http.StatusTooManyRequests] != limited {
		t.Errorf("client calls %d %v", len(calls), byStatus)
	}
	if st.Total != n || st.RateLimitedTotal() != limited || st.StatusCount(http.StatusTooManyRequests) != limited ||
		st.StatusCount(http.StatusOK)+st.StatusCount(http.StatusNoContent) != ok {
		t.Errorf("simulator counters disagree: %+v", st)
	}
	if st.MaxPerSecond() > 4 { // burst 2 plus 2 refilled within one clock second
		t.Errorf("simulator accepted %d in one second", st.MaxPerSecond())
	}
}

// TestSimRejections: the simulator's validation answers reach the workflow
// as Rejected with their field errors, and nothing is created.
func TestSimRejections(t *testing.T) {
	env := startSim(t, logiwasim.Options{Seed: 8, MaxBodyBytes: 600})
	ctx := timeout(t, 10*time.Second)
	clientID, whID := seedIDs(t, ctx, env.client)
	order := logiwa.ShipmentOrderInput{
		Code: "SHOP-BAD", ClientIdentifier: clientID, WarehouseIdentifier: whID, ShipmentOrderType: logiwasim.SeedOrderType,
		Lines: []logiwa.OrderLine{{SKU: "NO-SUCH-SKU", PackQuantity: 1}},
	}
	_, err := env.client.CreateShipmentOrder(ctx, order)
	var rj *logiwa.RejectedError
	if !errors.As(err, &rj) || len(rj.FieldErrors) == 0 || !strings.Contains(rj.FieldErrors[0].Message, "NO-SUCH-SKU") {
		t.Fatalf("unknown SKU: %v", err)
	}

	order.Code = "SHOP-BIG"
	order.Lines = []logiwa.OrderLine{{SKU: "MUG-BLUE", PackQuantity: 1}}
	order.Note = strings.Repeat("n", 490) // under Logiwa's 500 but over the simulator's 600-byte body limit
	_, err = env.client.CreateShipmentOrder(ctx, order)
	if !errors.As(err, &rj) || rj.Call.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("413: %v", err)
	}
	if n := len(env.sim.Snapshot().ShipmentOrders); n != 0 {
		t.Fatalf("simulator holds %d orders", n)
	}
}

func TestSimCancelByIdentifierAndStatusFilter(t *testing.T) {
	env := startSim(t, logiwasim.Options{Seed: 9})
	ctx := timeout(t, 10*time.Second)
	clientID, whID := seedIDs(t, ctx, env.client)
	start := env.sim.Now()
	var ids []string
	for i := range 3 {
		res, err := env.client.CreateShipmentOrder(ctx, logiwa.ShipmentOrderInput{
			Code: fmt.Sprint("SHOP-C", i), ClientIdentifier: clientID, WarehouseIdentifier: whID,
			ShipmentOrderType: logiwasim.SeedOrderType, Lines: []logiwa.OrderLine{{SKU: "NOTEBOOK-A5", PackQuantity: 1}},
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Identifier)
	}
	cr, err := env.client.CancelShipmentOrder(ctx, logiwa.CancelInput{Identifier: ids[1], CancelReasonName: "Customer request"})
	if err != nil || cr.Outcome != logiwa.OutcomeCancelled || cr.Identifier != ids[1] {
		t.Fatalf("cancel: %+v %v", cr, err)
	}
	w := logiwa.OrderWindow{From: start, Statuses: []int{logiwa.StatusCancelled}, ClientIdentifiers: []string{clientID}}
	p, err := env.client.ShipmentOrdersChangedPage(ctx, w, 0, 10)
	if err != nil || len(p.Items) != 1 || p.Items[0].Identifier != ids[1] || !p.Items[0].Cancelled() {
		t.Fatalf("cancelled orders: %+v %v", p.Items, err)
	}
}

// TestSimOrderNotFound: what the simulator (the contract) answers for a
// cancel of an order it does not hold and for a return against one, as the
// client reports it: OrderNotFound while the order is missing, applied once
// it exists, and a refusal with the order present stays Rejected.
func TestSimOrderNotFound(t *testing.T) {
	env := startSim(t, logiwasim.Options{Seed: 10, MaxBodyBytes: 900})
	ctx := timeout(t, 10*time.Second)
	clientID, whID := seedIDs(t, ctx, env.client)
	ret := func(rma, note string) logiwa.ReturnOrderInput {
		return logiwa.ReturnOrderInput{
			RMANumber: rma, ShipmentOrderCode: "SHOP-LATE", ClientIdentifier: clientID, WarehouseIdentifier: whID,
			Lines: []logiwa.ReturnLine{{SKU: "MUG-BLUE", Quantity: 1, ReturnNote: note}},
		}
	}
	notFound := func(what string, err error) {
		t.Helper()
		var nf *logiwa.OrderNotFoundError
		if name, _ := logiwa.ErrorName(err); name != logiwa.NameOrderNotFound || !errors.As(err, &nf) || nf.Order != "SHOP-LATE" {
			t.Fatalf("%s before the order exists: %v, want %s", what, err, logiwa.NameOrderNotFound)
		}
	}
	_, err := env.client.CreateReturnOrder(ctx, ret("RMA-LATE", ""))
	notFound("return", err)
	_, err = env.client.CancelShipmentOrder(ctx, logiwa.CancelInput{Code: "SHOP-LATE", CancelReasonName: "Customer request"})
	notFound("cancel", err)
	if n := len(env.sim.Snapshot().ReturnOrders); n != 0 {
		t.Fatalf("simulator holds %d return orders", n)
	}

	if _, err := env.client.CreateShipmentOrder(ctx, logiwa.ShipmentOrderInput{
		Code: "SHOP-LATE", ClientIdentifier: clientID, WarehouseIdentifier: whID, ShipmentOrderType: logiwasim.SeedOrderType,
		Lines: []logiwa.OrderLine{{SKU: "MUG-BLUE", PackQuantity: 1}},
	}); err != nil {
		t.Fatal(err)
	}
	// Over the simulator's body limit: 413, with the order present.
	_, err = env.client.CreateReturnOrder(ctx, ret("RMA-BIG", strings.Repeat("n", 900)))
	var rj *logiwa.RejectedError
	if !errors.As(err, &rj) || rj.Call.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("413 with the order present: %v, want %s", err, logiwa.NameRejected)
	}
	if r, err := env.client.CreateReturnOrder(ctx, ret("RMA-LATE", "")); err != nil || r.Outcome != logiwa.OutcomeCreated {
		t.Fatalf("return once the order exists: %+v %v", r, err)
	}
	if r, err := env.client.CancelShipmentOrder(ctx, logiwa.CancelInput{Code: "SHOP-LATE", CancelReasonName: "Customer request"}); err != nil || r.Outcome != logiwa.OutcomeCancelled {
		t.Fatalf("cancel once the order exists: %+v %v", r, err)
	}
}
