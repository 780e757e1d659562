package asl

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

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
