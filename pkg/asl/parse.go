package asl

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// queryLang is a state's query language.
type queryLang uint8

const (
	qlJSONPath queryLang = iota
	qlJSONata
)

// StateMachine is a parsed definition with every expression compiled. It is
// immutable and may run many executions at once.
type StateMachine struct {
	// Name is used in the context object and default ARNs.
	Name       string
	definition []byte
	root       *program

	// eventsHint is the largest history an execution of this machine has
	// had so far (capped), so that the next one allocates its event slice
	// once.
	eventsHint atomic.Int32

	// arns caches the default state machine ARN and execution ARN prefix
	// for the Name they were built from (Name is exported and may change).
	arns atomic.Pointer[smARNs]
}

type smARNs struct{ name, sm, execPrefix string }

// defaultARNs returns the local ARN of the machine and the prefix of its
// executions' ARNs.
func (sm *StateMachine) defaultARNs() (smARN, execPrefix string) {
	if a := sm.arns.Load(); a != nil && a.name == sm.Name {
		return a.sm, a.execPrefix
	}
	a := &smARNs{name: sm.Name, sm: "arn:aws:states:us-east-1:123456789012:stateMachine:" + sm.Name,
		execPrefix: "arn:aws:states:us-east-1:123456789012:execution:" + sm.Name + ":"}
	sm.arns.Store(a)
	return a.sm, a.execPrefix
}

// maxEventsHint caps the preallocated history: one huge Map must not make
// every later execution reserve as much.
const maxEventsHint = 1024

func (sm *StateMachine) histHint() int {
	if n := int(sm.eventsHint.Load()); n > 0 {
		return n
	}
	return 32
}

// noteHistory records the length of a finished execution's history.
func (sm *StateMachine) noteHistory(n int) {
	n = min(n, maxEventsHint)
	if int32(n) > sm.eventsHint.Load() {
		sm.eventsHint.Store(int32(n))
	}
}

// Definition returns the definition text the machine was parsed from.
func (sm *StateMachine) Definition() []byte { return sm.definition }

// program is a set of states with a start: the top level, a Parallel branch
// or a Map item processor.
type program struct {
	startAt        string
	states         map[string]*state
	ql             queryLang
	timeoutSeconds int64
}

// Parse reads a definition. It builds the tree and compiles expressions; it
// does not run the full static validation (NewStateMachine does).
func Parse(definition []byte) (*StateMachine, error) {
	v, err := jsonvalue.Decode(definition)
	if err != nil {
		return nil, fmt.Errorf("parse definition: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("parse definition: not a JSON object")
	}
	p := &parser{}
	root, err := p.program(obj, qlJSONPath, "")
	if err != nil {
		return nil, fmt.Errorf("parse definition: %w", err)
	}
	if ts, ok := obj["TimeoutSeconds"]; ok {
		n, _ := jsonvalue.Int(ts)
		root.timeoutSeconds = n
	}
	return &StateMachine{Name: "StateMachine", definition: append([]byte(nil), definition...), root: root}, nil
}

type parser struct{}

func (p *parser) program(obj map[string]any, inherited queryLang, where string) (*program, error) {
	ql := inherited
	if s, ok := obj["QueryLanguage"].(string); ok {
		switch s {
		case "JSONata":
			ql = qlJSONata
		case "JSONPath":
			ql = qlJSONPath
		default:
			return nil, fmt.Errorf("%s/QueryLanguage: unknown query language %q", where, s)
		}
	}
	start, _ := obj["StartAt"].(string)
	if start == "" {
		return nil, fmt.Errorf("%s/StartAt: missing", where)
	}
	rawStates, ok := obj["States"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s/States: missing or not an object", where)
	}
	prog := &program{startAt: start, states: make(map[string]*state, len(rawStates)), ql: ql}
	for name, raw := range rawStates {
		so, ok := raw.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s/States/%s: not an object", where, name)
		}
		st, err := p.state(name, so, ql, where+"/States/"+name)
		if err != nil {
			return nil, err
		}
		prog.states[name] = st
	}
	if _, ok := prog.states[start]; !ok {
		return nil, fmt.Errorf("%s/StartAt: state %q does not exist", where, start)
	}
	for name, st := range prog.states {
		for _, n := range st.targets() {
			if _, ok := prog.states[n]; !ok {
				return nil, fmt.Errorf("%s/States/%s: transition to missing state %q", where, name, n)
			}
		}
	}
	return prog, nil
}

// targets lists the states a state can move to.
func (s *state) targets() []string {
	var out []string
	if s.next != "" {
		out = append(out, s.next)
	}
	if s.choiceDefault != "" {
		out = append(out, s.choiceDefault)
	}
	for _, c := range s.choices {
		out = append(out, c.next)
	}
	for _, c := range s.catch {
		out = append(out, c.next)
	}
	return out
}

func str(o map[string]any, k string) string { s, _ := o[k].(string); return s }

func has(o map[string]any, k string) bool { _, ok := o[k]; return ok }

