package logiwa

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testEmail    = "ops@example.test"
	testPassword = "s3cret-pa55word"
)

// fake is a small stand-in for Logiwa that follows the reference for the
// endpoints the client uses. Tests inject faults through intercept.
type fake struct {
	t *testing.T

	mu        sync.Mutex
	logins    int
	tokenGen  int
	token     string
	requests  map[string]int // "METHOD /path-template" -> count
	products  []map[string]any
	orders    []map[string]any
	returns   []map[string]any
	inventory []map[string]any
	clients   []map[string]any
	nextID    int
	// createResponseKey is "data" (the reference) or "value" (seen live).
	createResponseKey string
	// rejectDuplicateOrders makes a create with an existing code answer 400.
	rejectDuplicateOrders bool
	// hideNextOrderLookups answers the next N order lookups with 204, to
	// play the race where a concurrent create lands after our lookup.
	hideNextOrderLookups int

	intercept func(w http.ResponseWriter, r *http.Request) bool
}

func newFake(t *testing.T) (*fake, *httptest.Server) {
	t.Helper()
	f := &fake{t: t, requests: map[string]int{}, createResponseKey: "data", rejectDuplicateOrders: true}
	f.rotateToken()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fake) rotateToken() {
	f.tokenGen++
	f.token = fmt.Sprintf("tok-%d-%d", f.tokenGen, time.Now().UnixNano())
}

func (f *fake) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[key]
}

func (f *fake) loginCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins
}

func (f *fake) id() string {
	f.nextID++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", f.nextID)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if ic := f.intercept; ic != nil && ic(w, r) {
		return
	}
	path := r.URL.Path
	tmpl := path
	index, size := -1, 0
	if i := strings.Index(path, "/i/"); i >= 0 {
		tmpl = path[:i]
		parts := strings.Split(path[i+1:], "/")
		if len(parts) == 4 {
			index, _ = strconv.Atoi(parts[1])
			size, _ = strconv.Atoi(parts[3])
		}
	}
	if strings.HasPrefix(path, orderCancelPath+"/") {
		tmpl = orderCancelPath
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests[r.Method+" "+tmpl]++

	if path == tokenPath {
		var req tokenRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Email != testEmail || req.Password != testPassword {
			writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid credentials"})
			return
		}
		f.logins++
		writeJSON(w, http.StatusOK, map[string]any{"token": f.token})
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"type": "about:blank", "title": "Unauthorized", "status": 401})
		return
	}
	if index >= 0 && (size <= 0 || size > 200) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Pagesize can't be greater than 200."})
		return
	}
	q := r.URL.Query()
	body := map[string]any{}
	if r.Body != nil {
		_ = json.NewDecoder(r.Body).Decode(&body)
	}
	switch r.Method + " " + tmpl {
	case "GET " + productListPath:
		f.list(w, f.products, index, size, func(p map[string]any) bool {
			return eqFilter(q, "Sku.eq", p["sku"]) && eqFilter(q, "ClientIdentifier.eq", p["clientIdentifier"])
		})
	case "POST " + productCreatePath:
		for _, p := range f.products {
			if p["sku"] == body["sku"] {
				writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Sku already exists."})
				return
			}
		}
		if body["sku"] == nil || body["sku"] == "" {
			writeJSON(w, http.StatusBadRequest, map[string]any{
				"message": "One or more validation errors occurred.", "code": "validation", "status": 2,
				"data": []any{map[string]any{"property": "Sku", "errorMessage": "Sku is required."}},
			})
			return
		}
		body["identifier"] = f.id()
		f.products = append(f.products, productRow(body))
		writeJSON(w, http.StatusCreated, map[string]any{f.createResponseKey: body["identifier"], "status": 0})
	case "PUT " + productUpdatePath:
		for i, p := range f.products {
			if p["identifier"] == body["identifier"] {
				f.products[i] = productRow(body)
				writeJSON(w, http.StatusOK, map[string]any{"value": true})
				return
			}
		}
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Product not found"})
	case "GET " + orderListPath:
		if f.hideNextOrderLookups > 0 {
			f.hideNextOrderLookups--
			w.WriteHeader(http.StatusNoContent)
			return
		}
		f.list(w, f.orders, index, size, func(o map[string]any) bool {
			return eqFilter(q, "Code.eq", o["code"]) && eqFilter(q, "Identifier.eq", o["identifier"])
		})
	case "POST " + orderCreatePath:
		for _, o := range f.orders {
			if o["code"] == body["code"] && f.rejectDuplicateOrders {
				writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Shipment order code must be unique."})
				return
			}
		}
		body["identifier"] = f.id()
		body["shipmentOrderStatusId"] = StatusOpen
		body["shipmentOrderStatusName"] = "Open"
		body["createdDateTime"] = time.Now().UTC().Format("2006-01-02T15:04:05.000")
		f.orders = append(f.orders, body)
		writeJSON(w, http.StatusCreated, map[string]any{f.createResponseKey: body["identifier"]})
	case "POST " + orderCancelPath:
		id := strings.TrimPrefix(path, orderCancelPath+"/")
		for _, o := range f.orders {
			if o["identifier"] == id {
				if o["shipmentOrderStatusId"] == StatusCancelled {
					writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Shipment order is already cancelled."})
					return
				}
				if o["shipmentOrderStatusId"] == StatusShipped {
					writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Shipped orders cannot be cancelled."})
					return
				}
				o["shipmentOrderStatusId"], o["shipmentOrderStatusName"] = StatusCancelled, "Cancelled"
				writeJSON(w, http.StatusOK, map[string]any{"value": true})
				return
			}
		}
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not found"})
	case "GET " + returnListPath:
		// v3.2 wraps the page in a result envelope.
		var rows []any
		for _, r := range f.returns {
			if eqFilter(q, "rmaNumber.eq", r["rmaNumber"]) {
				rows = append(rows, r)
			}
		}
		if len(rows) == 0 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"data": rows, "totalCount": len(rows)}, "status": 1})
	case "POST " + returnCreatePath:
		body["identifier"] = f.id()
		f.returns = append(f.returns, body)
		writeJSON(w, http.StatusCreated, map[string]any{f.createResponseKey: body["identifier"]})
	case "GET " + totalInventoryPath:
		f.list(w, f.inventory, index, size, func(row map[string]any) bool { return eqFilter(q, "Sku.eq", row["productSku"]) })
	case "GET " + clientListPath:
		f.list(w, f.clients, index, size, func(map[string]any) bool { return true })
	case "GET " + warehouseListPath:
		writeJSON(w, http.StatusOK, []any{map[string]any{"identifier": "wh-1", "code": "MAIN"}})
	case "GET " + orderTypeListPath:
		writeJSON(w, http.StatusOK, []any{map[string]any{"identifier": "ot-1", "name": "Shipment Order"}})
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "no route " + r.Method + " " + path})
	}
}

