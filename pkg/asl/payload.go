package asl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/intrinsic"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonpath"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// This file holds the JSONPath side of payload processing: paths
// (InputPath, OutputPath, ResultPath, *Path fields) and payload templates
// (Parameters, ResultSelector, ItemSelector, Assign) with their ".$" keys,
// all compiled once at parse time.

// pathRoot says what a path reads.
type pathRoot uint8

const (
	rootInput   pathRoot = iota // $...
	rootContext                 // $$...
	rootVar                     // $name...
)

// pathExpr is a compiled reference path: "$.a", "$$.Execution.Id", "$v.x".
type pathExpr struct {
	src     string
	root    pathRoot
	varName string
	rest    *jsonpath.Path // the path below the root, rewritten to start at "$"
	whole   bool           // rest is just "$"
	// fields is rest as plain field names ("$$.Execution.StartTime" ->
	// [Execution StartTime]) for a context path, so that the common ones
	// are answered without building the whole context object.
	fields []string
}

func compilePath(src string) (*pathExpr, error) {
	root, rest := jsonpath.Split(src)
	pe := &pathExpr{src: src, whole: rest == "$"}
	switch {
	case root == "$":
		pe.root = rootInput
	case root == "$$":
		pe.root = rootContext
	case strings.HasPrefix(root, "$"):
		pe.root, pe.varName = rootVar, root[1:]
	default:
		return nil, fmt.Errorf("invalid path %q", src)
	}
	if !pe.whole {
		p, err := jsonpath.Compile(rest)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", src, err)
		}
		pe.rest = p
		if pe.root == rootContext {
			pe.fields = plainFields(rest)
		}
	}
	return pe, nil
}

// plainFields splits "$.a.b" into [a b]; nil when the path has anything but
// plain dotted names.
func plainFields(rest string) []string {
	if !strings.HasPrefix(rest, "$.") {
		return nil
	}
	fields := strings.Split(rest[2:], ".")
	for _, f := range fields {
		if f == "" {
			return nil
		}
		for _, c := range f {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
				return nil
			}
		}
	}
	return fields
}

// compileValuePath compiles a *Path field (SecondsPath, ErrorPath, ...).
func compileValuePath(src, field string) (*pathExpr, error) {
	pe, err := compilePath(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return pe, nil
}

// optPath is InputPath/OutputPath/ItemsPath: absent = "$", null = {} (the
// input is discarded), else a path.
type optPath struct {
	null bool
	path *pathExpr
}

func compileOptPath(o map[string]any, field string) (*optPath, error) {
	v, ok := o[field]
	if !ok {
		return nil, nil
	}
	if v == nil {
		return &optPath{null: true}, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("must be a string or null")
	}
	pe, err := compilePath(s)
	if err != nil {
		return nil, err
	}
	return &optPath{path: pe}, nil
}

// resultPath is a ResultPath: absent = "$" (replace), null = discard the
// result and keep the input, else where to put the result.
type resultPath struct {
	discard bool
	src     string
	replace bool
	// compiled is src compiled once; nil when it does not compile, and
	// apply then reports the compile error as it always did.
	compiled *jsonpath.Path
}

func compileResultPath(o map[string]any, field string) (*resultPath, error) {
	v, ok := o[field]
	if !ok {
		return nil, nil
	}
	if v == nil {
		return &resultPath{discard: true}, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("must be a string or null")
	}
	rp := &resultPath{src: s, replace: s == "$"}
	if !rp.replace {
		rp.compiled, _ = jsonpath.Compile(s)
	}
	return rp, nil
}

// apply merges result into input per the ResultPath.
func (rp *resultPath) apply(input, result any) (any, error) {
	if rp == nil || rp.replace {
		return result, nil
	}
	if rp.discard {
		return input, nil
	}
	var (
		out any
		err error
	)
	if rp.compiled != nil {
		out, err = rp.compiled.Set(input, result)
	} else {
		out, err = jsonpath.Set(input, rp.src, result)
	}
	if err != nil {
		return nil, &aslerr.Error{Name: aslerr.ResultPathMatchFailure,
			Cause: fmt.Sprintf("Unable to apply ResultPath %q to input %s", rp.src, jsonvalue.String(input)), Wrapped: err}
	}
	return out, nil
}

// tmplKind is the shape of a template node.
type tmplKind uint8

const (
	tLit tmplKind = iota
	tObj
	tArr
	tPath
	tIntrinsic
)

// tmpl is a compiled JSONPath payload template.
type tmpl struct {
	kind  tmplKind
	lit   any
	keys  []string // output keys (".$" stripped)
	src   []string // keys as written, for error messages
	vals  []*tmpl
	items []*tmpl
	path  *pathExpr
	intr  *intrinsic.Expr
	text  string
	// intrPaths are the intrinsic's path arguments, compiled.
	intrPaths map[string]*pathExpr
}

// compileTemplate compiles a Parameters-like value. A subtree without any
// ".$" key stays a literal and is shared by every evaluation.
func compileTemplate(v any, field string) (*tmpl, error) {
	switch x := v.(type) {
	case map[string]any:
		t := &tmpl{kind: tObj}
		dynamic := false
		for k, e := range x {
			if strings.HasSuffix(k, ".$") {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("%s/%s: the value of a \".$\" field must be a string", field, k)
				}
				sub, err := compileDollarValue(s)
				if err != nil {
					return nil, fmt.Errorf("%s/%s: %w", field, k, err)
				}
				t.keys = append(t.keys, strings.TrimSuffix(k, ".$"))
				t.src = append(t.src, k)
				t.vals = append(t.vals, sub)
				dynamic = true
				continue
			}
			sub, err := compileTemplate(e, field+"/"+k)
			if err != nil {
				return nil, err
			}
			if sub.kind != tLit {
				dynamic = true
			}
			t.keys = append(t.keys, k)
			t.src = append(t.src, k)
			t.vals = append(t.vals, sub)
		}
		if !dynamic {
			return &tmpl{kind: tLit, lit: x}, nil
		}
		return t, nil
	case []any:
		t := &tmpl{kind: tArr}
		dynamic := false
		for i, e := range x {
			sub, err := compileTemplate(e, fmt.Sprintf("%s[%d]", field, i))
			if err != nil {
				return nil, err
			}
			if sub.kind != tLit {
				dynamic = true
			}
			t.items = append(t.items, sub)
		}
		if !dynamic {
			return &tmpl{kind: tLit, lit: x}, nil
		}
		return t, nil
	}
	return &tmpl{kind: tLit, lit: v}, nil
}

