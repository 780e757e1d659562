package logiwasim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// response is what an API handler answers; the pipeline in wrap encodes it,
// so faults such as truncated bodies apply in one place.
type response struct {
	status      int
	body        any // nil: no body
	contentType string
	header      map[string]string
}

// call is one API request as a handler sees it. Handlers run under s.mu with
// the warehouse already caught up to now.
type call struct {
	r       *http.Request
	body    []byte
	now     time.Time
	account string // email of the authenticated account; empty on Authorize/token
}

type apiHandler func(c *call) response

// Wire shapes of errors, as in the reference.
type exceptionMessage struct {
	Message string `json:"message"`
}

type fieldError struct {
	Property     string `json:"property"`
	ErrorMessage string `json:"errorMessage"`
}

type validationError struct {
	Message string       `json:"message"`
	Data    []fieldError `json:"data"`
	Code    string       `json:"code"`
	Status  int          `json:"status"`
}

type problemDetails struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
}

func jsonResp(status int, body any) response { return response{status: status, body: body} }

func msg(status int, format string, args ...any) response {
	return jsonResp(status, exceptionMessage{Message: fmt.Sprintf(format, args...)})
}

// invalid answers Logiwa's validation error (400, code "validation", status 2).
func invalid(errs []fieldError) response {
	return jsonResp(http.StatusBadRequest, validationError{
		Message: "One or more validation errors occurred.", Data: errs, Code: "validation", Status: 2,
	})
}

func noContent() response { return response{status: http.StatusNoContent} }

func unauthorized(r *http.Request, detail string) response {
	return response{
		status: http.StatusUnauthorized, contentType: "application/problem+json",
		body: problemDetails{
			Type: "https://tools.ietf.org/html/rfc9110#section-15.5.2", Title: "Unauthorized",
			Status: http.StatusUnauthorized, Detail: detail, Instance: r.URL.Path,
		},
	}
}

// route registers an API endpoint.
func (s *Server) route(mux *http.ServeMux, pattern string, needAuth bool, h apiHandler) {
	mux.Handle(pattern, s.wrap(pattern, needAuth, h))
}

// wrap is the request pipeline: faults, rate limit, size and media type
// checks, authentication, then the handler, then the (possibly truncated) body.
func (s *Server) wrap(pattern string, needAuth bool, h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		status := s.serve(w, r, pattern, needAuth, h)
		s.stats.request(pattern, status, r.RemoteAddr == inProcessAddr)
		s.log.Debug("logiwasim request", "method", r.Method, "path", r.URL.Path, "status", status, "took", time.Since(start))
	})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, pattern string, needAuth bool, h apiHandler) int {
	now := s.Now() // arrival: what faults and the rate limit go by
	d := s.faults.decide(r.URL.Path, now)
	if s.faults.get().RefuseConnections {
		// Only reached without Start's listener (or on a connection accepted
		// before the refusal): the nearest thing is a reset.
		s.stats.fault("refused")
		return s.reset(w)
	}
	if d.outage {
		s.stats.fault("outage")
		return s.write(w, msg(http.StatusServiceUnavailable, "The API is currently unavailable due to maintenance."), false)
	}
	if d.reset {
		s.stats.fault("reset")
		return s.reset(w)
	}
	if d.errStatus != 0 {
		s.stats.fault("error")
		w.WriteHeader(d.errStatus)
		return d.errStatus
	}

	body, tooLarge, err := readBody(r, s.opts.MaxBodyBytes)
	if err != nil {
		return s.write(w, msg(http.StatusBadRequest, "Could not read the request body."), false)
	}
	tok, tokOK := s.lookupToken(r)
	key := tok.account
	if key == "" {
		key = accountHint(r, body)
	}
	ok, wait := s.limiter.allow(key, now)
	s.stats.arrived(key, now, ok)
	if !ok {
		resp := msg(http.StatusTooManyRequests, "Too many requests. Rate limit exceeded.")
		resp.header = map[string]string{"Retry-After": strconv.Itoa(int((wait + time.Second - 1) / time.Second))}
		return s.write(w, resp, false)
	}
	// The rate limit counts a request when it arrives, as an API gateway
	// does; the time Logiwa then takes comes after. Counting after the
	// latency made a slow answer land in a later second than it was sent
	// in, so a slow spell ending bunched three requests into one second
	// although the gate had spaced them.
	if d.latency > 0 {
		s.stats.fault("latency")
		if s.opts.Sleep(r.Context(), d.latency) != nil {
			return 499 // the client gave up, as nginx records it
		}
	}
	if tooLarge {
		return s.write(w, msg(http.StatusRequestEntityTooLarge, "The length of the request content has exceeded the maximum allowed limit."), false)
	}
	if resp, ok := checkMediaType(r, body); !ok {
		return s.write(w, resp, false)
	}
	c := &call{r: r, body: body, now: now}
	if needAuth {
		if !tokOK {
			detail := "The token provided is either invalid or expired."
			if tok.account != "" {
				s.stats.fault("tokenExpired")
			}
			return s.write(w, unauthorized(r, detail), false)
		}
		c.account = tok.account
	}
	s.mu.Lock()
	s.tick(now)
	resp := h(c)
	if c.r.Method != http.MethodGet {
		s.changed() // GETs change nothing a tick has not already reported
	}
	s.mu.Unlock()
	trunc := d.malformed && resp.body != nil && resp.status < 300
	if trunc {
		s.stats.fault("malformed")
	}
	return s.write(w, resp, trunc)
}

