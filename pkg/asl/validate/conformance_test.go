package validate

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/refdata"
)

// TestConformanceDefinitionsAreValid is the regression floor: every
// definition in the recorded conformance cases ran on AWS, so none may draw
// an ERROR.
func TestConformanceDefinitionsAreValid(t *testing.T) {
	path := refdata.Path(t, "conformance", "localstack-sfn-cases.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	var cases []struct {
		ID         string          `json:"id"`
		Definition json.RawMessage `json:"definition"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	if len(cases) == 0 {
		t.Fatalf("no cases in %s", path)
	}
	for _, c := range cases {
		if errs := Errors(Definition(c.Definition)); len(errs) > 0 {
			t.Errorf("%s: valid on AWS, but got %d errors: %v\n%s", c.ID, len(errs), errs, c.Definition)
		}
	}
}

// TestBenchDefinitionIsValid checks the benchmark's order pipeline, a
// realistic JSONata machine, draws no error.
func TestBenchDefinitionIsValid(t *testing.T) {
	path := refdata.Path(t, "bench", "order-pipeline.asl.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if errs := Errors(Definition(data)); len(errs) > 0 {
		t.Errorf("%s: got errors %v", path, errs)
	}
}
