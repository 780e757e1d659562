package logiwa

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestFailuresAreTyped drives one list call into each failure Logiwa (or the
// network) can produce and checks the typed error and its ASL name.
func TestFailuresAreTyped(t *testing.T) {
	type check func(t *testing.T, err error)
	tests := []struct {
		name      string
		respond   func(w http.ResponseWriter, r *http.Request)
		timeout   time.Duration
		wantName  string
		wantCheck check
	}{
		{
			name:     "500",
			respond:  func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) },
			wantName: NameUnavailable,
		},
		{
			name: "502 with text body",
			respond: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(502)
				_, _ = w.Write([]byte("<html>bad gateway</html>"))
			},
			wantName: NameUnavailable,
		},
		{
			name: "503 maintenance",
			respond: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 503, map[string]any{"message": "maintenance"})
			},
			wantName: NameUnavailable,
			wantCheck: func(t *testing.T, err error) {
				var u *UnavailableError
				if !errors.As(err, &u) || !u.Maintenance {
					t.Errorf("want Maintenance set, got %#v", err)
				}
			},
		},
		{
			name: "429 with Retry-After",
			respond: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "3")
				writeJSON(w, 429, map[string]any{"message": "Too many requests"})
			},
			wantName: NameRateLimited,
			wantCheck: func(t *testing.T, err error) {
				var rl *RateLimitedError
				if !errors.As(err, &rl) || rl.RetryAfter != 3*time.Second || rl.Message != "Too many requests" {
					t.Errorf("want RetryAfter 3s and message, got %#v", err)
				}
			},
		},
		{
			name:     "429 without Retry-After",
			respond:  func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(429) },
			wantName: NameRateLimited,
			wantCheck: func(t *testing.T, err error) {
				var rl *RateLimitedError
				if !errors.As(err, &rl) || rl.RetryAfter != 0 {
					t.Errorf("want zero RetryAfter, got %#v", err)
				}
			},
		},
		{
			name: "401 twice",
			respond: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 401, map[string]any{"title": "Unauthorized", "status": 401})
			},
			wantName: NameUnauthorized,
			wantCheck: func(t *testing.T, err error) {
				var u *UnauthorizedError
				if !errors.As(err, &u) || u.Login || u.Call.Attempts != 2 || u.Call.Status != 401 {
					t.Errorf("want 2 attempts ending 401, got %#v", err)
				}
			},
		},
		{
			name: "400 validation with field errors",
			respond: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 400, map[string]any{
					"message": "One or more validation errors occurred.", "code": "validation", "status": 2,
					"data": []any{
						map[string]any{"property": "[0].Sku", "errorMessage": "Sku is required."},
						map[string]any{"property": "[0].Name", "errorMessage": "Name is required."},
					},
				})
			},
			wantName: NameRejected,
			wantCheck: func(t *testing.T, err error) {
				var rj *RejectedError
				if !errors.As(err, &rj) {
					t.Fatalf("not Rejected: %v", err)
				}
				want := []FieldError{{"[0].Sku", "Sku is required."}, {"[0].Name", "Name is required."}}
				if rj.Code != "validation" || len(rj.FieldErrors) != 2 || rj.FieldErrors[0] != want[0] || rj.FieldErrors[1] != want[1] {
					t.Errorf("field errors = %+v code %q", rj.FieldErrors, rj.Code)
				}
				if !strings.Contains(err.Error(), "[0].Name: Name is required.") {
					t.Errorf("message lacks field errors: %v", err)
				}
			},
		},
		{
			name: "400 ErrorResponse shape",
			respond: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 400, map[string]any{"code": "INVALID_IDENTIFIER", "description": "Identifier is not a GUID", "message": "One or more validation errors occurred."})
			},
			wantName: NameRejected,
			wantCheck: func(t *testing.T, err error) {
				var rj *RejectedError
				if !errors.As(err, &rj) || rj.Code != "INVALID_IDENTIFIER" || !strings.Contains(rj.Message, "Identifier is not a GUID") {
					t.Errorf("got %#v", err)
				}
			},
		},
		{
			name: "404",
			respond: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 404, map[string]any{"message": "Not found"})
			},
			wantName: NameRejected,
		},
		{
			name:     "413",
			respond:  func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(413) },
			wantName: NameRejected,
		},
		{
			name:     "414",
			respond:  func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(414) },
			wantName: NameRejected,
		},
		{
			name:     "415",
			respond:  func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(415) },
			wantName: NameRejected,
		},
		{
			name: "connection reset",
			respond: func(w http.ResponseWriter, r *http.Request) {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err != nil {
					panic(err)
				}
				_ = conn.(*net.TCPConn).SetLinger(0) // RST instead of FIN
				_ = conn.Close()
			},
			wantName: NameUnavailable,
			wantCheck: func(t *testing.T, err error) {
				if !strings.Contains(err.Error(), "connection reset") {
					t.Errorf("reason should say connection reset: %v", err)
				}
			},
		},
		{
			name: "timeout",
			respond: func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(2 * time.Second):
				}
			},
			timeout:  100 * time.Millisecond,
			wantName: NameUnavailable,
			wantCheck: func(t *testing.T, err error) {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("want errors.Is DeadlineExceeded: %v", err)
				}
				var u *UnavailableError
				if errors.As(err, &u) && u.Call.Latency > time.Second {
					t.Errorf("deadline not honoured: latency %s", u.Call.Latency)
				}
			},
		},
		{
			name: "malformed JSON body",
			respond: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(200)
				_, _ = w.Write([]byte(`{"data":[{"productSku":"A",`))
			},
			wantName: NameUnavailable,
		},
		{
			name: "truncated body",
			respond: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "500")
				w.WriteHeader(200)
				_, _ = w.Write([]byte(`{"data":[`))
			},
			wantName: NameUnavailable,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFake(t)
			f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path == tokenPath {
					return false
				}
				tc.respond(w, r)
				return true
			}
			c, _ := newTestClient(t, srv.URL)
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			_, err := c.InventoryPage(ctxTimeout(t, timeout), InventoryFilter{SKU: "A"}, 0, 50)
			if err == nil {
				t.Fatal("want an error")
			}
			name, ok := ErrorName(err)
			if !ok || name != tc.wantName {
				t.Fatalf("ErrorName = %q, %v; want %q (err %v)", name, ok, tc.wantName, err)
			}
			// The error must be the typed pointer itself, not a wrapper, so
			// aws-lambda-go reports its type name.
			if _, named := err.(Named); !named {
				t.Errorf("returned error %T is a wrapper", err)
			}
			if n := err.(Named); n.ErrorName() != tc.wantName {
				t.Errorf("ErrorName() = %q", n.ErrorName())
			}
			if !strings.Contains(err.Error(), "GET "+totalInventoryPath) || !strings.Contains(err.Error(), "list inventory levels") {
				t.Errorf("error lacks endpoint or operation: %v", err)
			}
			if tc.wantCheck != nil {
				tc.wantCheck(t, err)
			}
		})
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	c, _ := newTestClient(t, "http://"+addr)
	_, err = c.FindShipmentOrderByCode(ctxTimeout(t, 5*time.Second), "A-1")
	var u *UnavailableError
	if !errors.As(err, &u) || !strings.Contains(u.Error(), "connection refused") {
		t.Fatalf("want Unavailable connection refused, got %v", err)
	}
	if u.Call.Status != 0 {
		t.Errorf("status = %d, want 0", u.Call.Status)
	}
}

