package logiwasim

import (
	"container/heap"
	"fmt"
	"time"
)

// The warehouse works lazily: every order and return carries the time its
// next step is due, and tick applies all steps due up to now, in time order,
// before any request or snapshot looks at the state. The result depends only
// on the clock and the request sequence, never on goroutine timing.

type event struct {
	at  time.Time
	seq int // creation sequence of the object: breaks ties deterministically
	o   *order
	r   *returnOrder
}

type eventQueue []event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = event{} // the backing array must not keep the order alive
	*q = old[:len(old)-1]
	return e
}

func (s *Server) scheduleOrder(o *order, at time.Time) {
	o.next = at
	heap.Push(&s.st.pendingEvents, event{at: at, seq: o.Seq, o: o})
}

func (s *Server) scheduleReturn(r *returnOrder, at time.Time) {
	r.next = at
	heap.Push(&s.st.pendingEvents, event{at: at, seq: r.Seq, r: r})
}

// tick applies every warehouse step due at or before now. Needs s.mu.
func (s *Server) tick(now time.Time) {
	q := &s.st.pendingEvents
	for q.Len() > 0 && !(*q)[0].at.After(now) {
		ev := heap.Pop(q).(event)
		s.changed()
		switch {
		case ev.o != nil:
			if ev.o.next.IsZero() || !ev.o.next.Equal(ev.at) {
				continue // superseded, e.g. the order was cancelled
			}
			s.stepOrder(ev.o, ev.at)
		case ev.r != nil:
			if ev.r.next.IsZero() || !ev.r.next.Equal(ev.at) {
				continue
			}
			s.stepReturn(ev.r, ev.at)
		}
	}
}

// stepOrder moves an order one step through the warehouse at time at.
func (s *Server) stepOrder(o *order, at time.Time) {
	tl := s.opts.Timeline
	o.next = time.Time{}
	switch o.Status {
	case StatusOpen, StatusShortage:
		s.allocate(o, at)
	case StatusPickingStarted:
		s.pick(o)
		o.Status = StatusReadyToPack
		o.Updated = at
		s.scheduleOrder(o, at.Add(tl.Ship))
	case StatusReadyToPack:
		s.ship(o, at)
	}
}

// allocate reserves stock for the order's lines. With nothing available the
// order waits in Shortage and tries again after the pick interval; with some
// available it proceeds with what it got, which makes the shipment partial.
func (s *Server) allocate(o *order, at time.Time) {
	tl := s.opts.Timeline
	want := make([]int64, len(o.Lines))
	var total int64
	for i, l := range o.Lines {
		st := s.st.stockOf(o.WarehouseID, l.ProductID)
		avail := max(st.OnHand-st.Allocated, 0)
		want[i] = min(avail, l.Qty)
		total += want[i]
	}
	if total == 0 {
		if o.Status != StatusShortage {
			o.Status = StatusShortage
			o.Updated = at
		}
		s.scheduleOrder(o, at.Add(tl.Pick))
		return
	}
	for i := range o.Lines {
		l := &o.Lines[i]
		l.Allocated = want[i]
		s.st.stockOf(o.WarehouseID, l.ProductID).Allocated += want[i]
	}
	o.Status = StatusPickingStarted
	o.Updated = at
	s.scheduleOrder(o, at.Add(tl.Pack))
}

// pick takes the allocated units; with probability PartialRate a line is
// short-picked (at least one unit of the order still ships).
func (s *Server) pick(o *order) {
	var units int64
	var candidates []int
	for i, l := range o.Lines {
		units += l.Allocated
		if l.Allocated > 0 {
			candidates = append(candidates, i)
		}
	}
	draw := s.wh.Float64() // drawn for every order so later decisions do not depend on this one's size
	if units > 1 && draw < s.opts.PartialRate {
		l := &o.Lines[candidates[s.wh.IntN(len(candidates))]]
		short := int64(1)
		if l.Allocated > 1 {
			short = 1 + s.wh.Int64N(l.Allocated-1)
		}
		l.Allocated -= short
		s.st.stockOf(o.WarehouseID, l.ProductID).Allocated -= short
	}
	for i := range o.Lines {
		o.Lines[i].Picked = o.Lines[i].Allocated
	}
}

// ship packs the picked units into one or two packages, each with a tracking
// number, takes them out of stock and cancels what was not picked.
func (s *Server) ship(o *order, at time.Time) {
	var withUnits []int
	for i, l := range o.Lines {
		if l.Picked > 0 {
			withUnits = append(withUnits, i)
		}
	}
	n := 1
	if len(withUnits) > 1 {
		n += s.wh.IntN(2)
	}
	if o.Carrier == "" {
		o.Carrier = s.st.carriers[0].Name
	}
	pkgs := make([]shipmentPackage, n)
	for i := range pkgs {
		pkgs[i] = shipmentPackage{TrackingNumber: s.trackingNumber(o.Carrier), ShippedAt: at}
	}
	for k, li := range withUnits {
		pkgs[k%n].Lines = append(pkgs[k%n].Lines, packageLine{Line: li, Qty: o.Lines[li].Picked})
	}
	for i := range o.Lines {
		l := &o.Lines[i]
		l.Packed, l.Shipped = l.Picked, l.Picked
		l.Cancel = l.Qty - l.Shipped
		st := s.st.stockOf(o.WarehouseID, l.ProductID)
		st.OnHand -= l.Shipped
		st.Allocated -= l.Allocated
		if l.Cancel > 0 {
			o.IsPartial = true
		}
	}
	o.Packages = pkgs
	for _, p := range pkgs {
		o.TrackingNumbers = append(o.TrackingNumbers, p.TrackingNumber)
	}
	t := at
	o.ShippedAt = &t
	o.Status = StatusShipped
	o.Updated = at
	s.settleOrder(o)
}

func (s *Server) trackingNumber(carrier string) string {
	switch carrier {
	case "UPS":
		return fmt.Sprintf("1Z%06X%010d", s.wh.Uint32()&0xffffff, s.wh.Int64N(1e10))
	case "FedEx":
		return fmt.Sprintf("%012d", s.wh.Int64N(1e12))
	default:
		return fmt.Sprintf("9400%018d", s.wh.Int64N(1e18))
	}
}

// cancelOrder cancels an order that has not started picking.
func (s *Server) cancelOrder(o *order, reason string, at time.Time) error {
	switch o.Status {
	case StatusOpen, StatusShortage, StatusOnHold:
	case StatusCancelled:
		return fmt.Errorf("Shipment order %s is already cancelled.", o.Code)
	default:
		return fmt.Errorf("Shipment order %s cannot be cancelled in status %s.", o.Code, StatusName(o.Status))
	}
	for i := range o.Lines {
		l := &o.Lines[i]
		s.st.stockOf(o.WarehouseID, l.ProductID).Allocated -= l.Allocated
		l.Allocated = 0
		l.Cancel = l.Qty
	}
	o.Status = StatusCancelled
	o.CancelReasonName = reason
	o.next = time.Time{}
	o.Updated = at
	s.settleOrder(o)
	return nil
}

// stepReturn receives a return: the units go back on hand.
func (s *Server) stepReturn(r *returnOrder, at time.Time) {
	r.next = time.Time{}
	if r.Status != ReturnStatusOpen {
		return
	}
	for i := range r.Lines {
		l := &r.Lines[i]
		l.Returned = l.Requested
		s.st.stockOf(r.WarehouseID, l.ProductID).OnHand += l.Returned
	}
	t := at
	r.ActualReturn = &t
	r.Status = ReturnStatusCompleted
	r.Updated = at
	s.settleReturn(r)
}
