package console

import (
	"encoding/json"
	"html/template"
	"math"
	"strconv"
	"time"
)

// funcs are the template helpers.
var funcs = template.FuncMap{
	// when shows a time in UTC to the second ("" for none).
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05")
	},
	// dur rounds a duration to what a person reads.
	"dur": func(d time.Duration) string {
		switch {
		case d < time.Second:
			return d.Round(time.Millisecond).String()
		case d < time.Minute:
			return d.Round(10 * time.Millisecond).String()
		default:
			return d.Round(time.Second).String()
		}
	},
	// num prints a rate to two decimals, without trailing zeros.
	"num": func(f float64) string { return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64) },
	// message reads Lambda's {"errorMessage": ...} cause down to its message.
	"message": causeMessage,
	// stamp shows an RFC 3339 timestamp as when does; other text as it is.
	"stamp": func(s string) string {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return s
		}
		return t.UTC().Format("2006-01-02 15:04:05")
	},
	// short cuts long text for a table cell; the full text is one click away.
	"short": func(s string, n int) string {
		r := []rune(s)
		if len(r) <= n {
			return s
		}
		return string(r[:n]) + "…"
	},
}

// causeMessage returns the errorMessage of a Lambda error cause, or the
// cause itself when it is not one.
func causeMessage(cause string) string {
	var c struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if err := json.Unmarshal([]byte(cause), &c); err != nil || c.ErrorMessage == "" {
		return cause
	}
	return c.ErrorMessage
}
