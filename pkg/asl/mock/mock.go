// Package mock reads the mock configuration of AWS Step Functions Local
// (MockConfigFile.json) and serves one of its test cases as the engine's
// task runner, so a state machine can be run along a chosen path without
// any real service behind its Task states.
//
// The format:
//
//	{
//	  "StateMachines": {
//	    "<state machine name>": {
//	      "TestCases": {
//	        "<test case>": { "<Task state name>": "<mocked response name>", ... }
//	      }
//	    }
//	  },
//	  "MockedResponses": {
//	    "<mocked response name>": {
//	      "0":   { "Return": <value> },
//	      "1-2": { "Throw": { "Error": "Lambda.TimeoutException", "Cause": "..." } }
//	    }
//	  }
//	}
//
// The keys of a mocked response are the 0-based invocations of the state
// (retries count) that the response answers: a number or an inclusive range.
package mock

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// Config is a parsed, validated mock configuration.
type Config struct {
	// StateMachines maps a state machine name to its test cases.
	StateMachines map[string]StateMachine
	// Responses maps a mocked response name to its answers.
	Responses map[string]*Response
}

// StateMachine holds the test cases of one state machine.
type StateMachine struct {
	// TestCases maps a test case name to its states' mocked response names.
	TestCases map[string]TestCase
}

// TestCase maps a Task state name to the mocked response it uses.
type TestCase map[string]string

// Response is a mocked response: answers by invocation number.
type Response struct {
	Name    string
	Answers []Answer // sorted by From, not overlapping
}

// Answer answers the invocations From..To (inclusive, 0-based).
type Answer struct {
	From, To int
	// Return is the result when Throw is nil.
	Return any
	Throw  *aslerr.Error
}

// For returns the answer to invocation n (0-based).
func (r *Response) For(n int) (Answer, bool) {
	for _, a := range r.Answers {
		if n >= a.From && n <= a.To {
			return a, true
		}
	}
	return Answer{}, false
}

// LoadFile reads and validates a mock configuration file.
func LoadFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read mock config: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// Parse parses and validates a mock configuration. Every problem found is
// reported, each with where it is.
func Parse(data []byte) (*Config, error) {
	v, err := jsonvalue.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("mock config: %w", err)
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("mock config: want a JSON object, got %s", jsonvalue.TypeName(v))
	}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	for k := range root {
		if k != "StateMachines" && k != "MockedResponses" {
			fail("%s: unknown field (want StateMachines and MockedResponses)", k)
		}
	}
	cfg := &Config{StateMachines: map[string]StateMachine{}, Responses: map[string]*Response{}}

	responses, ok := root["MockedResponses"].(map[string]any)
	if _, present := root["MockedResponses"]; !present {
		fail("MockedResponses: missing")
	} else if !ok {
		fail("MockedResponses: want an object, got %s", jsonvalue.TypeName(root["MockedResponses"]))
	}
	for _, name := range sortedKeys(responses) {
		r, rerrs := parseResponse(name, responses[name])
		errs = append(errs, rerrs...)
		if r != nil {
			cfg.Responses[name] = r
		}
	}

	machines, ok := root["StateMachines"].(map[string]any)
	if _, present := root["StateMachines"]; !present {
		fail("StateMachines: missing")
	} else if !ok {
		fail("StateMachines: want an object, got %s", jsonvalue.TypeName(root["StateMachines"]))
	}
	for _, smName := range sortedKeys(machines) {
		where := "StateMachines." + smName
		smObj, ok := machines[smName].(map[string]any)
		if !ok {
			fail("%s: want an object, got %s", where, jsonvalue.TypeName(machines[smName]))
			continue
		}
		for k := range smObj {
			if k != "TestCases" {
				fail("%s.%s: unknown field (want TestCases)", where, k)
			}
		}
		tcs, ok := smObj["TestCases"].(map[string]any)
		if !ok {
			fail("%s.TestCases: want an object, got %s", where, jsonvalue.TypeName(smObj["TestCases"]))
			continue
		}
		sm := StateMachine{TestCases: map[string]TestCase{}}
		for _, tcName := range sortedKeys(tcs) {
			tcWhere := where + ".TestCases." + tcName
			states, ok := tcs[tcName].(map[string]any)
			if !ok {
				fail("%s: want an object of state name to mocked response name, got %s", tcWhere, jsonvalue.TypeName(tcs[tcName]))
				continue
			}
			tc := TestCase{}
			for _, state := range sortedKeys(states) {
				ref, ok := states[state].(string)
				switch {
				case !ok:
					fail("%s.%s: want a mocked response name, got %s", tcWhere, state, jsonvalue.TypeName(states[state]))
				case !hasKey(responses, ref):
					fail("%s.%s: mocked response %q is not defined in MockedResponses", tcWhere, state, ref)
				default:
					tc[state] = ref
				}
			}
			sm.TestCases[tcName] = tc
		}
		cfg.StateMachines[smName] = sm
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid mock config: %w", errors.Join(errs...))
	}
	return cfg, nil
}

