package asl

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// Execution is one run of a state machine.
type Execution struct {
	eng     *Engine
	sm      *StateMachine
	name    string
	arn     string
	smARN   string
	roleARN string
	input   any
	start   time.Time

	ctx    context.Context
	cancel context.CancelFunc
	hist   history

	mu     sync.Mutex
	status Status
	result Result
	closed bool
	done   chan struct{}

	execCtxOnce sync.Once
	execCtx     map[string]any

	// root is the top level's history thread; Start records
	// ExecutionStarted on it.
	root histCtx

	// claimed is set by whichever of startAsync and Wait starts the run.
	claimed atomic.Bool
	kick    *time.Timer
}

// startAsync runs the execution on a pool goroutine unless it was started.
func (x *Execution) startAsync() {
	if x.claimed.CompareAndSwap(false, true) {
		pool.run(x.run)
	}
}

// failure is how a state, branch or execution failed.
type failure struct {
	err, cause       string
	hasErr, hasCause bool
}

func newFailure(name, cause string) *failure {
	return &failure{err: name, cause: cause, hasErr: true, hasCause: true}
}

// errorOutput is the value a Catch passes on: {"Error":..., "Cause":...}.
func (f *failure) errorOutput() map[string]any {
	return map[string]any{"Error": f.err, "Cause": f.cause}
}

// Name returns the execution name.
func (x *Execution) Name() string { return x.name }

// ARN returns the execution ARN.
func (x *Execution) ARN() string { return x.arn }

// Status returns the current status.
func (x *Execution) Status() Status {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.status
}

// History returns a snapshot of the events so far.
func (x *Execution) History() []HistoryEvent { return x.hist.snapshot() }

