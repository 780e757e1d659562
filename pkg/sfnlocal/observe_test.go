package sfnlocal

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
)

// recorder is an Observer that keeps what it was told.
type recorder struct {
	mu     sync.Mutex
	events []string
	ended  chan struct{}
}

func (r *recorder) ExecutionStarted(machine, name, input string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, "start "+machine+"/"+name+" "+input)
}

func (r *recorder) ExecutionEnded(machine, name string, st asl.Status) {
	r.mu.Lock()
	r.events = append(r.events, "end "+machine+"/"+name+" "+string(st))
	r.mu.Unlock()
	r.ended <- struct{}{}
}

func (r *recorder) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

// TestObserverAndRunning: the observer hears of a start before
// StartExecution answers, and of the end with its status; Running counts
// what has not ended.
func TestObserverAndRunning(t *testing.T) {
	rec := &recorder{ended: make(chan struct{}, 4)}
	f := newFixture(t, WithObserver(rec))
	waitARN := f.create(t, "waiter", waitDef)
	passARN := f.create(t, "passer", passDef)

	f.start(t, waitARN, "w1", `{"a":1}`)
	if got := rec.seen(); len(got) != 1 || got[0] != `start waiter/w1 {"a":1}` {
		t.Fatalf("after StartExecution: %q", got)
	}
	if n := f.srv.Running(); n != 1 {
		t.Fatalf("Running = %d, want 1", n)
	}
	f.start(t, passARN, "p1", `{}`)
	<-rec.ended
	if n := f.srv.Running(); n != 1 {
		t.Fatalf("Running after the pass ended = %d, want 1", n)
	}
	if _, err := f.client.StopExecution(t.Context(), &sfn.StopExecutionInput{ExecutionArn: aws.String(ExecutionARN("waiter", "w1"))}); err != nil {
		t.Fatal(err)
	}
	<-rec.ended
	want := []string{`start waiter/w1 {"a":1}`, `start passer/p1 {}`, `end passer/p1 SUCCEEDED`, `end waiter/w1 ABORTED`}
	if got := rec.seen(); len(got) != len(want) || got[2] != want[2] || got[3] != want[3] || got[1] != want[1] {
		t.Fatalf("events %q, want %q", got, want)
	}
	if n := f.srv.Running(); n != 0 {
		t.Fatalf("Running = %d, want 0", n)
	}
}

// TestPrunedNameStaysTaken: an execution dropped by the retention bound
// still holds its name, as on AWS, so a duplicate start is refused.
func TestPrunedNameStaysTaken(t *testing.T) {
	f := newFixture(t, WithKeep(1))
	smARN := f.create(t, "passer", passDef)
	first := f.start(t, smARN, "once", `{}`)
	f.await(t, first)
	f.await(t, f.start(t, smARN, "later", `{}`))
	waitFor(t, func() bool { _, ok := f.srv.Execution(first); return !ok })
	_, err := f.client.StartExecution(t.Context(), &sfn.StartExecutionInput{
		StateMachineArn: aws.String(smARN), Name: aws.String("once"), Input: aws.String(`{}`),
	})
	var exists *types.ExecutionAlreadyExists
	if !errors.As(err, &exists) {
		t.Fatalf("restart of a pruned name: err = %v, want ExecutionAlreadyExists", err)
	}
}

// TestEndHookSeesEveryExecutionDespiteKeep: with only one finished
// execution kept, the hook still hears of each, with its history, status
// and output.
func TestEndHookSeesEveryExecutionDespiteKeep(t *testing.T) {
	var (
		mu   sync.Mutex
		seen = map[string]ExecutionInfo{}
		done = make(chan struct{}, 8)
	)
	f := newFixture(t, WithKeep(1), WithEndHook(func(in ExecutionInfo) {
		mu.Lock()
		seen[in.Name] = in
		mu.Unlock()
		done <- struct{}{}
	}))
	arn := f.create(t, "passer", passDef)
	names := []string{"a", "b", "c", "d"}
	for _, n := range names {
		f.start(t, arn, n, `{}`)
	}
	for range names {
		<-done
	}
	mu.Lock()
	defer mu.Unlock()
	for _, n := range names {
		in, ok := seen[n]
		switch {
		case !ok:
			t.Errorf("hook never heard of %s", n)
		case in.Status != asl.StatusSucceeded || in.StateMachineARN != arn:
			t.Errorf("%s: status %s machine %s", n, in.Status, in.StateMachineARN)
		case len(in.History()) < 2:
			t.Errorf("%s: history has %d events", n, len(in.History()))
		}
	}
	// The last one ended may be pruned just after its hook returned.
	deadline := time.Now().Add(2 * time.Second)
	for len(f.srv.Executions(arn)) != 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if kept := len(f.srv.Executions(arn)); kept != 1 {
		t.Errorf("kept %d executions, want 1", kept)
	}
}
