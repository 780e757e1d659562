package asl

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// TestHistoryCompactEvents checks that events stored in compact form come
// back with the details they were reported with, including those that do
// not fit the compact form.
func TestHistoryCompactEvents(t *testing.T) {
	start := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	h := &history{now: func() time.Time { return start.Add(time.Hour) }, loc: time.UTC}
	c := &histCtx{}
	in := map[string]any{"a": "b"}
	h.put(c, &event{ts: start, typ: evt("ExecutionStarted"), kind: kindExecStarted, v: in, name: "role"}, false)
	h.put(c, &event{ts: start, typ: evt("PassStateEntered"), kind: kindStateEntered, name: "P", v: in}, true)
	h.put(c, &event{ts: start, typ: evt("PassStateExited"), kind: kindStateExited, name: "P", v: in, assigned: map[string]any{"x": "y"}}, true)
	h.put(c, &event{ts: start, typ: evt("LambdaFunctionScheduled"), kind: kindLambdaSched, name: "arn:f", v: in, n: 1 << 40}, true)
	h.put(c, &event{ts: start, typ: evt("MapIterationStarted"), kind: kindIteration, name: "M", n: 7}, false)
	h.add(c, "MapStateSucceeded", nil, true)
	got := h.snapshot()
	want := []HistoryEvent{
		{ID: 1, PreviousEventID: 0, Timestamp: start, Type: "ExecutionStarted", Details: &EventDetails{Input: in, RoleARN: "role"}},
		{ID: 2, PreviousEventID: 0, Timestamp: start, Type: "PassStateEntered", Details: &EventDetails{Name: "P", Input: in}},
		{ID: 3, PreviousEventID: 2, Timestamp: start, Type: "PassStateExited", Details: &EventDetails{Name: "P", Output: in, AssignedVariables: map[string]any{"x": "y"}}},
		{ID: 4, PreviousEventID: 3, Timestamp: start, Type: "LambdaFunctionScheduled", Details: &EventDetails{Resource: "arn:f", Input: in, TimeoutInSeconds: 1 << 40}},
		{ID: 5, PreviousEventID: 4, Timestamp: start, Type: "MapIterationStarted", Details: &EventDetails{Name: "M", Index: 7}},
		{ID: 6, PreviousEventID: 4, Timestamp: start.Add(time.Hour), Type: "MapStateSucceeded"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		gj, _ := g.MarshalJSON()
		wj, _ := w.MarshalJSON()
		if !g.Timestamp.Equal(w.Timestamp) || g.Timestamp.Location() != time.UTC || !jsonvalue.Equal(mustDecode(t, string(gj)), mustDecode(t, string(wj))) {
			t.Errorf("event %d:\n got %s\nwant %s", i+1, gj, wj)
		}
	}
}

func TestNewUUID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		u := newUUID()
		if !re.MatchString(u) || seen[u] {
			t.Fatalf("newUUID() = %q: not a fresh version-4 UUID", u)
		}
		seen[u] = true
	}
}

