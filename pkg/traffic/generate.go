// Package traffic generates the shop's inbound messages for the local runtime
// and the demo: sales orders, inventory updates (the same SKU again and again
// with increasing versions, some delivered out of order), refunds (returns of
// earlier orders and cancellations of recent ones), duplicate deliveries and
// bad messages (malformed JSON, a missing field, a bad value, one over SQS's
// 256 KiB). Everything comes from one seeded generator, so the same seed gives
// the same messages in the same order.
//
// Orders only reference SKUs of the catalogue, whose first versions the
// caller sends (Catalogue) before the stream: an order never names a product
// Logiwa does not know yet.
package traffic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/message"
)

// Kind says what a generated message is.
type Kind string

// Kinds of generated messages.
const (
	KindInventory    Kind = "inventory"     // a product added or changed
	KindOrder        Kind = "order"         // a sales order
	KindReturn       Kind = "return"        // a refund returning goods of an earlier order
	KindCancel       Kind = "cancel"        // a refund cancelling a recent order
	KindDuplicate    Kind = "duplicate"     // the same body delivered again
	KindMalformed    Kind = "malformed"     // not JSON
	KindMissingField Kind = "missing_field" // a required field left out
	KindBadValue     Kind = "bad_value"     // a value the schema refuses
	KindOversize     Kind = "oversize"      // over SQS's 256 KiB: the queue refuses it
)

// Message is one generated delivery.
type Message struct {
	Seq  int // position in the stream, from 1
	Flow message.Flow
	Kind Kind
	// Key is the business key (SKU, order number, RMA); "" when the body has none.
	Key     string
	Version int64
	Body    []byte
	// Valid is whether message.Parse accepts the body.
	Valid bool
	// Original is the Kind of the first delivery, for a KindDuplicate.
	Original Kind
	// OutOfOrder marks an inventory version delivered after a newer one.
	OutOfOrder bool
}

// Counts is how many messages of each kind a finite stream holds (the
// demo's script). Refunds split into returns and cancellations.
type Counts struct {
	Orders     int
	Inventory  int // updates after the catalogue, repeats and out-of-order versions included
	Refunds    int
	Duplicates int
	Invalid    int // malformed, missing field, bad value and oversize, in turn
}

// Total is the number of messages.
func (c Counts) Total() int { return c.Orders + c.Inventory + c.Refunds + c.Duplicates + c.Invalid }

// Scale multiplies every count (at least one of each kind that was non-zero).
func (c Counts) Scale(k float64) Counts {
	s := func(n int) int {
		if n == 0 {
			return 0
		}
		return max(1, int(float64(n)*k+0.5))
	}
	return Counts{Orders: s(c.Orders), Inventory: s(c.Inventory), Refunds: s(c.Refunds), Duplicates: s(c.Duplicates), Invalid: s(c.Invalid)}
}

// Config configures a Generator.
type Config struct {
	Seed uint64
	// SKUs is the catalogue size (default 100).
	SKUs int
	// Start dates the messages' occurredAt and orderDate (default 2026-11-27).
	Start time.Time
	// Prefix makes keys unique per run, e.g. "D1-" (default "").
	Prefix string
	// OutOfOrder is the share of inventory updates delivered after the next
	// version (default 0.2; negative: never).
	OutOfOrder float64
}

// Generator produces messages. It is not safe for concurrent use.
type Generator struct {
	cfg     Config
	rng     *rand.Rand
	seq     int
	skus    []string
	names   map[string]string // sku -> product name
	version map[string]int64  // sku -> highest version generated

	orders    int
	refunds   int
	invalid   int
	recent    []sentOrder // orders not yet refunded, oldest first (bounded)
	bodies    []Message   // recent valid deliveries, for duplicates (bounded ring)
	delayed   []delayedMsg
	remaining Counts // a finite script's counts left; zero: unbounded
	finite    bool
}

type sentOrder struct {
	number string
	seq    int
	lines  []message.OrderLine
}

type delayedMsg struct {
	due int // emit at or after this Seq
	m   Message
}

const (
	keepRecentOrders = 400
	keepBodies       = 64
	// returnLag is how many messages after its order a return may come;
	// cancelWindow is how recent an order must be to be cancelled.
	returnLag    = 150
	cancelWindow = 30
	minCancelAge = 5
)

