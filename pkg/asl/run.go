package asl

import (
	"errors"
	"fmt"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
)

func (f *failure) Error() string { return f.err + ": " + f.cause }

// stateRun is one visit of one state.
type stateRun struct {
	f           *frame
	st          *state
	input       any
	enteredID   int64
	enteredPrev int64
	// assigned holds the state's Assign results until the state exits.
	assigned map[string]any
}

func (sr *stateRun) hist() *history { return &sr.f.x.hist }

// runState runs one state and returns its output and the next state ("" when
// the program ends), or how it failed.
func (f *frame) runState(st *state, input any) (any, string, *failure) {
	sr := &f.sr
	*sr = stateRun{f: f, st: st, input: input, enteredPrev: f.h.source}
	if st.mapSpec != nil && st.mapSpec.maxConcurrencyPath != nil && sr.stallsOnNegativeConcurrency() {
		// AWS never enters such a Map: the execution stays RUNNING with
		// nothing more recorded until it is stopped or times out.
		f.mayBlock()
		<-f.x.ctx.Done()
		return nil, "", &failure{err: "States.Aborted"}
	}
	if !f.fresh {
		f.tick()
	}
	f.fresh = false
	now := f.now
	sr.enteredID = f.x.hist.put(f.h, &event{ts: now, typ: st.enteredType, kind: kindStateEntered, name: st.name, v: input}, true)
	f.stateName, f.stateEntered, f.retryCount, f.taskToken = st.name, now, 0, ""
	f.execState = st.typ == "Task" || st.typ == "Map" || st.typ == "Parallel"

	var (
		out  any
		next string
		err  error
	)
	switch st.typ {
	case "Pass":
		out, err = sr.pass()
	case "Succeed":
		out, err = sr.succeed()
	case "Fail":
		return nil, "", sr.failState()
	case "Choice":
		out, next, err = sr.choice()
	case "Wait":
		out, err = sr.wait()
	case "Task", "Map", "Parallel":
		out, next, err = sr.executionState()
	default:
		err = fmt.Errorf("unsupported state type %q", st.typ)
	}
	if err != nil {
		return nil, "", sr.toFailure(err)
	}
	if next == "" && st.typ != "Choice" {
		next = st.next
	}
	var assigned map[string]any
	if len(sr.assigned) > 0 {
		assigned = sr.assigned
	}
	f.x.hist.put(f.h, &event{ts: f.now, typ: st.exitedType, kind: kindStateExited, name: st.name, v: out, assigned: assigned}, true)
	f.vars.set(sr.assigned)
	return out, next, nil
}

// causePrefix is what AWS puts before the detail of a runtime failure.
func (sr *stateRun) causePrefix() string {
	return fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). ",
		sr.st.name, sr.enteredID)
}

// toFailure turns an evaluation error into the state's failure, recording an
// EvaluationFailed event where AWS does.
func (sr *stateRun) toFailure(err error) *failure {
	var fl *failure
	if errors.As(err, &fl) {
		return fl
	}
	var ef *evalFailure
	if errors.As(err, &ef) {
		cause := sr.causePrefix() + ef.cause
		prev := sr.enteredPrev
		if sr.st.typ == "Wait" {
			prev = sr.enteredID
		}
		sr.f.h.source = prev
		sr.hist().add(sr.f.h, "EvaluationFailed",
			&EventDetails{Error: ef.name, Cause: cause, Location: ef.location, State: sr.st.name}, true)
		return newFailure(ef.name, cause)
	}
	if ae, ok := aslerr.As(err); ok {
		return newFailure(ae.Name, sr.causePrefix()+ae.Cause)
	}
	return newFailure(aslerr.Runtime, sr.causePrefix()+err.Error())
}

// resolver returns a path resolver over v.
func (sr *stateRun) resolver(v any) resolver { return resolver{f: sr.f, input: v} }

// bindings builds the JSONata bindings: $states and the variables.
func (sr *stateRun) bindings(extra map[string]any) map[string]any {
	return sr.bindingsFor(nil, extra)
}

// bindingsFor builds the bindings for evaluating t; $states.context is left
// out when no expression of t can read it (nil t: always included).
func (sr *stateRun) bindingsFor(t *jtmpl, extra map[string]any) map[string]any {
	b := make(map[string]any, 8)
	sr.f.vars.all(b)
	states := map[string]any{"input": sr.input}
	if t == nil || t.ctx {
		states["context"] = sr.f.contextObject()
	}
	for k, v := range extra {
		states[k] = v
	}
	b["states"] = states
	return b
}

// evalAssign evaluates an Assign block into sr.assigned; every right-hand
// side sees the variables as they were before the state.
func (sr *stateRun) evalAssign(assign any, jsonpathInput any, extra map[string]any) error {
	if assign == nil {
		return nil
	}
	var v any
	var err error
	switch a := assign.(type) {
	case *tmpl:
		v, err = a.eval(sr.resolver(jsonpathInput))
	case *jtmpl:
		v, err = a.eval(sr.bindingsFor(a, extra))
	}
	if err != nil {
		return err
	}
	m, _ := v.(map[string]any)
	if sr.assigned == nil {
		sr.assigned = make(map[string]any, len(m))
	}
	for k, x := range m {
		sr.assigned[k] = x
	}
	return nil
}

// jsonataOutput evaluates Output (default: def).
func (sr *stateRun) jsonataOutput(out *jtmpl, def any, extra map[string]any) (any, error) {
	if out == nil {
		return def, nil
	}
	return out.eval(sr.bindingsFor(out, extra))
}

