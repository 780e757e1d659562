package logiwasim

import (
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// token is an issued bearer token. The reference documents no lifetime
// (clients assume 25 min to 30 days); Options.TokenTTL sets ours.
type token struct {
	account string
	issued  time.Time
	expires time.Time // zero: never
	revoked bool
}

type tokenRequest struct {
	Email    *string `json:"email"`
	Password *string `json:"password"`
}

type tokenResponse struct {
	Token string `json:"token"`
}

// lookupToken finds the request's bearer token. ok is false when it is
// missing, unknown, expired or revoked; t.account is still set for a token
// that was once valid, so the rate limit keeps charging its account.
func (s *Server) lookupToken(r *http.Request) (t token, ok bool) {
	h := r.Header.Get("Authorization")
	scheme, value, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return token{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, known := s.tokens[strings.TrimSpace(value)]
	if !known {
		return token{}, false
	}
	if t.revoked || (!t.expires.IsZero() && !s.now().Before(t.expires)) {
		return t, false
	}
	return t, true
}

// POST /v3.1/Authorize/token
func (s *Server) handleToken(c *call) response {
	var req tokenRequest
	if errs := decode(c.body, &req); errs != nil {
		return invalid(errs)
	}
	var errs []fieldError
	if req.Email == nil || *req.Email == "" {
		errs = append(errs, fieldError{"Email", "The Email field is required."})
	}
	if req.Password == nil || *req.Password == "" {
		errs = append(errs, fieldError{"Password", "The Password field is required."})
	}
	if errs != nil {
		return invalid(errs)
	}
	known := false
	for _, a := range s.opts.Accounts {
		if strings.EqualFold(a.Email, *req.Email) && a.Password == *req.Password {
			known = true
			break
		}
	}
	if !known {
		// Logiwa's table: a 400 on the authorization request means the
		// credentials were not accepted.
		return msg(http.StatusBadRequest, "Email or password is incorrect.")
	}
	b := make([]byte, 32)
	for i := range b {
		b[i] = byte(s.tok.UintN(256))
	}
	v := hex.EncodeToString(b)
	t := token{account: strings.ToLower(*req.Email), issued: c.now}
	if s.opts.TokenTTL > 0 {
		t.expires = c.now.Add(s.opts.TokenTTL)
	}
	s.tokens[v] = t
	return jsonResp(http.StatusOK, tokenResponse{Token: v})
}