// New returns a generator.
func New(cfg Config) *Generator {
	if cfg.SKUs <= 0 {
		cfg.SKUs = 100
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	}
	if cfg.OutOfOrder == 0 {
		cfg.OutOfOrder = 0.2
	}
	g := &Generator{
		cfg:     cfg,
		rng:     rand.New(rand.NewPCG(cfg.Seed, 0x7a11)),
		names:   map[string]string{},
		version: map[string]int64{},
	}
	for i := range cfg.SKUs {
		sku := fmt.Sprintf("%sSKU-%04d", cfg.Prefix, i+1)
		g.skus = append(g.skus, sku)
		g.names[sku] = fmt.Sprintf("%s %s", adjectives[i%len(adjectives)], nouns[(i/len(adjectives))%len(nouns)])
	}
	return g
}

// SKUs lists the catalogue.
func (g *Generator) SKUs() []string { return append([]string(nil), g.skus...) }

// Catalogue returns version 1 of every catalogue product: send these (and
// let them apply) before the stream, so orders only name known products.
func (g *Generator) Catalogue() []Message {
	out := make([]Message, 0, len(g.skus))
	for _, sku := range g.skus {
		g.version[sku] = 1
		out = append(out, g.next(g.inventory(sku, 1)))
	}
	return out
}

// Script makes the stream finite: Next then returns exactly c's messages
// (in a seeded order) and reports false after the last.
func (g *Generator) Script(c Counts) {
	g.remaining, g.finite = c, true
}

// Next returns the next message of the stream; ok is false when a Script
// is exhausted. Without a Script the stream is endless, mixed like a shop's
// day (mostly orders).
func (g *Generator) Next() (Message, bool) {
	if len(g.delayed) > 0 && (g.delayed[0].due <= g.seq+1 || (g.finite && g.remaining.Total() == 0)) {
		d := g.delayed[0]
		g.delayed = g.delayed[1:]
		return g.next(d.m), true
	}
	if g.finite && g.remaining.Total() == 0 {
		return Message{}, false
	}
	var m Message
	switch g.draw() {
	case KindOrder:
		m = g.order()
	case KindInventory:
		m = g.inventoryUpdate()
	case KindReturn:
		m = g.refund()
	case KindDuplicate:
		m = g.duplicate()
	default:
		m = g.bad()
	}
	m = g.next(m)
	if m.Valid && m.Kind != KindDuplicate {
		g.bodies = append(g.bodies, m)
		if len(g.bodies) > keepBodies {
			g.bodies = g.bodies[1:]
		}
	}
	return m, true
}

// draw picks the next kind: from the script's remaining counts (so the
// totals are exact), or by fixed weights.
func (g *Generator) draw() Kind {
	c := g.remaining
	if !g.finite {
		c = Counts{Orders: 760, Inventory: 150, Refunds: 45, Duplicates: 30, Invalid: 15}
	}
	// A refund needs an order to refund, a duplicate something to repeat.
	if !g.refundable() {
		c.Orders += c.Refunds
		c.Refunds = 0
	}
	if len(g.bodies) == 0 {
		c.Orders += c.Duplicates
		c.Duplicates = 0
	}
	n := g.rng.IntN(max(c.Total(), 1))
	var k Kind
	switch {
	case n < c.Orders:
		k = KindOrder
	case n < c.Orders+c.Inventory:
		k = KindInventory
	case n < c.Orders+c.Inventory+c.Refunds:
		k = KindReturn
	case n < c.Orders+c.Inventory+c.Refunds+c.Duplicates:
		k = KindDuplicate
	default:
		k = KindBadValue
	}
	if g.finite {
		g.take(k)
	}
	return k
}

// take counts one message of kind k off the script; a refund or duplicate
// that stood in for an order (none possible yet) is taken from the orders,
// or, when those ran out, from whatever is left.
func (g *Generator) take(k Kind) {
	r := &g.remaining
	dec := func(p *int) bool {
		if *p > 0 {
			*p--
			return true
		}
		return false
	}
	switch k {
	case KindOrder:
		if dec(&r.Orders) {
			return
		}
		if dec(&r.Refunds) || dec(&r.Duplicates) {
			return
		}
	case KindInventory:
		if dec(&r.Inventory) {
			return
		}
	case KindReturn:
		if dec(&r.Refunds) {
			return
		}
	case KindDuplicate:
		if dec(&r.Duplicates) {
			return
		}
	default:
		if dec(&r.Invalid) {
			return
		}
	}
	_ = dec(&r.Orders) || dec(&r.Inventory) || dec(&r.Refunds) || dec(&r.Duplicates) || dec(&r.Invalid)
}

func (g *Generator) next(m Message) Message {
	g.seq++
	m.Seq = g.seq
	return m
}

