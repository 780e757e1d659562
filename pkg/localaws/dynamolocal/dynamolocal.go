// Package dynamolocal serves the DynamoDB JSON API in-process for the embedded
// local runtime. It drives github.com/truora/minidyn's in-memory client (which
// handles key conditions, conditional writes, update expressions, batch writes
// and transactions) behind our own HTTP layer, and adds what our code needs:
//
//   - faithful JSON encoding of empty lists and maps (minidyn's own server
//     drops them, and the SDK then decodes them as BOOL false);
//   - UpdateExpression REMOVE of top-level attributes, which minidyn parses but
//     silently ignores (nested paths such as a.b work there);
//   - ListTables, and AWS-shaped errors for operations minidyn lacks;
//   - persistence: tables (definition and items) are snapshotted to a JSON file
//     shortly after each change and on Close, and reloaded by Open.
//
// All requests are serialised by one mutex; the local runtime's load is tiny
// and it makes the REMOVE fix-up atomic.
package dynamolocal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/truora/minidyn/server"

	"github.com/logiwaflow/logiwaflow/pkg/localaws/snapshot"
)

const targetPrefix = "DynamoDB_20120810."

// Options tunes a Server.
type Options struct {
	// Path of the snapshot file; empty keeps everything in memory only.
	Path string
	// FlushInterval is how long after a change the snapshot is written;
	// zero means 200ms.
	FlushInterval time.Duration
	Logger        *slog.Logger
}

// Server is an in-process DynamoDB endpoint. It implements http.Handler.
type Server struct {
	opts Options
	log  *slog.Logger

	mu     sync.Mutex
	db     *server.Client
	tables map[string]*tableDef
	dirty  bool
	closed bool

	flusher *snapshot.Flusher
}

// tableDef is what is needed to recreate a table: the CreateTable request and
// every successful UpdateTable after it, replayed in order.
type tableDef struct {
	Create  json.RawMessage   `json:"create"`
	Updates []json.RawMessage `json:"updates,omitempty"`
}

// Open returns a server, loading the snapshot at opts.Path if there is one.
func Open(opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = 200 * time.Millisecond
	}
	s := &Server{
		opts:   opts,
		log:    opts.Logger,
		db:     server.NewClient(),
		tables: map[string]*tableDef{},
	}
	if opts.Path != "" {
		if err := s.load(); err != nil {
			return nil, err
		}
	}
	s.flusher = snapshot.StartFlusher(opts.FlushInterval, s.Flush, func(err error) {
		s.log.Error("dynamolocal: snapshot failed", "path", opts.Path, "err", err)
	})
	return s, nil
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

// op adapts a minidyn client method to an opFunc.
func op[In any, Out any](fn func(*server.Client, context.Context, *In) (Out, error)) opFunc {
	return func(s *Server, ctx context.Context, body []byte) (any, error) {
		in, err := decode[In](body)
		if err != nil {
			return nil, err
		}
		return fn(s.db, ctx, in)
	}
}

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
	"CreateTable":        op((*server.Client).CreateTable),
	"UpdateTable":        op((*server.Client).UpdateTable),
	"DeleteTable":        op((*server.Client).DeleteTable),
	"DescribeTable":      op((*server.Client).DescribeTable),
	"PutItem":            op((*server.Client).PutItem),
	"DeleteItem":         op((*server.Client).DeleteItem),
	"GetItem":            op((*server.Client).GetItem),
	"Query":              op((*server.Client).Query),
	"Scan":               op((*server.Client).Scan),
	"BatchWriteItem":     op((*server.Client).BatchWriteItem),
	"BatchGetItem":       op((*server.Client).BatchGetItem),
	"TransactGetItems":   op((*server.Client).TransactGetItems),
	"UpdateItem":         (*Server).updateItem,
	"TransactWriteItems": (*Server).transactWriteItems,
	"ListTables":         (*Server).listTables,
}

var mutating = map[string]bool{
	"CreateTable": true, "UpdateTable": true, "DeleteTable": true,
	"PutItem": true, "DeleteItem": true, "UpdateItem": true,
	"BatchWriteItem": true, "TransactWriteItems": true,
}

// dispatch runs one operation; called with s.mu held.
func (s *Server) dispatch(ctx context.Context, op string, body []byte) response {
	fn, ok := ops[op]
	if !ok {
		return errorResponse(http.StatusBadRequest, "UnknownOperationException",
			fmt.Sprintf("operation %q is not supported by the local DynamoDB", op))
	}
	out, err := fn(s, ctx, body)
	if mutating[op] {
		// A failed transaction or batch may still have changed nothing, but
		// a spurious snapshot is harmless.
		if err == nil {
			s.recordSchema(op, body)
		}
		s.markDirty()
	}
	if err != nil {
		return encodeError(err)
	}
	b, err := json.Marshal(toWire(reflect.ValueOf(out)))
	if err != nil {
		return errorResponse(http.StatusInternalServerError, "InternalServerError", "encode response: "+err.Error())
	}
	return response{status: http.StatusOK, body: b}
}

func (s *Server) recordSchema(op string, body []byte) {
	var in struct{ TableName string }
	if err := json.Unmarshal(body, &in); err != nil || in.TableName == "" {
		return
	}
	switch op {
	case "CreateTable":
		s.tables[in.TableName] = &tableDef{Create: append(json.RawMessage(nil), body...)}
	case "UpdateTable":
		if t := s.tables[in.TableName]; t != nil {
			t.Updates = append(t.Updates, append(json.RawMessage(nil), body...))
		}
	case "DeleteTable":
		delete(s.tables, in.TableName)
	}
}

type listTablesOutput struct {
	TableNames             []string
	LastEvaluatedTableName *string `json:",omitempty"`
}

// listTables is ours: minidyn has no ListTables.
func (s *Server) listTables(_ context.Context, body []byte) (any, error) {
	in, err := decode[struct {
		ExclusiveStartTableName string
		Limit                   int
	}](body)
	if err != nil {
		return nil, err
	}
	if in.Limit <= 0 || in.Limit > 100 {
		in.Limit = 100
	}
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		if n > in.ExclusiveStartTableName {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := &listTablesOutput{TableNames: names}
	if len(names) > in.Limit {
		out.TableNames = names[:in.Limit]
		out.LastEvaluatedTableName = &names[in.Limit-1]
	}
	return out, nil
}
