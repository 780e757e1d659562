package statemachines_test

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/localrun"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/records"
)

// The end-to-end tests run each workflow in the embedded local runtime
// (pkg/localrun) against the Logiwa simulator: messages go onto the SQS
// queues, the trigger starts executions, the gate calls the simulator, and
// what the tests check is what landed in DynamoDB, S3 and the simulator.
// Each test has its own runtime so they run in parallel.

// TestE2EApplied: an inventory update, an order, a return and a
// cancellation each end applied.
func TestE2EApplied(t *testing.T) {
	t.Parallel()
	e := startEnv(t, nil)
	k := newFourKinds("OK")
	k.setupOrders(e)
	k.sendAll(e)
	e.idle()
	k.expectAllApplied(e)
	for _, s := range k.each() {
		x := e.only(s.flow, s.key)
		if got := entered(x.History()); !slices.Equal(got, pathApplied) {
			t.Errorf("%s states %v", x.Name, got)
		}
		if n := billedTransitions(x.History()); n != 6 {
			t.Errorf("%s billed %d state transitions, want 6", x.Name, n)
		}
	}
}

// fault is one way the simulator misbehaves, and the error CallLogiwa sees.
type fault struct {
	name  string
	set   func(sim *logiwasim.Server) error
	clear func(sim *logiwasim.Server) error // nil: the fault cannot be lifted under traffic
	// errName is what CallLogiwa fails with.
	errName string
}

func setFaults(f logiwasim.Faults) func(*logiwasim.Server) error {
	return func(sim *logiwasim.Server) error { return sim.SetFaults(f) }
}

var noFaults = setFaults(logiwasim.Faults{})

// transportFaults all look like an unavailable Logiwa to the workflow.
var transportFaults = []fault{
	{name: "outage503", set: func(sim *logiwasim.Server) error {
		sim.OutageFor(240 * time.Hour)
		return nil
	}, clear: noFaults, errName: "Logiwa.Unavailable"},
	{name: "5xx", set: setFaults(logiwasim.Faults{Errors: []logiwasim.RateRule{{Rate: 1, Status: 502}}}), clear: noFaults, errName: "Logiwa.Unavailable"},
	{name: "reset", set: setFaults(logiwasim.Faults{Resets: []logiwasim.RateRule{{Rate: 1}}}), clear: noFaults, errName: "Logiwa.Unavailable"},
	{name: "malformed", set: setFaults(logiwasim.Faults{Malformed: []logiwasim.RateRule{{Rate: 1}}}), clear: noFaults, errName: "Logiwa.Unavailable"},
	{name: "refused", set: setFaults(logiwasim.Faults{RefuseConnections: true}), clear: noFaults, errName: "Logiwa.Unavailable"},
	// One request a day: whatever a message needs beyond the bucket's one
	// token is refused with 429. The rate is set while nothing is in flight
	// and never changed back: logiwasim's limiter reads its rate outside its
	// lock (ratelimit.go, allow), so changing it under traffic is a data
	// race. Retried-then-applied 429s are covered by the mocked branches.
	{name: "429", set: func(sim *logiwasim.Server) error {
		sim.SetRate(1.0/86400, 1)
		return nil
	}, errName: "Logiwa.RateLimited"},
}

