package logiwa

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Base URLs of Logiwa IO's two environments.
const (
	SandboxURL    = "https://myapisandbox.logiwa.com"
	ProductionURL = "https://myapi.logiwa.com"
)

// Environment variables read by ConfigFromEnv.
const (
	EnvBaseURL  = "LOGIWA_BASE_URL"
	EnvEmail    = "LOGIWA_EMAIL"
	EnvPassword = "LOGIWA_PASSWORD"
)

// Defaults applied by New when the Config leaves a field zero.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultLoginTimeout   = 30 * time.Second
	DefaultLookupTTL      = 15 * time.Minute
	DefaultMaxBodyBytes   = 64 << 20
)

// Config configures a Client. Credentials come from the caller (Secrets
// Manager, environment); the client never logs them or the token.
type Config struct {
	BaseURL  string // SandboxURL, ProductionURL or a simulator's URL
	Email    string
	Password string

	HTTPClient *http.Client // nil: a client without its own timeout (contexts bound every call)
	Logger     *slog.Logger // nil: slog.Default()

	// RequestTimeout bounds each call even when the caller's context has no
	// deadline; the earlier of the two wins.
	RequestTimeout time.Duration
	// LoginTimeout bounds a token request, which runs detached from any one
	// caller because concurrent callers share it.
	LoginTimeout time.Duration
	// TokenTTL, when positive, drops a cached token after this long so it is
	// renewed before Logiwa would answer 401. Zero keeps it until a 401: the
	// token lifetime is not documented (notes: clients assume 25 min to 30 days).
	TokenTTL time.Duration
	// LookupTTL is how long clients, warehouses and order types stay cached.
	LookupTTL time.Duration
	// MaxBodyBytes caps how much of a response body is read.
	MaxBodyBytes int64
	// OnCall, when set, is told about every HTTP call (logins included),
	// e.g. to feed metrics. It must be fast and safe for concurrent use.
	OnCall func(CallInfo)
	// Pacer, when set, holds every HTTP request (logins included) until the
	// account's rate limit allows it. The time held is reported as
	// CallInfo.Paced and kept out of Latency: the latency threshold is
	// about Logiwa, not about our own queue.
	Pacer Pacer
	// Now is the clock for latencies and token and lookup lifetimes
	// (default time.Now); the accelerated demo passes its own.
	Now func() time.Time
}

// Pacer holds a request until the rate limit allows it; it returns early
// with ctx's error when the caller gives up.
type Pacer interface {
	Wait(ctx context.Context) error
}

// LogValue keeps the password out of logs even if someone logs the Config.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.Bool("email_set", c.Email != ""),
		slog.Bool("password_set", c.Password != ""),
	)
}

// ConfigFromEnv reads LOGIWA_BASE_URL (default: the sandbox), LOGIWA_EMAIL
// and LOGIWA_PASSWORD.
func ConfigFromEnv() Config {
	base := os.Getenv(EnvBaseURL)
	if base == "" {
		base = SandboxURL
	}
	return Config{BaseURL: base, Email: os.Getenv(EnvEmail), Password: os.Getenv(EnvPassword)}
}

// Client talks to Logiwa IO Open API v3.1. Safe for concurrent use; share one
// per process so the token and lookups are shared.
type Client struct {
	base    *url.URL
	email   string
	pass    string
	http    *http.Client
	log     *slog.Logger
	timeout time.Duration
	maxBody int64
	onCall  func(CallInfo)

	auth    tokenSource
	lookups lookupCache
	keys    keyedMutex

	// now, when set, replaces time.Now for latencies, the token TTL and the
	// lookup cache.
	now   func() time.Time
	pacer Pacer
}

func (c *Client) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// New validates cfg and returns a Client. It does not contact Logiwa: the
// first call logs in.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("logiwa: config: BaseURL is required")
	}
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("logiwa: config: BaseURL %q is not an absolute URL", cfg.BaseURL)
	}
	if cfg.Email == "" || cfg.Password == "" {
		return nil, errors.New("logiwa: config: Email and Password are required")
	}
	c := &Client{
		base:    u,
		email:   cfg.Email,
		pass:    cfg.Password,
		http:    cfg.HTTPClient,
		log:     cfg.Logger,
		timeout: cfg.RequestTimeout,
		maxBody: cfg.MaxBodyBytes,
		onCall:  cfg.OnCall,
		pacer:   cfg.Pacer,
		now:     cfg.Now,
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.timeout <= 0 {
		c.timeout = DefaultRequestTimeout
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBodyBytes
	}
	c.auth = tokenSource{c: c, ttl: cfg.TokenTTL, timeout: cfg.LoginTimeout}
	if c.auth.timeout <= 0 {
		c.auth.timeout = DefaultLoginTimeout
	}
	c.lookups.ttl = cfg.LookupTTL
	if c.lookups.ttl <= 0 {
		c.lookups.ttl = DefaultLookupTTL
	}
	return c, nil
}

