package statemachines_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
	"github.com/logiwaflow/logiwaflow/pkg/asl/mock"
	"github.com/logiwaflow/logiwaflow/statemachines"
)

// mockConfigPath is the Step Functions Local mock configuration every branch
// test runs from; `logiwaflow asl run --mock-config` reads the same file.
const mockConfigPath = "testdata/mock-config.json"

// gateTimeoutSeconds and latencyThresholdMs are the values the definitions are
// rendered with here; the tests assert behaviour at and around them.
const (
	gateTimeoutSeconds = 3600
	latencyThresholdMs = 2000
)

// epoch is the fake clock's start: every execution starts at this instant.
var epoch = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// renderValues stands in for what Terraform and the local runtime supply.
func renderValues(flow string) map[string]string {
	return map[string]string{
		"flow":                   flow,
		"gate_queue_url":         "https://sqs.us-east-1.amazonaws.com/123456789012/logiwaflow-gate",
		"gate_timeout_seconds":   fmt.Sprint(gateTimeoutSeconds),
		"latency_threshold_ms":   fmt.Sprint(latencyThresholdMs),
		"park_function_arn":      "arn:aws:lambda:us-east-1:123456789012:function:logiwaflow-park",
		"redrive_function_arn":   "arn:aws:lambda:us-east-1:123456789012:function:logiwaflow-redrive",
		"sync_function_arn":      "arn:aws:lambda:us-east-1:123456789012:function:logiwaflow-sync",
		"update_db_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:logiwaflow-update-db",
		"validate_function_arn":  "arn:aws:lambda:us-east-1:123456789012:function:logiwaflow-validate",
	}
}

// machine renders and parses one definition.
func machine(t testing.TB, name string) *asl.StateMachine {
	t.Helper()
	def, err := statemachines.Render(name, renderValues(name))
	if err != nil {
		t.Fatal(err)
	}
	sm, err := asl.NewStateMachine(name, def)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return sm
}

// loadMockConfig parses the mock configuration once per test binary.
var loadMockConfig = sync.OnceValues(func() (*mock.Config, error) {
	return mock.LoadFile(mockConfigPath)
})

// call is one task invocation as the runner saw it.
type call struct {
	State   string
	Attempt int
	Input   map[string]any
}

// payload is a Lambda task's Payload or an SQS task's MessageBody.
func (c call) payload() map[string]any {
	for _, k := range []string{"Payload", "MessageBody"} {
		if m, ok := c.Input[k].(map[string]any); ok {
			return m
		}
	}
	return nil
}

// recorder keeps every task invocation before handing it to the mock.
type recorder struct {
	next asl.TaskRunner

	mu    sync.Mutex
	calls []call
}

func (r *recorder) RunTask(ctx context.Context, req asl.TaskRequest) (any, error) {
	in, _ := jsonvalue.Clone(req.Input).(map[string]any)
	r.mu.Lock()
	r.calls = append(r.calls, call{State: req.StateName, Attempt: req.Attempt, Input: in})
	r.mu.Unlock()
	return r.next.RunTask(ctx, req)
}

// of returns the invocations of one state, in call order.
func (r *recorder) of(state string) []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []call
	for _, c := range r.calls {
		if c.State == state {
			out = append(out, c)
		}
	}
	return out
}

// run is one finished execution of a mocked test case.
type run struct {
	name    string
	input   any
	result  asl.Result
	history []asl.HistoryEvent
	sleeps  []time.Duration
	calls   *recorder
	mocks   *mock.Runner
}

// runCase runs a test case of the mock configuration on the fake clock.
func runCase(t *testing.T, machineName, testCase, execName, input string) run {
	t.Helper()
	cfg, err := loadMockConfig()
	if err != nil {
		t.Fatal(err)
	}
	mr, err := cfg.Runner(machineName, testCase)
	if err != nil {
		t.Fatal(err)
	}
	in, err := jsonvalue.DecodeString(input)
	if err != nil {
		t.Fatalf("input: %v", err)
	}
	clk := clock.NewFake(epoch)
	rec := &recorder{next: mr}
	eng := asl.NewEngine(asl.WithTasks(rec), asl.WithClock(clk))
	mr.AnswerTokens(eng)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	x, err := eng.Start(ctx, machine(t, machineName), in, asl.StartOptions{Name: execName})
	if err != nil {
		t.Fatal(err)
	}
	res, err := x.Wait(ctx)
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	if un := mr.Unmocked(); len(un) > 0 {
		t.Errorf("states invoked without a mock in %s/%s: %v", machineName, testCase, un)
	}
	return run{name: execName, input: in, result: res, history: x.History(), sleeps: clk.Sleeps(), calls: rec, mocks: mr}
}

// entered lists the states entered, in history order.
func entered(h []asl.HistoryEvent) []string {
	var out []string
	for _, e := range h {
		if strings.HasSuffix(e.Type, "StateEntered") && e.Details != nil {
			out = append(out, e.Details.Name)
		}
	}
	return out
}

// billedTransitions counts state transitions as Step Functions bills a
// Standard workflow: one per state entered, one per retry of a Task (AWS:
// "each retry will be charged as an additional state transition"), plus one
// for the start.
func billedTransitions(h []asl.HistoryEvent) int {
	n, tasks, scheduled := 1, 0, 0
	for _, e := range h {
		switch {
		case strings.HasSuffix(e.Type, "StateEntered"):
			n++
			if e.Type == "TaskStateEntered" {
				tasks++
			}
		case e.Type == "TaskScheduled" || e.Type == "LambdaFunctionScheduled":
			scheduled++
		}
	}
	return n + scheduled - tasks
}

// sortRuns sorts each run of consecutive names in inner, so states of Map
// iterations, which run concurrently, compare as a multiset.
func sortRuns(seq []string, inner map[string]bool) []string {
	out := slices.Clone(seq)
	for i := 0; i < len(out); {
		j := i
		for j < len(out) && inner[out[j]] {
			j++
		}
		if j > i {
			slices.Sort(out[i:j])
			i = j
			continue
		}
		i++
	}
	return out
}

// mustJSON decodes a literal used as an expectation.
func mustJSON(t testing.TB, s string) any {
	t.Helper()
	v, err := jsonvalue.DecodeString(s)
	if err != nil {
		t.Fatalf("bad expectation %s: %v", s, err)
	}
	return v
}

// field walks a path of object keys.
func field(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// equalJSON reports a mismatch between a value and a JSON literal.
func equalJSON(t testing.TB, what string, got any, want string) {
	t.Helper()
	if !jsonvalue.Equal(got, mustJSON(t, want)) {
		t.Errorf("%s = %s, want %s", what, jsonvalue.String(got), want)
	}
}

// definitionStates lists every state of a definition, nested ones included.
func definitionStates(t testing.TB, name string) []string {
	t.Helper()
	raw, err := statemachines.Raw(name)
	if err != nil {
		t.Fatal(err)
	}
	var def map[string]any
	if err := json.Unmarshal(raw, &def); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(states map[string]any)
	walk = func(states map[string]any) {
		for n, s := range states {
			out = append(out, n)
			st, _ := s.(map[string]any)
			for _, k := range []string{"ItemProcessor", "Iterator"} {
				if p, ok := st[k].(map[string]any); ok {
					inner, _ := p["States"].(map[string]any)
					walk(inner)
				}
			}
			if bs, ok := st["Branches"].([]any); ok {
				for _, b := range bs {
					inner, _ := field(b, "States").(map[string]any)
					walk(inner)
				}
			}
		}
	}
	states, _ := def["States"].(map[string]any)
	walk(states)
	slices.Sort(out)
	return out
}