// TestE2ETransientFaultsApplyAfterRetries: each fault hits every kind of
// message at least once, then clears; CallLogiwa's retries apply them all.
func TestE2ETransientFaultsApplyAfterRetries(t *testing.T) {
	t.Parallel()
	for _, f := range transportFaults {
		if f.clear == nil {
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			e := startEnv(t, nil)
			k := newFourKinds("T" + strings.ToUpper(f.name))
			k.setupOrders(e)
			if err := f.set(e.sim); err != nil {
				t.Fatal(err)
			}
			k.sendAll(e)
			// Clear the fault once every message has failed a call with it.
			e.waitFor("every message to fail once with "+f.errName, func() bool {
				for _, s := range k.each() {
					xs := e.executionsOf(s.flow, s.key)
					if len(xs) == 0 || !slices.Contains(taskFailures(xs[0].History()), "CallLogiwa:"+f.errName) {
						return false
					}
				}
				return true
			})
			if err := f.clear(e.sim); err != nil {
				t.Fatal(err)
			}
			e.idle()
			k.expectAllApplied(e)
			for _, s := range k.each() {
				x := e.only(s.flow, s.key)
				for _, fl := range taskFailures(x.History()) {
					if fl != "CallLogiwa:"+f.errName {
						t.Errorf("%s failed %s; want only CallLogiwa:%s", x.Name, fl, f.errName)
					}
				}
			}
		})
	}
}

// TestE2EPersistentFaultsPark: a fault that outlasts the retries parks every
// message as an outage with the error that stopped it; nothing is recorded.
func TestE2EPersistentFaultsPark(t *testing.T) {
	t.Parallel()
	for _, f := range transportFaults {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			e := startEnv(t, nil)
			k := newFourKinds("P" + strings.ToUpper(f.name))
			k.setupOrders(e)
			if err := f.set(e.sim); err != nil {
				t.Fatal(err)
			}
			k.sendAll(e)
			e.idle()
			for _, s := range k.each() {
				e.expectParked(s.flow, s.key, s.body, "outage", f.errName)
				x := e.only(s.flow, s.key)
				if n := strings.Count(strings.Join(taskFailures(x.History()), ","), "CallLogiwa:"+f.errName); n != 5 {
					t.Errorf("%s: %d failed calls, want 5 (the call and its 4 retries)", x.Name, n)
				}
				if _, ok := e.record(recordPK(s.flow, s.key)); ok {
					t.Errorf("%s %s recorded though parked", s.flow, s.key)
				}
			}
		})
	}
}

func recordPK(flow message.Flow, key string) string { return recordKind(flow) + "#" + key }

// TestE2ELatency: calls slower than the threshold park as
// threshold_exceeded (no retry: Logiwa did apply them); calls within it apply.
func TestE2ELatency(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		latency time.Duration // per Logiwa request, on the shared clock
		slow    bool
	}{
		{"within", 2 * time.Second, false},
		// Every operation makes at least two requests (look up, then write).
		{"over", 40 * time.Second, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			// One gate worker per message, so the slow calls overlap.
			e := startEnv(t, func(c *localrun.Config) { c.GateConcurrency = 4 })
			k := newFourKinds("L" + strings.ToUpper(c.name))
			k.setupOrders(e)
			err := e.sim.SetFaults(logiwasim.Faults{Latency: []logiwasim.LatencyRule{{Dist: "fixed", Fixed: logiwasim.Duration(c.latency)}}})
			if err != nil {
				t.Fatal(err)
			}
			k.sendAll(e)
			e.idle()
			if !c.slow {
				k.expectAllApplied(e)
				return
			}
			for _, s := range k.each() {
				p := e.expectParked(s.flow, s.key, s.body, "threshold_exceeded", "Logiwa.ThresholdExceeded")
				if !strings.Contains(p.Cause, "threshold is 60000 ms") {
					t.Errorf("cause %q", p.Cause)
				}
				x := e.only(s.flow, s.key)
				if fl := taskFailures(x.History()); len(fl) != 0 {
					t.Errorf("%s retried %v; a slow success is not retried", x.Name, fl)
				}
			}
			// Logiwa did apply them (slowly): the redrive's replay finds them there.
			k.expectLogiwaHolds(e)
		})
	}
}