// compileDollarValue compiles the value of a ".$" key: a path or an
// intrinsic function call.
func compileDollarValue(s string) (*tmpl, error) {
	if intrinsic.IsIntrinsic(s) {
		e, err := intrinsic.Compile(s)
		if err != nil {
			return nil, err
		}
		t := &tmpl{kind: tIntrinsic, intr: e, text: s, intrPaths: map[string]*pathExpr{}}
		for _, p := range e.Paths() {
			// A path that does not compile is left to fail at run time
			// with the error it always had.
			if pe, err := compilePath(p); err == nil {
				t.intrPaths[p] = pe
			}
		}
		return t, nil
	}
	pe, err := compilePath(s)
	if err != nil {
		return nil, err
	}
	return &tmpl{kind: tPath, path: pe, text: s}, nil
}

// pathNotFound is a failed path lookup; the caller words the cause for the
// field it evaluated.
type pathNotFound struct {
	path string
	err  error
}

func (e *pathNotFound) Error() string { return "path not found: " + e.path }

// resolver evaluates paths against one state's view of the data.
type resolver struct {
	f     *frame
	input any
}

// get evaluates a path.
func (r resolver) get(pe *pathExpr) (any, error) {
	var doc any
	switch pe.root {
	case rootInput:
		doc = r.input
	case rootContext:
		if pe.fields != nil {
			if v, ok := r.f.contextField(pe.fields); ok {
				return v, nil
			}
		}
		doc = r.f.contextObject()
	case rootVar:
		v, ok := r.f.vars.lookup(pe.varName)
		if !ok {
			return nil, &pathNotFound{path: pe.src}
		}
		doc = v
	}
	if pe.whole {
		return doc, nil
	}
	v, err := pe.rest.Get(doc)
	if err != nil {
		var nf *jsonpath.NotFoundError
		if errors.As(err, &nf) {
			return nil, &pathNotFound{path: pe.src, err: err}
		}
		return nil, err
	}
	return v, nil
}

// resolveString is the resolve callback for intrinsic functions.
func (r resolver) resolveString(path string) (any, error) {
	pe, err := compilePath(path)
	if err != nil {
		return nil, err
	}
	return r.get(pe)
}

// eval builds the template's value.
func (t *tmpl) eval(r resolver) (any, error) {
	switch t.kind {
	case tLit:
		return t.lit, nil
	case tObj:
		out := make(map[string]any, len(t.keys))
		for i, k := range t.keys {
			v, err := t.vals[i].eval(r)
			if err != nil {
				var nf *pathNotFound
				if errors.As(err, &nf) && t.vals[i].kind == tPath {
					return nil, aslerr.New(aslerr.Runtime,
						"The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'",
						t.vals[i].text, t.src[i], jsonvalue.String(r.input))
				}
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case tArr:
		out := make([]any, len(t.items))
		for i, e := range t.items {
			v, err := e.eval(r)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case tPath:
		return r.get(t.path)
	case tIntrinsic:
		resolve := func(path string) (any, error) {
			if pe := t.intrPaths[path]; pe != nil {
				return r.get(pe)
			}
			return r.resolveString(path)
		}
		v, err := t.intr.EvalEnv(resolve, intrinsic.Env{UUID: r.f.x.eng.ids})
		if err != nil {
			var nf *pathNotFound
			if errors.As(err, &nf) {
				return nil, aslerr.New(aslerr.Runtime,
					"The JSONPath '%s' could not be found in the input '%s'", nf.path, jsonvalue.String(r.input))
			}
			return nil, err
		}
		return jsonvalue.Normalize(v)
	}
	return nil, fmt.Errorf("unknown template node %d", t.kind)
}

// applyPath evaluates InputPath/OutputPath/ItemsPath.
func applyOptPath(op *optPath, r resolver) (any, error) {
	if op == nil {
		return r.input, nil
	}
	if op.null {
		return map[string]any{}, nil
	}
	v, err := r.get(op.path)
	if err != nil {
		var nf *pathNotFound
		if errors.As(err, &nf) {
			return nil, aslerr.New(aslerr.Runtime, "Invalid path '%s' : No results for path: %s",
				op.path.src, bracketPath(op.path.src))
		}
		return nil, err
	}
	return v, nil
}

// bracketPath renders "$.a.b" as "$['a']['b']", the way AWS's error does.
func bracketPath(src string) string {
	if !strings.HasPrefix(src, "$.") {
		return src
	}
	var b strings.Builder
	b.WriteString("$")
	for _, part := range strings.Split(src[2:], ".") {
		if i := strings.IndexByte(part, '['); i > 0 {
			b.WriteString("['" + part[:i] + "']" + part[i:])
			continue
		}
		b.WriteString("['" + part + "']")
	}
	return b.String()
}
