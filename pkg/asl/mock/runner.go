package mock

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// ErrNotMocked is wrapped by the error a Runner returns for a state its
// test case does not mock, or for an invocation its response does not
// answer.
var ErrNotMocked = errors.New("not mocked")

// lambdaInvoke is the optimised Lambda integration; see RunTask.
const lambdaInvoke = "arn:aws:states:::lambda:invoke"

// Runner serves one test case of a Config as the engine's task runner. It
// counts invocations per execution and state, so retries and Map iterations
// move through the response's answers as in Step Functions Local. It is
// safe for concurrent use.
type Runner struct {
	machine, testCase string
	cfg               *Config
	states            TestCase

	mu       sync.Mutex
	counts   map[invocationKey]int
	unmocked []string
	tokens   TokenSender
}

// TokenSender answers .waitForTaskToken tasks; *asl.Engine is one.
type TokenSender interface {
	SendTaskSuccess(token string, output any) error
}

// AnswerTokens makes the runner answer .waitForTaskToken tasks itself, as
// Step Functions Local does: the mocked Return becomes the task's result
// through the token (a Throw fails the task as usual). Without it such a
// task waits for someone else to send its token.
func (r *Runner) AnswerTokens(s TokenSender) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tokens = s
}

type invocationKey struct{ execution, state string }

// Runner returns a runner for a state machine's test case.
func (c *Config) Runner(machine, testCase string) (*Runner, error) {
	sm, ok := c.StateMachines[machine]
	if !ok {
		return nil, fmt.Errorf("mock config has no state machine %q (it has %s)", machine, names(c.StateMachines))
	}
	tc, ok := sm.TestCases[testCase]
	if !ok {
		return nil, fmt.Errorf("state machine %q has no test case %q (it has %s)", machine, testCase, names(sm.TestCases))
	}
	return &Runner{machine: machine, testCase: testCase, cfg: c, states: tc, counts: map[invocationKey]int{}}, nil
}

// RunTask answers a Task state's invocation from the test case: the
// response's Return value, or its Throw as an *aslerr.Error that Retry and
// Catch match on.
//
// A mocked response for a Lambda state is usually written the way the
// lambda:invoke integration returns it, {"StatusCode":200,"Payload":...}.
// The engine wraps a runner's result for that resource itself, so for
// arn:aws:states:::lambda:invoke the Payload is returned and the rest of
// the mocked object is dropped.
func (r *Runner) RunTask(ctx context.Context, req asl.TaskRequest) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	respName, ok := r.states[req.StateName]
	exec := req.ExecutionARN
	if exec == "" {
		exec = req.ExecutionName
	}
	r.mu.Lock()
	key := invocationKey{exec, req.StateName}
	n := r.counts[key]
	r.counts[key] = n + 1
	if !ok {
		r.unmocked = append(r.unmocked, req.StateName)
	}
	r.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("state %q of %q is %w in test case %q (mocked states: %s)",
			req.StateName, r.machine, ErrNotMocked, r.testCase, names(r.states))
	}
	resp := r.cfg.Responses[respName]
	a, ok := resp.For(n)
	if !ok {
		return nil, fmt.Errorf("invocation %d of state %q is %w: response %q answers invocations %s",
			n, req.StateName, ErrNotMocked, respName, answered(resp))
	}
	if a.Throw != nil {
		e := *a.Throw
		return nil, &e
	}
	out := jsonvalue.Clone(a.Return)
	if strings.HasPrefix(req.Resource, lambdaInvoke) {
		if m, ok := out.(map[string]any); ok {
			if p, ok := m["Payload"]; ok {
				out = p
			}
		}
	}
	r.mu.Lock()
	tokens := r.tokens
	r.mu.Unlock()
	if req.TaskToken != "" && tokens != nil {
		// The engine registered the token before calling the runner, so the
		// answer can be sent now; what the runner returns is only the
		// submission's result.
		if err := tokens.SendTaskSuccess(req.TaskToken, out); err != nil {
			return nil, fmt.Errorf("answer task token of state %q: %w", req.StateName, err)
		}
		return map[string]any{}, nil
	}
	return out, nil
}

// Invocations reports how many times a state was invoked, over all
// executions.
func (r *Runner) Invocations(state string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	total := 0
	for k, n := range r.counts {
		if k.state == state {
			total += n
		}
	}
	return total
}

// Unmocked lists the states invoked without a mock, in call order, so a
// caller can report a test case that does not cover its path even when a
// Catch hid the failure.
func (r *Runner) Unmocked() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.unmocked...)
}

func answered(r *Response) string {
	parts := make([]string, len(r.Answers))
	for i, a := range r.Answers {
		parts[i] = rangeKey(a)
	}
	return strings.Join(parts, ", ")
}

func names[V any](m map[string]V) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, fmt.Sprintf("%q", k))
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}
