package logiwasim

import (
	"bytes"
	"container/heap"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/localaws/snapshot"
)

// DefaultStateFlushInterval is how long after a change the state file is
// written when Options.StateFlushInterval is zero: a burst of requests costs
// one write. Each write encodes the live part of the warehouse (about 3 MB
// at a sale's peak); at one a second that was half of everything the demo
// allocated, so a crash may lose up to 5 s of the simulated warehouse.
const DefaultStateFlushInterval = 5 * time.Second

// Open builds a simulator like New and reports a state file it cannot use.
// With Options.StatePath set, the warehouse is loaded from that file when it
// exists (else seeded as usual and the file written at once, so an unwritable
// path fails here rather than at the first change); afterwards every change
// is written back at most once per StateFlushInterval, and on Close.
func Open(opts Options) (*Server, error) {
	s := newServer(opts)
	path := s.opts.StatePath
	if path == "" {
		s.seed(s.now())
		return s, nil
	}
	data, ok, err := snapshot.Read(path)
	if err != nil {
		return nil, fmt.Errorf("logiwasim: %w", err)
	}
	if ok {
		if err := s.restore(data); err != nil {
			return nil, fmt.Errorf("logiwasim: state file %s: %w", path, err)
		}
		s.log.Info("logiwasim: warehouse restored", "path", path,
			"products", len(s.st.products), "shipmentOrders", len(s.st.orders), "returnOrders", len(s.st.returns),
			"archivedShipmentOrders", s.st.archivedOrders, "archivedReturnOrders", s.st.archivedReturns)
	} else {
		s.seed(s.now())
	}
	if err := s.Flush(); err != nil {
		_ = s.closeArchive() // the error that matters is err
		return nil, err
	}
	s.flusher = snapshot.StartFlusher(s.opts.StateFlushInterval, s.Flush, func(err error) {
		s.log.Error("logiwasim: save state", "err", err)
	})
	return s, nil
}

// Flush writes the warehouse to Options.StatePath now (atomically: a reader
// sees the old file or the new one, never a torn one). Without a StatePath it
// does nothing. A state equal to the last one written is not written again.
func (s *Server) Flush() error {
	if s.opts.StatePath == "" {
		return nil
	}
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.mu.Lock()
	f, err := s.stateFileLocked()
	arc := s.arc
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("logiwasim: save state: %w", err)
	}
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("logiwasim: encode state: %w", err)
	}
	// The file counts on every order archived before it was copied: make
	// those writes durable first (also when the file is unchanged: an
	// archived order may have changed). The archive is closed only by
	// closeState, after its last Flush, and fmu is held here.
	if arc != nil {
		if err := arc.sync(); err != nil {
			return fmt.Errorf("logiwasim: save state: %w", err)
		}
	}
	sum := sha256.Sum256(b)
	if s.saved && sum == s.lastSum {
		return nil
	}
	if err := snapshot.WriteAtomic(s.opts.StatePath, b); err != nil {
		return fmt.Errorf("logiwasim: %w", err)
	}
	s.lastSum, s.saved = sum, true
	return nil
}

// changed asks for a debounced write of the state file. It never blocks, so
// callers may hold s.mu.
func (s *Server) changed() {
	if s.flusher != nil {
		s.flusher.Request()
	}
}

// closeState stops the background writer and writes the final state.
func (s *Server) closeState() error {
	if s.flusher == nil {
		return nil
	}
	s.flusher.Stop()
	err := s.Flush()
	s.fmu.Lock()
	defer s.fmu.Unlock()
	return errors.Join(err, s.closeArchive())
}

// closeArchive closes the archive; requests after it answer 500 for archived
// orders.
func (s *Server) closeArchive() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.amu.Lock()
	defer s.amu.Unlock()
	s.arcClosed = true
	if s.arc == nil {
		return nil
	}
	err := s.arc.close()
	s.arc = nil
	if err != nil {
		return fmt.Errorf("logiwasim: %w", err)
	}
	return nil
}

