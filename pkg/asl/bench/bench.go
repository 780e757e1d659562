// Package bench measures the ASL engine on the benchmark definition
// (shared/bench/order-pipeline.asl.json): executions per second with one
// execution at a time and with many at once, after a warm-up, and the
// allocations each execution costs. The CLI verb `logiwaflow asl bench` and
// the Go benchmarks of this package both use it, with the same two
// in-process task handlers the definition's README describes.
package bench

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// Handlers are the benchmark's task handlers, chosen by the function name
// at the end of the Task's Resource ARN:
//   - validate: {"ok": true} when the input's lines array is non-empty.
//   - pick: {"sku": item.sku, "picked": item.qty} for one Map item.
func Handlers() asl.TaskRunner {
	return asl.TaskRunnerFunc(func(_ context.Context, req asl.TaskRequest) (any, error) {
		fn := req.Resource[strings.LastIndexByte(req.Resource, ':')+1:]
		in, _ := req.Input.(map[string]any)
		switch fn {
		case "validate":
			lines, _ := in["lines"].([]any)
			return map[string]any{"ok": len(lines) > 0}, nil
		case "pick":
			return map[string]any{"sku": in["sku"], "picked": in["qty"]}, nil
		}
		return nil, &aslerr.Error{Name: "UnknownFunction", Cause: "the benchmark has no handler for " + req.Resource}
	})
}

// Result is one measurement.
type Result struct {
	Concurrency int
	Executions  int64
	Elapsed     time.Duration
	// ExecsPerSec is Executions / Elapsed.
	ExecsPerSec float64
	// AllocsPerExec and BytesPerExec are heap allocations per execution
	// over the measured period (the whole process, so background work
	// counts too; it is small next to the engine's).
	AllocsPerExec, BytesPerExec float64
}

func (r Result) String() string {
	mode := "serial (1 at a time)"
	if r.Concurrency > 1 {
		mode = fmt.Sprintf("%d at once", r.Concurrency)
	}
	return fmt.Sprintf("%-22s %10.0f execs/s  %8.0f allocs/exec  %8.1f KB/exec  (%d executions in %s)",
		mode+":", r.ExecsPerSec, r.AllocsPerExec, r.BytesPerExec/1024, r.Executions, r.Elapsed.Round(time.Millisecond))
}

// Config says what to measure.
type Config struct {
	// Definition and Input are the state machine and its execution input.
	Definition []byte
	Input      any
	// WantOutput, when set, is checked against every execution's output so
	// a fast but wrong engine cannot post a figure.
	WantOutput any
	// Concurrency is how many executions run at once (default 1).
	Concurrency int
	// Duration is how long to measure (default 3s), after Warmup (default
	// 1s, at the same concurrency).
	Duration, Warmup time.Duration
	// Options are extra engine options; the handlers are added.
	Options []asl.Option
}

// ExpectedOutput is the benchmark definition's output for its input.
var ExpectedOutput = map[string]any{"msg": "order SO-1 picked 10 lines"}

// Measure warms up and then measures the engine on cfg.
func Measure(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 1
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 3 * time.Second
	}
	if cfg.Warmup <= 0 {
		cfg.Warmup = time.Second
	}
	sm, err := asl.NewStateMachine("order-pipeline", cfg.Definition)
	if err != nil {
		return Result{}, fmt.Errorf("benchmark definition: %w", err)
	}
	eng := asl.NewEngine(append([]asl.Option{asl.WithTasks(Handlers())}, cfg.Options...)...)
	// Every execution gets the same input value: the engine never changes
	// its input (ResultPath and friends copy what they modify), and the race
	// detector would catch it if it did (TestMeasure runs 8 at once). Copying
	// it per execution would measure jsonvalue.Clone, not the engine.
	input, err := jsonvalue.Normalize(cfg.Input)
	if err != nil {
		return Result{}, fmt.Errorf("benchmark input: %w", err)
	}
	one := func(ctx context.Context) error {
		x, err := eng.Start(ctx, sm, input, asl.StartOptions{})
		if err != nil {
			return err
		}
		res, err := x.Wait(ctx)
		if err != nil {
			return err
		}
		if res.Status != asl.StatusSucceeded {
			return fmt.Errorf("execution %s: %s (%s)", res.Status, res.Error, res.Cause)
		}
		if cfg.WantOutput != nil && !jsonvalue.Equal(cfg.WantOutput, res.Output) {
			return fmt.Errorf("execution output %s, want %s", jsonvalue.String(res.Output), jsonvalue.String(cfg.WantOutput))
		}
		return nil
	}
	if _, _, err := drive(ctx, one, cfg.Concurrency, cfg.Warmup); err != nil {
		return Result{}, fmt.Errorf("warm-up: %w", err)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n, elapsed, err := drive(ctx, one, cfg.Concurrency, cfg.Duration)
	runtime.ReadMemStats(&after)
	if err != nil {
		return Result{}, err
	}
	r := Result{Concurrency: cfg.Concurrency, Executions: n, Elapsed: elapsed}
	if n > 0 {
		r.ExecsPerSec = float64(n) / elapsed.Seconds()
		r.AllocsPerExec = float64(after.Mallocs-before.Mallocs) / float64(n)
		r.BytesPerExec = float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
	}
	return r, nil
}

// drive runs executions on `workers` goroutines until d has passed and
// returns how many completed; the first failure stops it.
//
// Executions run under a context that cannot be cancelled, as a service's
// background context would be: each execution derives its own cancellable
// context, and deriving them all from one cancellable parent adds a shared
// lock that is not the engine's. The caller's ctx and a failure still stop
// the loop between executions.
func drive(ctx context.Context, one func(context.Context) error, workers int, d time.Duration) (int64, time.Duration, error) {
	execCtx := context.WithoutCancel(ctx)
	var (
		count    atomic.Int64
		stop     atomic.Bool
		firstErr error
		errOnce  sync.Once
		wg       sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() && ctx.Err() == nil && time.Now().Before(deadline) {
				if err := one(execCtx); err != nil {
					errOnce.Do(func() { firstErr = err; stop.Store(true) })
					return
				}
				count.Add(1)
			}
		}()
	}
	wg.Wait()
	return count.Load(), time.Since(start), firstErr
}
