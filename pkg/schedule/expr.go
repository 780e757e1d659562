package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Expr is a parsed EventBridge Scheduler expression.
type Expr interface {
	// Next returns the first fire strictly after t (UTC), or the zero time
	// when there is none (a cron whose years are all past).
	Next(t time.Time) time.Time
	String() string
}

// Parse reads rate(N unit) or cron(minutes hours day-of-month month
// day-of-week year) in EventBridge Scheduler syntax, evaluated in UTC (the
// Scheduler's default time zone). The cron forms L, W and # are rejected with
// a clear error rather than misread; at() one-time schedules are not used by
// logiwaflow and are rejected too.
func Parse(expr string) (Expr, error) {
	s := strings.TrimSpace(expr)
	switch {
	case strings.HasPrefix(s, "rate(") && strings.HasSuffix(s, ")"):
		r, err := parseRate(s[len("rate(") : len(s)-1])
		if err != nil {
			return nil, fmt.Errorf("schedule %q: %w", expr, err)
		}
		return r, nil
	case strings.HasPrefix(s, "cron(") && strings.HasSuffix(s, ")"):
		c, err := parseCron(s[len("cron(") : len(s)-1])
		if err != nil {
			return nil, fmt.Errorf("schedule %q: %w", expr, err)
		}
		c.src = s
		return c, nil
	}
	return nil, fmt.Errorf("schedule %q: want rate(N unit) or cron(min hour day-of-month month day-of-week year)", expr)
}

// Rate fires every Every, counted from a start the caller chooses (the
// runtime's start, as a Scheduler rate schedule counts from its creation).
type Rate struct {
	Every time.Duration
	src   string
}

// Next returns t + Every.
func (r Rate) Next(t time.Time) time.Time { return t.Add(r.Every) }

func (r Rate) String() string { return r.src }

func parseRate(body string) (Rate, error) {
	fields := strings.Fields(body)
	if len(fields) != 2 {
		return Rate{}, errors.New("rate wants a value and a unit, e.g. rate(5 minutes)")
	}
	n, err := strconv.Atoi(fields[0])
	if err != nil || n < 1 {
		return Rate{}, fmt.Errorf("rate value %q is not a positive whole number", fields[0])
	}
	units := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}
	unit := fields[1]
	singular := strings.TrimSuffix(unit, "s")
	d, ok := units[singular]
	if !ok {
		return Rate{}, fmt.Errorf("rate unit %q is not minute(s), hour(s) or day(s)", unit)
	}
	// AWS insists on the singular for 1 and the plural otherwise.
	if (n == 1) != (unit == singular) {
		return Rate{}, fmt.Errorf("rate unit %q does not agree with the value %d (AWS wants %q)", unit, n, map[bool]string{true: singular, false: singular + "s"}[n == 1])
	}
	return Rate{Every: time.Duration(n) * d, src: "rate(" + body + ")"}, nil
}

// Cron is a six-field EventBridge cron expression.
type Cron struct {
	minutes, hours, doms, months, dows, years fieldSet
	domAny, dowAny                            bool // '?' in that field
	src                                       string
}

func (c *Cron) String() string { return c.src }

// fieldSet holds the allowed values of one field.
type fieldSet map[int]bool

type fieldSpec struct {
	name     string
	min, max int
	names    map[string]int
}

var (
	monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
	dayNames   = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
	specs      = [6]fieldSpec{
		{name: "minutes", min: 0, max: 59},
		{name: "hours", min: 0, max: 23},
		{name: "day-of-month", min: 1, max: 31},
		{name: "month", min: 1, max: 12, names: monthNames},
		{name: "day-of-week", min: 1, max: 7, names: dayNames},
		{name: "year", min: 1970, max: 2199},
	}
)

func parseCron(body string) (*Cron, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, fmt.Errorf("cron wants 6 fields (minutes hours day-of-month month day-of-week year), got %d", len(f))
	}
	c := &Cron{domAny: f[2] == "?", dowAny: f[4] == "?"}
	if c.domAny == c.dowAny {
		return nil, errors.New("cron needs '?' in exactly one of day-of-month and day-of-week")
	}
	sets := make([]fieldSet, 6)
	for i, text := range f {
		if text == "?" {
			if i != 2 && i != 4 {
				return nil, fmt.Errorf("cron %s: '?' is only allowed in day-of-month or day-of-week", specs[i].name)
			}
			continue
		}
		set, err := parseField(text, specs[i])
		if err != nil {
			return nil, fmt.Errorf("cron %s: %w", specs[i].name, err)
		}
		sets[i] = set
	}
	c.minutes, c.hours, c.doms, c.months, c.dows, c.years = sets[0], sets[1], sets[2], sets[3], sets[4], sets[5]
	return c, nil
}

func parseField(text string, sp fieldSpec) (fieldSet, error) {
	if strings.ContainsAny(text, "LW#") && !isName(text, sp) {
		return nil, fmt.Errorf("%q: the L, W and # forms are not supported", text)
	}
	set := fieldSet{}
	for _, part := range strings.Split(text, ",") {
		rangeText, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%q: step %q is not a positive whole number", part, stepText)
			}
			step = n
		}
		lo, hi := sp.min, sp.max
		switch {
		case rangeText == "*":
		case strings.Contains(rangeText, "-"):
			a, b, _ := strings.Cut(rangeText, "-")
			var err error
			if lo, err = value(a, sp); err != nil {
				return nil, err
			}
			if hi, err = value(b, sp); err != nil {
				return nil, err
			}
			if lo > hi {
				return nil, fmt.Errorf("%q: range runs backwards", part)
			}
		default:
			v, err := value(rangeText, sp)
			if err != nil {
				return nil, err
			}
			lo = v
			if !hasStep {
				hi = v
			}
		}
		for v := lo; v <= hi; v += step {
			set[v] = true
		}
	}
	return set, nil
}

// isName says whether text is only names (e.g. "WED", "JUL-AUG"), whose
// letters must not be mistaken for L or W.
func isName(text string, sp fieldSpec) bool {
	if sp.names == nil {
		return false
	}
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '-' || r == '/' }) {
		if _, ok := sp.names[strings.ToUpper(part)]; !ok {
			if _, err := strconv.Atoi(part); err != nil {
				return false
			}
		}
	}
	return true
}

func value(text string, sp fieldSpec) (int, error) {
	if v, ok := sp.names[strings.ToUpper(text)]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(text)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", text)
	}
	if v < sp.min || v > sp.max {
		return 0, fmt.Errorf("%d is outside %d-%d", v, sp.min, sp.max)
	}
	return v, nil
}

// dayMatches applies whichever of day-of-month and day-of-week is not '?'.
func (c *Cron) dayMatches(t time.Time) bool {
	if c.domAny {
		return c.dows[int(t.Weekday())+1]
	}
	return c.doms[t.Day()]
}

// Next returns the first minute after t that matches, in UTC.
func (c *Cron) Next(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Minute).Add(time.Minute)
	for t.Year() <= specs[5].max {
		switch {
		case !c.years[t.Year()]:
			t = time.Date(t.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC)
		case !c.months[int(t.Month())]:
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		case !c.dayMatches(t):
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
		case !c.hours[t.Hour()]:
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour()+1, 0, 0, 0, time.UTC)
		case !c.minutes[t.Minute()]:
			t = t.Add(time.Minute)
		default:
			return t
		}
	}
	return time.Time{}
}