func TestDefaultARNs(t *testing.T) {
	e := NewEngine()
	x := startDef(t, e, `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, `{}`)
	if want := "arn:aws:states:us-east-1:123456789012:execution:test:exec-1"; x.ARN() != want {
		t.Errorf("ARN %s, want %s", x.ARN(), want)
	}
	sm, err := NewStateMachine("first", []byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"first", "renamed"} {
		sm.Name = name
		x, err := e.Start(context.Background(), sm, map[string]any{}, StartOptions{Name: "n"})
		if err != nil {
			t.Fatal(err)
		}
		if want := "arn:aws:states:us-east-1:123456789012:execution:" + name + ":n"; x.ARN() != want {
			t.Errorf("ARN %s, want %s", x.ARN(), want)
		}
		x2, _ := e.Start(context.Background(), sm, map[string]any{}, StartOptions{Name: "m", StateMachineARN: "arn:aws:states:eu-west-1:1:stateMachine:o"})
		if want := "arn:aws:states:eu-west-1:1:execution:o:m"; x2.ARN() != want {
			t.Errorf("ARN %s, want %s", x2.ARN(), want)
		}
	}
}

// TestHistoryTimestamps checks that events share a clock reading only while
// nothing can take time: the events after a Wait, a task and a retry
// back-off carry the later time, and timestamps never go back.
func TestHistoryTimestamps(t *testing.T) {
	start := time.Unix(1_000_000, 0).UTC()
	fc := clock.NewFake(start)
	calls := 0
	runner := TaskRunnerFunc(func(ctx context.Context, req TaskRequest) (any, error) {
		calls++
		_ = fc.Sleep(ctx, 5*time.Second) // the task takes 5 s
		if calls == 1 {
			return nil, &aslerr.Error{Name: "Transient", Cause: "again"}
		}
		return req.Input, nil
	})
	e := NewEngine(WithClock(fc), WithTasks(runner))
	def := `{"StartAt":"P","States":{
		"P":{"Type":"Pass","Next":"W"},
		"W":{"Type":"Wait","Seconds":10,"Next":"T"},
		"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Retry":[{"ErrorEquals":["Transient"],"IntervalSeconds":2}],"End":true}}}`
	x := startDef(t, e, def, `{}`)
	if res := waitResult(t, x); res.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", res.Status, res.Error, res.Cause)
	}
	at := map[string][]time.Duration{}
	var prev time.Time
	for _, ev := range x.History() {
		if ev.Timestamp.Before(prev) {
			t.Fatalf("event %d %s at %s is before the previous event (%s)", ev.ID, ev.Type, ev.Timestamp, prev)
		}
		prev = ev.Timestamp
		at[ev.Type] = append(at[ev.Type], ev.Timestamp.Sub(start))
	}
	want := map[string][]time.Duration{
		"ExecutionStarted":        {0},
		"PassStateEntered":        {0},
		"WaitStateEntered":        {0},
		"WaitStateExited":         {10 * time.Second},
		"TaskStateEntered":        {10 * time.Second},
		"LambdaFunctionScheduled": {10 * time.Second, 17 * time.Second},
		"LambdaFunctionFailed":    {15 * time.Second},
		"LambdaFunctionSucceeded": {22 * time.Second},
		"TaskStateExited":         {22 * time.Second},
		"ExecutionSucceeded":      {22 * time.Second},
	}
	for typ, w := range want {
		if fmt.Sprint(at[typ]) != fmt.Sprint(w) {
			t.Errorf("%s at %v, want %v", typ, at[typ], w)
		}
	}
}

// TestMapHistoryTimestamps checks iteration timestamps when iterations run
// one after the other and each task takes 5 s.
func TestMapHistoryTimestamps(t *testing.T) {
	start := time.Unix(2_000_000, 0).UTC()
	fc := clock.NewFake(start)
	runner := TaskRunnerFunc(func(ctx context.Context, req TaskRequest) (any, error) {
		_ = fc.Sleep(ctx, 5*time.Second)
		return req.Input, nil
	})
	e := NewEngine(WithClock(fc), WithTasks(runner))
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,"ItemsPath":"$.xs","ItemProcessor":{"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Next":"P"},"P":{"Type":"Pass","End":true}}},"End":true}}}`
	x := startDef(t, e, def, `{"xs":[1,2]}`)
	if res := waitResult(t, x); res.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", res.Status, res.Error, res.Cause)
	}
	at := map[string][]time.Duration{}
	for _, ev := range x.History() {
		at[ev.Type] = append(at[ev.Type], ev.Timestamp.Sub(start))
	}
	s := time.Second
	want := map[string][]time.Duration{
		"MapStateEntered":         {0},
		"MapIterationStarted":     {0, 5 * s},
		"TaskStateEntered":        {0, 5 * s},
		"LambdaFunctionSucceeded": {5 * s, 10 * s},
		"PassStateEntered":        {5 * s, 10 * s},
		"MapIterationSucceeded":   {5 * s, 10 * s},
		"MapStateSucceeded":       {10 * s},
		"MapStateExited":          {10 * s},
	}
	for typ, w := range want {
		if fmt.Sprint(at[typ]) != fmt.Sprint(w) {
			t.Errorf("%s at %v, want %v", typ, at[typ], w)
		}
	}
}

// TestStartRecordsExecutionStarted checks that the history has its first
// event as soon as Start returns, so an execution stopped before its run
// began still reads ExecutionStarted, ExecutionAborted.
func TestStartRecordsExecutionStarted(t *testing.T) {
	e := NewEngine()
	x := startDef(t, e, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}}`, `{"a":1}`)
	if h := x.History(); len(h) != 1 || h[0].Type != "ExecutionStarted" {
		t.Fatalf("history right after Start: %v", h)
	}
	x.Stop("Err", "why")
	if res := waitResult(t, x); res.Status != StatusAborted {
		t.Fatalf("status %s", res.Status)
	}
	var types []string
	for _, ev := range x.History() {
		types = append(types, ev.Type)
	}
	if got := fmt.Sprint(types); got != "[ExecutionStarted ExecutionAborted]" {
		t.Fatalf("history %s", got)
	}
}