// finishJSONPath applies ResultPath and OutputPath to a result.
func (sr *stateRun) finishJSONPath(result any) (any, error) {
	merged, err := sr.st.resultPath.apply(sr.input, result)
	if err != nil {
		return nil, err
	}
	return applyOptPath(sr.st.outputPath, sr.resolver(merged))
}

func (sr *stateRun) pass() (any, error) {
	st := sr.st
	if st.ql == qlJSONata {
		if err := sr.evalAssign(st.assign, nil, nil); err != nil {
			return nil, err
		}
		def := sr.input
		if st.hasResult {
			def = st.result
		}
		return sr.jsonataOutput(st.output, def, nil)
	}
	eff, err := applyOptPath(st.inputPath, sr.resolver(sr.input))
	if err != nil {
		return nil, err
	}
	if st.parameters != nil {
		if eff, err = st.parameters.eval(sr.resolver(eff)); err != nil {
			return nil, err
		}
	}
	result := eff
	if st.hasResult {
		result = st.result
	}
	if err := sr.evalAssign(st.assign, result, nil); err != nil {
		return nil, err
	}
	return sr.finishJSONPath(result)
}

func (sr *stateRun) succeed() (any, error) {
	st := sr.st
	if st.ql == qlJSONata {
		if err := sr.evalAssign(st.assign, nil, nil); err != nil {
			return nil, err
		}
		return sr.jsonataOutput(st.output, sr.input, nil)
	}
	eff, err := applyOptPath(st.inputPath, sr.resolver(sr.input))
	if err != nil {
		return nil, err
	}
	return applyOptPath(st.outputPath, sr.resolver(eff))
}

func (sr *stateRun) failState() *failure {
	st := sr.st
	fl := &failure{}
	if st.ql == qlJSONata {
		b := sr.bindings(nil)
		for _, fld := range []struct {
			src valueSource
			dst *string
			has *bool
		}{{st.failError, &fl.err, &fl.hasErr}, {st.failCause, &fl.cause, &fl.hasCause}} {
			t, ok := fld.src.(*jtmpl)
			if !ok || t == nil {
				continue
			}
			v, err := t.eval(b)
			if err != nil {
				return sr.toFailure(err)
			}
			s, ok := v.(string)
			if !ok {
				return sr.toFailure(&evalFailure{name: aslerr.QueryEvaluationError, location: t.field,
					cause: fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected 'string', but was '%s' for value: %s",
						t.exprText(), t.field, typeName(v), encodeData(v))})
			}
			*fld.dst, *fld.has = s, true
		}
		return fl
	}
	if l, ok := st.failError.(lit); ok {
		fl.err, _ = l.v.(string)
		fl.hasErr = true
	}
	if l, ok := st.failCause.(lit); ok {
		fl.cause, _ = l.v.(string)
		fl.hasCause = true
	}
	r := sr.resolver(sr.input)
	for _, fld := range []struct {
		pe   *pathExpr
		name string
		dst  *string
		has  *bool
	}{{st.failErrorPath, "ErrorPath", &fl.err, &fl.hasErr}, {st.failCausePath, "CausePath", &fl.cause, &fl.hasCause}} {
		if fld.pe == nil {
			continue
		}
		v, err := r.get(fld.pe)
		if err != nil {
			return sr.toFailure(aslerr.New(aslerr.Runtime,
				"The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'",
				fld.pe.src, fld.name, encodeData(sr.input)))
		}
		s, ok := v.(string)
		if !ok {
			return sr.toFailure(aslerr.New(aslerr.Runtime,
				"The JSONPath '%s' specified for the field '%s' did not resolve to a string: %s",
				fld.pe.src, fld.name, encodeData(v)))
		}
		*fld.dst, *fld.has = s, true
	}
	return fl
}

func (sr *stateRun) choice() (any, string, error) {
	st := sr.st
	if st.ql == qlJSONata {
		b := sr.bindings(nil)
		for _, c := range st.choices {
			v, err := c.condition.eval(b)
			if err != nil {
				return nil, "", err
			}
			ok, isBool := v.(bool)
			if !isBool {
				return nil, "", &evalFailure{name: aslerr.QueryEvaluationError, location: "Condition",
					cause: fmt.Sprintf("The JSONata expression '%s' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '%s' for value: %s",
						c.condition.exprText(), typeName(v), encodeData(v))}
			}
			if !ok {
				continue
			}
			if err := sr.evalAssign(c.assign, nil, nil); err != nil {
				return nil, "", err
			}
			out, err := sr.jsonataOutput(c.output, sr.input, nil)
			return out, c.next, err
		}
		if st.choiceDefault == "" {
			return nil, "", newFailure(aslerr.NoChoiceMatched, "No Matches!")
		}
		if err := sr.evalAssign(st.assign, nil, nil); err != nil {
			return nil, "", err
		}
		out, err := sr.jsonataOutput(st.output, sr.input, nil)
		return out, st.choiceDefault, err
	}
	eff, err := applyOptPath(st.inputPath, sr.resolver(sr.input))
	if err != nil {
		return nil, "", err
	}
	r := sr.resolver(eff)
	next := ""
	var assign any
	for _, c := range st.choices {
		ok, err := c.cond.eval(r)
		if err != nil {
			return nil, "", err
		}
		if ok {
			next, assign = c.next, c.assign
			break
		}
	}
	if next == "" {
		if st.choiceDefault == "" {
			return nil, "", newFailure(aslerr.NoChoiceMatched, "No Matches!")
		}
		next, assign = st.choiceDefault, st.assign
	}
	if err := sr.evalAssign(assign, eff, nil); err != nil {
		return nil, "", err
	}
	out, err := applyOptPath(st.outputPath, sr.resolver(eff))
	return out, next, err
}

// typeName names a value's JSON type as AWS's messages do.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "number"
}
