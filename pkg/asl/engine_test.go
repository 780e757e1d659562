package asl

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := jsonvalue.DecodeString(s)
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func startDef(t *testing.T, e *Engine, def, input string) *Execution {
	t.Helper()
	sm, err := NewStateMachine("test", []byte(def))
	if err != nil {
		t.Fatalf("NewStateMachine: %v", err)
	}
	x, err := e.Start(context.Background(), sm, mustDecode(t, input), StartOptions{Name: "exec-1"})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return x
}

func waitResult(t *testing.T, x *Execution) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := x.Wait(ctx)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return res
}

func TestStates(t *testing.T) {
	tests := []struct {
		name, def, input string
		status           Status
		output           string
		errName          string
	}{
		{"pass result path", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","End":true}}}`,
			`{"a":1}`, StatusSucceeded, `{"a":1,"r":{"x":1}}`, ""},
		{"pass parameters", `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"v.$":"$.a","n.$":"$$.Execution.Name","k":"lit"},"End":true}}}`,
			`{"a":[1,2]}`, StatusSucceeded, `{"v":[1,2],"n":"exec-1","k":"lit"}`, ""},
		{"choice numeric", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":5,"Next":"Big"}],"Default":"Small"},"Big":{"Type":"Pass","Result":"big","End":true},"Small":{"Type":"Pass","Result":"small","End":true}}}`,
			`{"n":7}`, StatusSucceeded, `"big"`, ""},
		{"choice and/not string matches", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"And":[{"Variable":"$.s","StringMatches":"ab*z"},{"Not":{"Variable":"$.s","StringEquals":"abz"}}],"Next":"Y"}],"Default":"N"},"Y":{"Type":"Succeed"},"N":{"Type":"Fail","Error":"No"}}}`,
			`{"s":"abcdz"}`, StatusSucceeded, `{"s":"abcdz"}`, ""},
		{"choice no match", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.b","BooleanEquals":true,"Next":"Y"}]},"Y":{"Type":"Succeed"}}}`,
			`{"b":false}`, StatusFailed, ``, "States.NoChoiceMatched"},
		{"fail", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}}`, `{}`, StatusFailed, ``, "E"},
		{"jsonata output and assign", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":"{% $states.input.v * 2 %}"},"Output":"{% $states.input.v %}","Next":"B"},"B":{"Type":"Pass","Output":{"x":"{% $x %}"},"End":true}}}`,
			`{"v":21}`, StatusSucceeded, `{"x":42}`, ""},
		{"parallel", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"End":true}}},{"StartAt":"B","States":{"B":{"Type":"Pass","Result":2,"End":true}}}],"End":true}}}`,
			`{}`, StatusSucceeded, `[1,2]`, ""},
		{"map item selector", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","ItemSelector":{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value"},"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}}`,
			`{"xs":["a","b"]}`, StatusSucceeded, `[{"i":0,"v":"a"},{"i":1,"v":"b"}]`, ""},
		{"catch", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"why"}}}],"Catch":[{"ErrorEquals":["Boom"],"ResultPath":"$.err","Next":"D"}],"End":true},"D":{"Type":"Pass","End":true}}}`,
			`{"a":1}`, StatusSucceeded, `{"a":1,"err":{"Error":"Boom","Cause":"why"}}`, ""},
		{"input path missing", `{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.nope","End":true}}}`, `{}`, StatusFailed, ``, "States.Runtime"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEngine(WithClock(clock.NewFake(time.Unix(0, 0))))
			res := waitResult(t, startDef(t, e, tc.def, tc.input))
			if res.Status != tc.status {
				t.Fatalf("status %s (%s: %s), want %s", res.Status, res.Error, res.Cause, tc.status)
			}
			if tc.output != "" && !jsonvalue.Equal(res.Output, mustDecode(t, tc.output)) {
				t.Fatalf("output %s, want %s", jsonvalue.String(res.Output), tc.output)
			}
			if res.Error != tc.errName {
				t.Fatalf("error %q, want %q", res.Error, tc.errName)
			}
		})
	}
}

