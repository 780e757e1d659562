package logiwa

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// tokenSource caches the bearer token and makes concurrent callers share a
// single login. Each successful login bumps gen; a caller that got a 401
// invalidates only the generation it used, so a burst of 401s from one
// expired token leads to exactly one new login.
type tokenSource struct {
	c       *Client
	ttl     time.Duration
	timeout time.Duration

	mu       sync.Mutex
	token    string
	gen      uint64
	obtained time.Time
	flight   *loginFlight
}

type loginFlight struct {
	done  chan struct{}
	token string
	gen   uint64
	err   error
	paced time.Duration // how long the pacer held the login request
}

// get returns the token and its generation, logging in first when there is
// none; paced is how long the pacer held the login this caller waited on,
// which the caller keeps out of its own latency.
func (t *tokenSource) get(ctx context.Context) (tok string, gen uint64, paced time.Duration, err error) {
	t.mu.Lock()
	if t.token != "" && (t.ttl <= 0 || t.c.clock().Sub(t.obtained) < t.ttl) {
		tok, gen := t.token, t.gen
		t.mu.Unlock()
		return tok, gen, 0, nil
	}
	f := t.flight
	if f == nil {
		f = &loginFlight{done: make(chan struct{})}
		t.flight = f
		// The login runs detached from this caller: others may be waiting
		// on it, and one caller's short deadline must not fail them all.
		go t.login(f)
	}
	t.mu.Unlock()
	select {
	case <-f.done:
		if f.err != nil {
			return "", 0, f.paced, cloneErr(f.err)
		}
		return f.token, f.gen, f.paced, nil
	case <-ctx.Done():
		return "", 0, 0, &UnavailableError{Reason: "timeout waiting for login", Err: ctx.Err()}
	}
}

func (t *tokenSource) login(f *loginFlight) {
	ctx, cancel := context.WithTimeout(context.Background(), t.timeout)
	defer cancel()
	tok, paced, err := t.c.requestToken(ctx)
	f.paced = paced
	t.mu.Lock()
	if err == nil {
		t.gen++
		t.token, t.obtained = tok, t.c.clock()
		f.token, f.gen = tok, t.gen
	}
	f.err = err
	t.flight = nil
	t.mu.Unlock()
	close(f.done)
}

func (t *tokenSource) invalidate(gen uint64) {
	t.mu.Lock()
	if t.gen == gen {
		t.token = ""
	}
	t.mu.Unlock()
}

// cloneErr copies a shared login error so each waiter can stamp its own
// CallInfo on it without racing the others.
func cloneErr(err error) error {
	switch e := err.(type) {
	case *UnavailableError:
		c := *e
		return &c
	case *RateLimitedError:
		c := *e
		return &c
	case *UnauthorizedError:
		c := *e
		return &c
	case *RejectedError:
		c := *e
		return &c
	}
	return err
}

type tokenRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type tokenResponse struct {
	Token string `json:"token"`
}

const tokenPath = "/v3.1/Authorize/token"

// requestToken performs POST /v3.1/Authorize/token. Refusals (400, 401, 403,
// other 4xx) become Unauthorized with Login set; 429 and 5xx keep their
// usual types so the workflow retries them.
func (c *Client) requestToken(ctx context.Context) (string, time.Duration, error) {
	ci := CallInfo{Endpoint: http.MethodPost + " " + tokenPath, Start: c.clock(), Attempts: 1}
	req := request{method: http.MethodPost, path: tokenPath, endpoint: ci.Endpoint}
	var out tokenResponse
	err := func() error {
		resp, paced, err := c.send(ctx, req, mustJSON(tokenRequest{Email: c.email, Password: c.pass}), "")
		ci.Paced = paced
		if err != nil {
			return err
		}
		ci.Status = resp.StatusCode
		err = c.handle(ctx, resp, &out)
		var rej *RejectedError
		var un *UnauthorizedError
		switch {
		case errors.As(err, &rej):
			return &UnauthorizedError{Login: true, Message: rej.Message}
		case errors.As(err, &un):
			un.Login = true
			return un
		case err != nil:
			return err
		case out.Token == "":
			return &UnavailableError{Reason: "login answered without a token"}
		}
		return nil
	}()
	ci.Latency = c.clock().Sub(ci.Start) - ci.Paced
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
	}
	// Never log the request body or the token: only that a login happened.
	c.log.LogAttrs(ctx, level, "logiwa: login",
		slog.Int("status", ci.Status), slog.Duration("latency", ci.Latency), slog.Bool("ok", err == nil))
	if c.onCall != nil {
		c.onCall(ci)
	}
	return out.Token, ci.Paced, withCall(err, ci)
}
