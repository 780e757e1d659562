package jsonata

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
	"github.com/logiwaflow/logiwaflow/pkg/refdata"
)

// isoCheck is one expression (or template of expressions) from a recorded
// AWS execution that can be evaluated without the engine: a JSONata Pass,
// Fail or Map field whose inputs and result the history shows.
type isoCheck struct {
	id       string
	template any            // field value: JSON with "{% %}" strings
	input    any            // $states.input
	vars     map[string]any // workflow variables visible to the state
	want     any            // expected result, or wantUndefined / wantUnsupported
}

type sentinel string

const (
	wantUndefined   sentinel = "undefined"
	wantUnsupported sentinel = "unsupported"
)

// evaluator evaluates one expression; Undefined for no result.
type evaluator func(expr string, input any, vars map[string]any) (any, error)

type confCase struct {
	ID         string          `json:"id"`
	Kind       string          `json:"kind"`
	Definition json.RawMessage `json:"definition"`
	Input      json.RawMessage `json:"input"`
	Expected   struct {
		Status string          `json:"status"`
		Output json.RawMessage `json:"output"`
		Error  *string         `json:"error"`
		Cause  *string         `json:"cause"`
	} `json:"expected"`
	History []map[string]json.RawMessage `json:"history"`
}

// loadIsoChecks extracts the isolated checks from the conformance file.
func loadIsoChecks(t testing.TB) []isoCheck {
	t.Helper()
	data, err := os.ReadFile(refdata.Path(t, "conformance", "localstack-sfn-cases.json"))
	if err != nil {
		t.Fatalf("read conformance cases: %v", err)
	}
	var cases []confCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatalf("parse conformance cases: %v", err)
	}
	var out []isoCheck
	for _, c := range cases {
		if c.Kind != "execution" || !strings.Contains(string(c.Definition), "JSONata") {
			continue
		}
		checks, err := extract(c)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		out = append(out, checks...)
	}
	return out
}

func decodeRaw(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	return jsonvalue.Decode(raw)
}

// recorded undoes the recording's habit of keeping some JSON values as JSON
// text: a string that parses as JSON stands for the parsed value.
func recorded(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	if d, err := jsonvalue.DecodeString(s); err == nil {
		return d
	}
	return v
}

func extract(c confCase) ([]isoCheck, error) {
	defAny, err := decodeRaw(c.Definition)
	if err != nil {
		return nil, err
	}
	def, _ := defAny.(map[string]any)
	states, _ := def["States"].(map[string]any)
	topLang, _ := def["QueryLanguage"].(string)

	vars := map[string]any{}
	entered := map[string]any{}
	var out []isoCheck
	for _, h := range c.History {
		var typ string
		_ = json.Unmarshal(h["type"], &typ)
		switch {
		case strings.HasSuffix(typ, "StateEntered"):
			var d struct {
				Name  string          `json:"name"`
				Input json.RawMessage `json:"input"`
			}
			_ = json.Unmarshal(h["stateEnteredEventDetails"], &d)
			in, err := decodeRaw(d.Input)
			if err != nil {
				return nil, err
			}
			entered[d.Name] = recorded(in)
		case strings.HasSuffix(typ, "StateExited"):
			var d struct {
				Name     string                     `json:"name"`
				Output   json.RawMessage            `json:"output"`
				Assigned map[string]json.RawMessage `json:"assignedVariables"`
			}
			_ = json.Unmarshal(h["stateExitedEventDetails"], &d)
			st, _ := states[d.Name].(map[string]any)
			if st == nil || !isJSONata(st, topLang) {
				mergeAssigned(vars, d.Assigned)
				continue
			}
			visible := cloneVars(vars)
			in := entered[d.Name]
			// A Choice state's Assign is replaced by the matched rule's.
			if assign, ok := st["Assign"].(map[string]any); ok && d.Assigned != nil && st["Type"] != "Choice" {
				for name, tmpl := range assign {
					raw, ok := d.Assigned[name]
					if !ok {
						continue
					}
					want, err := decodeRaw(raw)
					if err != nil {
						return nil, err
					}
					out = append(out, isoCheck{id: c.ID + "#Assign/" + name, template: tmpl, input: in, vars: visible, want: recorded(want)})
				}
			}
			if tmpl, ok := st["Output"]; ok && st["Type"] == "Pass" {
				want, err := decodeRaw(d.Output)
				if err != nil {
					return nil, err
				}
				out = append(out, isoCheck{id: c.ID + "#Output", template: tmpl, input: in, vars: visible, want: recorded(want)})
			}
			mergeAssigned(vars, d.Assigned)
		case typ == "ExecutionFailed":
			checks := failedChecks(c, states, topLang, entered, vars)
			out = append(out, checks...)
		}
	}
	// Drop checks that need the context object (recorded with placeholders).
	kept := out[:0]
	for _, ch := range out {
		if !strings.Contains(jsonvalue.String(ch.template), "$states.context") {
			kept = append(kept, ch)
		}
	}
	return kept, nil
}

