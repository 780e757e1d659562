package asl

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
	"github.com/logiwaflow/logiwaflow/pkg/asl/validate"
)

// Engine runs executions. One Engine serves any number of state machines and
// concurrent executions; it owns the task-token table.
type Engine struct {
	clock clock.Clock
	tasks TaskRunner
	log   *slog.Logger
	ids   func() string

	mu     sync.Mutex
	tokens map[string]*tokenWait
}

// NewEngine returns an engine with the given options.
func NewEngine(opts ...Option) *Engine {
	e := &Engine{clock: clock.Real(), log: slog.Default(), ids: newUUID, tokens: map[string]*tokenWait{}}
	for _, o := range opts {
		o(e)
	}
	if e.tasks == nil {
		e.tasks = TaskRunnerFunc(func(_ context.Context, req TaskRequest) (any, error) {
			return nil, fmt.Errorf("no task runner configured for resource %s", req.Resource)
		})
	}
	return e
}

// newUUID returns a random version-4 UUID (one allocation: every
// execution takes one for its name).
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// ErrInvalidDefinition wraps every definition rejected by NewStateMachine.
var ErrInvalidDefinition = errors.New("InvalidDefinition")

// NewStateMachine validates a definition as AWS's CreateStateMachine does
// and parses it.
func NewStateMachine(name string, definition []byte) (*StateMachine, error) {
	if err := validate.Error(validate.Definition(definition)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDefinition, err)
	}
	sm, err := Parse(definition)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDefinition, err)
	}
	if name != "" {
		sm.Name = name
	}
	return sm, nil
}

// Start begins an execution and returns at once; Wait for its result.
func (e *Engine) Start(ctx context.Context, sm *StateMachine, input any, opt StartOptions) (*Execution, error) {
	in, err := jsonvalue.Normalize(input)
	if err != nil {
		return nil, fmt.Errorf("start execution: input: %w", err)
	}
	x := &Execution{eng: e, sm: sm, input: in, done: make(chan struct{})}
	x.name = opt.Name
	if x.name == "" {
		x.name = e.ids()
	}
	x.smARN = opt.StateMachineARN
	var execPrefix string
	if x.smARN == "" {
		x.smARN, execPrefix = sm.defaultARNs()
	} else {
		execPrefix = strings.Replace(x.smARN, ":stateMachine:", ":execution:", 1) + ":"
	}
	x.arn = opt.ExecutionARN
	if x.arn == "" {
		x.arn = execPrefix + x.name
	}
	x.roleARN = opt.RoleARN
	x.start = opt.StartTime
	if x.start.IsZero() {
		x.start = e.clock.Now()
	}
	x.hist.now = e.clock.Now
	x.hist.record = true
	x.status = StatusRunning
	// The execution outlives the caller's request context only as long as
	// that context lives: cancelling ctx aborts the execution.
	x.ctx, x.cancel = context.WithCancel(ctx)
	x.hist.events = make([]rec, 0, sm.histHint())
	x.hist.loc = x.start.Location()
	// ExecutionStarted is recorded before Start returns, as StartExecution
	// does: the history is never empty, even if the run starts later.
	x.hist.put(&x.root, &event{ts: x.start, typ: evExecutionStarted, kind: kindExecStarted, v: x.input, name: x.roleARN}, false)
	// The execution starts on a pool goroutine at once when the caller
	// reads Done or Waits with a context that can end, and within
	// startDelay anyway; a caller that Waits without a deadline runs it
	// itself (see Execution.Wait), which saves two goroutine switches and a
	// thread wake-up per execution.
	x.kick = time.AfterFunc(startDelay, x.startAsync)
	return x, nil
}

// startDelay is the longest an execution that nobody waits for takes to
// start.
const startDelay = 50 * time.Microsecond

// Run parses, validates and runs a definition to completion: a convenience
// for tools and tests.
func Run(ctx context.Context, def []byte, input any, opts ...Option) (Result, []HistoryEvent, error) {
	sm, err := NewStateMachine("", def)
	if err != nil {
		return Result{}, nil, err
	}
	e := NewEngine(opts...)
	x, err := e.Start(ctx, sm, input, StartOptions{})
	if err != nil {
		return Result{}, nil, err
	}
	res, err := x.Wait(ctx)
	return res, x.History(), err
}

// tokenWait is an execution waiting for SendTask* on a task token.
type tokenWait struct {
	ch        chan tokenReply
	heartbeat chan struct{}
	timedOut  bool
}

type tokenReply struct {
	output any
	err    *failure
}

// ErrTaskDoesNotExist is returned for unknown or already answered tokens.
var ErrTaskDoesNotExist = errors.New("TaskDoesNotExist")

// ErrTaskTimedOut is returned for tokens whose task already timed out.
var ErrTaskTimedOut = errors.New("TaskTimedOut")

// ErrInvalidOutput is returned by SendTaskSuccess for output that is not JSON.
var ErrInvalidOutput = errors.New("InvalidOutput")

func (e *Engine) registerToken(tok string) *tokenWait {
	w := &tokenWait{ch: make(chan tokenReply, 1), heartbeat: make(chan struct{}, 1)}
	e.mu.Lock()
	e.tokens[tok] = w
	e.mu.Unlock()
	return w
}

// finishToken forgets a token; a timed-out one is remembered as such.
func (e *Engine) finishToken(tok string, timedOut bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if timedOut {
		if w, ok := e.tokens[tok]; ok {
			w.timedOut = true
			return
		}
	}
	delete(e.tokens, tok)
}

func (e *Engine) takeToken(tok string) (*tokenWait, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	w, ok := e.tokens[tok]
	if !ok {
		return nil, fmt.Errorf("%w: task token %q", ErrTaskDoesNotExist, tok)
	}
	if w.timedOut {
		delete(e.tokens, tok)
		return nil, fmt.Errorf("%w: task token %q", ErrTaskTimedOut, tok)
	}
	delete(e.tokens, tok)
	return w, nil
}

// SendTaskSuccess completes a .waitForTaskToken task with output.
func (e *Engine) SendTaskSuccess(token string, output any) error {
	out, err := jsonvalue.Normalize(output)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidOutput, err)
	}
	w, err := e.takeToken(token)
	if err != nil {
		return err
	}
	w.ch <- tokenReply{output: out}
	return nil
}

// SendTaskFailure fails a .waitForTaskToken task.
func (e *Engine) SendTaskFailure(token, errName, cause string) error {
	w, err := e.takeToken(token)
	if err != nil {
		return err
	}
	w.ch <- tokenReply{err: &failure{err: errName, cause: cause, hasErr: true, hasCause: true}}
	return nil
}

// SendTaskHeartbeat resets a task's heartbeat timer.
func (e *Engine) SendTaskHeartbeat(token string) error {
	e.mu.Lock()
	w, ok := e.tokens[token]
	e.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: task token %q", ErrTaskDoesNotExist, token)
	}
	if w.timedOut {
		return fmt.Errorf("%w: task token %q", ErrTaskTimedOut, token)
	}
	select {
	case w.heartbeat <- struct{}{}:
	default:
	}
	return nil
}

// formatTime renders a time as AWS does in the context object.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