// readBody reads at most limit bytes; tooLarge reports a longer body.
func readBody(r *http.Request, limit int64) (body []byte, tooLarge bool, err error) {
	if r.ContentLength > limit {
		return nil, true, nil
	}
	if r.Body == nil {
		return nil, false, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, false, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, true, nil
	}
	return b, false, nil
}

// checkMediaType answers 415 when a body is not declared as JSON.
func checkMediaType(r *http.Request, body []byte) (response, bool) {
	ct := r.Header.Get("Content-Type")
	if ct == "" && len(bytes.TrimSpace(body)) == 0 {
		return response{}, true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")) {
		return response{}, true
	}
	return response{status: http.StatusUnsupportedMediaType, contentType: "application/problem+json", body: problemDetails{
		Type: "https://tools.ietf.org/html/rfc9110#section-15.5.16", Title: "Unsupported Media Type",
		Status: http.StatusUnsupportedMediaType, Detail: fmt.Sprintf("Content-Type %q is not supported; send application/json.", ct), Instance: r.URL.Path,
	}}, false
}

// accountHint names the rate-limit bucket of a request without a valid
// token: the email of a token request, else the caller's address.
func accountHint(r *http.Request, body []byte) string {
	var req struct {
		Email string `json:"email"`
	}
	if json.Unmarshal(body, &req) == nil && req.Email != "" {
		return strings.ToLower(req.Email)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "anonymous@" + host
}

// write sends resp and returns its status.
func (s *Server) write(w http.ResponseWriter, resp response, truncate bool) int {
	for k, v := range resp.header {
		w.Header().Set(k, v)
	}
	if resp.body == nil {
		w.WriteHeader(resp.status)
		return resp.status
	}
	b, err := json.Marshal(resp.body)
	if err != nil {
		s.log.Error("logiwasim: encode response", "err", err)
		w.WriteHeader(http.StatusInternalServerError)
		return http.StatusInternalServerError
	}
	if truncate {
		b = b[:len(b)/2]
	}
	ct := resp.contentType
	if ct == "" {
		ct = "application/json; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(resp.status)
	_, _ = w.Write(b)
	return resp.status
}

// reset drops the connection with a TCP reset and no answer.
func (s *Server) reset(w http.ResponseWriter) int {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // HTTP/2 or a recorder: abort the stream
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
	return 0
}