func parseResponse(name string, v any) (*Response, []error) {
	where := "MockedResponses." + name
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, []error{fmt.Errorf("%s: want an object of invocation number to response, got %s", where, jsonvalue.TypeName(v))}
	}
	if len(obj) == 0 {
		return nil, []error{fmt.Errorf("%s: no responses", where)}
	}
	var errs []error
	r := &Response{Name: name}
	for _, key := range sortedKeys(obj) {
		kw := where + "." + key
		from, to, err := parseRange(key)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", kw, err))
			continue
		}
		a := Answer{From: from, To: to}
		body, ok := obj[key].(map[string]any)
		if !ok {
			errs = append(errs, fmt.Errorf("%s: want an object with Return or Throw, got %s", kw, jsonvalue.TypeName(obj[key])))
			continue
		}
		ret, hasRet := body["Return"]
		thr, hasThr := body["Throw"]
		for k := range body {
			if k != "Return" && k != "Throw" {
				errs = append(errs, fmt.Errorf("%s.%s: unknown field (want Return or Throw)", kw, k))
			}
		}
		switch {
		case hasRet && hasThr:
			errs = append(errs, fmt.Errorf("%s: Return and Throw are mutually exclusive", kw))
			continue
		case !hasRet && !hasThr:
			errs = append(errs, fmt.Errorf("%s: want Return or Throw", kw))
			continue
		case hasRet:
			a.Return = ret
		default:
			e, err := parseThrow(thr)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s.Throw: %w", kw, err))
				continue
			}
			a.Throw = e
		}
		r.Answers = append(r.Answers, a)
	}
	sort.Slice(r.Answers, func(i, j int) bool { return r.Answers[i].From < r.Answers[j].From })
	for i := 1; i < len(r.Answers); i++ {
		prev, cur := r.Answers[i-1], r.Answers[i]
		if cur.From <= prev.To {
			errs = append(errs, fmt.Errorf("%s: invocations %s and %s overlap", where, rangeKey(prev), rangeKey(cur)))
		}
	}
	return r, errs
}

func parseThrow(v any) (*aslerr.Error, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want an object with Error and Cause, got %s", jsonvalue.TypeName(v))
	}
	for k := range obj {
		if k != "Error" && k != "Cause" {
			return nil, fmt.Errorf("%s: unknown field (want Error and Cause)", k)
		}
	}
	name, ok := obj["Error"].(string)
	if !ok || name == "" {
		return nil, fmt.Errorf("Error: want a non-empty string")
	}
	e := &aslerr.Error{Name: name}
	if c, present := obj["Cause"]; present {
		s, ok := c.(string)
		if !ok {
			return nil, fmt.Errorf("Cause: want a string, got %s", jsonvalue.TypeName(c))
		}
		e.Cause = s
	}
	return e, nil
}

// parseRange parses "3" or "1-2".
func parseRange(key string) (int, int, error) {
	lo, hi, isRange := strings.Cut(key, "-")
	from, err := parseInvocation(lo)
	if err != nil {
		return 0, 0, err
	}
	if !isRange {
		return from, from, nil
	}
	to, err := parseInvocation(hi)
	if err != nil {
		return 0, 0, err
	}
	if to < from {
		return 0, 0, fmt.Errorf("range %q ends before it starts", key)
	}
	return from, to, nil
}

func parseInvocation(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || strings.TrimSpace(s) != s || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("want an invocation number (0, 1, ...) or a range like \"1-2\", got %q", s)
	}
	return n, nil
}

func rangeKey(a Answer) string {
	if a.From == a.To {
		return strconv.Itoa(a.From)
	}
	return fmt.Sprintf("%d-%d", a.From, a.To)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}
