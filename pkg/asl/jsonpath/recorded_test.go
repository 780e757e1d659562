package jsonpath

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/refdata"
)

// TestRecordedPathsCompile compiles every JSONPath written in the recorded
// definitions (".$" values, *Path fields, Choice Variables), so no path AWS
// accepted is rejected here.
func TestRecordedPathsCompile(t *testing.T) {
	data, err := os.ReadFile(refdata.Path(t, "conformance", "localstack-sfn-cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		ID         string `json:"id"`
		Definition any    `json:"definition"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["QueryLanguage"] == "JSONata" {
				return
			}
			for k, e := range x {
				if s, ok := e.(string); ok && (strings.HasSuffix(k, ".$") || strings.HasSuffix(k, "Path") || k == "Variable") {
					if strings.HasPrefix(s, "$") {
						seen[s] = true
					}
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	for _, c := range cases {
		walk(c.Definition)
	}
	if len(seen) < 50 {
		t.Fatalf("only %d paths found; has the case file changed shape?", len(seen))
	}
	for s := range seen {
		_, rest := Split(s)
		if _, err := Compile(rest); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	t.Logf("compiled %d distinct recorded paths", len(seen))
}