// request is one call: path is concrete, endpoint the template reported in
// CallInfo (so metrics group by operation, not by identifier or page).
type request struct {
	method   string
	path     string
	endpoint string
	query    url.Values
	body     any
}

func (c *Client) newRequest(method, endpoint, path string) request {
	return request{method: method, path: path, endpoint: method + " " + endpoint}
}

// do performs an authenticated call and decodes a 2xx JSON body into out
// (when out is non-nil and the body is non-empty). A 401 drops the token,
// logs in once more and retries once; nothing else is retried here: retries
// belong to the workflows, which can see the whole picture (DESIGN.md).
func (c *Client) do(ctx context.Context, req request, out any) (CallInfo, error) {
	ci := CallInfo{Endpoint: req.endpoint, Start: c.clock()}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	var body []byte
	if req.body != nil {
		var err error
		if body, err = json.Marshal(req.body); err != nil {
			return ci, &RejectedError{Call: ci, Message: "cannot encode request body: " + err.Error()}
		}
	}
	var err error
	for attempt := 1; ; attempt++ {
		ci.Attempts = attempt
		var tok string
		var gen uint64
		var loginPaced time.Duration
		tok, gen, loginPaced, err = c.auth.get(ctx)
		ci.Paced += loginPaced
		if err != nil {
			break
		}
		var resp *http.Response
		var paced time.Duration
		resp, paced, err = c.send(ctx, req, body, tok)
		ci.Paced += paced
		if err != nil {
			ci.Status = 0
			break
		}
		ci.Status = resp.StatusCode
		if resp.StatusCode == http.StatusUnauthorized && attempt == 1 {
			drain(resp)
			c.auth.invalidate(gen)
			c.log.LogAttrs(ctx, slog.LevelInfo, "logiwa: token refused, logging in again", slog.String("endpoint", req.endpoint))
			continue
		}
		err = c.handle(ctx, resp, out)
		break
	}
	return c.finish(ctx, ci, err)
}

// finish stamps the latency, reports the call and attaches its CallInfo to
// a typed error.
func (c *Client) finish(ctx context.Context, ci CallInfo, err error) (CallInfo, error) {
	ci.Latency = c.clock().Sub(ci.Start) - ci.Paced
	attrs := []slog.Attr{
		slog.String("endpoint", ci.Endpoint),
		slog.Int("status", ci.Status),
		slog.Duration("latency", ci.Latency),
		slog.Int("attempts", ci.Attempts),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "logiwa: call", attrs...)
	if c.onCall != nil {
		c.onCall(ci)
	}
	recordCall(ctx, ci)
	return ci, withCall(err, ci)
}

func withCall(err error, ci CallInfo) error {
	switch e := err.(type) {
	case *UnavailableError:
		e.Call = ci
	case *RateLimitedError:
		e.Call = ci
	case *UnauthorizedError:
		e.Call = ci
	case *RejectedError:
		e.Call = ci
	}
	return err
}

func (c *Client) send(ctx context.Context, req request, body []byte, token string) (*http.Response, time.Duration, error) {
	var paced time.Duration
	if c.pacer != nil {
		start := c.clock()
		if err := c.pacer.Wait(ctx); err != nil {
			return nil, c.clock().Sub(start), &UnavailableError{Reason: "gave up waiting for the rate limit: " + err.Error()}
		}
		paced = c.clock().Sub(start)
	}
	resp, err := c.roundTrip(ctx, req, body, token)
	return resp, paced, err
}

func (c *Client) roundTrip(ctx context.Context, req request, body []byte, token string) (*http.Response, error) {
	u := *c.base
	u.Path = c.base.Path + req.path
	if len(req.query) > 0 {
		u.RawQuery = req.query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, u.String(), rd)
	if err != nil {
		return nil, &RejectedError{Message: "cannot build request: " + err.Error()}
	}
	hr.Header.Set("Accept", "application/json")
	hr.Header.Set("User-Agent", "logiwaflow")
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(hr)
	if err != nil {
		return nil, transportError(ctx, err)
	}
	return resp, nil
}

// transportError classifies a failure to get a response. All of them are
// Unavailable; the reason tells an operator which kind it was.
func transportError(ctx context.Context, err error) error {
	reason := "transport error"
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		reason = "timeout"
	case errors.Is(err, context.Canceled):
		reason = "canceled"
	case errors.Is(err, syscall.ECONNREFUSED):
		reason = "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		reason = "connection reset"
	case errors.As(err, &ne) && ne.Timeout():
		reason = "timeout"
	}
	return &UnavailableError{Reason: reason, Err: err}
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
}

