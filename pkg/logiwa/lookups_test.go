package logiwa

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestLookupsCached(t *testing.T) {
	f, srv := newFake(t)
	f.clients = []map[string]any{{"identifier": "c-1", "displayName": "Acme"}, {"identifier": "c-2", "displayName": "Globex"}}
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.LookupTTL = time.Minute })
	clock := newFakeClock()
	c.now = clock.Now
	ctx := ctxTimeout(t, 5*time.Second)

	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			all, err := c.Clients(ctx)
			if err != nil || len(all) != 2 {
				t.Errorf("Clients = %v, %v", all, err)
			}
			all[0].DisplayName = "mutated" // must not reach the cache
		})
	}
	wg.Wait()
	if n := f.count("GET " + clientListPath); n != 1 {
		t.Fatalf("client list requests = %d, want 1", n)
	}
	acme, ok, err := c.ClientByName(ctx, "acme")
	if err != nil || !ok || acme.Identifier != "c-1" {
		t.Fatalf("ClientByName = %+v %v %v", acme, ok, err)
	}
	wh, ok, err := c.WarehouseByCode(ctx, "main")
	if err != nil || !ok || wh.Identifier != "wh-1" {
		t.Fatalf("WarehouseByCode = %+v %v %v", wh, ok, err)
	}
	ot, ok, err := c.OrderTypeByName(ctx, "Shipment Order")
	if err != nil || !ok || ot.Identifier != "ot-1" {
		t.Fatalf("OrderTypeByName = %+v %v %v", ot, ok, err)
	}
	if _, ok, _ := c.OrderTypeByName(ctx, "Nope"); ok {
		t.Error("found a type that does not exist")
	}
	if n := f.count("GET " + clientListPath); n != 1 {
		t.Fatalf("client list requests = %d after lookups, want 1", n)
	}

	clock.Advance(61 * time.Second) // past the TTL
	if _, err := c.Clients(ctx); err != nil {
		t.Fatal(err)
	}
	c.InvalidateLookups()
	if _, err := c.Clients(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.count("GET " + clientListPath); n != 3 {
		t.Fatalf("client list requests = %d, want 3 (TTL expiry, invalidation)", n)
	}
}

func TestLookupFailureNotCached(t *testing.T) {
	f, srv := newFake(t)
	f.clients = []map[string]any{{"identifier": "c-1", "displayName": "Acme"}}
	c, _ := newTestClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Clients(ctx); err == nil {
		t.Fatal("want an error with a cancelled context")
	}
	all, err := c.Clients(ctxTimeout(t, 5*time.Second))
	if err != nil || len(all) != 1 {
		t.Fatalf("after failure: %v, %v", all, err)
	}
}

func TestRecorderCollectsOperationCalls(t *testing.T) {
	_, srv := newFake(t)
	var hooked []CallInfo
	var mu sync.Mutex
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.OnCall = func(ci CallInfo) { mu.Lock(); hooked = append(hooked, ci); mu.Unlock() }
	})
	ctx, outer := Record(ctxTimeout(t, 5*time.Second))
	inner, rec := Record(ctx)
	if _, err := c.UpsertProduct(inner, sampleProduct()); err != nil {
		t.Fatal(err)
	}
	calls := rec.Calls()
	if len(calls) != 2 || calls[0].Endpoint != "GET "+productListPath || calls[1].Endpoint != "POST "+productCreatePath ||
		calls[1].Status != 201 || calls[0].Status != 204 {
		t.Fatalf("calls = %+v", calls)
	}
	if rec.Latency() <= 0 || rec.Max() > rec.Latency() || len(outer.Calls()) != 2 {
		t.Fatalf("latency %s max %s outer %d", rec.Latency(), rec.Max(), len(outer.Calls()))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(hooked) != 3 || hooked[0].Endpoint != "POST "+tokenPath { // login + the two calls
		t.Fatalf("OnCall saw %+v", hooked)
	}
}
