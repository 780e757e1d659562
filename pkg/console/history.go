package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// What happened to a state, as the graph colours it (the classes the Step
// Functions console's graph view uses, in the same spirit).
const (
	statusSucceeded  = "succeeded"
	statusFailed     = "failed"
	statusCaught     = "caught" // failed at least once, then retried or caught
	statusInProgress = "in-progress"
	statusNotReached = "not-reached"
)

// statusOrder is the legend's order.
var statusOrder = []string{statusSucceeded, statusCaught, statusFailed, statusInProgress, statusNotReached}

// eventRow is one history event as the table shows it.
type eventRow struct {
	ID, PrevID int64
	Type       string
	State      string // the top-level state the event belongs to
	Step       string // the state an event inside a Map or Parallel belongs to
	At         time.Time
	Elapsed    time.Duration
	Resource   string
	Input      string // pretty-printed JSON (or the text as sent)
	Output     string
	Parameters string
	Error      string
	Cause      string
	Failure    bool
	Anchor     string // set on the first event of a state, for links from the graph
}

// stateTrace is what the history says about one top-level state.
type stateTrace struct {
	entered, exited, failed bool
	attempts                int
	errors                  []string
	// inner counts the states entered inside a Map or Parallel state, in
	// the order first seen.
	inner      map[string]int
	innerOrder []string
}

// readHistory turns events into table rows, per-state traces and the
// transitions taken ("from\x00to"). Events inside Map iterations and
// Parallel branches are counted against the Map or Parallel state: the
// graph draws the top level only.
func readHistory(events []sfntypes.HistoryEvent) ([]eventRow, map[string]*stateTrace, map[string]bool) {
	rows := make([]eventRow, 0, len(events))
	traces := map[string]*stateTrace{}
	taken := map[string]bool{}
	var start time.Time
	current, depth := "", 0
	for _, ev := range events {
		typ := string(ev.Type)
		at := aws.ToTime(ev.Timestamp)
		if start.IsZero() {
			start = at
		}
		d := details(ev)
		row := eventRow{
			ID: ev.Id, PrevID: ev.PreviousEventId, Type: typ, At: at, Elapsed: at.Sub(start),
			Resource: d["Resource"], Input: pretty(d["Input"]), Output: pretty(d["Output"]),
			Parameters: pretty(d["Parameters"]), Error: d["Error"], Cause: pretty(d["Cause"]),
		}
		switch {
		case strings.HasSuffix(typ, "StateEntered") && depth == 0:
			if current != "" {
				taken[current+"\x00"+d["Name"]] = true
			}
			current = d["Name"]
			if traces[current] == nil {
				traces[current] = &stateTrace{}
				row.Anchor = "state-" + current
			}
			traces[current].entered = true
		case strings.HasSuffix(typ, "StateEntered"):
			row.Step = d["Name"]
			if tr := traces[current]; tr != nil {
				if tr.inner == nil {
					tr.inner = map[string]int{}
				}
				if tr.inner[row.Step] == 0 {
					tr.innerOrder = append(tr.innerOrder, row.Step)
				}
				tr.inner[row.Step]++
			}
		}
		if !strings.HasPrefix(typ, "Execution") {
			row.State = current
		}
		tr := traces[current]
		if tr != nil && !strings.HasPrefix(typ, "Execution") {
			switch {
			case strings.HasSuffix(typ, "StateExited") && depth == 0:
				tr.exited = true
			case strings.HasSuffix(typ, "Scheduled") && depth == 0:
				tr.attempts++
			case strings.HasSuffix(typ, "Failed") || strings.HasSuffix(typ, "TimedOut"):
				tr.failed = true
				row.Failure = true
				if d["Error"] != "" && !slices.Contains(tr.errors, d["Error"]) {
					tr.errors = append(tr.errors, d["Error"])
				}
			}
		}
		if strings.HasPrefix(typ, "Execution") && (strings.HasSuffix(typ, "Failed") || strings.HasSuffix(typ, "TimedOut") || strings.HasSuffix(typ, "Aborted")) {
			row.Failure = true
		}
		switch typ {
		case "MapStateStarted", "ParallelStateStarted":
			depth++
		case "MapStateSucceeded", "MapStateFailed", "MapStateAborted",
			"ParallelStateSucceeded", "ParallelStateFailed", "ParallelStateAborted":
			depth = max(depth-1, 0)
		}
		rows = append(rows, row)
	}
	return rows, traces, taken
}

// stateStatus colours each state from its trace and the execution's status.
func stateStatus(l layout, traces map[string]*stateTrace, execStatus string) (map[string]string, map[string]string) {
	status := map[string]string{}
	detail := map[string]string{}
	for name, st := range l.States {
		tr := traces[name]
		if tr == nil {
			continue
		}
		var s string
		switch {
		case st.Type == "Fail" && tr.entered:
			s = statusFailed
		case tr.exited && tr.failed:
			s = statusCaught
		case tr.exited:
			s = statusSucceeded
		case execStatus == string(sfntypes.ExecutionStatusRunning):
			s = statusInProgress
		case execStatus == string(sfntypes.ExecutionStatusSucceeded):
			// A Succeed state ends the execution; some engines record no exit.
			s = statusSucceeded
		default:
			s = statusFailed
		}
		status[name] = s
		var parts []string
		if tr.attempts > 1 {
			parts = append(parts, fmt.Sprintf("%d attempts", tr.attempts))
		}
		if len(tr.errors) > 0 {
			parts = append(parts, strings.Join(tr.errors, ", "))
		}
		for _, n := range tr.innerOrder {
			parts = append(parts, fmt.Sprintf("%s ×%d", n, tr.inner[n]))
		}
		detail[name] = strings.Join(parts, "; ")
	}
	return status, detail
}

// details reads the common fields of whichever *EventDetails member an
// event carries. The SDK has one Go type per event type; they share field
// names (Name, Input, Output, Error, Cause, Resource, Parameters), so one
// reflective read covers all of them, including types added later.
func details(ev sfntypes.HistoryEvent) map[string]string {
	out := map[string]string{}
	v := reflect.ValueOf(ev)
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !strings.HasSuffix(f.Name, "EventDetails") || f.Type.Kind() != reflect.Pointer {
			continue
		}
		p := v.Field(i)
		if p.IsNil() {
			continue
		}
		s := p.Elem()
		for _, name := range []string{"Name", "Input", "Output", "Error", "Cause", "Resource", "ResourceType", "Parameters"} {
			fv := s.FieldByName(name)
			if !fv.IsValid() {
				continue
			}
			switch {
			case fv.Kind() == reflect.Pointer && !fv.IsNil() && fv.Elem().Kind() == reflect.String:
				out[name] = fv.Elem().String()
			case fv.Kind() == reflect.String:
				out[name] = fv.String()
			}
		}
		if out["ResourceType"] != "" && out["Resource"] != "" {
			out["Resource"] = out["ResourceType"] + ":" + out["Resource"]
		}
	}
	return out
}

// pretty indents JSON text; anything else is returned as it is.
func pretty(s string) string {
	if s == "" {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(s), "", "  "); err != nil {
		return s
	}
	return buf.String()
}