// failedChecks covers the failures an expression alone explains: a field
// that evaluated to nothing, a function result, and Fail states whose Error
// and Cause come from expressions.
func failedChecks(c confCase, states map[string]any, topLang string, entered map[string]any, vars map[string]any) []isoCheck {
	var out []isoCheck
	cause := ""
	if c.Expected.Cause != nil {
		cause = *c.Expected.Cause
	}
	for name, s := range states {
		st, _ := s.(map[string]any)
		in, ok := entered[name]
		if !ok || !isJSONata(st, topLang) {
			continue
		}
		switch {
		case strings.Contains(cause, "returned nothing (undefined)"):
			expr := between(cause, "The JSONata expression '", "' specified for the field")
			out = append(out, isoCheck{id: c.ID + "#undefined", template: "{% " + expr + " %}", input: in, vars: cloneVars(vars), want: wantUndefined})
			return out
		case strings.Contains(cause, "returned an unsupported result type"):
			out = append(out, isoCheck{id: c.ID + "#unsupported", template: st["Items"], input: in, vars: cloneVars(vars), want: wantUnsupported})
			return out
		case st["Type"] == "Fail":
			if e, ok := st["Error"]; ok && c.Expected.Error != nil {
				out = append(out, isoCheck{id: c.ID + "#Error", template: e, input: in, vars: cloneVars(vars), want: *c.Expected.Error})
			}
			if e, ok := st["Cause"]; ok && c.Expected.Cause != nil {
				out = append(out, isoCheck{id: c.ID + "#Cause", template: e, input: in, vars: cloneVars(vars), want: *c.Expected.Cause})
			}
		}
	}
	return out
}

func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	i := strings.LastIndex(rest, to)
	if i < 0 {
		return rest
	}
	return rest[:i]
}

func isJSONata(st map[string]any, topLang string) bool {
	if l, ok := st["QueryLanguage"].(string); ok {
		return l == "JSONata"
	}
	return topLang == "JSONata"
}

func mergeAssigned(vars map[string]any, assigned map[string]json.RawMessage) {
	for k, raw := range assigned {
		if v, err := decodeRaw(raw); err == nil {
			vars[k] = recorded(v)
		}
	}
}

func cloneVars(v map[string]any) map[string]any {
	out := make(map[string]any, len(v))
	for k, x := range v {
		out[k] = x
	}
	return out
}

// evalTemplate evaluates every expression string inside tmpl.
func evalTemplate(ev evaluator, tmpl any, input any, vars map[string]any) (any, error) {
	switch x := tmpl.(type) {
	case string:
		inner, ok := IsExpression(x)
		if !ok {
			return x, nil
		}
		b := cloneVars(vars)
		b["states"] = map[string]any{"input": input}
		return ev(inner, input, b)
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			v, err := evalTemplate(ev, e, input, vars)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			v, err := evalTemplate(ev, e, input, vars)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	return tmpl, nil
}

// score runs checks through ev and returns the ids that failed, with why.
func score(ev evaluator, checks []isoCheck) []string {
	var failed []string
	for _, ch := range checks {
		got, err := evalTemplate(ev, ch.template, ch.input, ch.vars)
		ok := false
		switch ch.want {
		case wantUndefined:
			ok = err == nil && IsUndefined(got)
		case wantUnsupported:
			ok = err != nil && errors.Is(err, ErrUnsupportedResult)
		default:
			ok = err == nil && jsonvalue.Equal(got, ch.want)
		}
		if !ok {
			failed = append(failed, fmt.Sprintf("%s: got %v (err %v), want %v", ch.id, show(got), err, ch.want))
		}
	}
	sort.Strings(failed)
	return failed
}

func ourEvaluator(expr string, input any, vars map[string]any) (any, error) {
	e, err := Compile(expr)
	if err != nil {
		return nil, err
	}
	return e.Eval(input, vars)
}

// TestConformanceExpressions runs the expressions of recorded AWS
// executions in isolation and holds the pass rate at its measured level.
func TestConformanceExpressions(t *testing.T) {
	checks := loadIsoChecks(t)
	if len(checks) < 40 {
		t.Fatalf("extracted only %d checks from the conformance file; the extractor is broken", len(checks))
	}
	failed := score(ourEvaluator, checks)
	pass := len(checks) - len(failed)
	t.Logf("conformance expressions: %d/%d pass (%.1f%%)", pass, len(checks), 100*float64(pass)/float64(len(checks)))
	for _, f := range failed {
		t.Logf("FAIL %s", f)
	}
	if len(failed) > 0 {
		t.Errorf("%d isolated conformance checks fail", len(failed))
	}
}