func TestRetryBackoffOnFakeClock(t *testing.T) {
	fake := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	var calls int
	runner := TaskRunnerFunc(func(_ context.Context, req TaskRequest) (any, error) {
		if req.Attempt != calls {
			t.Errorf("attempt %d, want %d", req.Attempt, calls)
		}
		calls++
		if calls <= 4 {
			return nil, &aslerr.Error{Name: "Transient", Cause: "try again"}
		}
		return map[string]any{"ok": true}, nil
	})
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f",
		"Retry":[{"ErrorEquals":["Other"],"MaxAttempts":1},{"ErrorEquals":["Transient"],"IntervalSeconds":2,"BackoffRate":3,"MaxDelaySeconds":10,"MaxAttempts":5}],"End":true}}}`
	e := NewEngine(WithClock(fake), WithTasks(runner))
	res := waitResult(t, startDef(t, e, def, `{}`))
	if res.Status != StatusSucceeded {
		t.Fatalf("status %s %s %s", res.Status, res.Error, res.Cause)
	}
	want := []time.Duration{2 * time.Second, 6 * time.Second, 10 * time.Second, 10 * time.Second}
	got := fake.Sleeps()
	if len(got) != len(want) {
		t.Fatalf("sleeps %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sleeps %v, want %v", got, want)
		}
	}
	if d := res.StopDate.Sub(res.StartDate); d != 28*time.Second {
		t.Fatalf("virtual duration %v, want 28s", d)
	}
}

func TestRetryExhaustedThenCatch(t *testing.T) {
	fake := clock.NewFake(time.Unix(0, 0))
	runner := TaskRunnerFunc(func(context.Context, TaskRequest) (any, error) { return nil, errors.New("plain failure") })
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f",
		"Retry":[{"ErrorEquals":["States.TaskFailed"],"MaxAttempts":2}],
		"Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},"C":{"Type":"Pass","End":true}}}`
	e := NewEngine(WithClock(fake), WithTasks(runner))
	x := startDef(t, e, def, `{}`)
	res := waitResult(t, x)
	want := map[string]any{"Error": "States.TaskFailed", "Cause": "plain failure"}
	if res.Status != StatusSucceeded || !jsonvalue.Equal(res.Output, want) {
		t.Fatalf("got %s %s, want caught error", res.Status, jsonvalue.String(res.Output))
	}
	var failed int
	for _, ev := range x.History() {
		if ev.Type == "LambdaFunctionFailed" {
			failed++
		}
	}
	if failed != 3 {
		t.Fatalf("%d LambdaFunctionFailed events, want 3", failed)
	}
}