// TestE2ETokenExpiry: Logiwa forgets every token; the client logs in again
// and the messages apply with no failed call.
func TestE2ETokenExpiry(t *testing.T) {
	t.Parallel()
	e := startEnv(t, nil)
	k := newFourKinds("TOKEN")
	k.setupOrders(e)
	logins := e.sim.Stats().Requests["POST /v3.1/Authorize/token"][200]
	e.sim.ExpireTokens()
	k.sendAll(e)
	e.idle()
	k.expectAllApplied(e)
	st := e.sim.Stats()
	if st.Faults["tokenExpired"] == 0 || st.Requests["POST /v3.1/Authorize/token"][200] <= logins {
		t.Errorf("no expired token was refused and renewed: faults %v, logins %d -> %d", st.Faults, logins, st.Requests["POST /v3.1/Authorize/token"][200])
	}
	for _, s := range k.each() {
		if fl := taskFailures(e.only(s.flow, s.key).History()); len(fl) != 0 {
			t.Errorf("%s %s failed calls %v", s.flow, s.key, fl)
		}
	}
}

// TestE2EUnauthorized: refused credentials park every message as
// unauthorized, without retries.
func TestE2EUnauthorized(t *testing.T) {
	t.Parallel()
	e := startEnv(t, func(c *localrun.Config) {
		c.LogiwaEmail, c.LogiwaPassword = logiwasim.DefaultEmail, "not-the-password"
	})
	k := newFourKinds("UNAUTH")
	k.sendAll(e)
	e.idle()
	for _, s := range k.each() {
		e.expectParked(s.flow, s.key, s.body, "unauthorized", "Logiwa.Unauthorized")
		if fl := taskFailures(e.only(s.flow, s.key).History()); !slices.Equal(fl, []string{"CallLogiwa:Logiwa.Unauthorized"}) {
			t.Errorf("%s failures %v, want one unretried Logiwa.Unauthorized", s.key, fl)
		}
	}
}

// TestE2ERejected: what Logiwa refuses parks as rejected at once. The
// refunds name an order Logiwa holds (one naming an unknown order waits for
// it instead: pkg/localrun's TestRefundBeforeItsOrder*): a return of a
// product Logiwa does not know, and the cancellation of an order the
// warehouse has already picked.
func TestE2ERejected(t *testing.T) {
	t.Parallel()
	e := startEnv(t, nil)
	e.send(message.FlowOrders, orderBody("REJ-SO-PICKED", 1, line{"MUG-BLUE", 1}))
	e.idle()
	e.expectApplied(message.FlowOrders, "REJ-SO-PICKED", 1)
	e.sim.Advance(25 * time.Hour)    // past the day the warehouse takes to pick
	long := strings.Repeat("d", 501) // Logiwa allows 500 characters of description; our schema 4000
	msgs := []sent{
		{message.FlowInventory, "REJ-SKU", `{"schema":"inventory.v1","messageId":"m-rej","sku":"REJ-SKU","version":1,"occurredAt":"2026-11-24T09:00:00Z","product":{"name":"x","description":"` + long + `"}}`},
		{message.FlowOrders, "REJ-SO", orderBody("REJ-SO", 1, line{"NO-SUCH-SKU", 1})},
		{message.FlowRefunds, "REJ-RMA-R", returnBody("REJ-RMA-R", "REJ-SO-PICKED", "NO-SUCH-SKU", 1)},
		{message.FlowRefunds, "REJ-RMA-C", cancelBody("REJ-RMA-C", "REJ-SO-PICKED")},
	}
	for _, m := range msgs {
		e.send(m.flow, m.body)
	}
	e.idle()
	for _, m := range msgs {
		p := e.expectParked(m.flow, m.key, m.body, "rejected", "Logiwa.Rejected")
		if m.key == "REJ-RMA-C" && !strings.Contains(p.Cause, "cannot be cancelled") {
			t.Errorf("cancellation parked with cause %q, want the warehouse's refusal", p.Cause)
		}
		if fl := taskFailures(e.only(m.flow, m.key).History()); len(fl) != 1 {
			t.Errorf("%s failures %v, want one, unretried", m.key, fl)
		}
	}
}

