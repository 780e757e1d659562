package jsonata

import (
	"fmt"
	"reflect"
)

// function is a function we add to (or replace in) the library's
// environment. It implements the library's jtypes.Callable interface and is
// bound as a variable, so each evaluation can carry its own instances (for
// the injectable clock and random sources) without touching the library's
// shared global registry.
//
// Arguments arrive converted to the value model (json.Number numbers,
// Undefined for missing or undefined arguments); the result goes back the
// other way.
type function struct {
	name string
	// min and max bound the argument count; max < 0 means variadic.
	min, max int
	call     func(args []any) (any, error)
	// contextArg: called with no arguments, the function receives the
	// context value as its first argument.
	contextArg bool
	context    reflect.Value
}

func (f *function) Name() string    { return f.name }
func (f *function) ParamCount() int { return f.max }

// Call implements jtypes.Callable.
func (f *function) Call(argv []reflect.Value) (reflect.Value, error) {
	if f.contextArg && len(argv) == 0 {
		argv = []reflect.Value{f.context}
	}
	if len(argv) < f.min || (f.max >= 0 && len(argv) > f.max) {
		return reflect.Value{}, fmt.Errorf("function $%s: %w", f.name, errArgCount)
	}
	args := make([]any, len(argv))
	for i, a := range argv {
		v, err := fromLib(a)
		if err != nil {
			return reflect.Value{}, fmt.Errorf("argument %d of function $%s does not match function signature", i+1, f.name)
		}
		args[i] = v
	}
	out, err := f.call(args)
	if err != nil {
		return reflect.Value{}, err
	}
	if IsUndefined(out) {
		return reflect.Value{}, nil
	}
	return reflect.ValueOf(toLib(out)), nil
}

// libNull is how the library represents JSON null: a nil *interface{}.
var libNull *any

var errArgCount = fmt.Errorf("wrong number of arguments")

// SetContext receives the evaluation context before each call (the library
// calls it on any callable that has it); functions that default their first
// argument to the context ($string() inside a path) use it. Evaluation runs
// under evalMu, so the shared instances are not raced on.
func (f *function) SetContext(ctx reflect.Value) { f.context = ctx }