// productRow turns a create/update body into a list row as the reference
// shows it: upc as one string, packing settings flattened to uomPackType*.
func productRow(body map[string]any) map[string]any {
	if upc, ok := body["upc"].([]any); ok {
		parts := make([]string, len(upc))
		for i, u := range upc {
			parts[i] = u.(string)
		}
		body["upc"] = strings.Join(parts, ",")
	}
	if ps, ok := body["packingSettings"].(map[string]any); ok {
		for k, v := range ps {
			body[k] = v
		}
		delete(body, "packingSettings")
	}
	return body
}

func eqFilter(q map[string][]string, key string, v any) bool {
	want, ok := q[key]
	if !ok {
		return true
	}
	s, _ := v.(string)
	return len(want) == 1 && want[0] == s
}

func (f *fake) list(w http.ResponseWriter, rows []map[string]any, index, size int, keep func(map[string]any) bool) {
	var match []map[string]any
	for _, r := range rows {
		if keep(r) {
			match = append(match, r)
		}
	}
	from := index * size
	if from >= len(match) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	to := min(from+size, len(match))
	writeJSON(w, http.StatusOK, map[string]any{"data": match[from:to], "totalCount": len(match)})
}

// newTestClient returns a client for srv whose logs go to buf at debug level.
func newTestClient(t *testing.T, baseURL string, mod ...func(*Config)) (*Client, *bytes.Buffer) {
	t.Helper()
	buf := &bytes.Buffer{}
	cfg := Config{
		BaseURL: baseURL, Email: testEmail, Password: testPassword,
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: buf}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, buf
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
