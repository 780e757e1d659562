package asl

import (
	"strings"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
)

// executionState runs a Task, Map or Parallel state: evaluate the effective
// input, run the body with Retry, and on failure Catch.
func (sr *stateRun) executionState() (any, string, error) {
	st := sr.st
	var (
		eff any
		err error
	)
	if st.typ != "Task" {
		if eff, err = sr.effectiveInput(); err != nil {
			return nil, "", err
		}
	}
	var rs retryState
	for {
		var res any
		switch st.typ {
		case "Task":
			// Each attempt gets its own task token, visible to Parameters
			// as $$.Task.Token.
			if strings.HasSuffix(st.task.resource, ".waitForTaskToken") {
				sr.f.taskToken = sr.f.x.eng.ids()
			}
			if eff, err = sr.effectiveInput(); err != nil {
				return nil, "", err
			}
			res, err = sr.task(eff)
		case "Map":
			res, err = sr.mapBody(eff)
		case "Parallel":
			res, err = sr.parallel(eff)
		}
		if err == nil {
			out, err := sr.finishExec(res)
			return out, "", err
		}
		fl := sr.toFailure(err)
		if fl.err == "States.Aborted" || sr.f.x.ctx.Err() != nil {
			return nil, "", fl
		}
		// AWS does not retry or catch runtime errors of the state itself.
		if fl.err == aslerr.Runtime {
			return nil, "", fl
		}
		if d, ok := rs.next(st.retry, fl.err, nil); ok {
			sr.f.mayBlock()
			if err := sr.f.x.eng.clock.Sleep(sr.f.x.ctx, d); err != nil {
				return nil, "", &failure{err: "States.Aborted"}
			}
			sr.f.tick()
			sr.f.retryCount++
			continue
		}
		switch st.typ {
		case "Map":
			sr.hist().add(sr.f.h, "MapStateFailed", nil, true)
		case "Parallel":
			sr.hist().add(sr.f.h, "ParallelStateFailed", nil, true)
		}
		c := matchCatcher(st.catch, fl.err)
		if c == nil {
			return nil, "", fl
		}
		out, err := sr.caught(c, fl)
		return out, c.next, err
	}
}

// effectiveInput is what the body works on: InputPath + Parameters
// (JSONPath) or Arguments (JSONata).
func (sr *stateRun) effectiveInput() (any, error) {
	st := sr.st
	if st.ql == qlJSONata {
		if st.arguments == nil {
			return sr.input, nil
		}
		return st.arguments.eval(sr.bindingsFor(st.arguments, nil))
	}
	eff, err := applyOptPath(st.inputPath, sr.resolver(sr.input))
	if err != nil {
		return nil, err
	}
	if st.parameters != nil && st.typ != "Map" {
		return st.parameters.eval(sr.resolver(eff))
	}
	return eff, nil
}

// finishExec turns the body's result into the state output: Assign,
// ResultSelector, ResultPath, OutputPath (JSONPath) or Assign and Output
// (JSONata).
func (sr *stateRun) finishExec(res any) (any, error) {
	st := sr.st
	if st.ql == qlJSONata {
		extra := map[string]any{"result": res}
		if err := sr.evalAssign(st.assign, nil, extra); err != nil {
			return nil, err
		}
		return sr.jsonataOutput(st.output, res, extra)
	}
	if err := sr.evalAssign(st.assign, res, nil); err != nil {
		return nil, err
	}
	if st.resultSelector != nil {
		var err error
		if res, err = st.resultSelector.eval(sr.resolver(res)); err != nil {
			return nil, err
		}
	}
	return sr.finishJSONPath(res)
}

// caught builds the output of a matched Catcher.
func (sr *stateRun) caught(c *catcher, fl *failure) (any, error) {
	errOut := fl.errorOutput()
	if sr.st.ql == qlJSONata {
		extra := map[string]any{"errorOutput": errOut}
		if err := sr.evalAssign(c.assign, nil, extra); err != nil {
			return nil, err
		}
		return sr.jsonataOutput(c.output, errOut, extra)
	}
	if err := sr.evalAssign(c.assign, errOut, nil); err != nil {
		return nil, err
	}
	return c.resultPath.apply(sr.input, errOut)
}