// stateFileLocked copies the warehouse into its file form. It does not catch
// the warehouse up to now: steps still due are kept as due, and happen after
// a restart exactly as they would have. Needs s.mu.
func (s *Server) stateFileLocked() (StateFile, error) {
	st := s.st
	f := StateFile{
		Version: StateFileVersion, Seed: s.opts.Seed, ClockOffset: Duration(s.offset.Load()), Sequence: st.seq,
		Clients: []StateFileClient{}, Warehouses: []StateFileWarehouse{}, OrderTypes: []StateFileRef{}, Carriers: []StateFileRef{},
		Products: []StateFileProduct{}, Stock: []StateFileStock{}, Orders: []StateFileOrder{}, Returns: []StateFileReturn{},
	}
	var err error
	if f.Generators.IDs, err = s.idsSrc.MarshalBinary(); err != nil {
		return f, fmt.Errorf("identifier generator: %w", err)
	}
	if f.Generators.Warehouse, err = s.whSrc.MarshalBinary(); err != nil {
		return f, fmt.Errorf("warehouse generator: %w", err)
	}
	if f.Generators.Tokens, err = s.tokSrc.MarshalBinary(); err != nil {
		return f, fmt.Errorf("token generator: %w", err)
	}
	for _, c := range st.clients {
		f.Clients = append(f.Clients, StateFileClient{ID: c.ID, DisplayName: c.DisplayName, FullName: c.FullName, OfficialIdentity: c.OfficialIdentity, Created: c.Created})
	}
	for _, w := range st.warehouses {
		f.Warehouses = append(f.Warehouses, StateFileWarehouse{ID: w.ID, Code: w.Code, Description: w.Description, Created: w.Created})
	}
	for _, r := range st.orderTypes {
		f.OrderTypes = append(f.OrderTypes, StateFileRef(r))
	}
	for _, r := range st.carriers {
		f.Carriers = append(f.Carriers, StateFileRef(r))
	}
	for _, p := range st.products {
		f.Products = append(f.Products, productFile(p))
	}
	// Warehouse then product order, not map order, so that an unchanged
	// warehouse gives the same bytes and is not written again.
	for _, w := range st.warehouses {
		for _, p := range st.products {
			if v := st.stock[stockKey{w.ID, p.ID}]; v != nil {
				f.Stock = append(f.Stock, StateFileStock{WarehouseID: w.ID, ProductID: p.ID, OnHand: v.OnHand, Allocated: v.Allocated})
			}
		}
	}
	// Only the hot orders: archived ones are in the archive, which the file
	// names with their counts.
	for i := range st.orders {
		if o := st.orders[i].o; o != nil {
			f.Orders = append(f.Orders, orderFile(o))
		}
	}
	for i := range st.returns {
		if r := st.returns[i].r; r != nil {
			f.Returns = append(f.Returns, returnFile(r))
		}
	}
	if s.arc != nil {
		f.Archive = &StateFileArchive{
			Dir: filepath.Base(s.archiveDir()), ShipmentOrders: st.archivedOrders, ReturnOrders: st.archivedReturns,
		}
	}
	return f, nil
}

// restore replaces the (empty) store with the file's warehouse. Only called
// from Open, before the server is shared.
func (s *Server) restore(data []byte) error {
	var head struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return fmt.Errorf("not a state file: %w", err)
	}
	switch {
	case head.Version == nil:
		return errors.New("not a state file: no version")
	case *head.Version > StateFileVersion:
		return fmt.Errorf("version %d is newer than this simulator reads (%d)", *head.Version, StateFileVersion)
	case *head.Version != StateFileVersion:
		return fmt.Errorf("version %d is not supported (want %d)", *head.Version, StateFileVersion)
	}
	var f StateFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a field we do not know would be lost on the next write
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	st, err := buildStore(f)
	if err != nil {
		return err
	}
	for _, g := range []struct {
		name string
		src  *rand.PCG
		data []byte
	}{{"ids", s.idsSrc, f.Generators.IDs}, {"warehouse", s.whSrc, f.Generators.Warehouse}, {"tokens", s.tokSrc, f.Generators.Tokens}} {
		if err := g.src.UnmarshalBinary(g.data); err != nil {
			return fmt.Errorf("generators.%s: %w", g.name, err)
		}
	}
	if f.Seed != s.opts.Seed {
		s.log.Warn("logiwasim: state file was created with another seed; its generators continue", "fileSeed", f.Seed, "seed", s.opts.Seed)
	}
	// The event queue is derived: every order and return that has a step
	// due goes back in, ordered by due time and creation sequence as before.
	for _, e := range st.orders {
		if o := e.o; o != nil && !o.next.IsZero() {
			heap.Push(&st.pendingEvents, event{at: o.next, seq: o.Seq, o: o})
		}
	}
	for _, e := range st.returns {
		if r := e.r; r != nil && !r.next.IsZero() {
			heap.Push(&st.pendingEvents, event{at: r.next, seq: r.Seq, r: r})
		}
	}
	if f.Archive != nil {
		if err := s.restoreArchive(st, *f.Archive, f.Sequence); err != nil {
			return err
		}
	}
	st.requeueSettled()
	s.st = st
	s.offset.Store(int64(f.ClockOffset))
	return nil
}