// TestE2EInvalid: a bad message parks as invalid before Logiwa is called,
// naming the field.
func TestE2EInvalid(t *testing.T) {
	t.Parallel()
	e := startEnv(t, nil)
	huge := `{"schema":"inventory.v1","messageId":"m-huge","sku":"INV-HUGE","version":1,"occurredAt":"2026-11-24T09:00:00Z","product":{"name":"x","description":"` +
		strings.Repeat(`\"`, 120*1024) + `"}}`
	msgs := []struct {
		sent
		causeHas string
	}{
		{sent{message.FlowInventory, "INV-NOVERSION", `{"schema":"inventory.v1","messageId":"m-1","sku":"INV-NOVERSION","occurredAt":"2026-11-24T09:00:00Z","product":{"name":"x"}}`}, "version"},
		{sent{message.FlowOrders, "INV-SO", strings.Replace(orderBody("INV-SO", 1, line{"MUG-BLUE", 1}), `"quantity":1`, `"quantity":0`, 1)}, "/lines/0/quantity"},
		{sent{message.FlowRefunds, "INV-RMA", strings.Replace(returnBody("INV-RMA", "SO-1", "MUG-BLUE", 1), `"kind":"return"`, `"kind":"exchange"`, 1)}, "kind"},
		// Not JSON at all: the trigger names it "invalid".
		{sent{message.FlowOrders, "invalid", `{"orderNumber": "INV-BROKEN",`}, "JSON"},
		// Fits SQS, but with its escaping not a Step Functions input: the
		// trigger keeps it in S3 and starts the execution with its address,
		// which parks naming the size and where the original is.
		{sent{message.FlowInventory, "INV-HUGE", huge}, "over the 262144-byte"},
	}
	for _, m := range msgs {
		e.send(m.flow, m.body)
	}
	e.idle()
	for _, m := range msgs {
		body := m.body
		if m.key == "INV-HUGE" {
			body = "" // the execution carries the original's address instead
		}
		p := e.expectParked(m.flow, m.key, body, "invalid", "Message.Invalid")
		if m.key == "INV-HUGE" {
			bucket, key, _ := strings.Cut(strings.TrimPrefix(p.BodyRef, "s3://"), "/")
			obj, err := e.park.S3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
			if err != nil {
				t.Fatalf("oversized original at %q: %v", p.BodyRef, err)
			}
			kept, _ := io.ReadAll(obj.Body)
			obj.Body.Close()
			if string(kept) != huge || !strings.Contains(p.Cause, p.BodyRef) {
				t.Errorf("oversized original kept as %d bytes (want %d), cause %q should name %s", len(kept), len(huge), p.Cause, p.BodyRef)
			}
		}
		if !strings.Contains(p.Cause, m.causeHas) {
			t.Errorf("%s: cause %q does not name %q", m.key, p.Cause, m.causeHas)
		}
		if got := entered(e.only(m.flow, m.key).History()); !slices.Equal(got, pathInvalid) {
			t.Errorf("%s states %v", m.key, got)
		}
	}
	if n := e.sim.Stats().Total; n != 0 {
		t.Errorf("Logiwa saw %d requests for invalid messages, want 0", n)
	}
}

// TestE2EDuplicateDelivery: the same message delivered three times (two at
// once, one later) starts one execution and creates one order.
func TestE2EDuplicateDelivery(t *testing.T) {
	t.Parallel()
	e := startEnv(t, nil)
	body := orderBody("DUP-SO", 1, line{"MUG-BLUE", 1})
	e.send(message.FlowOrders, body)
	e.send(message.FlowOrders, body)
	e.idle()
	e.send(message.FlowOrders, body)
	e.idle()
	e.expectApplied(message.FlowOrders, "DUP-SO", 1)
	n := 0
	for _, o := range e.sim.Snapshot().ShipmentOrders {
		if o.Code == "DUP-SO" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("Logiwa holds %d orders DUP-SO, want 1", n)
	}
}

