package logiwasim

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"time"
)

// DefaultSettledInMemory is how many settled orders and returns stay in
// memory when Options.SettledInMemory is zero. The most recently settled are
// the ones the order sync and refunds ask about next; the rest move to the
// archive.
const DefaultSettledInMemory = 256

// orderEntry is what the store keeps in memory of every shipment order. While
// the order is hot, o is all of it and status and update time are read from
// o; once archived (o nil) the entry is a stub holding what list filters,
// sorting and lookups need without reading the archive. Times are Unix
// nanoseconds: 8 bytes instead of time.Time's 24, on every order ever made.
type orderEntry struct {
	o                               *order
	id, code, clientID, warehouseID string
	created, updated                int64
	seq, status                     int32
}

func newOrderEntry(o *order) orderEntry {
	return orderEntry{
		o: o, id: o.ID, code: o.Code, clientID: o.ClientID, warehouseID: o.WarehouseID,
		created: unixNano(o.Created), updated: unixNano(o.Updated), seq: int32(o.Seq), status: int32(o.Status),
	}
}

func (e *orderEntry) statusOf() int {
	if e.o != nil {
		return e.o.Status
	}
	return int(e.status)
}

// unixNanos is a time as Unix nanoseconds (0: none).
type unixNanos int64

// updatedField is the update time for an LQL filter: a pointer into the stub
// when archived, so filtering thousands of stubs allocates nothing.
func (e *orderEntry) updatedField() any {
	if e.o != nil {
		return e.o.Updated
	}
	return (*unixNanos)(&e.updated)
}

// returnEntry is orderEntry's counterpart for return orders.
type returnEntry struct {
	r                                  *returnOrder
	id, rma, clientID, warehouseID     string
	shipmentOrderID, shipmentOrderCode string
	created                            int64
	seq, status                        int32
}

func newReturnEntry(r *returnOrder) returnEntry {
	return returnEntry{
		r: r, id: r.ID, rma: r.RMA, clientID: r.ClientID, warehouseID: r.WarehouseID,
		shipmentOrderID: r.ShipmentOrderID, shipmentOrderCode: r.ShipmentOrderCode,
		created: unixNano(r.Created), seq: int32(r.Seq), status: int32(r.Status),
	}
}

