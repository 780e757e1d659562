package schedule

import (
	"strings"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNext(t *testing.T) {
	// 2026-11-25 is a Wednesday.
	cases := []struct {
		expr, after string
		want        []string // successive fires
	}{
		{"rate(10 minutes)", "2026-11-25T13:02:03Z", []string{"2026-11-25T13:12:03Z", "2026-11-25T13:22:03Z"}},
		{"rate(1 hour)", "2026-11-25T13:00:00Z", []string{"2026-11-25T14:00:00Z"}},
		{"rate(2 days)", "2026-11-25T13:00:00Z", []string{"2026-11-27T13:00:00Z"}},
		{"cron(0 6 * * ? *)", "2026-11-25T13:00:00Z", []string{"2026-11-26T06:00:00Z", "2026-11-27T06:00:00Z"}},
		{"cron(0 6 * * ? *)", "2026-11-25T05:59:59Z", []string{"2026-11-25T06:00:00Z"}},
		{"cron(0 6 * * ? *)", "2026-11-25T06:00:00Z", []string{"2026-11-26T06:00:00Z"}},
		{"cron(0/15 * * * ? *)", "2026-11-25T13:07:00Z", []string{"2026-11-25T13:15:00Z", "2026-11-25T13:30:00Z", "2026-11-25T13:45:00Z", "2026-11-25T14:00:00Z"}},
		{"cron(0 18 ? * MON-FRI *)", "2026-11-27T19:00:00Z", []string{"2026-11-30T18:00:00Z"}},
		{"cron(0 9 ? * 1 *)", "2026-11-25T00:00:00Z", []string{"2026-11-29T09:00:00Z"}}, // 1 = Sunday
		{"cron(30 8 1 * ? *)", "2026-11-25T00:00:00Z", []string{"2026-12-01T08:30:00Z", "2027-01-01T08:30:00Z"}},
		{"cron(0 0 29 FEB ? *)", "2026-03-01T00:00:00Z", []string{"2028-02-29T00:00:00Z"}},
		{"cron(5,35 10-11 ? * WED 2026)", "2026-11-25T10:06:00Z", []string{"2026-11-25T10:35:00Z", "2026-11-25T11:05:00Z", "2026-11-25T11:35:00Z", "2026-12-02T10:05:00Z"}},
		{"cron(0 0 1 1 ? 2020)", "2026-01-01T00:00:00Z", []string{""}}, // no more fires
	}
	for _, c := range cases {
		t.Run(c.expr+"@"+c.after, func(t *testing.T) {
			e, err := Parse(c.expr)
			if err != nil {
				t.Fatal(err)
			}
			if e.String() != c.expr {
				t.Errorf("String() = %q", e.String())
			}
			now := at(c.after)
			for i, w := range c.want {
				got := e.Next(now)
				if w == "" {
					if !got.IsZero() {
						t.Fatalf("fire %d: got %s, want none", i, got)
					}
					return
				}
				if !got.Equal(at(w)) {
					t.Fatalf("fire %d after %s: got %s, want %s", i, now, got.Format(time.RFC3339), w)
				}
				now = got
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct{ expr, want string }{
		{"rate(1 minutes)", "does not agree"},
		{"rate(5 minute)", "does not agree"},
		{"rate(0 minutes)", "positive"},
		{"rate(5 weeks)", "unit"},
		{"rate(5)", "value and a unit"},
		{"cron(0 6 * * *)", "6 fields"},
		{"cron(0 6 * * * *)", "exactly one"},
		{"cron(0 6 ? * ? *)", "exactly one"},
		{"cron(0 6 L * ? *)", "L, W and #"},
		{"cron(0 6 15W * ? *)", "L, W and #"},
		{"cron(0 6 ? * 6#3 *)", "L, W and #"},
		{"cron(60 6 * * ? *)", "outside"},
		{"cron(0 24 * * ? *)", "outside"},
		{"cron(0 6 * 13 ? *)", "outside"},
		{"cron(0 6 * FOO ? *)", "not a number"},
		{"cron(0 10-6 * * ? *)", "backwards"},
		{"cron(0/0 6 * * ? *)", "step"},
		{"at(2026-11-25T10:00:00)", "want rate"},
		{"every 5 minutes", "want rate"},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			_, err := Parse(c.expr)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestDefaultsParse: every deployed expression is one the runtime can fire.
func TestDefaultsParse(t *testing.T) {
	for _, s := range Defaults {
		if _, err := Parse(s.Expression); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
}
