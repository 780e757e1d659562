// Package logiwasim is a simulator of the Logiwa IO Open API (v3.1, with the
// v3.2/v3.3 endpoints the flows use). It plays the warehouse for tests, the
// embedded local runtime and demos: it authenticates, validates requests the
// way Logiwa documents, keeps clients, warehouses, products, inventory,
// shipment orders and return orders, moves orders through the warehouse on its
// own clock, limits the request rate per account, and injects faults (outages,
// latency, 5xx, refused and reset connections, truncated bodies, expired
// tokens) from options or from a small control API under /_sim/.
//
// Everything random (identifiers, tokens, tracking numbers, partial shipments,
// latency samples, fault draws) comes from generators seeded by Options.Seed,
// so the same seed and the same sequence of requests give the same answers.
//
// With Options.StatePath the warehouse survives a restart (persist.go,
// statefile.go): Open loads it from a versioned JSON file and the simulator
// writes it back after changes and on Close, generator positions and the
// clock offset included, so a restarted simulator answers exactly as one that
// never stopped. Tokens, statistics, faults and rate buckets are not kept.
// Settled orders (shipped, cancelled, returns received) then move to an
// archive on disk beside the file (archive.go, entries.go), as real Logiwa
// keeps them in its database: memory holds a small stub of each, and the
// state file only the live part, so neither grows with the orders served.
package logiwasim

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/localaws/snapshot"
)

// Default credentials of the seeded account.
const (
	DefaultEmail    = "sim@logiwaflow.local"
	DefaultPassword = "sim"
)

// Defaults for Options fields left zero.
const (
	DefaultRate         = 2.0 // Logiwa's Basic tier: 2 requests per second
	DefaultTokenTTL     = time.Hour
	DefaultMaxPageSize  = 200
	DefaultMaxBodyBytes = 1 << 20
	DefaultPartialRate  = 0.1
)

// Account is a Logiwa login. The rate limit applies per account.
type Account struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Timeline says how long a shipment order spends in each warehouse step and
// how long a return takes to be received, on the simulator's clock.
type Timeline struct {
	Pick   time.Duration // Open -> Picking Started (also the retry interval of a Shortage)
	Pack   time.Duration // Picking Started -> Ready to Pack
	Ship   time.Duration // Ready to Pack -> Shipped
	Return time.Duration // return order created -> received
}

// DefaultTimeline is used where Options.Timeline is zero.
var DefaultTimeline = Timeline{Pick: time.Minute, Pack: 2 * time.Minute, Ship: 2 * time.Minute, Return: 10 * time.Minute}

// Options configure a Server. The zero value is a usable simulator.
type Options struct {
	// Seed makes identifiers, tokens, tracking numbers, partial shipments,
	// latency samples and fault draws reproducible.
	Seed uint64
	// Now is the base clock (default time.Now). The simulator's clock is Now
	// plus everything passed to Advance, so tests can freeze Now and step.
	Now func() time.Time
	// Sleep waits out an injected latency (default: the wall clock). With an
	// accelerated Now, pass the same clock's Sleep so a 3 s slow spell is 3 s
	// of the shared virtual time.
	Sleep func(ctx context.Context, d time.Duration) error
	// Accounts that may log in (default one: DefaultEmail / DefaultPassword).
	Accounts []Account
	// Rate is the steady request rate per account in requests per second
	// (default 2; Logiwa Premium is 6). Negative disables the limit.
	Rate float64
	// Burst is the token bucket size (default: Rate rounded up).
	Burst int
	// TokenTTL is how long a bearer token lives (default 1h; negative: forever).
	TokenTTL time.Duration
	// MaxPageSize is the largest page a list accepts (default 200).
	MaxPageSize int
	// MaxBodyBytes is the largest request body accepted before 413 (default 1 MiB).
	MaxBodyBytes int64
	// Timeline of the warehouse (default DefaultTimeline, per field).
	Timeline Timeline
	// PartialRate is the chance that an order with more than one unit is
	// short-picked and ships partially (default 0.1; negative: never).
	PartialRate float64
	// Faults in force from the start.
	Faults Faults
	// Logger receives one line per request at debug level (default: discard).
	Logger *slog.Logger
	// StatePath, when set, keeps the warehouse in that file across restarts
	// (see Open): loaded at start if present, written after changes and on
	// Close. Empty: the warehouse lives in memory only.
	StatePath string
	// StateFlushInterval is the most often the state file is written
	// (default DefaultStateFlushInterval).
	StateFlushInterval time.Duration
	// SettledInMemory is how many settled shipment and return orders (shipped,
	// cancelled, received) stay in memory with StatePath set; older ones move
	// to the archive beside the state file (StatePath+ArchiveSuffix) and are
	// read back from it when asked for. Zero means DefaultSettledInMemory,
	// negative none. Without StatePath every order stays in memory.
	SettledInMemory int
}

