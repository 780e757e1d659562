// Package dynamolocal serves the DynamoDB JSON API in-process for the embedded
// local runtime. Items live on disk in a pebble store (or in pebble's
// in-memory filesystem when no directory is given), so the process's memory
// does not grow with the number of items: pebble reads through a bounded
// block cache with pread rather than a memory map.
//
// Semantics come from github.com/truora/minidyn (key conditions, condition and
// update expressions, return values, batch writes, transactions and their
// error shapes). A scratch minidyn client holds the table schemas only: for
// each request we load exactly the items it touches from pebble into the
// scratch tables, run the operation there, write what changed back to pebble
// in one batch (nothing if the operation failed), and clear the scratch
// tables. On top of minidyn we add:
//
//   - faithful JSON encoding of empty lists and maps (minidyn's own server
//     drops them, and the SDK then decodes them as BOOL false);
//   - UpdateExpression REMOVE of top-level attributes, which minidyn parses but
//     silently ignores (nested paths such as a.b work there);
//   - ListTables, real ItemCounts, paged Scans, and AWS-shaped errors for
//     operations minidyn lacks.
//
// All requests are serialised by one mutex; the local runtime's load is tiny
// and it makes load-run-write and the REMOVE fix-up atomic. Writes commit
// without an fsync; a background sync SyncDelay later (off the mutex) makes
// them durable, so a crash loses at most that much.
package dynamolocal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/truora/minidyn/server"

	"github.com/logiwaflow/logiwaflow/pkg/localaws/snapshot"
)

const targetPrefix = "DynamoDB_20120810."

// Options tunes a Server.
type Options struct {
	// Dir is the pebble directory holding tables and items; empty keeps
	// everything in memory (pebble on an in-memory filesystem).
	Dir string
	// ImportSnapshot names a JSON snapshot written by the previous,
	// in-memory design of this package. When it exists and Dir does not,
	// Open imports it into a new store at Dir and renames it to
	// <ImportSnapshot>.imported, so an upgrade keeps its data.
	ImportSnapshot string
	// SyncDelay is how long after a write the store's log is synced to disk
	// in the background; zero means 50ms. Writes are committed without a
	// sync, and pebble keeps the log's last partial block in memory until a
	// sync (a process crash lost the last 100 of 300 items that way), so
	// SyncDelay bounds what a crash of the process or the machine can lose.
	SyncDelay time.Duration
	Logger    *slog.Logger
}

// Server is an in-process DynamoDB endpoint. It implements http.Handler.
type Server struct {
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	db      *pebble.DB
	scratch *server.Client // table schemas only; items are loaded per request
	tables  map[string]*table
	closed  bool
	loads   int // items loaded into scratch tables, for tests of what a request reads

	syncer *snapshot.Flusher // nil in memory
}

// tableDef is what is needed to recreate a table: the CreateTable request and
// every successful UpdateTable after it, replayed in order.
type tableDef struct {
	Create  json.RawMessage   `json:"create"`
	Updates []json.RawMessage `json:"updates,omitempty"`
}

// Open returns a server over the store at opts.Dir, creating it if needed.
func Open(opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Dir != "" && opts.ImportSnapshot != "" {
		if err := importSnapshotOnce(opts.Dir, opts.ImportSnapshot, opts.Logger); err != nil {
			return nil, err
		}
	}
	db, err := openPebble(opts.Dir, opts.Logger)
	if err != nil {
		return nil, err
	}
	tables, err := loadTables(db)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	s := &Server{opts: opts, log: opts.Logger, db: db, scratch: server.NewClient(), tables: tables}
	names := make([]string, 0, len(tables))
	for n := range tables {
		names = append(names, n)
	}
	sort.Strings(names)
	ctx := context.Background()
	for _, name := range names {
		if err := s.replaySchema(ctx, tables[name].def); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("dynamolocal: restore table %s: %w", name, err)
		}
	}
	if opts.Dir != "" {
		if opts.SyncDelay <= 0 {
			opts.SyncDelay = 50 * time.Millisecond
		}
		s.syncer = snapshot.StartFlusher(opts.SyncDelay, s.syncLog, func(err error) {
			s.log.Error("dynamolocal: sync failed", "dir", opts.Dir, "err", err)
		})
	}
	s.log.Debug("dynamolocal: store opened", "dir", opts.Dir, "tables", len(tables))
	return s, nil
}

