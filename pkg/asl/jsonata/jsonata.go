package jsonata

import (
	"fmt"

	blues "github.com/blues/jsonata-go"
)

// Expr is a compiled JSONata expression. It is safe for concurrent use.
type Expr struct {
	src string
}

// Compile parses expr, the text between "{%" and "%}" (already trimmed).
// A syntax error is an *aslerr.Error named States.QueryEvaluationError.
func Compile(expr string) (*Expr, error) {
	if _, err := blues.Compile(expr); err != nil {
		return nil, evalError(fmt.Sprintf("Unable to compile JSONata expression '%s': %v", expr, err), err)
	}
	return &Expr{src: expr}, nil
}

// String returns the expression text as it was compiled.
func (e *Expr) String() string { return e.src }

// Eval evaluates the expression with input as the context value ($) and
// bindings as variables (names without '$'; "states" is the $states object).
// It returns a value of the jsonvalue model, or Undefined.
func (e *Expr) Eval(input any, bindings map[string]any) (any, error) {
	return Undefined, evalError("not implemented yet", nil)
}
