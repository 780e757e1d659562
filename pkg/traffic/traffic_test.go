package traffic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/message"
)

func script(seed uint64, c Counts) (cat, stream []Message) {
	g := New(Config{Seed: seed, SKUs: 20})
	cat = g.Catalogue()
	g.Script(c)
	for {
		m, ok := g.Next()
		if !ok {
			return cat, stream
		}
		stream = append(stream, m)
	}
}

var demoCounts = Counts{Orders: 300, Inventory: 80, Refunds: 30, Duplicates: 12, Invalid: 6}

func TestScriptIsDeterministicAndExact(t *testing.T) {
	_, a := script(7, demoCounts)
	_, b := script(7, demoCounts)
	_, c := script(8, demoCounts)
	if len(a) != demoCounts.Total() {
		t.Fatalf("stream has %d messages, want %d", len(a), demoCounts.Total())
	}
	for i := range a {
		if !bytes.Equal(a[i].Body, b[i].Body) || a[i].Kind != b[i].Kind {
			t.Fatalf("message %d differs between two runs with the same seed", i)
		}
	}
	same := 0
	for i := range a {
		if bytes.Equal(a[i].Body, c[i].Body) {
			same++
		}
	}
	if same == len(a) {
		t.Fatal("another seed gave the same stream")
	}
	got := map[string]int{}
	for _, m := range a {
		switch m.Kind {
		case KindOrder:
			got["orders"]++
		case KindInventory:
			got["inventory"]++
		case KindReturn, KindCancel:
			got["refunds"]++
		case KindDuplicate:
			got["duplicates"]++
		default:
			got["invalid"]++
		}
	}
	want := map[string]int{"orders": demoCounts.Orders, "inventory": demoCounts.Inventory, "refunds": demoCounts.Refunds, "duplicates": demoCounts.Duplicates, "invalid": demoCounts.Invalid}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: got %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
}

func TestMessagesMatchTheSchemas(t *testing.T) {
	cat, stream := script(1, demoCounts)
	kinds := map[Kind]int{}
	for _, m := range append(cat, stream...) {
		kinds[m.Kind]++
		parsed, err := message.Parse(m.Flow, m.Body)
		if m.Valid != (err == nil) {
			t.Fatalf("message %d (%s, %s): Valid=%v but Parse error %v", m.Seq, m.Kind, m.Key, m.Valid, err)
		}
		if err != nil {
			var inv *message.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("message %d: want an InvalidError, got %T %v", m.Seq, err, err)
			}
			continue
		}
		if parsed.Key() != m.Key || parsed.Head().Version != m.Version {
			t.Fatalf("message %d: key/version %s/%d, body says %s/%d", m.Seq, m.Key, m.Version, parsed.Key(), parsed.Head().Version)
		}
	}
	for _, k := range []Kind{KindInventory, KindOrder, KindReturn, KindCancel, KindDuplicate, KindMalformed, KindMissingField, KindBadValue, KindOversize} {
		if kinds[k] == 0 {
			t.Errorf("no message of kind %s in %v", k, kinds)
		}
	}
	for _, m := range stream {
		if m.Kind == KindOversize && len(m.Body) <= message.MaxBytes {
			t.Errorf("oversize message is only %d bytes", len(m.Body))
		}
	}
}

func TestOrdersOnlyNameCatalogueSKUs(t *testing.T) {
	cat, stream := script(2, demoCounts)
	known := map[string]bool{}
	for _, m := range cat {
		known[m.Key] = true
	}
	for _, m := range stream {
		if m.Kind != KindOrder {
			continue
		}
		var o message.Order
		if err := json.Unmarshal(m.Body, &o); err != nil {
			t.Fatal(err)
		}
		for _, l := range o.Lines {
			if !known[l.SKU] {
				t.Fatalf("order %s names %s, not in the catalogue", o.OrderNumber, l.SKU)
			}
		}
	}
}

func TestInventoryVersionsRepeatAndSomeArriveLate(t *testing.T) {
	_, stream := script(3, demoCounts)
	highest := map[string]int64{}
	perSKU := map[string]int{}
	late := 0
	for _, m := range stream {
		if m.Kind != KindInventory {
			continue
		}
		perSKU[m.Key]++
		if m.Version < highest[m.Key] {
			late++
			if !m.OutOfOrder {
				t.Errorf("%s v%d arrived after v%d but is not marked out of order", m.Key, m.Version, highest[m.Key])
			}
		}
		highest[m.Key] = max(highest[m.Key], m.Version)
	}
	if late == 0 {
		t.Fatal("no inventory version arrived after a newer one")
	}
	repeated := 0
	for _, n := range perSKU {
		if n > 1 {
			repeated++
		}
	}
	if repeated == 0 {
		t.Fatal("no SKU updated twice")
	}
}