// replaySchema recreates a table in the scratch client.
func (s *Server) replaySchema(ctx context.Context, def tableDef) error {
	in, err := decode[server.CreateTableInput](def.Create)
	if err != nil {
		return err
	}
	if _, err := s.scratch.CreateTable(ctx, in); err != nil {
		return err
	}
	for _, u := range def.Updates {
		in, err := decode[server.UpdateTableInput](u)
		if err != nil {
			return err
		}
		if _, err := s.scratch.UpdateTable(ctx, in); err != nil {
			return err
		}
	}
	return nil
}

// syncLog syncs pebble's log: it writes out the partial block a NoSync
// commit leaves in memory and fsyncs. It runs outside s.mu so requests do not
// wait for the disk; Close stops the syncer before closing the store.
func (s *Server) syncLog() error {
	if err := s.db.LogData(nil, pebble.Sync); err != nil {
		return fmt.Errorf("dynamolocal: sync store: %w", err)
	}
	return nil
}

// written is called after each commit, with s.mu held.
func (s *Server) written() {
	if s.syncer != nil {
		s.syncer.Request()
	}
}

// Flush makes every acknowledged write durable now rather than SyncDelay
// later.
func (s *Server) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	return s.syncLog()
}

// Close syncs and closes the store. Requests arriving afterwards fail with
// ServiceUnavailable. It is safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.syncer != nil {
		// The syncer does not take s.mu, so waiting for it here is safe.
		s.syncer.Stop()
	}
	var errs []error
	if s.opts.Dir != "" {
		// Flushing the memtable syncs it to an sstable, so the next Open
		// has no log to replay.
		if err := s.db.Flush(); err != nil {
			errs = append(errs, fmt.Errorf("dynamolocal: flush store: %w", err))
		}
	}
	if err := s.db.Close(); err != nil {
		errs = append(errs, fmt.Errorf("dynamolocal: close store: %w", err))
	}
	return errors.Join(errs...)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		writeResponse(w, errorResponse(http.StatusBadRequest, "SerializationException", "read request: "+err.Error()))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		writeResponse(w, errorResponse(http.StatusServiceUnavailable, "ServiceUnavailable", "server closed"))
		return
	}
	writeResponse(w, s.dispatch(r.Context(), op, body))
}

// response is an encoded reply.
type response struct {
	status int
	body   []byte
}

func writeResponse(w http.ResponseWriter, res response) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(res.status)
	_, _ = w.Write(res.body)
}

type opFunc func(s *Server, ctx context.Context, body []byte) (any, error)

func decode[In any](body []byte) (*In, error) {
	in := new(In)
	if len(bytes.TrimSpace(body)) == 0 {
		return in, nil
	}
	if err := json.Unmarshal(body, in); err != nil {
		return nil, &apiError{status: http.StatusBadRequest, typ: "SerializationException", msg: err.Error()}
	}
	return in, nil
}

var ops = map[string]opFunc{
	"CreateTable":        (*Server).createTable,
	"UpdateTable":        (*Server).updateTable,
	"DeleteTable":        (*Server).deleteTable,
	"DescribeTable":      (*Server).describeTable,
	"ListTables":         (*Server).listTables,
	"GetItem":            itemOp(touchGet, onScratch((*server.Client).GetItem), false),
	"PutItem":            itemOp(touchPut, onScratch((*server.Client).PutItem), true),
	"DeleteItem":         itemOp(touchDelete, onScratch((*server.Client).DeleteItem), true),
	"UpdateItem":         itemOp(touchUpdate, (*Server).updateItem, true),
	"BatchGetItem":       itemOp(touchBatchGet, onScratch((*server.Client).BatchGetItem), false),
	"BatchWriteItem":     itemOp(touchBatchWrite, onScratch((*server.Client).BatchWriteItem), true),
	"TransactGetItems":   itemOp(touchTransactGet, onScratch((*server.Client).TransactGetItems), false),
	"TransactWriteItems": itemOp(touchTransactWrite, (*Server).transactWriteItems, true),
	"Query":              (*Server).query,
	"Scan":               (*Server).scan,
}

// dispatch runs one operation; called with s.mu held.
func (s *Server) dispatch(ctx context.Context, op string, body []byte) response {
	fn, ok := ops[op]
	if !ok {
		return errorResponse(http.StatusBadRequest, "UnknownOperationException",
			fmt.Sprintf("operation %q is not supported by the local DynamoDB", op))
	}
	out, err := fn(s, ctx, body)
	if err != nil {
		return encodeError(err)
	}
	b, err := json.Marshal(toWire(reflect.ValueOf(out)))
	if err != nil {
		return errorResponse(http.StatusInternalServerError, "InternalServerError", "encode response: "+err.Error())
	}
	return response{status: http.StatusOK, body: b}
}
