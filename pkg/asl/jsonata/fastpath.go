package jsonata

import (
	"encoding/json"
	"strings"

	"github.com/blues/jsonata-go/jparse"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// simplePath is an expression of the form $var.field.field... (or just
// $var), the shape of most expressions in state machines
// ("$states.input.items", "$orderId"). Evaluating it directly on the value
// model is faster than the library and fixes two library defects for it:
// the library turns an empty array reached through a path into undefined
// (JSONata returns the array), and it computes in float64, losing integers
// beyond 2^53.
type simplePath struct {
	variable string // without '$'; "" is the context value
	fields   []string
}

// parseSimplePath reports the simple path that node is, if it is one.
func parseSimplePath(node jparse.Node) (*simplePath, bool) {
	switch n := node.(type) {
	case *jparse.VariableNode:
		return &simplePath{variable: n.Name}, true
	case *jparse.PathNode:
		if n.KeepArrays || len(n.Steps) < 2 {
			return nil, false
		}
		v, ok := n.Steps[0].(*jparse.VariableNode)
		if !ok {
			return nil, false
		}
		p := &simplePath{variable: v.Name}
		for _, s := range n.Steps[1:] {
			name, ok := s.(*jparse.NameNode)
			if !ok {
				return nil, false
			}
			p.fields = append(p.fields, name.Value)
		}
		return p, true
	}
	return nil, false
}

// eval walks the path. ok is false when the walk meets a value whose
// JSONata meaning needs the library (an array or a scalar before the last
// field: JSONata maps over arrays and such steps are rare), or a variable
// that is not bound (it may name a built-in function).
func (p *simplePath) eval(input any, bindings map[string]any) (v any, ok bool) {
	if p.variable == "" {
		v = input
	} else {
		v, ok = bindings[p.variable]
		if !ok {
			return nil, false
		}
	}
	for _, f := range p.fields {
		m, isMap := v.(map[string]any)
		if !isMap {
			return nil, false
		}
		if v, ok = m[f]; !ok {
			return Undefined, true
		}
	}
	return outValue(v), true
}

// outValue renders a value read straight from the input as a result, with
// numbers as JSONata would print them (1.0 becomes 1) while integers keep
// their exact text. Containers are copied only where a number inside them
// changes; the rest is shared (values are never modified in place).
func outValue(v any) any {
	out, _ := outValueChanged(v)
	return out
}

func outValueChanged(v any) (any, bool) {
	switch x := v.(type) {
	case nil, bool, string:
		return v, false
	case json.Number:
		if !strings.ContainsAny(string(x), ".eE") {
			return x, false // an integer: keep its exact text, however long
		}
		if f, err := x.Float64(); err == nil {
			n := jsonvalue.NumberFromFloat(f)
			return n, n != x
		}
		return x, false
	case []any:
		var out []any
		for i, e := range x {
			c, changed := outValueChanged(e)
			if changed && out == nil {
				out = make([]any, len(x))
				copy(out, x)
			}
			if out != nil {
				out[i] = c
			}
		}
		if out == nil {
			return x, false
		}
		return out, true
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			c, changed := outValueChanged(e)
			if changed && out == nil {
				out = make(map[string]any, len(x))
				for k2, e2 := range x {
					out[k2] = e2
				}
			}
			if out != nil {
				out[k] = c
			}
		}
		if out == nil {
			return x, false
		}
		return out, true
	}
	if n, err := jsonvalue.Normalize(v); err == nil {
		return n, true
	}
	return v, false
}