func (g *Generator) occurredAt() string {
	return g.cfg.Start.Add(time.Duration(g.seq) * time.Second).UTC().Format(time.RFC3339)
}

func (g *Generator) messageID(kind string, n int) string {
	return fmt.Sprintf("%s%s-%d-%08x", g.cfg.Prefix, kind, n, g.rng.Uint32())
}

func (g *Generator) inventory(sku string, version int64) Message {
	price := float64(g.rng.IntN(9000)+100) / 100
	active := true
	m := message.Inventory{
		Header: message.Header{Schema: "inventory.v1", MessageID: g.messageID("inv", int(version)), Version: version, OccurredAt: g.occurredAt()},
		SKU:    sku,
		Product: message.Product{
			Name:        fmt.Sprintf("%s v%d", g.names[sku], version),
			Description: fmt.Sprintf("%s, revision %d", g.names[sku], version),
			SalesPrice:  &price,
			Active:      &active,
		},
	}
	return Message{Flow: message.FlowInventory, Kind: KindInventory, Key: sku, Version: version, Body: mustJSON(m), Valid: true}
}

// inventoryUpdate bumps a SKU's version. With the configured share it
// generates two versions and delivers the newer first, holding the older
// one back for a while: the stale guard must skip it.
func (g *Generator) inventoryUpdate() Message {
	sku := g.skus[g.rng.IntN(len(g.skus))]
	v := g.version[sku] + 1
	if g.cfg.OutOfOrder > 0 && g.rng.Float64() < g.cfg.OutOfOrder && (!g.finite || g.remaining.Inventory > 0) {
		older := g.inventory(sku, v)
		older.OutOfOrder = true
		if g.finite {
			g.remaining.Inventory-- // the held-back version is one of the script's updates
		}
		g.version[sku] = v + 1
		g.delayed = append(g.delayed, delayedMsg{due: g.seq + 20 + g.rng.IntN(60), m: older})
		return g.inventory(sku, v+1)
	}
	g.version[sku] = v
	return g.inventory(sku, v)
}

func (g *Generator) order() Message {
	g.orders++
	number := fmt.Sprintf("%sSO-%06d", g.cfg.Prefix, g.orders)
	first, last := firstNames[g.rng.IntN(len(firstNames))], lastNames[g.rng.IntN(len(lastNames))]
	city := cities[g.rng.IntN(len(cities))]
	o := message.Order{
		Header:         message.Header{Schema: "order.v1", MessageID: g.messageID("ord", g.orders), Version: 1, OccurredAt: g.occurredAt()},
		OrderNumber:    number,
		OrderDate:      g.cfg.Start.Format("2006-01-02"),
		Customer:       message.Customer{FirstName: first, LastName: last, Email: strings.ToLower(first+"."+last) + "@example.com"},
		ShipTo:         message.Address{AddressLine1: fmt.Sprintf("%d Market St", g.rng.IntN(900)+1), City: city.name, PostalCode: city.postal, Country: city.country},
		ShippingMethod: "Standard",
		Currency:       "USD",
	}
	nLines := 1 + g.rng.IntN(3)
	seen := map[string]bool{}
	for len(o.Lines) < nLines {
		sku := g.skus[g.rng.IntN(len(g.skus))]
		if seen[sku] {
			continue
		}
		seen[sku] = true
		price := float64(g.rng.IntN(5000)+100) / 100
		o.Lines = append(o.Lines, message.OrderLine{SKU: sku, Quantity: 1 + g.rng.IntN(3), UnitPrice: &price})
	}
	g.recent = append(g.recent, sentOrder{number: number, seq: g.seq + 1, lines: o.Lines})
	if len(g.recent) > keepRecentOrders {
		g.recent = g.recent[1:]
	}
	return Message{Flow: message.FlowOrders, Kind: KindOrder, Key: number, Version: 1, Body: mustJSON(o), Valid: true}
}

// refundable reports whether some order can be refunded now.
func (g *Generator) refundable() bool {
	r, c := g.refundCandidates()
	return r >= 0 || c >= 0
}

// refundCandidates returns the index in recent of an order old enough to
// return (the oldest) and the first of the orders recent enough to cancel
// yet not so recent that the cancellation could overtake the order; -1 for
// none.
func (g *Generator) refundCandidates() (ret, cancel int) {
	ret, cancel = -1, -1
	if len(g.recent) > 0 && g.recent[0].seq+returnLag <= g.seq {
		ret = 0
	}
	for i := len(g.recent) - 1; i >= 0; i-- {
		age := g.seq - g.recent[i].seq
		if age >= cancelWindow {
			break
		}
		if age >= minCancelAge {
			cancel = i
		}
	}
	return ret, cancel
}

