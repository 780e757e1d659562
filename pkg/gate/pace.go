package gate

import (
	"net/http"

	"golang.org/x/time/rate"
)

// PacedTransport holds every HTTP request to Logiwa to a rate: the gate's
// promise that Logiwa never sees more than the account's limit in a second.
// Pacing is per request, not per operation, because one operation (an upsert
// that finds, then creates) can make several requests, and the login counts
// too.
type PacedTransport struct {
	Base    http.RoundTripper
	Limiter *rate.Limiter
}

// NewLimiter returns a limiter for perSecond requests a second with no burst
// above one: requests are spaced evenly, so no one-second window ever holds
// more than the limit. With C concurrent workers on Lambda each gets
// perSecond/C.
func NewLimiter(perSecond float64, workers int) *rate.Limiter {
	if workers < 1 {
		workers = 1
	}
	return rate.NewLimiter(rate.Limit(perSecond/float64(workers)), 1)
}

// RoundTrip waits for the limiter, then sends.
func (t *PacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.Limiter.Wait(req.Context()); err != nil {
		return nil, err
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(req)
}
