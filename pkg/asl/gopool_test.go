package asl

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// barrierTasks answers a task only once n tasks are in flight at the same
// time, so an engine that ran Map iterations or Parallel branches one after
// the other would never finish.
func barrierTasks(n int) TaskRunner {
	var (
		mu      sync.Mutex
		arrived int
		all     = make(chan struct{})
	)
	return TaskRunnerFunc(func(ctx context.Context, req TaskRequest) (any, error) {
		mu.Lock()
		arrived++
		if arrived == n {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
			return req.Input, nil
		case <-time.After(3 * time.Second):
			return nil, fmt.Errorf("only %d of %d tasks ran at once", arrived, n)
		}
	})
}

func TestGroupsRunBlockingWorkConcurrently(t *testing.T) {
	const task = `{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true}`
	tests := []struct {
		name, def, input, output string
		inFlight                 int
	}{
		{"map", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","ItemProcessor":{"StartAt":"T","States":{"T":` + task + `}},"End":true}}}`,
			`{"xs":[1,2,3,4,5]}`, `[1,2,3,4,5]`, 5},
		{"map max concurrency", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","MaxConcurrency":3,"ItemProcessor":{"StartAt":"T","States":{"T":` + task + `}},"End":true}}}`,
			`{"xs":[1,2,3]}`, `[1,2,3]`, 3},
		{"parallel", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"T1","States":{"T1":` + task + `}},{"StartAt":"T2","States":{"T2":` + task + `}},{"StartAt":"T3","States":{"T3":` + task + `}}],"End":true}}}`,
			`"x"`, `["x","x","x"]`, 3},
		{"nested map", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","ItemProcessor":{"StartAt":"N","States":{"N":{"Type":"Map","ItemsPath":"$","ItemProcessor":{"StartAt":"T","States":{"T":` + task + `}},"End":true}}},"End":true}}}`,
			`{"xs":[[1,2],[3,4]]}`, `[[1,2],[3,4]]`, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEngine(WithTasks(barrierTasks(tc.inFlight)))
			res := waitResult(t, startDef(t, e, tc.def, tc.input))
			if res.Status != StatusSucceeded {
				t.Fatalf("status %s: %s %s", res.Status, res.Error, res.Cause)
			}
			if want := mustDecode(t, tc.output); !jsonvalue.Equal(res.Output, want) {
				t.Fatalf("output %v, want %v", res.Output, want)
			}
		})
	}
}

// TestGroupsWaitTogether checks that iterations waiting on the clock wait at
// the same time: three 1-second Waits on the wall clock take about one
// second, not three. (The fake clock cannot show this: its Sleep jumps at
// once, so how far it jumps depends on scheduling.)
func TestGroupsWaitTogether(t *testing.T) {
	e := NewEngine()
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","ItemProcessor":{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"End":true}}},"End":true}}}`
	begin := time.Now()
	res := waitResult(t, startDef(t, e, def, `{"xs":[1,2,3]}`))
	if res.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", res.Status, res.Error, res.Cause)
	}
	if took := time.Since(begin); took < time.Second || took > 2500*time.Millisecond {
		t.Fatalf("three concurrent 1 s Waits took %s", took)
	}
}

// TestGroupFinishesWithoutHelpers checks the fast path: work that never
// waits runs on the calling goroutine and the unused helpers are not
// started afterwards by the timer.
func TestGroupFinishesWithoutHelpers(t *testing.T) {
	var g lazyGroup
	ran := make([]bool, 4)
	g.start(nil, 3, workerFunc(func(w int) { ran[w] = true }))
	ran[0] = true
	g.finish()
	time.Sleep(2 * lazySpawnDelay)
	if !ran[0] || ran[1] || ran[2] || ran[3] {
		t.Fatalf("workers run: %v, want only worker 0", ran)
	}
}

// TestGroupReleaseStartsAncestors checks that releasing an inner group also
// starts the helpers of the groups around it.
func TestGroupReleaseStartsAncestors(t *testing.T) {
	var outer, inner lazyGroup
	var mu sync.Mutex
	started := map[string]int{}
	count := func(name string) workerFunc {
		return func(int) { mu.Lock(); started[name]++; mu.Unlock() }
	}
	outer.start(nil, 2, count("outer"))
	inner.start(&outer, 1, count("inner"))
	inner.release()
	inner.release() // idempotent
	inner.finish()
	outer.finish()
	mu.Lock()
	defer mu.Unlock()
	if started["outer"] != 2 || started["inner"] != 1 {
		t.Fatalf("helpers started: %v, want outer 2, inner 1", started)
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

// TestStartWithoutWait checks that an execution nobody waits for runs by
// itself, and that one waited for without a deadline runs on the waiting
// goroutine.
func TestStartWithoutWait(t *testing.T) {
	var stack string
	runner := TaskRunnerFunc(func(_ context.Context, req TaskRequest) (any, error) {
		buf := make([]byte, 16<<10)
		stack = string(buf[:runtime.Stack(buf, false)])
		return req.Input, nil
	})
	e := NewEngine(WithTasks(runner))
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true}}}`

	x := startDef(t, e, def, `{}`)
	deadline := time.Now().Add(2 * time.Second)
	for x.Status() == StatusRunning && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if st := x.Status(); st != StatusSucceeded {
		t.Fatalf("unwaited execution: status %s", st)
	}
	if strings.Contains(stack, "(*Execution).Wait") {
		t.Fatalf("unwaited execution ran inside Wait:\n%s", stack)
	}

	x = startDef(t, e, def, `{}`)
	if res, err := x.Wait(context.Background()); err != nil || res.Status != StatusSucceeded {
		t.Fatalf("waited execution: %v %v", res.Status, err)
	}
	if !strings.Contains(stack, "(*Execution).Wait") {
		t.Fatalf("execution waited for without a deadline did not run on the waiting goroutine:\n%s", stack)
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
