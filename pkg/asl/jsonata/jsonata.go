package jsonata

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	blues "github.com/blues/jsonata-go"
	"github.com/blues/jsonata-go/jparse"
)

// Expr is a compiled JSONata expression. It is safe for concurrent use.
type Expr struct {
	src string
	// prog is the library's compiled form. It is only ever copied, never
	// evaluated directly: the copy gets this evaluation's variables.
	prog *blues.Expr
	// fresh is set when the library would mutate the syntax tree during
	// evaluation (it rewrites `x ~> $f(y)` in place, so a second
	// evaluation sees the argument twice); such expressions are parsed
	// again for every evaluation.
	fresh bool
	// path is set for expressions evaluated without the library.
	path *simplePath
	// refs are the variable names the text mentions ($name); only those
	// bindings are converted for the library. allRefs is set when the
	// expression may reach any variable ($eval).
	refs    map[string]bool
	allRefs bool
}

// scanRefs lists the names written as $name in expr. It reads the text
// only, so a name inside a string literal counts too, which errs on the
// side of converting a binding that is not needed.
func scanRefs(expr string) (refs map[string]bool, all bool) {
	refs = map[string]bool{}
	for i := 0; i < len(expr); i++ {
		if expr[i] != '$' {
			continue
		}
		j := i + 1
		for j < len(expr) && (expr[j] == '_' || expr[j] >= 'a' && expr[j] <= 'z' || expr[j] >= 'A' && expr[j] <= 'Z' || expr[j] >= '0' && expr[j] <= '9') {
			j++
		}
		if j > i+1 {
			refs[expr[i+1:j]] = true
		}
		i = j - 1
	}
	return refs, refs["eval"]
}

// Uses reports whether evaluating the expression may read the variable
// name (without '$').
func (e *Expr) Uses(name string) bool { return e.allRefs || e.refs[name] }

// evalMu serialises evaluation inside the library. Its built-in functions
// are package-level objects that record the calling context in a field
// before each call (goCallable.SetContext), so two evaluations running at
// once race on them even for different expressions.
var evalMu sync.Mutex

// Compile parses expr, the text between "{%" and "%}" (already trimmed).
// A syntax error is an *aslerr.Error named States.QueryEvaluationError.
func Compile(expr string) (*Expr, error) {
	prog, err := compileLib(expr)
	if err != nil {
		return nil, evalError(compileCause(expr, err), err)
	}
	e := &Expr{src: expr, prog: prog, fresh: strings.Contains(expr, "~>")}
	e.refs, e.allRefs = scanRefs(expr)
	if node, err := jparse.Parse(expr); err == nil {
		e.path, _ = parseSimplePath(node)
	}
	return e, nil
}

// MustCompile is Compile for expressions known to be valid; it panics otherwise.
func MustCompile(expr string) *Expr {
	e, err := Compile(expr)
	if err != nil {
		panic(err)
	}
	return e
}

func compileLib(expr string) (p *blues.Expr, err error) {
	// The library panics on some malformed input rather than returning an
	// error; a syntax error must never take the engine down.
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return blues.Compile(preprocess(expr))
}

// String returns the expression text as it was compiled.
func (e *Expr) String() string { return e.src }

// Eval evaluates the expression with input as the context value ($) and
// bindings as variables (names without '$'; "states" is the $states object).
// It returns a value of the jsonvalue model, or Undefined. Failures are
// *aslerr.Error named States.QueryEvaluationError.
func (e *Expr) Eval(input any, bindings map[string]any) (any, error) {
	return e.EvalWith(input, bindings, Options{})
}

// Options supplies the sources of non-determinism; zero fields use the
// real clock and crypto-quality randomness.
type Options struct {
	// Now is the clock behind $now() and $millis(); within one evaluation
	// both report the same instant, as JSONata specifies.
	Now func() time.Time
	// Random returns a float64 in [0, 1) for $random() without a seed.
	Random func() float64
	// UUID returns a version 4 UUID for $uuid().
	UUID func() string
}

// EvalWith is Eval with explicit sources for $now, $millis, $random and $uuid.
func (e *Expr) EvalWith(input any, bindings map[string]any, opts Options) (any, error) {
	if e.path != nil {
		if v, ok := e.path.eval(input, bindings); ok {
			return v, nil
		}
	}
	vars := make(map[string]any, len(bindings)+len(awsFunctions)+4)
	// Bindings shadow functions of the same name, as in jsonata-js.
	for name, f := range functionsFor(opts) {
		vars[name] = f
	}
	for name, v := range bindings {
		// Converting a binding copies it whole; one the expression never
		// names cannot matter to it.
		if e.Uses(name) {
			vars[name] = toLib(v)
		}
	}

	res, err := e.run(toLib(input), vars)
	if err != nil {
		return nil, evalError(runtimeCause(err), err)
	}
	out, err := fromLib(res)
	if err != nil {
		if errors.Is(err, errUnsupported) {
			return nil, evalError("returned an unsupported result type.", ErrUnsupportedResult)
		}
		return nil, evalError(err.Error(), err)
	}
	return out, nil
}

// ErrUnsupportedResult is wrapped by the error Eval returns when the result
// has no JSON form (a function); AWS reports "returned an unsupported result
// type." for the field.
var ErrUnsupportedResult = errors.New("jsonata: unsupported result type")

func (e *Expr) run(input any, vars map[string]any) (res reflect.Value, err error) {
	prog := e.prog
	if e.fresh {
		if prog, err = compileLib(e.src); err != nil {
			return reflect.Value{}, err
		}
	}
	// A shallow copy shares the syntax tree but starts with no registry
	// (prog never has one), so RegisterVars allocates a registry of its own.
	run := *prog
	if err := run.RegisterVars(vars); err != nil {
		return reflect.Value{}, fmt.Errorf("bind variables: %w", err)
	}

	evalMu.Lock()
	defer evalMu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	v, err := run.Eval(reflect.ValueOf(input))
	if errors.Is(err, blues.ErrUndefined) {
		return reflect.Value{}, nil
	}
	if err != nil {
		return reflect.Value{}, err
	}
	if v == nil {
		return reflect.ValueOf(libNull), nil // Eval reports null as a nil interface
	}
	return reflect.ValueOf(v), nil
}