func (o Options) withDefaults() Options {
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if len(o.Accounts) == 0 {
		o.Accounts = []Account{{Email: DefaultEmail, Password: DefaultPassword}}
	}
	if o.Rate == 0 {
		o.Rate = DefaultRate
	}
	if o.Burst <= 0 {
		o.Burst = int(math.Ceil(math.Max(o.Rate, 1)))
	}
	if o.TokenTTL == 0 {
		o.TokenTTL = DefaultTokenTTL
	}
	if o.MaxPageSize <= 0 {
		o.MaxPageSize = DefaultMaxPageSize
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	d := DefaultTimeline
	if o.Timeline.Pick <= 0 {
		o.Timeline.Pick = d.Pick
	}
	if o.Timeline.Pack <= 0 {
		o.Timeline.Pack = d.Pack
	}
	if o.Timeline.Ship <= 0 {
		o.Timeline.Ship = d.Ship
	}
	if o.Timeline.Return <= 0 {
		o.Timeline.Return = d.Return
	}
	if o.PartialRate == 0 {
		o.PartialRate = DefaultPartialRate
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.StateFlushInterval <= 0 {
		o.StateFlushInterval = DefaultStateFlushInterval
	}
	if o.SettledInMemory == 0 {
		o.SettledInMemory = DefaultSettledInMemory
	}
	return o
}

// Server is one simulated Logiwa tenant.
type Server struct {
	opts Options
	log  *slog.Logger

	// offset is how far Advance has moved the clock; atomic so that a
	// request's arrival is stamped without waiting for mu, which a handler
	// or a state-file copy may hold for milliseconds (a late stamp moves a
	// request into the next second of the rate limit).
	offset atomic.Int64
	// mu guards the store, tokens and the data generators; offset changes
	// under it too, so a tick sees one clock.
	mu     sync.Mutex
	st     *store
	tokens map[string]token
	ids    *rand.Rand // identifiers
	wh     *rand.Rand // warehouse decisions: partial picks, packages, tracking numbers
	tok    *rand.Rand // bearer tokens
	// The generators' sources, kept so the state file can save and restore
	// their positions.
	idsSrc, whSrc, tokSrc *rand.PCG

	// arc holds the settled orders moved out of memory (entries.go); nil
	// until the first is archived, and after Close (arcClosed). It changes
	// under s.mu and amu; readers outside s.mu (EachShipmentOrder) hold
	// amu.RLock so Close cannot shut it under them.
	arc            *archive
	amu            sync.RWMutex
	arcClosed      bool
	archiveFailing bool

	// fmu serialises writes of the state file; flusher is nil without
	// Options.StatePath.
	fmu       sync.Mutex
	lastSum   [sha256.Size]byte // of the last state file written; a digest, not a copy
	saved     bool
	flusher   *snapshot.Flusher
	closeOnce sync.Once

	limiter *limiter
	stats   *stats
	faults  *faultState

	handler http.Handler

	// lmu guards the listener, which is closed while connections are refused.
	lmu      sync.Mutex
	addr     string
	ln       net.Listener
	srv      *http.Server
	serveWG  sync.WaitGroup
	refusing bool
	closed   bool
}

// New builds a simulator with its seed data (see seed.go) in place, or with
// the warehouse of Options.StatePath when that file exists. It is Open for
// callers that cannot handle an error: it panics when StatePath is set and the
// file cannot be read, decoded or written, because starting with a fresh
// warehouse would silently orphan every record that points into the old one.
// Without StatePath it never panics.
func New(opts Options) *Server {
	s, err := Open(opts)
	if err != nil {
		panic(err)
	}
	return s
}

// newServer builds a simulator with an empty store.
func newServer(opts Options) *Server {
	opts = opts.withDefaults()
	s := &Server{
		opts:   opts,
		log:    opts.Logger,
		tokens: map[string]token{},
		idsSrc: rand.NewPCG(opts.Seed, 1),
		whSrc:  rand.NewPCG(opts.Seed, 2),
		tokSrc: rand.NewPCG(opts.Seed, 3),
		stats:  newStats(),
	}
	s.ids, s.wh, s.tok = rand.New(s.idsSrc), rand.New(s.whSrc), rand.New(s.tokSrc)
	s.limiter = newLimiter(opts.Rate, opts.Burst)
	s.faults = newFaultState(opts.Seed, opts.Faults)
	s.st = newStore()
	s.handler = s.routes()
	return s
}

// Handler serves the API and the /_sim/ control endpoints. Refused
// connections need the listener of Start; through Handler alone a refusal is
// played as a reset connection.
func (s *Server) Handler() http.Handler { return s.handler }

// Now is the simulator's clock.
func (s *Server) Now() time.Time { return s.now() }

func (s *Server) now() time.Time {
	return s.opts.Now().Add(time.Duration(s.offset.Load())).UTC()
}

// Advance moves the simulator's clock forward and lets the warehouse catch up.
func (s *Server) Advance(d time.Duration) {
	if d < 0 {
		d = 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset.Add(int64(d))
	s.tick(s.now())
	s.changed()
}

// Start listens on addr ("127.0.0.1:0" for any free port) and serves in the
// background. It returns the base URL, e.g. "http://127.0.0.1:41234".
func (s *Server) Start(addr string) (string, error) {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	if s.ln != nil || s.closed {
		return "", errors.New("logiwasim: already started or closed")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("logiwasim: listen %s: %w", addr, err)
	}
	s.addr = ln.Addr().String()
	s.srv = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.serveLocked(ln)
	if s.faults.get().RefuseConnections {
		s.refuseLocked(true)
	}
	return "http://" + s.addr, nil
}

func (s *Server) serveLocked(ln net.Listener) {
	s.ln = ln
	s.serveWG.Add(1)
	go func() {
		defer s.serveWG.Done()
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			s.log.Error("logiwasim: serve", "err", err)
		}
	}()
}

// refuseLocked closes the listener so that new connections are refused by the
// operating system, or listens again on the same address. Needs s.lmu.
func (s *Server) refuseLocked(on bool) {
	if s.srv == nil || s.closed || s.refusing == on {
		return
	}
	if on {
		if s.ln != nil {
			_ = s.ln.Close()
			s.ln = nil
		}
		s.refusing = true
		return
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.log.Error("logiwasim: listen again after refusing", "addr", s.addr, "err", err)
		return
	}
	s.refusing = false
	s.serveLocked(ln)
}

// Close stops serving, drops open connections and, with Options.StatePath,
// writes the state file a last time. Changes made through Handler after Close
// are not saved.
func (s *Server) Close() error {
	err := s.closeListener()
	if err != nil {
		err = fmt.Errorf("logiwasim: close: %w", err)
	}
	var stateErr error
	s.closeOnce.Do(func() { stateErr = s.closeState() })
	return errors.Join(err, stateErr)
}

// closeListener shuts the HTTP server down (waiting for requests in flight,
// so the final state write sees them).
func (s *Server) closeListener() error {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = s.srv.Close()
	}
	s.serveWG.Wait()
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