func TestTaskTokenRoundTrip(t *testing.T) {
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
		"Parameters":{"token.$":"$$.Task.Token"},"HeartbeatSeconds":60,"TimeoutSeconds":600,
		"Catch":[{"ErrorEquals":["Logiwa.Rejected"],"Next":"Rejected"}],"End":true},"Rejected":{"Type":"Pass","End":true}}}`
	for _, succeed := range []bool{true, false} {
		e := NewEngine(WithClock(clock.NewFake(time.Unix(0, 0))))
		tokens := make(chan string, 1)
		e.tasks = TaskRunnerFunc(func(_ context.Context, req TaskRequest) (any, error) {
			in := req.Input.(map[string]any)
			if in["token"] != req.TaskToken || req.TaskToken == "" {
				t.Errorf("token %v not passed in parameters (%q)", in["token"], req.TaskToken)
			}
			tokens <- req.TaskToken
			return map[string]any{"MessageId": "m-1"}, nil
		})
		x := startDef(t, e, def, `{}`)
		tok := <-tokens
		if err := e.SendTaskHeartbeat(tok); err != nil {
			t.Fatalf("heartbeat: %v", err)
		}
		var err error
		if succeed {
			err = e.SendTaskSuccess(tok, map[string]any{"done": true})
		} else {
			err = e.SendTaskFailure(tok, "Logiwa.Rejected", "bad sku")
		}
		if err != nil {
			t.Fatalf("send: %v", err)
		}
		res := waitResult(t, x)
		want := map[string]any{"done": true}
		if !succeed {
			want = map[string]any{"Error": "Logiwa.Rejected", "Cause": "bad sku"}
		}
		if res.Status != StatusSucceeded || !jsonvalue.Equal(res.Output, want) {
			t.Fatalf("succeed=%v: %s %s", succeed, res.Status, jsonvalue.String(res.Output))
		}
		if err := e.SendTaskSuccess(tok, nil); !errors.Is(err, ErrTaskDoesNotExist) {
			t.Fatalf("second answer: %v, want ErrTaskDoesNotExist", err)
		}
	}
}

func TestTaskTimeoutAndHeartbeat(t *testing.T) {
	tests := []struct {
		name, fields, want string
	}{
		{"timeout", `"TimeoutSeconds":5`, "States.Timeout"},
		{"heartbeat", `"TimeoutSeconds":100,"HeartbeatSeconds":5`, "States.HeartbeatTimeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := clock.NewFake(time.Unix(0, 0))
			submitted := make(chan struct{}, 1)
			e := NewEngine(WithClock(fake), WithTasks(TaskRunnerFunc(func(ctx context.Context, req TaskRequest) (any, error) {
				submitted <- struct{}{}
				return "sent", nil
			})))
			def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",` + tc.fields + `,"End":true}}}`
			x := startDef(t, e, def, `{}`)
			<-submitted
			// Let virtual time pass until the engine's timer has fired.
			deadline := time.Now().Add(5 * time.Second)
			for x.Status() == StatusRunning && time.Now().Before(deadline) {
				fake.Advance(time.Second)
				time.Sleep(time.Millisecond)
			}
			res := waitResult(t, x)
			if res.Status != StatusFailed || res.Error != tc.want {
				t.Fatalf("got %s %s, want FAILED %s", res.Status, res.Error, tc.want)
			}
		})
	}
}

func TestStop(t *testing.T) {
	e := NewEngine() // real clock: the Wait would take an hour
	x := startDef(t, e, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`, `{}`)
	for len(x.History()) < 2 {
		time.Sleep(time.Millisecond)
	}
	x.Stop("", "")
	res := waitResult(t, x)
	if res.Status != StatusAborted {
		t.Fatalf("status %s, want ABORTED", res.Status)
	}
	h := x.History()
	if last := h[len(h)-1]; last.Type != "ExecutionAborted" {
		t.Fatalf("last event %s, want ExecutionAborted", last.Type)
	}
}

func TestConcurrentExecutions(t *testing.T) {
	sm, in := loadBench(t)
	e := NewEngine(WithTasks(benchTasks))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x, err := e.Start(context.Background(), sm, in, StartOptions{})
			if err != nil {
				errs <- err
				return
			}
			res, err := x.Wait(context.Background())
			if err != nil || res.Status != StatusSucceeded {
				errs <- errors.New("execution did not succeed: " + string(res.Status))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestHistoryWireShape(t *testing.T) {
	ev := HistoryEvent{ID: 2, PreviousEventID: 1, Type: "PassStateExited", Timestamp: time.Unix(0, 0).UTC(),
		Details: &EventDetails{Name: "P", Output: map[string]any{"a": jsonvalue.NumberFromInt(1)}, AssignedVariables: map[string]any{"x": "s"}}}
	b, err := ev.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	got := mustDecode(t, string(b))
	want := mustDecode(t, `{"id":2,"previousEventId":1,"timestamp":"1970-01-01T00:00:00Z","type":"PassStateExited",
		"stateExitedEventDetails":{"name":"P","output":"{\"a\":1}","outputDetails":{"truncated":false},
		"assignedVariables":{"x":"\"s\""},"assignedVariablesDetails":{"truncated":false}}}`)
	if !jsonvalue.Equal(got, want) {
		t.Fatalf("wire %s", b)
	}
}