// Wait blocks until the execution ends or ctx is done. When the execution
// has not started yet and ctx can never be done, Wait runs it on the
// calling goroutine: the caller would only block until the end anyway.
func (x *Execution) Wait(ctx context.Context) (Result, error) {
	if x.claimed.CompareAndSwap(false, true) {
		x.kick.Stop()
		if ctx.Done() == nil {
			x.run()
		} else {
			pool.run(x.run)
		}
	}
	select {
	case <-x.done:
		x.mu.Lock()
		defer x.mu.Unlock()
		return x.result, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Done is closed when the execution has ended.
func (x *Execution) Done() <-chan struct{} {
	x.startAsync()
	return x.done
}

// Stop aborts a running execution: it ends ABORTED with an ExecutionAborted
// event at once, and its evaluation is cancelled.
func (x *Execution) Stop(errName, cause string) {
	d := &EventDetails{Error: errName, Cause: cause}
	if errName == "" && cause == "" {
		d = nil
	}
	x.finish(StatusAborted, nil, &failure{err: errName, cause: cause}, "ExecutionAborted", d, 0, true)
}

// finish records the end of the execution once; later calls are ignored.
func (x *Execution) finish(st Status, out any, fl *failure, evType string, d *EventDetails, prev int64, usePrev bool) {
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return
	}
	x.closed = true
	now := x.eng.clock.Now()
	x.hist.addWithPrev(prev, now, evType, d)
	x.hist.mu.Lock()
	x.hist.closed = true
	n := len(x.hist.events)
	x.hist.mu.Unlock()
	x.sm.noteHistory(n)
	x.status = st
	x.result = Result{Status: st, Output: out, StartDate: x.start, StopDate: now}
	if fl != nil {
		x.result.Error, x.result.Cause = fl.err, fl.cause
	}
	x.mu.Unlock()
	x.cancel()
	close(x.done)
}

func (x *Execution) run() {
	root := &x.root
	if ts := x.sm.root.timeoutSeconds; ts > 0 {
		t := x.eng.clock.NewTimer(time.Duration(ts) * time.Second)
		defer t.Stop()
		go func() {
			select {
			case <-t.C():
				x.finish(StatusTimedOut, nil, &failure{err: "States.Timeout"}, "ExecutionTimedOut",
					&EventDetails{Error: "States.Timeout"}, root.source, true)
			case <-x.done:
			}
		}()
	}
	f := &frame{x: x, h: root, now: x.start, fresh: true}
	f.vars = &f.ownVars
	out, fl := f.runProgram(x.sm.root, x.input)
	if fl == nil {
		x.finish(StatusSucceeded, out, nil, "ExecutionSucceeded", &EventDetails{Output: out}, root.source, true)
		return
	}
	if x.ctx.Err() != nil {
		// Stopped or cancelled: Stop already recorded the end; a cancelled
		// caller context aborts.
		x.finish(StatusAborted, nil, &failure{}, "ExecutionAborted", nil, 0, true)
		return
	}
	x.finish(StatusFailed, nil, fl, "ExecutionFailed",
		&EventDetails{Error: fl.err, Cause: fl.cause, HasError: fl.hasErr, HasCause: fl.hasCause}, root.source, true)
}

// frame is one thread of evaluation: the top level, a Parallel branch or a
// Map iteration.
type frame struct {
	x    *Execution
	h    *histCtx
	vars *vars

	// $$.Map.Item of the iteration this frame runs, if any.
	inMap     bool
	itemIndex int
	itemValue any

	// $$.State of the state being run.
	stateName    string
	stateEntered time.Time
	retryCount   int
	execState    bool // Task/Map/Parallel: $$.State has RetryCount
	taskToken    string

	// now is the time this thread last read from the clock: events it
	// records while it only computes share one reading (AWS stamps events
	// in milliseconds), and it reads the clock again after anything that
	// can take time (see tick).
	now time.Time
	// fresh is set when the clock was read since the current state was
	// entered: the next state's entry then uses that reading, so a thread
	// reads the clock at most once per state when nothing waits.
	fresh bool

	// grp is the Map or Parallel worker group this frame runs in, if any.
	grp *lazyGroup

	// Storage that would otherwise be allocated per branch, iteration or
	// state: the frame's own history thread (when it has one), its variable
	// scope, and the state being run (a frame runs one state at a time).
	ownHist histCtx
	ownVars vars
	sr      stateRun
}

// record appends an event with full details, stamped f.now, that becomes
// the source of the thread's next event.
func (f *frame) record(typ string, d *EventDetails) {
	f.x.hist.put(f.h, &event{ts: f.now, typ: evt(typ), kind: kindFull, d: d}, true)
}

// tick reads the clock into f.now.
func (f *frame) tick() time.Time {
	f.now = f.x.eng.clock.Now()
	f.fresh = true
	return f.now
}

// mayBlock is called before the frame waits (on the clock, a task token or
// a task with a timeout): the worker groups it runs in start their other
// workers so that sibling iterations and branches wait at the same time.
func (f *frame) mayBlock() {
	if f.grp != nil {
		f.grp.release()
	}
}

// executionContext is the immutable part of the context object.
func (x *Execution) executionContext() map[string]any {
	x.execCtxOnce.Do(func() {
		x.execCtx = map[string]any{
			"Id":           x.arn,
			"Input":        x.input,
			"Name":         x.name,
			"RoleArn":      x.roleARN,
			"StartTime":    formatTime(x.start),
			"RedriveCount": jsonvalue.NumberFromInt(0),
		}
	})
	return x.execCtx
}

// contextObject builds the $$ value as the current state sees it.
func (f *frame) contextObject() any {
	x := f.x
	stateCtx := map[string]any{
		"Name":        f.stateName,
		"EnteredTime": formatTime(f.stateEntered),
	}
	if f.execState {
		stateCtx["RetryCount"] = jsonvalue.NumberFromInt(int64(f.retryCount))
	}
	co := map[string]any{
		"Execution":    x.executionContext(),
		"StateMachine": map[string]any{"Id": x.smARN, "Name": x.sm.Name},
		"State":        stateCtx,
	}
	if f.inMap {
		co["Map"] = map[string]any{"Item": map[string]any{
			"Index": jsonvalue.NumberFromInt(int64(f.itemIndex)), "Value": f.itemValue,
		}}
	}
	if f.taskToken != "" {
		co["Task"] = map[string]any{"Token": f.taskToken}
	}
	return co
}

// contextField answers the common context paths ($$.Execution.Id,
// $$.State.Name, $$.Map.Item.Value, ...) without building the context
// object; ok is false for anything else, which the caller then evaluates
// on the whole object (with the same result, and the same errors).
func (f *frame) contextField(fields []string) (any, bool) {
	x := f.x
	switch fields[0] {
	case "Execution":
		if len(fields) == 2 {
			if fields[1] == "StartTime" {
				return formatTime(x.start), true
			}
			v, ok := x.executionContext()[fields[1]]
			return v, ok
		}
	case "State":
		if len(fields) == 2 {
			switch fields[1] {
			case "Name":
				return f.stateName, true
			case "EnteredTime":
				return formatTime(f.stateEntered), true
			case "RetryCount":
				if f.execState {
					return jsonvalue.NumberFromInt(int64(f.retryCount)), true
				}
			}
		}
	case "StateMachine":
		if len(fields) == 2 {
			switch fields[1] {
			case "Id":
				return x.smARN, true
			case "Name":
				return x.sm.Name, true
			}
		}
	case "Task":
		if len(fields) == 2 && fields[1] == "Token" && f.taskToken != "" {
			return f.taskToken, true
		}
	case "Map":
		if len(fields) == 3 && fields[1] == "Item" && f.inMap {
			switch fields[2] {
			case "Index":
				return jsonvalue.NumberFromInt(int64(f.itemIndex)), true
			case "Value":
				return f.itemValue, true
			}
		}
	}
	return nil, false
}

// child returns a frame for a branch or iteration: its own history thread
// (h, or when h is nil one starting where f's thread is) and variable scope.
func (f *frame) child(h *histCtx) *frame {
	cf := &frame{}
	f.initChild(cf, h)
	return cf
}

// framePool recycles the frames of Map iterations, which end before their
// Map state does and leave nothing pointing at them.
var framePool = sync.Pool{New: func() any { return new(frame) }}

// pooledChild is child with a recycled frame; release it with releaseFrame
// once the iteration is over.
func (f *frame) pooledChild() *frame {
	cf := framePool.Get().(*frame)
	f.initChild(cf, nil)
	return cf
}

// releaseFrame returns cf to the pool. It is not cleared here (initChild
// overwrites all of it): clearing 280 bytes of pointers costs a bulk write
// barrier while the GC marks, and the pool drops idle frames at the next
// GCs anyway.
func releaseFrame(cf *frame) {
	framePool.Put(cf)
}

func (f *frame) initChild(cf *frame, h *histCtx) {
	*cf = frame{x: f.x, h: h, inMap: f.inMap, itemIndex: f.itemIndex, itemValue: f.itemValue, grp: f.grp}
	if h == nil {
		cf.ownHist = histCtx{source: f.h.source, last: f.h.source}
		cf.h = &cf.ownHist
	}
	cf.ownVars.parent = f.vars
	cf.vars = &cf.ownVars
}

// runProgram runs states from StartAt until one ends the program.
func (f *frame) runProgram(p *program, input any) (any, *failure) {
	cur := p.startAt
	for {
		if err := f.x.ctx.Err(); err != nil {
			return nil, &failure{err: "States.Aborted"}
		}
		st := p.states[cur]
		out, next, fl := f.runState(st, input)
		if fl != nil {
			return nil, fl
		}
		if next == "" {
			return out, nil
		}
		cur, input = next, out
	}
}
