package gate

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestMeterCountsRequestsPerSecondAndCalls(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	m := &Meter{RateLimit: 2, Now: func() time.Time { return now }}
	m.Request()
	m.Request()
	now = now.Add(1500 * time.Millisecond)
	m.Request()
	for i, lat := range []time.Duration{10, 20, 30, 40, 1000} {
		errName := ""
		if i == 4 {
			errName = "Logiwa.Unavailable"
		}
		m.Observe("orders-1", "createShipmentOrder", lat*time.Millisecond, errName)
	}
	m.MissedSlot()
	st := m.Stats()
	tests := []struct {
		name      string
		got, want int64
	}{
		{"requests", int64(st.Requests), 3},
		{"peak", int64(st.PeakPerSecond), 2},
		{"last second", int64(st.Seconds[len(st.Seconds)-1].Requests), 1},
		{"second before", int64(st.Seconds[len(st.Seconds)-2].Requests), 2},
		{"window", int64(len(st.Seconds)), secondsKept},
		{"errors", int64(st.Errors["Logiwa.Unavailable"]), 1},
		{"recent", int64(len(st.Recent)), 5},
		{"p50", st.LatencyP50Ms, 30},
		{"p95", st.LatencyP95Ms, 1000},
		{"newest first", st.Recent[0].LatencyMs, 1000},
		{"missed slots", int64(st.MissedSlots), 1},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}

func TestMeterRingKeepsNewestCalls(t *testing.T) {
	m := &Meter{}
	for i := range recentKept + 5 {
		m.Observe("e", "op", time.Duration(i)*time.Millisecond, "")
	}
	st := m.Stats()
	if len(st.Recent) != recentKept || st.Recent[0].LatencyMs != recentKept+4 || st.Recent[recentKept-1].LatencyMs != 5 {
		t.Fatalf("ring: len %d, newest %d, oldest %d", len(st.Recent), st.Recent[0].LatencyMs, st.Recent[recentKept-1].LatencyMs)
	}
}

func TestMeteredTransportCounts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	m := &Meter{}
	c := &http.Client{Transport: Metered(nil, m)}
	for range 3 {
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if got := m.Stats().Requests; got != 3 {
		t.Fatalf("requests = %d, want 3", got)
	}
}
