package intrinsic

import (
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
)

// Env supplies the non-deterministic inputs of States.UUID and
// States.MathRandom, so tests (and replays) can fix them. A zero Env uses
// crypto/rand UUIDs and math/rand/v2.
type Env struct {
	// UUID returns a version-4 UUID in its canonical text form.
	UUID func() string
	// Rand returns a pseudo-random float in [0, 1) for an unseeded
	// States.MathRandom call.
	Rand func() float64
}

// Eval evaluates the call with a default Env. resolve is given each path
// argument ("$.x", "$$.Execution.Id", "$var", "$var.a") and returns its
// value; its errors are returned unchanged, so the engine can recognise its
// own "path not found" error. Other failures are *aslerr.Error named
// States.IntrinsicFailure whose cause names the function and the problem.
func (e *Expr) Eval(resolve func(path string) (any, error)) (any, error) {
	return e.EvalEnv(resolve, Env{})
}

// EvalEnv is Eval with the given Env.
func (e *Expr) EvalEnv(resolve func(path string) (any, error), env Env) (any, error) {
	if env.UUID == nil {
		env.UUID = randomUUID
	}
	if env.Rand == nil {
		env.Rand = mrand.Float64
	}
	return eval(e.root, resolve, &env)
}

func eval(n *node, resolve func(string) (any, error), env *Env) (any, error) {
	switch n.kind {
	case nLit:
		return n.lit, nil
	case nPath:
		if resolve == nil {
			return nil, aslerr.New(aslerr.IntrinsicFailure, "no resolver for the path %s", n.path)
		}
		return resolve(n.path)
	}
	args := make([]any, len(n.args))
	for i, a := range n.args {
		v, err := eval(a, resolve, env)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	c := &call{fn: n.fn, args: args, nodes: n.args, env: env}
	return n.fn.impl(c)
}

// call is one invocation: the evaluated arguments plus their syntax (Format
// needs to know whether its template was a literal with escaped braces).
type call struct {
	fn    *function
	args  []any
	nodes []*node
	env   *Env
}

// fail is a runtime failure of the function.
func (c *call) fail(format string, args ...any) error {
	return &aslerr.Error{Name: aslerr.IntrinsicFailure,
		Cause: fmt.Sprintf("Invalid arguments in %s: %s", c.fn.name, fmt.Sprintf(format, args...))}
}

func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
