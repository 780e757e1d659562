package logiwasim

import "fmt"

// Streaming reads for a reconciliation over every order: unlike Snapshot,
// which copies the whole warehouse under the lock, these visit the orders in
// creation order a chunk at a time, holding the simulator's lock only to copy
// a chunk's hot orders and to note which are archived, and reading archived
// ones from disk one at a time with the lock released. Orders created or
// changed during the visit may or may not be seen as changed: consistent
// enough for a reconciliation run once the system is idle.

// eachChunk is how many entries one hold of the lock covers.
const eachChunk = 256

// pendingState is a chunk's entry: a hot order's state copied under the
// lock, or the sequence of an archived one to read after.
type pendingState[S any] struct {
	state    S
	seq      int
	archived bool
}

// EachShipmentOrder catches the warehouse up to now and calls fn with every
// shipment order, in creation order, stopping at fn's first error.
func (s *Server) EachShipmentOrder(fn func(OrderState) error) error {
	return eachEntry(s, func() int { return len(s.st.orders) },
		func(i int) (*order, int) { e := &s.st.orders[i]; return e.o, int(e.seq) },
		orderState, (*archive).order, fn)
}

// EachReturnOrder is EachShipmentOrder for return orders.
func (s *Server) EachReturnOrder(fn func(ReturnState) error) error {
	return eachEntry(s, func() int { return len(s.st.returns) },
		func(i int) (*returnOrder, int) { e := &s.st.returns[i]; return e.r, int(e.seq) },
		returnState, (*archive).returnOrder, fn)
}

// eachEntry is the walk both share: count and at read the store (under s.mu),
// state turns a whole order into its State, load reads an archived one.
func eachEntry[O any, S any](s *Server, count func() int, at func(int) (*O, int),
	state func(*O, map[string]string) S, load func(*archive, int) (*O, error), fn func(S) error) error {
	s.mu.Lock()
	s.tick(s.now())
	whCode := s.warehouseCodes()
	s.mu.Unlock()
	chunk := make([]pendingState[S], 0, eachChunk)
	for next := 0; ; {
		chunk = chunk[:0]
		s.mu.Lock()
		n := count()
		for ; next < n && len(chunk) < eachChunk; next++ {
			o, seq := at(next)
			if o != nil {
				chunk = append(chunk, pendingState[S]{state: state(o, whCode)})
			} else {
				chunk = append(chunk, pendingState[S]{seq: seq, archived: true})
			}
		}
		s.mu.Unlock()
		if len(chunk) == 0 {
			return nil
		}
		for _, p := range chunk {
			if p.archived {
				o, err := loadArchived(s, p.seq, load)
				if err != nil {
					return err
				}
				p.state = state(o, whCode)
			}
			if err := fn(p.state); err != nil {
				return err
			}
		}
	}
}

// loadArchived reads one archived record without s.mu, holding amu so Close
// waits for it.
func loadArchived[O any](s *Server, seq int, load func(*archive, int) (*O, error)) (*O, error) {
	s.amu.RLock()
	defer s.amu.RUnlock()
	if s.arc == nil {
		return nil, fmt.Errorf("logiwasim: read archived record %d: %w", seq, errArchiveClosed)
	}
	return load(s.arc, seq)
}

// ShipmentOrderByCode returns the state of the shipment order with the code,
// reading it from the archive when it is settled there.
func (s *Server) ShipmentOrderByCode(code string) (OrderState, bool) {
	s.mu.Lock()
	s.tick(s.now())
	i, ok := s.st.orderByCode[code]
	if !ok {
		s.mu.Unlock()
		return OrderState{}, false
	}
	whCode := s.warehouseCodes()
	e := &s.st.orders[i]
	if e.o != nil {
		st := orderState(e.o, whCode)
		s.mu.Unlock()
		return st, true
	}
	seq := int(e.seq)
	s.mu.Unlock()
	o, err := loadArchived(s, seq, (*archive).order)
	if err != nil {
		s.log.Error("logiwasim: shipment order by code", "code", code, "err", err)
		return OrderState{}, false
	}
	return orderState(o, whCode), true
}

// warehouseCodes maps warehouse identifiers to codes. Needs s.mu.
func (s *Server) warehouseCodes() map[string]string {
	m := make(map[string]string, len(s.st.warehouses))
	for _, w := range s.st.warehouses {
		m[w.ID] = w.Code
	}
	return m
}