func TestEmptyPageIsNotAnError(t *testing.T) {
	_, srv := newFake(t) // no inventory rows: the fake answers 204
	c, _ := newTestClient(t, srv.URL)
	p, err := c.InventoryPage(ctxTimeout(t, 5*time.Second), InventoryFilter{}, 0, 200)
	if err != nil {
		t.Fatalf("204 page: %v", err)
	}
	if len(p.Items) != 0 || !p.Last() || p.Call.Status != http.StatusNoContent {
		t.Fatalf("page = %+v", p)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"2", 2 * time.Second},
		{"0.5", 500 * time.Millisecond},
		{"-1", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tc := range tests {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseErrorBody(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantMsg    string
		wantFields int
		wantRaw    bool
	}{
		{"message only", `{"message":"Bad things"}`, "Bad things", 0, false},
		{"problem details", `{"title":"One or more validation errors occurred.","status":400,"errors":{"Code":["Code is required."]}}`, "One or more validation errors occurred.", 1, false},
		{"not json", `oops`, "", 0, true},
		{"empty", ``, "", 0, false},
		{"data is a guid", `{"message":"dup","data":"3fa85f64-5717-4562-b3fc-2c963f66afa6","code":"x","status":2}`, "dup", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eb := parseErrorBody([]byte(tc.body))
			if eb.message != tc.wantMsg || len(eb.fields) != tc.wantFields || (eb.raw != "") != tc.wantRaw {
				t.Errorf("got %+v", eb)
			}
		})
	}
}