// TestE2EStale: an older or equal version changes nothing.
func TestE2EStale(t *testing.T) {
	t.Parallel()
	e := startEnv(t, nil)
	e.send(message.FlowInventory, inventoryBody("STALE-SKU", 3, "Version three"))
	e.idle()
	e.expectApplied(message.FlowInventory, "STALE-SKU", 3)
	e.send(message.FlowInventory, inventoryBody("STALE-SKU", 2, "Version two"))
	// Same version, different content: a different message, still not newer.
	e.send(message.FlowInventory, strings.Replace(inventoryBody("STALE-SKU", 3, "Version three again"), "m-STALE-SKU-3", "m-other", 1))
	e.idle()
	xs := e.executionsOf(message.FlowInventory, "STALE-SKU")
	if len(xs) != 3 {
		t.Fatalf("executions %v", names(xs))
	}
	for _, x := range xs[:2] { // newest first: the two stale ones
		if x.Status != asl.StatusSucceeded || field(x.Output, "outcome") != "stale" || !slices.Equal(entered(x.History()), pathStale) {
			t.Errorf("%s: %s output %v states %v, want stale", x.Name, x.Status, x.Output, entered(x.History()))
		}
	}
	if rec, _ := e.record("product#STALE-SKU"); rec.Version != 3 || rec.Execution != xs[2].Name {
		t.Errorf("record %+v, want version 3 from the first execution", rec)
	}
	for _, p := range e.sim.Snapshot().Products {
		if p.SKU == "STALE-SKU" && p.Name != "Version three" {
			t.Errorf("Logiwa product name %q, want the newest version's", p.Name)
		}
	}
}

// expectLogiwaHolds checks Logiwa has what the four messages asked for.
func (k fourKinds) expectLogiwaHolds(e *env) {
	e.t.Helper()
	snap := e.sim.Snapshot()
	found := map[string]bool{}
	for _, p := range snap.Products {
		found["product"] = found["product"] || p.SKU == k.sku
	}
	for _, o := range snap.ShipmentOrders {
		found["order"] = found["order"] || o.Code == k.order
		found["cancel"] = found["cancel"] || (o.Code == k.placedForC && strings.Contains(strings.ToLower(o.StatusName), "cancel"))
	}
	for _, r := range snap.ReturnOrders {
		found["return"] = found["return"] || r.RMANumber == k.ret
	}
	for _, w := range []string{"product", "order", "cancel", "return"} {
		if !found[w] {
			e.t.Errorf("Logiwa does not hold the %s", w)
		}
	}
}

// TestE2EVersionsOutOfOrder: several versions of a SKU in flight at once
// (sent v1, v3, v2 back to back, so v2 and v3 can both pass the stale guard
// before either is recorded) end with the newest in our records AND in
// Logiwa: the gate's write claims never let an older version be written
// after a newer one.
func TestE2EVersionsOutOfOrder(t *testing.T) {
	t.Parallel()
	e := startEnv(t, func(c *localrun.Config) { c.GateConcurrency = 4 })
	const skus = 30
	for i := range skus {
		sku := fmt.Sprintf("OOO-%02d", i)
		for _, v := range []int{1, 3, 2} {
			e.send(message.FlowInventory, inventoryBody(sku, v, fmt.Sprintf("%s v%d", sku, v)))
		}
	}
	e.idle()
	held := map[string]string{}
	for _, p := range e.sim.Snapshot().Products {
		held[p.SKU] = p.Name
	}
	for i := range skus {
		sku := fmt.Sprintf("OOO-%02d", i)
		rec, ok := e.record(records.Key("product", sku))
		if !ok || rec.Version != 3 {
			t.Errorf("%s: record %+v, want version 3", sku, rec)
		}
		if want := sku + " v3"; held[sku] != want {
			t.Errorf("%s: Logiwa holds %q, want %q (an older version was written over the newest)", sku, held[sku], want)
		}
	}
}
