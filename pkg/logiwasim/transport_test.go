package logiwasim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestTransportAnswersAsTheListener: the in-process transport gives a
// client the same status, content type and body as a loopback connection.
func TestTransportAnswersAsTheListener(t *testing.T) {
	h := newHarness(t, Options{})
	tests := []struct {
		name, method, path string
		body               any
		auth               bool
		want               int
	}{
		{"login", "POST", "/v3.1/Authorize/token", map[string]string{"email": DefaultEmail, "password": DefaultPassword}, false, http.StatusOK},
		{"bad login", "POST", "/v3.1/Authorize/token", map[string]string{"email": "x@example.com", "password": "no"}, false, http.StatusBadRequest},
		{"no token", "GET", "/v3.1/Report/TotalInventory/i/0/s/5", nil, false, http.StatusUnauthorized},
		{"inventory page", "GET", "/v3.1/Report/TotalInventory/i/0/s/5", nil, true, http.StatusOK},
		{"invalid identifier", "GET", "/v3.1/ShipmentOrder/NOPE-1", nil, true, http.StatusBadRequest},
	}
	clients := map[string]*http.Client{
		"loopback":   h.hc,
		"in-process": {Timeout: 10 * time.Second, Transport: h.s.Transport()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string][3]string{}
			for via, hc := range clients {
				var rd io.Reader
				if tc.body != nil {
					b, _ := json.Marshal(tc.body)
					rd = bytes.NewReader(b)
				}
				req, err := http.NewRequest(tc.method, h.url+tc.path, rd)
				if err != nil {
					t.Fatal(err)
				}
				if tc.body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				if tc.auth {
					req.Header.Set("Authorization", "Bearer "+h.token)
				}
				resp, err := hc.Do(req)
				if err != nil {
					t.Fatalf("%s: %v", via, err)
				}
				b, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != tc.want {
					t.Errorf("%s: status %d, want %d: %s", via, resp.StatusCode, tc.want, b)
				}
				got[via] = [3]string{resp.Status, resp.Header.Get("Content-Type"), shape(t, b)}
			}
			if got["loopback"] != got["in-process"] {
				t.Errorf("loopback %q, in-process %q", got["loopback"], got["in-process"])
			}
		})
	}
}

// shape is a body's JSON keys, so that bodies holding fresh tokens or
// identifiers still compare.
func shape(t *testing.T, b []byte) string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		return "not an object: " + string(b)
	}
	keys, _ := json.Marshal(keysOf(v))
	return string(keys)
}

func keysOf(m map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// TestArrivalIsNotHeldByTheLock: a request is stamped when it arrives even
// while a handler or a state-file copy holds the simulator's lock; stamped
// after the wait, it was counted in a later second of the rate limit than
// the one it was sent in.
func TestArrivalIsNotHeldByTheLock(t *testing.T) {
	var (
		mu      sync.Mutex
		now     = t0.Add(100 * time.Millisecond)
		stamped = make(chan struct{}, 1)
		armed   atomic.Bool
	)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		if armed.Load() {
			select {
			case stamped <- struct{}{}:
			default:
			}
		}
		return now
	}
	s := New(Options{Now: clock, Rate: 2, TokenTTL: -1})
	hc := &http.Client{Transport: s.Transport()}
	body, _ := json.Marshal(map[string]string{"email": DefaultEmail, "password": DefaultPassword})
	post := func() (*http.Response, error) {
		req, _ := http.NewRequest("POST", "http://logiwa.invalid/v3.1/Authorize/token", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return hc.Do(req)
	}

	s.mu.Lock() // as a long handler would
	armed.Store(true)
	done := make(chan error, 1)
	go func() {
		resp, err := post()
		if err == nil {
			_ = resp.Body.Close()
		}
		done <- err
	}()
	select {
	case <-stamped:
	case <-time.After(5 * time.Second):
		s.mu.Unlock()
		t.Fatal("the request was not stamped while the lock was held")
	}
	armed.Store(false)
	mu.Lock()
	now = t0.Add(1500 * time.Millisecond) // the lock is let go in the next second
	mu.Unlock()
	s.mu.Unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := s.Stats().ReceivedPerSecond
	var perSecond map[int64]int
	for _, m := range got {
		perSecond = m
	}
	if perSecond[t0.Unix()] != 1 || len(perSecond) != 1 {
		t.Errorf("received per second %v, want the one request in second %d", got, t0.Unix())
	}
}