func (p *parser) state(name string, o map[string]any, inherited queryLang, where string) (*state, error) {
	st := &state{name: name, typ: str(o, "Type"), ql: inherited}
	st.enteredType, st.exitedType = evt(st.typ+"StateEntered"), evt(st.typ+"StateExited")
	if s := str(o, "QueryLanguage"); s != "" {
		switch s {
		case "JSONata":
			st.ql = qlJSONata
		case "JSONPath":
			st.ql = qlJSONPath
		default:
			return nil, fmt.Errorf("%s/QueryLanguage: unknown query language %q", where, s)
		}
	}
	st.next = str(o, "Next")
	st.end, _ = o["End"].(bool)
	var err error
	fail := func(field string, e error) error { return fmt.Errorf("%s/%s: %w", where, field, e) }

	// Fields shared by several state types.
	if st.ql == qlJSONPath {
		if st.inputPath, err = compileOptPath(o, "InputPath"); err != nil {
			return nil, fail("InputPath", err)
		}
		if st.outputPath, err = compileOptPath(o, "OutputPath"); err != nil {
			return nil, fail("OutputPath", err)
		}
		if st.resultPath, err = compileResultPath(o, "ResultPath"); err != nil {
			return nil, fail("ResultPath", err)
		}
		if v, ok := o["Parameters"]; ok {
			if st.parameters, err = compileTemplate(v, "Parameters"); err != nil {
				return nil, fail("Parameters", err)
			}
		}
		if v, ok := o["ResultSelector"]; ok {
			if st.resultSelector, err = compileTemplate(v, "ResultSelector"); err != nil {
				return nil, fail("ResultSelector", err)
			}
		}
		if v, ok := o["Assign"]; ok {
			if st.assign, err = compileTemplate(v, "Assign"); err != nil {
				return nil, fail("Assign", err)
			}
		}
	} else {
		if v, ok := o["Arguments"]; ok {
			if st.arguments, err = compileJSONata(v, "Arguments"); err != nil {
				return nil, fail("Arguments", err)
			}
		}
		if v, ok := o["Output"]; ok {
			if st.output, err = compileJSONata(v, "Output"); err != nil {
				return nil, fail("Output", err)
			}
		}
		if v, ok := o["Assign"]; ok {
			if st.assign, err = compileJSONata(v, "Assign"); err != nil {
				return nil, fail("Assign", err)
			}
		}
	}
	if v, ok := o["Result"]; ok {
		st.result, st.hasResult = v, true
	}
	if st.retry, err = p.retriers(o["Retry"]); err != nil {
		return nil, fail("Retry", err)
	}
	if st.catch, err = p.catchers(o["Catch"], st.ql); err != nil {
		return nil, fail("Catch", err)
	}

	switch st.typ {
	case "Pass", "Succeed":
	case "Fail":
		err = p.failState(st, o)
	case "Wait":
		err = p.waitState(st, o)
	case "Choice":
		err = p.choiceState(st, o, where)
	case "Task":
		err = p.taskState(st, o)
	case "Parallel":
		err = p.parallelState(st, o, where)
	case "Map":
		err = p.mapState(st, o, where)
	default:
		return nil, fmt.Errorf("%s/Type: unknown state type %q", where, st.typ)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return st, nil
}

func (p *parser) failState(st *state, o map[string]any) error {
	var err error
	if st.ql == qlJSONata {
		if v, ok := o["Error"]; ok {
			if st.failError, err = compileJSONata(v, "Error"); err != nil {
				return err
			}
		}
		if v, ok := o["Cause"]; ok {
			if st.failCause, err = compileJSONata(v, "Cause"); err != nil {
				return err
			}
		}
		return nil
	}
	if v, ok := o["Error"]; ok {
		st.failError = literal(v)
	}
	if v, ok := o["Cause"]; ok {
		st.failCause = literal(v)
	}
	if s, ok := o["ErrorPath"].(string); ok {
		if st.failErrorPath, err = compileValuePath(s, "ErrorPath"); err != nil {
			return err
		}
	}
	if s, ok := o["CausePath"].(string); ok {
		if st.failCausePath, err = compileValuePath(s, "CausePath"); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) waitState(st *state, o map[string]any) error {
	var err error
	if st.ql == qlJSONata {
		if v, ok := o["Seconds"]; ok {
			st.waitSeconds, err = compileJSONata(v, "Seconds")
		}
		if v, ok := o["Timestamp"]; ok && err == nil {
			st.waitTimestamp, err = compileJSONata(v, "Timestamp")
		}
		return err
	}
	if v, ok := o["Seconds"]; ok {
		st.waitSeconds = literal(v)
	}
	if v, ok := o["Timestamp"]; ok {
		st.waitTimestamp = literal(v)
	}
	if s, ok := o["SecondsPath"].(string); ok {
		st.waitSecondsPath, err = compileValuePath(s, "SecondsPath")
	}
	if s, ok := o["TimestampPath"].(string); ok && err == nil {
		st.waitTimestampPath, err = compileValuePath(s, "TimestampPath")
	}
	return err
}

func (p *parser) parallelState(st *state, o map[string]any, where string) error {
	branches, _ := o["Branches"].([]any)
	for i, b := range branches {
		bo, ok := b.(map[string]any)
		if !ok {
			return fmt.Errorf("Branches[%d]: not an object", i)
		}
		prog, err := p.program(bo, st.ql, fmt.Sprintf("%s/Branches[%d]", where, i))
		if err != nil {
			return err
		}
		st.branches = append(st.branches, prog)
	}
	if len(st.branches) == 0 {
		return fmt.Errorf("Branches: at least one branch is required")
	}
	return nil
}

// isJSONataString reports whether v is a whole "{% ... %}" string.
func isJSONataString(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}")
}
