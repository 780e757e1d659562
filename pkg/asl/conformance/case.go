// Package conformance measures how closely the ASL engine follows AWS Step
// Functions: it runs recorded cases (a definition, an input, and what AWS
// returned for them, often with the full execution history) and compares the
// engine's result and history with the recording, treating the placeholders
// the recording put in place of run-dependent values as wildcards.
//
// The package knows nothing about how an execution is run: an Executor does
// that (ASLExecutor runs pkg/asl), so the comparison logic is tested on its
// own and the same harness could measure another engine.
package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// Case kinds found in the recorded files.
const (
	// KindExecution cases carry the full GetExecutionHistory recording.
	KindExecution = "execution"
	// KindIO cases carry only the input and the expected result.
	KindIO = "io_case"
)

// Case is one recorded execution.
type Case struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Definition is kept as the recorded bytes: key order inside it can show
	// through in outputs (States.JsonToString, Format), so it must not pass
	// through a Go map before the engine parses it.
	Definition json.RawMessage `json:"definition"`
	// Input is the recorded execution input, also kept as bytes.
	Input json.RawMessage `json:"input"`
	// Expected is nil for an execution that never finished when recorded
	// (a Wait far in the future): the case then expects RUNNING.
	Expected *Expected `json:"-"`
	// History holds the recorded events, decoded with numbers kept exact.
	History []any `json:"-"`

	SnapshotFile  string `json:"snapshot_file,omitempty"`
	LastValidated string `json:"last_validated,omitempty"`
}

// Expected is how AWS ended the recorded execution.
type Expected struct {
	Status string
	// Output, Error and Cause are compared only when Has* is set: a recording
	// without a cause expects none.
	Output                        any
	Error, Cause                  any
	HasOutput, HasError, HasCause bool
}

// NeverEnds reports whether the recording expects the execution to still be
// running.
func (c *Case) NeverEnds() bool { return c.Expected == nil }

// InputValue returns the execution input as a value. A recorded input that is
// a string holding JSON stands for that JSON text given to StartExecution, so
// it is decoded; any other string is the input value itself.
func (c *Case) InputValue() (any, error) {
	if len(bytes.TrimSpace(c.Input)) == 0 {
		return map[string]any{}, nil
	}
	v, err := jsonvalue.Decode(c.Input)
	if err != nil {
		return nil, fmt.Errorf("case %s: input: %w", c.ID, err)
	}
	if s, ok := v.(string); ok {
		if inner, err := jsonvalue.DecodeString(s); err == nil {
			return inner, nil
		}
	}
	return v, nil
}

// rawCase mirrors the file format; expected and history are decoded through
// the value model so numbers keep their recorded text.
type rawCase struct {
	Case
	RawExpected json.RawMessage `json:"expected"`
	RawHistory  json.RawMessage `json:"history"`
}

// LoadFile reads a case file: a JSON array of cases.
func LoadFile(path string) ([]Case, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	cases, err := Load(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cases, nil
}

// Load parses the bytes of a case file.
func Load(data []byte) ([]Case, error) {
	var raws []rawCase
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, fmt.Errorf("parse cases: %w", err)
	}
	out := make([]Case, 0, len(raws))
	seen := make(map[string]bool, len(raws))
	for i, r := range raws {
		c := r.Case
		if c.ID == "" {
			return nil, fmt.Errorf("case %d: missing id", i)
		}
		if seen[c.ID] {
			return nil, fmt.Errorf("case %d: duplicate id %q", i, c.ID)
		}
		seen[c.ID] = true
		if len(bytes.TrimSpace(c.Definition)) == 0 || string(bytes.TrimSpace(c.Definition)) == "null" {
			return nil, fmt.Errorf("case %s: missing definition", c.ID)
		}
		// A definition recorded as a string holds the definition's JSON.
		if bytes.HasPrefix(bytes.TrimSpace(c.Definition), []byte(`"`)) {
			var text string
			if err := json.Unmarshal(c.Definition, &text); err != nil {
				return nil, fmt.Errorf("case %s: definition: %w", c.ID, err)
			}
			c.Definition = json.RawMessage(text)
		}
		exp, err := parseExpected(r.RawExpected)
		if err != nil {
			return nil, fmt.Errorf("case %s: expected: %w", c.ID, err)
		}
		c.Expected = exp
		if len(r.RawHistory) > 0 && string(bytes.TrimSpace(r.RawHistory)) != "null" {
			hv, err := jsonvalue.Decode(r.RawHistory)
			if err != nil {
				return nil, fmt.Errorf("case %s: history: %w", c.ID, err)
			}
			events, ok := hv.([]any)
			if !ok {
				return nil, fmt.Errorf("case %s: history is %s, want an array", c.ID, jsonvalue.TypeName(hv))
			}
			c.History = events
		}
		out = append(out, c)
	}
	return out, nil
}

func parseExpected(raw json.RawMessage) (*Expected, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	v, err := jsonvalue.Decode(raw)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("is %s, want an object", jsonvalue.TypeName(v))
	}
	status, _ := m["status"].(string)
	if status == "" {
		return nil, fmt.Errorf("missing status")
	}
	e := &Expected{Status: status}
	e.Output, e.HasOutput = m["output"]
	e.Error, e.HasError = m["error"]
	e.Cause, e.HasCause = m["cause"]
	return e, nil
}
