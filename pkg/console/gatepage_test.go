package console

import (
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/gate"
)

func TestChart(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		limit    float64
		requests []int
		over     int
		scale    float64
	}{
		{name: "idle", limit: 2, requests: []int{0, 0, 0}, over: 0, scale: 3},
		{name: "at the limit", limit: 2, requests: []int{2, 2, 1}, over: 0, scale: 3},
		{name: "over the limit", limit: 2, requests: []int{1, 5, 3}, over: 2, scale: 5},
		{name: "no limit known", limit: 0, requests: []int{0}, over: 0, scale: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := gate.Stats{RateLimit: tc.limit}
			for i, n := range tc.requests {
				st.Seconds = append(st.Seconds, gate.Second{At: t0.Add(time.Duration(i) * time.Second), Requests: n})
			}
			c := chart(st)
			if c.Over != tc.over || c.Scale != tc.scale || len(c.Bars) != len(tc.requests) {
				t.Fatalf("over %d scale %v bars %d", c.Over, c.Scale, len(c.Bars))
			}
			for i, b := range c.Bars {
				if b.Y+b.H != c.Height || b.H < 0 || b.H > c.Height {
					t.Errorf("bar %d from %v, %v high, in a chart %v high", i, b.Y, b.H, c.Height)
				}
				if b.Over != (tc.limit > 0 && float64(tc.requests[i]) > tc.limit) {
					t.Errorf("bar %d over = %v", i, b.Over)
				}
			}
			if tc.limit > 0 && (c.LimitY <= 0 || c.LimitY >= c.Height) {
				t.Errorf("limit line at %v", c.LimitY)
			}
		})
	}
}
