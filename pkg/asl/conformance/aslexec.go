package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// ASLExecutor runs cases on the pkg/asl engine: definitions are validated
// and parsed as CreateStateMachine would, Waits and retries run on a fake
// clock starting at Env.Start, generated ids are deterministic, and Task
// states (the recorded cases have none) fail unless opts supply a runner.
//
// An execution the recording expects to stay RUNNING runs on a clock that
// never moves; once it has as many events as the recording (or has ended)
// and Env.Settle more has passed, its status and history are read. One the
// recording shows ABORTED runs the same way up to the event before the
// abort and is then stopped, as the recorded test stopped it while it
// waited.
func ASLExecutor(opts ...asl.Option) Executor {
	return func(ctx context.Context, c *Case, env Env) (Outcome, error) {
		sm, err := asl.NewStateMachine(env.MachineName, c.Definition)
		if err != nil {
			return Outcome{}, fmt.Errorf("definition rejected: %w", err)
		}
		input, err := c.InputValue()
		if err != nil {
			return Outcome{}, err
		}
		holds := c.NeverEnds() || c.Expected.Status == string(asl.StatusAborted)
		var clk clock.Clock = clock.NewFake(env.Start)
		if holds {
			clk = stillClock{now: env.Start}
		}
		var seq atomic.Int64
		ids := func() string {
			return fmt.Sprintf("00000000-0000-4000-8000-%012d", seq.Add(1))
		}
		all := append([]asl.Option{
			asl.WithClock(clk),
			asl.WithIDs(ids),
			asl.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
			asl.WithTasks(asl.TaskRunnerFunc(func(_ context.Context, req asl.TaskRequest) (any, error) {
				return nil, fmt.Errorf("conformance cases have no task runner (state %s, resource %s)", req.StateName, req.Resource)
			})),
		}, opts...)
		eng := asl.NewEngine(all...)

		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		x, err := eng.Start(runCtx, sm, input, asl.StartOptions{
			Name:            env.ExecutionName,
			StateMachineARN: env.MachineARN,
			ExecutionARN:    env.ExecutionARN,
			RoleARN:         env.RoleARN,
			StartTime:       env.Start,
		})
		if err != nil {
			return Outcome{}, fmt.Errorf("start execution: %w", err)
		}

		if holds {
			// Let it reach the point the recording shows (the recorded
			// events, or those before the abort), then Settle longer so an
			// engine that goes on to end the execution is seen doing so.
			reach := len(c.History)
			if !c.NeverEnds() {
				reach--
			}
			if err := awaitEvents(ctx, x, reach); err != nil {
				return Outcome{}, err
			}
			select {
			case <-x.Done():
			case <-time.After(env.Settle):
			case <-ctx.Done():
				return Outcome{}, ctx.Err()
			}
			if c.NeverEnds() && x.Status() == asl.StatusRunning {
				// Read the history before the deferred cancel aborts it.
				hist, err := encodeHistory(x.History())
				return Outcome{Status: string(asl.StatusRunning), History: hist}, err
			}
			if !c.NeverEnds() {
				x.Stop("", "")
			}
		}
		res, err := x.Wait(ctx)
		if err != nil {
			return Outcome{}, fmt.Errorf("wait for execution: %w", err)
		}
		hist, err := encodeHistory(x.History())
		return Outcome{Status: string(res.Status), Output: res.Output, Error: res.Error, Cause: res.Cause, History: hist}, err
	}
}

// awaitEvents waits until the execution has recorded n events or ended.
// Polling is enough here: it runs only for the few cases that never end.
func awaitEvents(ctx context.Context, x *asl.Execution, n int) error {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for len(x.History()) < n {
		select {
		case <-x.Done():
			return nil
		case <-ctx.Done():
			return fmt.Errorf("execution did not reach event %d: %w", n, ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}

// encodeHistory renders events as GetExecutionHistory JSON and decodes them
// into the value model, so they compare exactly as AWS's did.
func encodeHistory(events []asl.HistoryEvent) ([]any, error) {
	out := make([]any, len(events))
	for i, e := range events {
		b, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode history event %d: %w", e.ID, err)
		}
		v, err := jsonvalue.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("decode history event %d: %w", e.ID, err)
		}
		out[i] = v
	}
	return out, nil
}

// stillClock is a clock on which time never passes: sleeps last until they
// are cancelled and timers never fire, so an execution that AWS left
// running stays where it blocks.
type stillClock struct{ now time.Time }

func (c stillClock) Now() time.Time { return c.now }

func (c stillClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	<-ctx.Done()
	return ctx.Err()
}

func (c stillClock) NewTimer(d time.Duration) clock.Timer {
	t := stillTimer{c: make(chan time.Time, 1)}
	if d <= 0 {
		t.c <- c.now
	}
	return t
}

type stillTimer struct{ c chan time.Time }

func (t stillTimer) C() <-chan time.Time { return t.c }
func (t stillTimer) Stop() bool          { return len(t.c) == 0 }