// refund returns an order sent long enough ago to have shipped, or cancels
// one sent moments ago; each order is refunded at most once.
func (g *Generator) refund() Message {
	ret, cancel := g.refundCandidates()
	idx, kind := ret, message.RefundReturn
	if cancel >= 0 && (ret < 0 || g.rng.IntN(2) == 0) {
		// any order between cancel and the newest old enough
		hi := cancel
		for hi+1 < len(g.recent) && g.seq-g.recent[hi+1].seq >= minCancelAge {
			hi++
		}
		idx, kind = cancel+g.rng.IntN(hi-cancel+1), message.RefundCancel
	}
	if idx < 0 {
		return g.order() // nothing to refund: the caller checked, but stay safe
	}
	g.refunds++
	rma := fmt.Sprintf("%sRMA-%05d", g.cfg.Prefix, g.refunds)
	o := g.recent[idx]
	g.recent = append(g.recent[:idx], g.recent[idx+1:]...)
	r := message.Refund{
		Header:      message.Header{Schema: "refund.v1", MessageID: g.messageID("ref", g.refunds), Version: 1, OccurredAt: g.occurredAt()},
		RMA:         rma,
		OrderNumber: o.number,
		Kind:        kind,
	}
	k := KindCancel
	if kind == message.RefundReturn {
		k = KindReturn
		r.Reason = "Did not fit"
		l := o.lines[g.rng.IntN(len(o.lines))]
		r.Lines = []message.RefundLine{{SKU: l.SKU, Quantity: 1 + g.rng.IntN(l.Quantity)}}
	} else {
		r.Reason = "Customer changed their mind"
	}
	return Message{Flow: message.FlowRefunds, Kind: k, Key: rma, Version: 1, Body: mustJSON(r), Valid: true}
}

// duplicate delivers one of the recent bodies again, byte for byte.
func (g *Generator) duplicate() Message {
	orig := g.bodies[g.rng.IntN(len(g.bodies))]
	return Message{Flow: orig.Flow, Kind: KindDuplicate, Key: orig.Key, Version: orig.Version, Body: orig.Body, Valid: true, Original: orig.Kind, OutOfOrder: orig.OutOfOrder}
}

// bad returns a message the schema refuses, cycling through the kinds of
// badness. Each is an order with its own number, so each parks on its own.
func (g *Generator) bad() Message {
	g.invalid++
	kinds := []Kind{KindMissingField, KindBadValue, KindMalformed, KindMissingField, KindBadValue, KindOversize}
	k := kinds[(g.invalid-1)%len(kinds)]
	base := g.order()
	g.recent = g.recent[:len(g.recent)-1] // never refund an order that does not exist
	g.orders--
	number := fmt.Sprintf("%sBAD-%04d", g.cfg.Prefix, g.invalid)
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(base.Body))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		panic(fmt.Sprintf("traffic: re-read generated order: %v", err)) // our own JSON
	}
	obj["orderNumber"] = number
	m := Message{Flow: message.FlowOrders, Kind: k, Key: number, Version: 1}
	switch k {
	case KindMissingField:
		delete(obj, "customer")
		m.Body = mustJSON(obj)
	case KindBadValue:
		obj["lines"].([]any)[0].(map[string]any)["quantity"] = 0
		m.Body = mustJSON(obj)
	case KindMalformed:
		b := mustJSON(obj)
		m.Body, m.Key = b[:len(b)/2], ""
	case KindOversize:
		obj["customer"].(map[string]any)["lastName"] = strings.Repeat("x", message.MaxBytes)
		m.Body = mustJSON(obj)
	}
	return m
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("traffic: encode generated message: %v", err)) // only our own types
	}
	return b
}

var (
	adjectives = []string{"Blue", "Red", "Green", "Trail", "Urban", "Classic", "Summit", "Harbor", "Canyon", "Aurora"}
	nouns      = []string{"Mug", "T-Shirt", "Notebook", "Backpack", "Water Bottle", "Cap", "Hoodie", "Lamp", "Scarf", "Tote"}
	firstNames = []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Radia", "Linus"}
	lastNames  = []string{"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson", "Perlman", "Torvalds"}
	cities     = []struct{ name, postal, country string }{
		{"London", "N1 9GU", "GB"}, {"Berlin", "10115", "DE"}, {"Austin", "73301", "US"},
		{"Toronto", "M5H 2N2", "CA"}, {"Lyon", "69001", "FR"}, {"Denver", "80202", "US"},
	}
)
