package intrinsic

import (
	"errors"
	"strings"
)

// Expr is a compiled intrinsic function call. Immutable and safe for
// concurrent use.
type Expr struct {
	src string
}

// IsIntrinsic reports whether s is written as an intrinsic function call
// ("States.Format(...)" and friends), as opposed to a JSONPath.
func IsIntrinsic(s string) bool {
	return strings.HasPrefix(strings.TrimSpace(s), "States.")
}

// Compile parses expr. Syntax errors are *aslerr.Error.
func Compile(expr string) (*Expr, error) { return nil, errors.New("not implemented") }

// Eval evaluates the call. resolve is given each path argument ("$.x",
// "$$.Execution.Id", "$var", "$var.a") and returns its value. Failures are
// *aslerr.Error with AWS's error name and cause.
func (e *Expr) Eval(resolve func(path string) (any, error)) (any, error) {
	return nil, errors.New("not implemented")
}

// String returns the expression as written.
func (e *Expr) String() string { return e.src }

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

// EvalEnv is Eval with the given Env.
func (e *Expr) EvalEnv(resolve func(path string) (any, error), env Env) (any, error) {
	return nil, errors.New("not implemented")
}