// handle turns a response into nil (after decoding into out) or a typed error.
func (c *Client) handle(ctx context.Context, resp *http.Response, out any) error {
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		// The connection broke mid-body (reset, deadline): treat like no answer.
		ue := transportError(ctx, err).(*UnavailableError)
		ue.Reason = "reading response body: " + ue.Reason
		return ue
	}
	if int64(len(data)) > c.maxBody {
		return &UnavailableError{Reason: fmt.Sprintf("response body larger than %d bytes", c.maxBody)}
	}
	st := resp.StatusCode
	switch {
	case st >= 200 && st < 300:
		if st == http.StatusNoContent || out == nil || len(bytes.TrimSpace(data)) == 0 {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return &UnavailableError{Reason: "malformed response body", Err: err}
		}
		return nil
	case st == http.StatusTooManyRequests:
		eb := parseErrorBody(data)
		return &RateLimitedError{RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), c.clock()), Message: eb.message}
	case st == http.StatusUnauthorized:
		return &UnauthorizedError{Message: parseErrorBody(data).message}
	case st == http.StatusForbidden:
		eb := parseErrorBody(data)
		// The classic API throttled with 403 "Request has been throttled";
		// keep that retryable rather than parking it as a credentials problem.
		if strings.Contains(strings.ToLower(eb.message+eb.raw), "throttl") {
			return &RateLimitedError{RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), c.clock()), Message: eb.message}
		}
		return &UnauthorizedError{Message: eb.message}
	case st == http.StatusRequestTimeout:
		return &UnavailableError{Reason: "408 request timeout"}
	case st >= 400 && st < 500:
		eb := parseErrorBody(data)
		return &RejectedError{Message: eb.message, Code: eb.code, FieldErrors: eb.fields, Body: eb.raw}
	case st >= 500:
		reason := fmt.Sprintf("server error %d", st)
		if st == http.StatusServiceUnavailable {
			reason = "503 service unavailable (maintenance)"
		}
		if m := parseErrorBody(data).message; m != "" {
			reason += ": " + m
		}
		return &UnavailableError{Reason: reason, Maintenance: st == http.StatusServiceUnavailable}
	default:
		return &UnavailableError{Reason: fmt.Sprintf("unexpected status %d", st)}
	}
}

type errorBody struct {
	message string
	code    string
	fields  []FieldError
	raw     string // set only when the body is not a JSON object
}

// parseErrorBody reads the error shapes Logiwa uses: {message} for most v3.1
// endpoints, the validation shape {message, data[{property, errorMessage}],
// code, status}, ErrorResponse {code, description, message}, RFC 7807
// problem details {title, detail, errors{field: [msg]}}.
func parseErrorBody(data []byte) errorBody {
	var eb errorBody
	var m struct {
		Message     string          `json:"message"`
		Code        json.RawMessage `json:"code"`
		Description string          `json:"description"`
		Title       string          `json:"title"`
		Detail      string          `json:"detail"`
		Data        json.RawMessage `json:"data"`
		Errors      json.RawMessage `json:"errors"`
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return eb
	}
	if err := json.Unmarshal(trimmed, &m); err != nil {
		eb.raw = truncate(string(trimmed), 512)
		return eb
	}
	eb.message = firstNonEmpty(m.Message, m.Detail, m.Title, m.Description)
	if m.Description != "" && m.Description != eb.message {
		eb.message += " (" + m.Description + ")"
	}
	var code string
	if json.Unmarshal(m.Code, &code) == nil {
		eb.code = code
	} else if len(m.Code) > 0 && string(m.Code) != "null" {
		eb.code = string(m.Code)
	}
	var fields []FieldError
	if json.Unmarshal(m.Data, &fields) == nil {
		for _, f := range fields {
			if f.Property != "" || f.Message != "" {
				eb.fields = append(eb.fields, f)
			}
		}
	}
	var pd map[string][]string
	if json.Unmarshal(m.Errors, &pd) == nil {
		for prop, msgs := range pd {
			for _, msg := range msgs {
				eb.fields = append(eb.fields, FieldError{Property: prop, Message: msg})
			}
		}
	}
	return eb
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// parseRetryAfter accepts delta-seconds or an HTTP date; zero when absent or
// unusable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// keyedMutex serialises writes for one business key (SKU, order code, RMA)
// inside this process, so two local callers cannot both miss the lookup and
// both create. Across processes Logiwa's own uniqueness plus the
// re-lookup after a refused create covers the race.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyedEntry
}

type keyedEntry struct {
	ch   chan struct{}
	refs int
}

func (k *keyedMutex) lock(ctx context.Context, key string) (func(), error) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyedEntry{}
	}
	e := k.locks[key]
	if e == nil {
		e = &keyedEntry{ch: make(chan struct{}, 1)}
		k.locks[key] = e
	}
	e.refs++
	k.mu.Unlock()
	release := func() {
		k.mu.Lock()
		e.refs--
		if e.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
	select {
	case e.ch <- struct{}{}:
		return func() { <-e.ch; release() }, nil
	case <-ctx.Done():
		release()
		return nil, &UnavailableError{Reason: "waiting for another call on " + key, Err: ctx.Err()}
	}
}
