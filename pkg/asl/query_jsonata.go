package asl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonata"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// This file holds the JSONata side of payload processing: fields whose
// string values may be "{% expression %}" (Arguments, Output, Assign, Items,
// Seconds, ...), compiled once at parse time.

type jkind uint8

const (
	jLit jkind = iota
	jExpr
	jObj
	jArr
)

// jtmpl is a compiled JSONata-capable field value.
type jtmpl struct {
	kind  jkind
	lit   any
	expr  *jsonata.Expr
	src   string // the expression text, for error messages
	field string // where it sits, e.g. "Output/result", for error messages
	keys  []string
	vals  []*jtmpl
	items []*jtmpl
	// ctx is set when an expression in the template may read
	// $states.context; building the context object is skipped otherwise.
	ctx bool
}

// needsContext reports whether an expression may read $states.context:
// some use of $states other than $states.input, .result or .errorOutput,
// or $eval.
func needsContext(src string) bool {
	if strings.Contains(src, "$eval") {
		return true
	}
	for rest := src; ; {
		i := strings.Index(rest, "$states")
		if i < 0 {
			return false
		}
		rest = rest[i+len("$states"):]
		ok := false
		for _, f := range []string{".input", ".result", ".errorOutput"} {
			if strings.HasPrefix(rest, f) && !identChar(rest, len(f)) {
				ok = true
				break
			}
		}
		if !ok {
			return true
		}
	}
}

// identChar reports whether s[i] continues an identifier.
func identChar(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	c := s[i]
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func compileJSONata(v any, field string) (*jtmpl, error) {
	switch x := v.(type) {
	case string:
		inner, ok := jsonata.IsExpression(x)
		if !ok {
			return &jtmpl{kind: jLit, lit: x, field: field}, nil
		}
		e, err := jsonata.Compile(inner)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		return &jtmpl{kind: jExpr, expr: e, src: inner, field: field, ctx: needsContext(inner)}, nil
	case map[string]any:
		t := &jtmpl{kind: jObj, field: field}
		dynamic := false
		for k, e := range x {
			sub, err := compileJSONata(e, field+"/"+k)
			if err != nil {
				return nil, err
			}
			dynamic = dynamic || sub.kind != jLit
			t.ctx = t.ctx || sub.ctx
			t.keys = append(t.keys, k)
			t.vals = append(t.vals, sub)
		}
		if !dynamic {
			return &jtmpl{kind: jLit, lit: x, field: field}, nil
		}
		return t, nil
	case []any:
		t := &jtmpl{kind: jArr, field: field}
		dynamic := false
		for i, e := range x {
			sub, err := compileJSONata(e, fmt.Sprintf("%s/%d", field, i))
			if err != nil {
				return nil, err
			}
			dynamic = dynamic || sub.kind != jLit
			t.ctx = t.ctx || sub.ctx
			t.items = append(t.items, sub)
		}
		if !dynamic {
			return &jtmpl{kind: jLit, lit: x, field: field}, nil
		}
		return t, nil
	}
	return &jtmpl{kind: jLit, lit: v, field: field}, nil
}

// evalFailure is a JSONata evaluation failure: AWS records it with an
// EvaluationFailed event naming the field before the state fails.
type evalFailure struct {
	name, cause, location string
}

func (e *evalFailure) Error() string { return e.name + ": " + e.cause }

// eval evaluates the template with the given bindings ("states" and the
// workflow variables).
func (t *jtmpl) eval(b map[string]any) (any, error) {
	switch t.kind {
	case jLit:
		return t.lit, nil
	case jExpr:
		v, err := t.expr.Eval(nil, b)
		if errors.Is(err, jsonata.ErrUnsupportedResult) {
			return nil, &evalFailure{name: aslerr.QueryEvaluationError, location: t.field,
				cause: fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned an unsupported result type.", t.src, t.field)}
		}
		if err != nil {
			if ae, ok := aslerr.As(err); ok {
				return nil, &evalFailure{name: ae.Name, cause: ae.Cause, location: t.field}
			}
			return nil, &evalFailure{name: aslerr.QueryEvaluationError, cause: err.Error(), location: t.field}
		}
		if jsonata.IsUndefined(v) {
			return nil, &evalFailure{name: aslerr.QueryEvaluationError, location: t.field,
				cause: fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", t.src, t.field)}
		}
		n, err := jsonvalue.Normalize(v)
		if err != nil {
			return nil, &evalFailure{name: aslerr.QueryEvaluationError, location: t.field,
				cause: fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned an unsupported result type.", t.src, t.field)}
		}
		return n, nil
	case jObj:
		out := make(map[string]any, len(t.keys))
		for i, k := range t.keys {
			v, err := t.vals[i].eval(b)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case jArr:
		out := make([]any, len(t.items))
		for i, e := range t.items {
			v, err := e.eval(b)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown JSONata node %d", t.kind)
}

// exprText is the expression text of a single-expression field, or its
// literal rendered, for messages about the value's type.
func (t *jtmpl) exprText() string {
	if t.kind == jExpr {
		return t.src
	}
	return strings.TrimSpace(jsonvalue.String(t.lit))
}
