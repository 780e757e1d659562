package intrinsic

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonpath"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
	"github.com/logiwaflow/logiwaflow/pkg/refdata"
)

// recordedCase is the part of a conformance case this test needs.
type recordedCase struct {
	ID         string          `json:"id"`
	Definition json.RawMessage `json:"definition"`
	Input      json.RawMessage `json:"input"`
	Expected   struct {
		Status string          `json:"status"`
		Output json.RawMessage `json:"output"`
	} `json:"expected"`
}

// Placeholders the recordings use for values that vary between runs.
const (
	smName        = "<ArnPart_0idx>"
	randomMarker  = "RandomNumberGenerated"
	uuidMarker    = "generated-uuid"
	testUUIDValue = "0f8fad5b-d9cb-469f-a165-70867728950e"
)

// TestRecordedPassStates evaluates, directly, the Parameters of every
// recorded single-Pass-state machine (intrinsics and plain .$ paths) and
// compares with what AWS returned. The full engine is measured elsewhere;
// this pins the expression semantics.
func TestRecordedPassStates(t *testing.T) {
	data, err := os.ReadFile(refdata.Path(t, "conformance", "localstack-sfn-cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []recordedCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	ran, intrinsics := 0, 0
	for _, c := range cases {
		def, err := jsonvalue.Decode(c.Definition)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		params, ok := singlePassParameters(def)
		if !ok || c.Expected.Status != "SUCCEEDED" {
			continue
		}
		input, err := jsonvalue.Decode(c.Input)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		want, err := jsonvalue.Decode(c.Expected.Output)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		ran++
		if strings.Contains(c.ID, "intrinsic_functions/") {
			intrinsics++
		}
		t.Run(c.ID, func(t *testing.T) {
			got, err := evalTemplate(params, input)
			if err != nil {
				t.Fatalf("evaluate %s: %v", jsonvalue.String(params), err)
			}
			if !matches(got, want) {
				t.Fatalf("got  %s\nwant %s", jsonvalue.String(got), jsonvalue.String(want))
			}
		})
	}
	if intrinsics < 50 {
		t.Fatalf("only %d intrinsic cases found (of %d run); has the case file changed shape?", intrinsics, ran)
	}
	t.Logf("ran %d recorded Pass states, %d from the intrinsic tests", ran, intrinsics)
}

// singlePassParameters returns the Parameters of a machine made of one Pass
// state that does nothing else to its input.
func singlePassParameters(def any) (any, bool) {
	m, _ := def.(map[string]any)
	states, _ := m["States"].(map[string]any)
	if len(states) != 1 || m["QueryLanguage"] != nil {
		return nil, false
	}
	for _, s := range states {
		st, _ := s.(map[string]any)
		if st["Type"] != "Pass" {
			return nil, false
		}
		for _, k := range []string{"InputPath", "OutputPath", "ResultPath", "ResultSelector", "Result", "Assign", "QueryLanguage"} {
			if _, ok := st[k]; ok {
				return nil, false
			}
		}
		p, ok := st["Parameters"]
		return p, ok
	}
	return nil, false
}

// evalTemplate builds a payload template the way the engine does for
// Parameters: keys ending in ".$" take a path or an intrinsic.
func evalTemplate(tmpl, input any) (any, error) {
	ctx := map[string]any{
		"Execution":    map[string]any{"Input": input, "Id": "arn:execution", "Name": "exec"},
		"StateMachine": map[string]any{"Name": smName, "Id": "arn:sm"},
		"State":        map[string]any{"Name": "State_0"},
	}
	resolve := func(path string) (any, error) {
		root, rest := jsonpath.Split(path)
		doc := input
		if root == "$$" {
			doc = ctx
		}
		return jsonpath.Get(doc, rest)
	}
	switch x := tmpl.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, v := range x {
			if name, ok := strings.CutSuffix(k, ".$"); ok {
				s := v.(string)
				var r any
				var err error
				if IsIntrinsic(s) {
					var e *Expr
					if e, err = Compile(s); err == nil {
						r, err = e.EvalEnv(resolve, Env{UUID: func() string { return testUUIDValue }})
					}
				} else {
					r, err = resolve(s)
				}
				if err != nil {
					return nil, err
				}
				out[name] = r
				continue
			}
			r, err := evalTemplate(v, input)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, v := range x {
			r, err := evalTemplate(v, input)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return tmpl, nil
}

// matches compares structurally, treating the recordings' markers for random
// numbers and UUIDs as wildcards of the right type.
func matches(got, want any) bool {
	switch w := want.(type) {
	case string:
		switch w {
		case randomMarker:
			return jsonvalue.IsNumber(got)
		case uuidMarker:
			return got == testUUIDValue
		}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, v := range w {
			if !matches(g[k], v) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !matches(g[i], w[i]) {
				return false
			}
		}
		return true
	}
	if jsonvalue.IsNumber(want) {
		// Compare number text too: AWS keeps 1.0 as 1.0 and prints 1 as 1.
		return jsonvalue.Equal(got, want) && jsonvalue.String(got) == jsonvalue.String(want)
	}
	return jsonvalue.Equal(got, want)
}
