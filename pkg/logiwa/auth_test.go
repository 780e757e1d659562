package logiwa

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestTokenSharedAndReloginOnce: a burst of concurrent calls logs in once;
// after the token expires, a second burst that all get 401 logs in once
// more, and every call succeeds.
func TestTokenSharedAndReloginOnce(t *testing.T) {
	f, srv := newFake(t)
	// Slow the login a little so the burst really overlaps it.
	f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == tokenPath {
			time.Sleep(30 * time.Millisecond)
		}
		return false
	}
	c, logs := newTestClient(t, srv.URL)
	ctx := ctxTimeout(t, 10*time.Second)

	burst := func() (attempts2 int64) {
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for range 40 {
			wg.Go(func() {
				p, err := c.InventoryPage(ctx, InventoryFilter{}, 0, 10)
				if err != nil {
					errs <- err
					return
				}
				if p.Call.Attempts == 2 {
					atomic.AddInt64(&attempts2, 1)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("call failed: %v", err)
		}
		return attempts2
	}

	if n := burst(); n != 0 {
		t.Errorf("first burst: %d calls needed a retry", n)
	}
	if got := f.loginCount(); got != 1 {
		t.Fatalf("logins after first burst = %d, want 1", got)
	}

	f.mu.Lock()
	stale := "Bearer " + f.token
	f.rotateToken() // the cached token is now refused with 401
	f.mu.Unlock()
	// Hold every request that carries the stale token until all 40 have
	// arrived, so all of them see a 401 for the same token generation.
	var arrived sync.WaitGroup
	arrived.Add(40)
	f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == tokenPath {
			time.Sleep(30 * time.Millisecond)
		} else if r.Header.Get("Authorization") == stale {
			arrived.Done()
			arrived.Wait()
		}
		return false
	}
	if n := burst(); n != 40 {
		t.Errorf("second burst: %d calls retried after 401, want 40", n)
	}
	if got := f.loginCount(); got != 2 {
		t.Fatalf("logins after token expiry = %d, want exactly 2", got)
	}

	out := logs.String()
	f.mu.Lock()
	tok := f.token
	f.mu.Unlock()
	if strings.Contains(out, testPassword) || strings.Contains(out, tok) || strings.Contains(out, "tok-1-") {
		t.Fatalf("logs leak a credential or token:\n%s", out)
	}
	if !strings.Contains(out, "logging in again") {
		t.Errorf("re-login not logged:\n%s", out)
	}
}

func TestLoginRefused(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		wantName string
		wantFlag bool
	}{
		{"400 bad credentials", 400, NameUnauthorized, true},
		{"401 problem details", 401, NameUnauthorized, true},
		{"429 on login", 429, NameRateLimited, false},
		{"500 on login", 500, NameUnavailable, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFake(t)
			f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path == tokenPath {
					writeJSON(w, tc.status, map[string]any{"message": "nope " + testPassword[:2]})
					return true
				}
				return false
			}
			c, logs := newTestClient(t, srv.URL)
			_, err := c.FindShipmentOrderByCode(ctxTimeout(t, 5*time.Second), "A-1")
			if name, _ := ErrorName(err); name != tc.wantName {
				t.Fatalf("got %v, want %s", err, tc.wantName)
			}
			var u *UnauthorizedError
			if errors.As(err, &u) != tc.wantFlag || (u != nil && !u.Login) {
				t.Errorf("Login flag wrong: %#v", err)
			}
			if f.count("GET "+orderListPath) != 0 {
				t.Errorf("called the API without a token")
			}
			if strings.Contains(logs.String(), testPassword) || strings.Contains(err.Error(), testPassword) {
				t.Errorf("password leaked")
			}
		})
	}
}

func TestTokenTTLRenewsBeforeExpiry(t *testing.T) {
	f, srv := newFake(t)
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.TokenTTL = 25 * time.Minute })
	clock := newFakeClock()
	c.now = clock.Now
	ctx := ctxTimeout(t, 5*time.Second)
	for range 2 {
		if _, err := c.InventoryPage(ctx, InventoryFilter{}, 0, 10); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(26 * time.Minute)
	if _, err := c.InventoryPage(ctx, InventoryFilter{}, 0, 10); err != nil {
		t.Fatal(err)
	}
	if got := f.loginCount(); got != 2 {
		t.Fatalf("logins = %d, want 2 (one renewal after the TTL)", got)
	}
}

func TestConfigValidationAndLogValue(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"ok", Config{BaseURL: SandboxURL, Email: "a", Password: "b"}, true},
		{"no base", Config{Email: "a", Password: "b"}, false},
		{"relative base", Config{BaseURL: "myapi.logiwa.com", Email: "a", Password: "b"}, false},
		{"no password", Config{BaseURL: ProductionURL, Email: "a"}, false},
	}
	for _, tc := range tests {
		if _, err := New(tc.cfg); (err == nil) != tc.ok {
			t.Errorf("%s: New err = %v", tc.name, err)
		}
	}
	v := Config{BaseURL: SandboxURL, Email: "a@b", Password: testPassword}.LogValue().String()
	if strings.Contains(v, testPassword) {
		t.Errorf("LogValue leaks the password: %s", v)
	}
}

func TestConfigFromEnv(t *testing.T) {
	t.Setenv(EnvBaseURL, "")
	t.Setenv(EnvEmail, "e@x")
	t.Setenv(EnvPassword, "p")
	if cfg := ConfigFromEnv(); cfg.BaseURL != SandboxURL || cfg.Email != "e@x" || cfg.Password != "p" {
		t.Errorf("defaults: %+v", cfg)
	}
	t.Setenv(EnvBaseURL, ProductionURL)
	if cfg := ConfigFromEnv(); cfg.BaseURL != ProductionURL {
		t.Errorf("base = %q", cfg.BaseURL)
	}
}