func TestRefundsAndDuplicatesReferToEarlierMessages(t *testing.T) {
	_, stream := script(4, demoCounts)
	orderAt := map[string]int{}
	refunded := map[string]bool{}
	bodies := map[string]bool{}
	for _, m := range stream {
		switch m.Kind {
		case KindOrder:
			var o message.Order
			_ = json.Unmarshal(m.Body, &o)
			orderAt[o.OrderNumber] = m.Seq
		case KindReturn, KindCancel:
			var r message.Refund
			_ = json.Unmarshal(m.Body, &r)
			at, ok := orderAt[r.OrderNumber]
			if !ok {
				t.Fatalf("refund %s of order %s, which was not sent before", r.RMA, r.OrderNumber)
			}
			if refunded[r.OrderNumber] {
				t.Fatalf("order %s refunded twice", r.OrderNumber)
			}
			refunded[r.OrderNumber] = true
			age := m.Seq - at
			if m.Kind == KindCancel && (age < minCancelAge || age >= cancelWindow) {
				t.Errorf("cancel %s comes %d messages after its order", r.RMA, age)
			}
			if m.Kind == KindReturn && age < returnLag {
				t.Errorf("return %s comes only %d messages after its order", r.RMA, age)
			}
		case KindDuplicate:
			if !bodies[string(m.Body)] {
				t.Fatalf("duplicate %d is not a body sent before", m.Seq)
			}
		}
		if m.Valid {
			bodies[string(m.Body)] = true
		}
	}
}

func TestScaleKeepsEveryKind(t *testing.T) {
	c := Counts{Orders: 2000, Inventory: 500, Refunds: 100, Duplicates: 60, Invalid: 12}
	s := c.Scale(0.01)
	if s.Orders != 20 || s.Inventory != 5 || s.Refunds != 1 || s.Duplicates != 1 || s.Invalid != 1 {
		t.Fatalf("scaled %+v", s)
	}
	if got := c.Scale(10).Total(); got != 10*c.Total() {
		t.Fatalf("x10 total %d", got)
	}
}

func TestDefaultProfileDrainsOnAverage(t *testing.T) {
	p := DefaultProfile()
	period := p.QuietFor + p.BurstFor
	avg := (p.Quiet*p.QuietFor.Seconds() + p.Burst*p.BurstFor.Seconds()) / period.Seconds()
	// The gate drains about 2 requests a second; a message takes two or three.
	if avg >= 2.0/3 {
		t.Fatalf("average %.2f messages/s: the gate queue would grow without end", avg)
	}
	if p.Burst <= 2.0/2 {
		t.Fatalf("burst %.1f messages/s does not exceed what the gate drains", p.Burst)
	}
}

func TestProfileShape(t *testing.T) {
	p := Profile{Quiet: 1, Burst: 10, QuietFor: time.Minute, BurstFor: 30 * time.Second}
	for _, tc := range []struct {
		at   time.Duration
		want float64
	}{{0, 1}, {59 * time.Second, 1}, {time.Minute, 10}, {89 * time.Second, 10}, {90 * time.Second, 1}, {150 * time.Second, 10}} {
		if got := p.RateAt(tc.at); got != tc.want {
			t.Errorf("RateAt(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
}

type recorder struct {
	mu    sync.Mutex
	flows map[message.Flow]int
	n     int
	stop  int
	done  context.CancelFunc
}

func (r *recorder) Send(_ context.Context, f message.Flow, body []byte) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	if r.n == r.stop {
		r.done()
	}
	if len(body) > message.MaxBytes {
		return "", errors.New("message too long")
	}
	r.flows[f]++
	return "id", nil
}

func TestRunSendsCatalogueThenPacedStream(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fake := clock.NewFake(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	rec := &recorder{flows: map[message.Flow]int{}, stop: 20 + 600, done: cancel}
	var kinds []Kind
	var catalogued []string
	p := Profile{Quiet: 1, Burst: 10, QuietFor: time.Minute, BurstFor: time.Minute, Clock: fake,
		Config: Config{Seed: 9, SKUs: 20}, Sent: func(m Message, _ string, _ error) { kinds = append(kinds, m.Kind) },
		Catalogued: func(_ context.Context, skus []string) error {
			if len(kinds) != 20 {
				t.Errorf("Catalogued ran after %d messages, want after the 20 of the catalogue", len(kinds))
			}
			catalogued = skus
			return nil
		}}
	start := fake.Now()
	st, err := Run(ctx, rec, p)
	if err != nil {
		t.Fatal(err)
	}
	if int(st.Sent+st.Refused) != rec.n || rec.n != 620 {
		t.Fatalf("stats %+v, sender saw %d", st, rec.n)
	}
	if len(catalogued) != 20 {
		t.Fatalf("Catalogued got %d SKUs", len(catalogued))
	}
	for i := range 20 {
		if kinds[i] != KindInventory {
			t.Fatalf("message %d is %s; the catalogue comes first", i, kinds[i])
		}
	}
	// 600 stream messages: 60 in the first quiet minute, 600 per burst
	// minute, so the run ends inside the first burst (~1m54s of clock).
	elapsed := fake.Now().Sub(start)
	if elapsed < 110*time.Second || elapsed > 2*time.Minute {
		t.Fatalf("600 messages took %v of clock, want about 1m54s", elapsed)
	}
	if rec.flows[message.FlowOrders] < 300 {
		t.Fatalf("orders %d of 600: the stream should be mostly orders", rec.flows[message.FlowOrders])
	}
}