func (e *returnEntry) statusOf() int {
	if e.r != nil {
		return e.r.Status
	}
	return int(e.status)
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func unixTime(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// settledRef names a settled order (or return) still held in memory.
type settledRef struct {
	seq      int32
	isReturn bool
}

func (st *store) addOrder(o *order) {
	st.orders = append(st.orders, newOrderEntry(o))
	i := int32(len(st.orders) - 1)
	st.orderByID[o.ID] = i
	st.orderByCode[o.Code] = i
}

func (st *store) addReturn(r *returnOrder) {
	st.returns = append(st.returns, newReturnEntry(r))
	st.returnByRMA[r.RMA] = int32(len(st.returns) - 1)
}

// orderBySeq finds an order's entry; entries are in creation order.
func (st *store) orderBySeq(seq int) *orderEntry {
	i := sort.Search(len(st.orders), func(i int) bool { return int(st.orders[i].seq) >= seq })
	if i < len(st.orders) && int(st.orders[i].seq) == seq {
		return &st.orders[i]
	}
	return nil
}

func (st *store) returnBySeq(seq int) *returnEntry {
	i := sort.Search(len(st.returns), func(i int) bool { return int(st.returns[i].seq) >= seq })
	if i < len(st.returns) && int(st.returns[i].seq) == seq {
		return &st.returns[i]
	}
	return nil
}

var errArchiveClosed = errors.New("logiwasim: the archive is closed")

// loadOrder is the whole order of an entry: the hot one, or a copy read from
// the archive (changing the copy changes nothing until storeArchived). Needs s.mu.
func (s *Server) loadOrder(e *orderEntry) (*order, error) {
	if e.o != nil {
		return e.o, nil
	}
	if s.arc == nil {
		return nil, errArchiveClosed
	}
	return s.arc.order(int(e.seq))
}

// loadReturn is loadOrder for return orders. Needs s.mu.
func (s *Server) loadReturn(e *returnEntry) (*returnOrder, error) {
	if e.r != nil {
		return e.r, nil
	}
	if s.arc == nil {
		return nil, errArchiveClosed
	}
	return s.arc.returnOrder(int(e.seq))
}

// storeArchived writes back an archived order that changed, keeping its stub
// in step. Needs s.mu.
func (s *Server) storeArchived(e *orderEntry, o *order) error {
	if s.arc == nil {
		return errArchiveClosed
	}
	if err := s.arc.put(archiveOrderKind, o.Seq, orderFile(o)); err != nil {
		return err
	}
	e.status, e.updated = int32(o.Status), unixNano(o.Updated)
	s.changed()
	return nil
}

// settleOrder notes that an order reached a final state (no step due) and
// archives the oldest settled ones beyond Options.SettledInMemory. Needs s.mu.
func (s *Server) settleOrder(o *order) {
	if s.opts.StatePath == "" {
		return
	}
	s.st.settled = append(s.st.settled, settledRef{seq: int32(o.Seq)})
	s.archiveSettled()
}

// settleReturn is settleOrder for return orders. Needs s.mu.
func (s *Server) settleReturn(r *returnOrder) {
	if s.opts.StatePath == "" {
		return
	}
	s.st.settled = append(s.st.settled, settledRef{seq: int32(r.Seq), isReturn: true})
	s.archiveSettled()
}

// archiveSettled moves settled orders to the archive, oldest first, until at
// most Options.SettledInMemory remain in memory. When the archive cannot be
// written they stay in memory (and in the state file) and the next
// settlement tries again. Needs s.mu.
func (s *Server) archiveSettled() {
	keep := max(s.opts.SettledInMemory, 0)
	for len(s.st.settled) > keep {
		if err := s.archiveOne(s.st.settled[0]); err != nil {
			if !s.archiveFailing {
				s.log.Error("logiwasim: archive settled orders (they stay in memory)", "err", err)
			}
			s.archiveFailing = true
			return
		}
		s.archiveFailing = false
		s.st.settled[0] = settledRef{}
		s.st.settled = s.st.settled[1:]
		s.changed()
	}
}

func (s *Server) archiveOne(ref settledRef) error {
	if s.arc == nil {
		if s.arcClosed {
			return errArchiveClosed
		}
		// First settled order to archive and the state file named no
		// archive: anything in the directory is left from another warehouse.
		a, err := openArchive(s.archiveDir(), true, s.log)
		if err != nil {
			return err
		}
		s.amu.Lock()
		s.arc = a
		s.amu.Unlock()
	}
	if ref.isReturn {
		e := s.st.returnBySeq(int(ref.seq))
		if e == nil || e.r == nil {
			return nil
		}
		if err := s.arc.put(archiveReturnKind, e.r.Seq, returnFile(e.r)); err != nil {
			return err
		}
		e.status, e.r = int32(e.r.Status), nil
		s.st.archivedReturns++
		return nil
	}
	e := s.st.orderBySeq(int(ref.seq))
	if e == nil || e.o == nil {
		return nil
	}
	if err := s.arc.put(archiveOrderKind, e.o.Seq, orderFile(e.o)); err != nil {
		return err
	}
	e.status, e.updated, e.o = int32(e.o.Status), unixNano(e.o.Updated), nil
	s.st.archivedOrders++
	return nil
}

func (s *Server) archiveDir() string { return s.opts.StatePath + ArchiveSuffix }

// isSettledOrder says whether an order has reached a final state.
func isSettledOrder(o *order) bool {
	return o.next.IsZero() && (o.Status == StatusShipped || o.Status == StatusCancelled)
}

func isSettledReturn(r *returnOrder) bool {
	return r.next.IsZero() && r.Status != ReturnStatusOpen
}

// restoreArchive opens the archive a state file names, reads its stubs into
// the store beside the hot orders (in creation order) and checks it holds
// as many as the file counted. Entries the file does not know (written after
// its last save, before a crash) are dropped: the file is the truth. Only
// called from Open, before the server is shared.
func (s *Server) restoreArchive(st *store, fa StateFileArchive, sequence int) error {
	if fa.Dir == "" || fa.Dir != filepath.Base(fa.Dir) {
		return fmt.Errorf("archive.dir %q: want a directory name beside the state file", fa.Dir)
	}
	a, err := openArchive(filepath.Join(filepath.Dir(s.opts.StatePath), fa.Dir), false, s.log)
	if err != nil {
		return err
	}
	intern := map[string]string{}
	for _, c := range st.clients {
		intern[c.ID] = c.ID
	}
	for _, w := range st.warehouses {
		intern[w.ID] = w.ID
	}
	hot := map[int]bool{}
	for _, e := range st.orders {
		hot[int(e.seq)] = true
	}
	for _, e := range st.returns {
		hot[int(e.seq)] = true
	}
	var orders []orderEntry
	var returns []returnEntry
	var stale []int
	var stub archiveStub
	decodeStub := func(seq int, v []byte) (bool, error) {
		if seq > sequence || hot[seq] {
			stale = append(stale, seq)
			return false, nil
		}
		stub = archiveStub{}
		if err := json.Unmarshal(v, &stub); err != nil {
			return false, fmt.Errorf("archive: record %d: %w", seq, err)
		}
		if stub.Seq != seq {
			return false, fmt.Errorf("archive: record %d holds seq %d", seq, stub.Seq)
		}
		c, okC := intern[stub.ClientID]
		w, okW := intern[stub.WarehouseID]
		if !okC || !okW {
			return false, fmt.Errorf("archive: record %d: unknown client %q or warehouse %q", seq, stub.ClientID, stub.WarehouseID)
		}
		stub.ClientID, stub.WarehouseID = c, w
		return true, nil
	}
	err = a.scan(archiveOrderKind, func(seq int, v []byte) error {
		ok, err := decodeStub(seq, v)
		if ok {
			orders = append(orders, orderEntry{
				id: stub.ID, code: stub.Code, clientID: stub.ClientID, warehouseID: stub.WarehouseID,
				created: unixNano(stub.Created), updated: unixNano(stub.Updated), seq: int32(seq), status: int32(stub.Status),
			})
		}
		return err
	})
	for _, seq := range stale {
		err = errors.Join(err, a.delete(archiveOrderKind, seq))
	}
	stale = stale[:0]
	if err == nil {
		err = a.scan(archiveReturnKind, func(seq int, v []byte) error {
			ok, err := decodeStub(seq, v)
			if ok {
				returns = append(returns, returnEntry{
					id: stub.ID, rma: stub.RMA, clientID: stub.ClientID, warehouseID: stub.WarehouseID,
					shipmentOrderID: stub.ShipmentOrderID, shipmentOrderCode: stub.ShipmentOrderCode,
					created: unixNano(stub.Created), seq: int32(seq), status: int32(stub.Status),
				})
			}
			return err
		})
	}
	for _, seq := range stale {
		err = errors.Join(err, a.delete(archiveReturnKind, seq))
	}
	if err == nil && (len(orders) != fa.ShipmentOrders || len(returns) != fa.ReturnOrders) {
		err = fmt.Errorf("archive %s holds %d shipment and %d return orders, the state file counts %d and %d",
			a.dir, len(orders), len(returns), fa.ShipmentOrders, fa.ReturnOrders)
	}
	if err == nil {
		err = st.mergeArchived(orders, returns)
	}
	if err != nil {
		_ = a.db.Close()
		return err
	}
	st.archivedOrders, st.archivedReturns = len(orders), len(returns)
	s.arc = a
	return nil
}

// mergeArchived puts archived stubs beside the hot entries in creation order
// and indexes them all again.
func (st *store) mergeArchived(orders []orderEntry, returns []returnEntry) error {
	st.orders = append(st.orders, orders...)
	sort.SliceStable(st.orders, func(i, j int) bool { return st.orders[i].seq < st.orders[j].seq })
	st.returns = append(st.returns, returns...)
	sort.SliceStable(st.returns, func(i, j int) bool { return st.returns[i].seq < st.returns[j].seq })
	clear(st.orderByID)
	clear(st.orderByCode)
	clear(st.returnByRMA)
	for i, e := range st.orders {
		if _, dup := st.orderByID[e.id]; dup {
			return fmt.Errorf("archive: duplicate shipment order id %s", e.id)
		}
		if _, dup := st.orderByCode[e.code]; dup {
			return fmt.Errorf("archive: duplicate shipment order code %s", e.code)
		}
		st.orderByID[e.id], st.orderByCode[e.code] = int32(i), int32(i)
	}
	for i, e := range st.returns {
		if _, dup := st.returnByRMA[e.rma]; dup {
			return fmt.Errorf("archive: duplicate RMA number %s", e.rma)
		}
		st.returnByRMA[e.rma] = int32(i)
	}
	return nil
}

// requeueSettled lists the hot settled orders and returns of a restored
// store in the order they settled (update time, then creation), so the
// archive takes them as it would have without the restart.
func (st *store) requeueSettled() {
	type item struct {
		at  time.Time
		ref settledRef
	}
	var items []item
	for _, e := range st.orders {
		if e.o != nil && isSettledOrder(e.o) {
			items = append(items, item{e.o.Updated, settledRef{seq: e.seq}})
		}
	}
	for _, e := range st.returns {
		if e.r != nil && isSettledReturn(e.r) {
			items = append(items, item{e.r.Updated, settledRef{seq: e.seq, isReturn: true}})
		}
	}
	sort.Slice(items, func(i, j int) bool {
		if c := items[i].at.Compare(items[j].at); c != 0 {
			return c < 0
		}
		return items[i].ref.seq < items[j].ref.seq
	})
	st.settled = st.settled[:0]
	for _, it := range items {
		st.settled = append(st.settled, it.ref)
	}
}
