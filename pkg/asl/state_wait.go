package asl

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

func (sr *stateRun) wait() (any, error) {
	st := sr.st
	var (
		until time.Time
		dur   time.Duration
		err   error
		out   any
	)
	if st.ql == qlJSONata {
		if err := sr.evalAssign(st.assign, nil, nil); err != nil {
			return nil, err
		}
		if dur, until, err = sr.waitJSONata(); err != nil {
			return nil, err
		}
		if out, err = sr.jsonataOutput(st.output, sr.input, nil); err != nil {
			return nil, err
		}
	} else {
		eff, err := applyOptPath(st.inputPath, sr.resolver(sr.input))
		if err != nil {
			return nil, err
		}
		if dur, until, err = sr.waitJSONPath(eff); err != nil {
			return nil, err
		}
		if err := sr.evalAssign(st.assign, eff, nil); err != nil {
			return nil, err
		}
		if out, err = applyOptPath(st.outputPath, sr.resolver(eff)); err != nil {
			return nil, err
		}
	}
	clk := sr.f.x.eng.clock
	if !until.IsZero() {
		dur = until.Sub(clk.Now())
	}
	if dur > 0 {
		sr.f.mayBlock()
		if err := clk.Sleep(sr.f.x.ctx, dur); err != nil {
			return nil, &failure{err: "States.Aborted"}
		}
		sr.f.tick()
	}
	return out, nil
}

func (sr *stateRun) waitJSONPath(eff any) (time.Duration, time.Time, error) {
	st := sr.st
	if l, ok := st.waitSeconds.(lit); ok {
		n, _ := jsonvalue.Int(l.v)
		return time.Duration(n) * time.Second, time.Time{}, nil
	}
	if l, ok := st.waitTimestamp.(lit); ok {
		s, _ := l.v.(string)
		t, err := parseTimestamp(s)
		if err != nil {
			return 0, time.Time{}, aslerr.New(aslerr.Runtime, "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: %s", s)
		}
		return 0, t, nil
	}
	r := sr.resolver(eff)
	if pe := st.waitSecondsPath; pe != nil {
		v, err := r.get(pe)
		if err != nil {
			return 0, time.Time{}, pathErr(err, "SecondsPath", pe, eff)
		}
		n, ok := jsonvalue.Int(v)
		if !ok {
			return 0, time.Time{}, aslerr.New(aslerr.Runtime, "The SecondsPath parameter cannot be parsed as a long value: %s == %s", pe.src, plain(v))
		}
		if n < 0 {
			return 0, time.Time{}, aslerr.New(aslerr.Runtime, "The SecondsPath parameter references a negative value: %s == %s", pe.src, plain(v))
		}
		return time.Duration(n) * time.Second, time.Time{}, nil
	}
	if pe := st.waitTimestampPath; pe != nil {
		v, err := r.get(pe)
		if err != nil {
			return 0, time.Time{}, pathErr(err, "TimestampPath", pe, eff)
		}
		s, ok := v.(string)
		t, perr := parseTimestamp(s)
		if !ok || perr != nil {
			return 0, time.Time{}, aslerr.New(aslerr.Runtime, "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", pe.src, plain(v))
		}
		return 0, t, nil
	}
	return 0, time.Time{}, nil
}

// plain renders a value in a message: strings bare, others as JSON.
func plain(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return encodeData(v)
}

func pathErr(err error, field string, pe *pathExpr, input any) error {
	var nf *pathNotFound
	if errors.As(err, &nf) {
		return aslerr.New(aslerr.Runtime, "The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'",
			pe.src, field, encodeData(input))
	}
	return err
}

func (sr *stateRun) waitJSONata() (time.Duration, time.Time, error) {
	st := sr.st
	if t, ok := st.waitSeconds.(*jtmpl); ok && t != nil {
		v, err := t.eval(sr.bindingsFor(t, nil))
		if err != nil {
			return 0, time.Time{}, err
		}
		f, ok := jsonvalue.Float(v)
		if !ok || f != math.Trunc(f) || f < 0 {
			return 0, time.Time{}, &evalFailure{name: aslerr.QueryEvaluationError, location: "Seconds",
				cause: fmt.Sprintf("The JSONata expression '%s' specified for the field 'Seconds' returned an unexpected result type. Expected 'integer', but was '%s' for value: %s",
					t.exprText(), typeName(v), encodeData(v))}
		}
		return time.Duration(f) * time.Second, time.Time{}, nil
	}
	if t, ok := st.waitTimestamp.(*jtmpl); ok && t != nil {
		v, err := t.eval(sr.bindingsFor(t, nil))
		if err != nil {
			return 0, time.Time{}, err
		}
		s, _ := v.(string)
		ts, perr := parseTimestamp(s)
		if perr != nil {
			return 0, time.Time{}, &evalFailure{name: aslerr.QueryEvaluationError, location: "Timestamp",
				cause: fmt.Sprintf("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: %s", plain(v))}
		}
		return 0, ts, nil
	}
	return 0, time.Time{}, nil
}