// buildStore checks the file's references (a dangling one would make a
// handler fail later, far from the cause) and indexes the warehouse.
func buildStore(f StateFile) (*store, error) {
	st := newStore()
	st.seq = f.Sequence
	clients := map[string]bool{}
	for i, c := range f.Clients {
		if c.ID == "" || clients[c.ID] {
			return nil, fmt.Errorf("clients[%d]: missing or duplicate id %q", i, c.ID)
		}
		clients[c.ID] = true
		st.clients = append(st.clients, &client{ID: c.ID, DisplayName: c.DisplayName, FullName: c.FullName, OfficialIdentity: c.OfficialIdentity, Created: c.Created})
	}
	warehouses := map[string]bool{}
	for i, w := range f.Warehouses {
		if w.ID == "" || warehouses[w.ID] {
			return nil, fmt.Errorf("warehouses[%d]: missing or duplicate id %q", i, w.ID)
		}
		warehouses[w.ID] = true
		st.warehouses = append(st.warehouses, &warehouse{ID: w.ID, Code: w.Code, Description: w.Description, Created: w.Created})
	}
	for _, r := range f.OrderTypes {
		st.orderTypes = append(st.orderTypes, namedRef(r))
	}
	for _, r := range f.Carriers {
		st.carriers = append(st.carriers, namedRef(r))
	}
	if len(st.carriers) == 0 {
		return nil, errors.New("carriers: none (shipping needs at least one)")
	}
	for i, fp := range f.Products {
		if fp.ID == "" || st.productByID[fp.ID] != nil {
			return nil, fmt.Errorf("products[%d]: missing or duplicate id %q", i, fp.ID)
		}
		if !clients[fp.ClientID] {
			return nil, fmt.Errorf("products[%d] (%s): unknown client %q", i, fp.SKU, fp.ClientID)
		}
		if st.productBySKU[[2]string{fp.ClientID, fp.SKU}] != nil {
			return nil, fmt.Errorf("products[%d]: duplicate SKU %q for client %s", i, fp.SKU, fp.ClientID)
		}
		st.addProduct(fp.product())
	}
	for i, v := range f.Stock {
		if !warehouses[v.WarehouseID] || st.productByID[v.ProductID] == nil {
			return nil, fmt.Errorf("stock[%d]: unknown warehouse %q or product %q", i, v.WarehouseID, v.ProductID)
		}
		k := stockKey{v.WarehouseID, v.ProductID}
		if st.stock[k] != nil {
			return nil, fmt.Errorf("stock[%d]: duplicate entry", i)
		}
		st.stock[k] = &stock{OnHand: v.OnHand, Allocated: v.Allocated}
	}
	for i, fo := range f.Orders {
		if err := checkOrder(st, clients, warehouses, fo, f.Sequence); err != nil {
			return nil, fmt.Errorf("shipmentOrders[%d] (%s): %w", i, fo.Code, err)
		}
		st.addOrder(fo.order())
	}
	for i, fr := range f.Returns {
		switch {
		case fr.ID == "" || fr.RMA == "":
			return nil, fmt.Errorf("returnOrders[%d]: missing id or RMA number", i)
		case hasKey(st.returnByRMA, fr.RMA):
			return nil, fmt.Errorf("returnOrders[%d]: duplicate RMA number %q", i, fr.RMA)
		case !clients[fr.ClientID] || !warehouses[fr.WarehouseID]:
			return nil, fmt.Errorf("returnOrders[%d] (%s): unknown client %q or warehouse %q", i, fr.RMA, fr.ClientID, fr.WarehouseID)
		case fr.Seq > f.Sequence:
			return nil, fmt.Errorf("returnOrders[%d] (%s): seq %d is past the file's sequence %d", i, fr.RMA, fr.Seq, f.Sequence)
		}
		for j, l := range fr.Lines {
			if st.productByID[l.ProductID] == nil {
				return nil, fmt.Errorf("returnOrders[%d] (%s) line %d: unknown product %q", i, fr.RMA, j, l.ProductID)
			}
		}
		st.addReturn(fr.returnOrder())
	}
	return st, nil
}

func checkOrder(st *store, clients, warehouses map[string]bool, fo StateFileOrder, seq int) error {
	switch {
	case fo.ID == "" || fo.Code == "":
		return errors.New("missing id or code")
	case hasKey(st.orderByID, fo.ID) || hasKey(st.orderByCode, fo.Code):
		return errors.New("duplicate id or code")
	case !clients[fo.ClientID] || !warehouses[fo.WarehouseID]:
		return fmt.Errorf("unknown client %q or warehouse %q", fo.ClientID, fo.WarehouseID)
	case fo.Seq > seq:
		return fmt.Errorf("seq %d is past the file's sequence %d", fo.Seq, seq)
	}
	for j, l := range fo.Lines {
		if st.productByID[l.ProductID] == nil {
			return fmt.Errorf("line %d: unknown product %q", j, l.ProductID)
		}
	}
	for j, p := range fo.Packages {
		for _, pl := range p.Lines {
			if pl.Line < 0 || pl.Line >= len(fo.Lines) {
				return fmt.Errorf("package %d: line index %d out of range", j, pl.Line)
			}
		}
	}
	return nil
}

func hasKey[K comparable, V any](m map[K]V, k K) bool {
	_, ok := m[k]
	return ok
}
