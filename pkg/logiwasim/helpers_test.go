package logiwasim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// frozen is a base clock that never moves; tests step it with Advance.
func frozen() time.Time { return t0 }

// harness is a started simulator and a logged-in HTTP client.
type harness struct {
	t     *testing.T
	s     *Server
	url   string
	token string
	hc    *http.Client
}

// newHarness starts a simulator on loopback with a frozen clock, no rate
// limit, no partial picks and tokens that never expire unless opts say
// otherwise, and logs in.
func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	if opts.Now == nil {
		opts.Now = frozen
	}
	if opts.Rate == 0 {
		opts.Rate = -1
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = -1 // tests that advance hours should not have to log in again
	}
	if opts.PartialRate == 0 {
		opts.PartialRate = -1
	}
	s := New(opts)
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	h := &harness{t: t, s: s, url: url, hc: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}}
	h.login()
	return h
}

func (h *harness) login() {
	h.t.Helper()
	status, body := h.call("POST", "/v3.1/Authorize/token", map[string]string{"email": DefaultEmail, "password": DefaultPassword})
	if status != http.StatusOK {
		h.t.Fatalf("login: %d %s", status, body)
	}
	var tr tokenResponse
	mustJSON(h.t, body, &tr)
	h.token = tr.Token
}

// call sends a JSON request (body nil: none) with the harness's token and
// returns status and body. Transport errors fail the test.
func (h *harness) call(method, path string, body any) (int, []byte) {
	h.t.Helper()
	resp, err := h.send(method, path, body)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return resp.StatusCode, b
}

func (h *harness) send(method, path string, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.url+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	return h.hc.Do(req)
}

// want asserts the status of a call and returns the body.
func (h *harness) want(status int, method, path string, body any) []byte {
	h.t.Helper()
	got, b := h.call(method, path, body)
	if got != status {
		h.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, got, status, b)
	}
	return b
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %q: %v", b, err)
	}
}

// order is a valid ShipmentOrder/create body for the seed client.
func (h *harness) order(code string, lines ...any) map[string]any {
	if len(lines) == 0 {
		lines = []any{map[string]any{"sku": "MUG-BLUE", "packQuantity": 2, "unitPrice": 12.5}}
	}
	return map[string]any{
		"code": code, "client": SeedClient, "warehouse": SeedWarehouse, "shipmentOrderType": SeedOrderType,
		"shipmentOrderDate": "2026-03-02", "currencyId": 1,
		"customer":              map[string]any{"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"},
		"shipmentAddress":       map[string]any{"country": "US", "state": "NY", "addressLine1": "1 Main St", "city": "New York", "postalCode": "10001"},
		"shipmentOrderLineList": lines,
	}
}

func line(sku string, qty int) map[string]any { return map[string]any{"sku": sku, "packQuantity": qty} }

// createOrder creates an order and returns its identifier.
func (h *harness) createOrder(body map[string]any) string {
	h.t.Helper()
	var g guidResult
	mustJSON(h.t, h.want(http.StatusCreated, "POST", "/v3.1/ShipmentOrder/create", body), &g)
	return g.Data
}

// orderRow fetches an order's list row by code.
func (h *harness) orderRow(code string) map[string]any {
	h.t.Helper()
	var l struct {
		Data []map[string]any `json:"data"`
	}
	mustJSON(h.t, h.want(http.StatusOK, "GET", "/v3.1/ShipmentOrder/list/i/0/s/10?Code.eq="+code, nil), &l)
	if len(l.Data) != 1 {
		h.t.Fatalf("order %s: %d rows", code, len(l.Data))
	}
	return l.Data[0]
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
