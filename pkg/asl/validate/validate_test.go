package validate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusCase is one definition of testdata/invalid.json with the exact set
// of errors (code and location) it must draw.
type corpusCase struct {
	Name       string          `json:"name"`
	Definition json.RawMessage `json:"definition"`
	Raw        *string         `json:"raw"`
	Errors     [][2]string     `json:"errors"`
}

func loadCorpus(t testing.TB, file string) []corpusCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatalf("read corpus: %v", err)
	}
	var cases []corpusCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatalf("decode corpus: %v", err)
	}
	return cases
}

func (c corpusCase) source() []byte {
	if c.Raw != nil {
		return []byte(*c.Raw)
	}
	return c.Definition
}

func TestInvalidCorpus(t *testing.T) {
	cases := loadCorpus(t, "invalid.json")
	if len(cases) < 40 {
		t.Fatalf("corpus has %d cases, want at least 40", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			diags := Definition(c.source())
			var got, want []string
			for _, d := range Errors(diags) {
				got = append(got, d.Code+" @ "+d.Location)
			}
			for _, e := range c.Errors {
				want = append(want, e[0]+" @ "+e[1])
			}
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("errors differ\n got: %q\nwant: %q\nall diagnostics: %v", got, want, diags)
			}
			for _, d := range diags {
				if d.Message == "" || (d.Severity != SeverityError && d.Severity != SeverityWarning) {
					t.Errorf("malformed diagnostic %+v", d)
				}
			}
			if Error(diags) == nil {
				t.Errorf("Error() = nil for an invalid definition")
			}
		})
	}
}

func TestValidCorpus(t *testing.T) {
	for _, c := range loadCorpus(t, "valid.json") {
		t.Run(c.Name, func(t *testing.T) {
			if errs := Errors(Definition(c.source())); len(errs) > 0 {
				t.Errorf("valid definition drew errors: %v", errs)
			}
		})
	}
}

func TestMessages(t *testing.T) {
	tests := []struct {
		name, def string
		want      []string // Diagnostic.String() of every diagnostic, in order
	}{
		{
			name: "required top-level fields",
			def:  `{}`,
			want: []string{"SCHEMA_VALIDATION_FAILED: These fields are required: [States, StartAt] at /"},
		},
		{
			name: "missing target and unreachable",
			def:  `{"StartAt":"pass1","States":{"pass1":{"Type":"Pass","Next":"pass3"},"pass2":{"Type":"Pass","End":true}}}`,
			want: []string{
				"MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next",
				`MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at /States/pass2`,
			},
		},
		{
			name: "unsupported field",
			def:  `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Catch":[]}}}`,
			want: []string{"SCHEMA_VALIDATION_FAILED: Field 'Catch' is not supported at /States/A"},
		},
		{
			name: "query language downgrade",
			def:  `{"QueryLanguage":"JSONata","StartAt":"Pass","States":{"Pass":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}}}`,
			want: []string{"SCHEMA_VALIDATION_FAILED: 'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine at /States/Pass"},
		},
		{
			name: "no terminal state hides reachability",
			def:  `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"},"C":{"Type":"Pass","Next":"A"}}}`,
			want: []string{"MISSING_END_STATE: Workflow has no terminal state"},
		},
		{
			name: "warnings for unmarked paths",
			def:  `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x":"$.a"},"Result":{"y.$":"$.b"},"End":true}}}`,
			want: []string{
				"NO_DOLLAR: The value of the field 'x' looks like a JSONPath or an intrinsic function, but its name does not end with '.$' at /States/A/Parameters/x",
				"PASS_RESULT_IS_STATIC: The Result field of a Pass state is static: keys ending in '.$' are not evaluated at /States/A/Result",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range Definition([]byte(tt.def)) {
				got = append(got, d.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	def := `{"StartAt":"pass1","States":{"pass1":{"Type":"Pass","Next":"pass3"},"pass2":{"Type":"Pass","End":true}}}`
	err := Error(Definition([]byte(def)))
	var inv *InvalidDefinitionError
	if !errors.As(err, &inv) {
		t.Fatalf("Error() = %v, want *InvalidDefinitionError", err)
	}
	want := `Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at /States/pass2'`
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err, want)
	}
	if len(inv.Diagnostics) != 2 {
		t.Errorf("got %d diagnostics, want 2", len(inv.Diagnostics))
	}
}

func TestErrorNilForWarningsOnly(t *testing.T) {
	diags := Definition([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x":"$.a"},"End":true}}}`))
	if len(diags) != 1 || diags[0].Severity != SeverityWarning {
		t.Fatalf("want one warning, got %v", diags)
	}
	if err := Error(diags); err != nil {
		t.Errorf("Error() = %v, want nil when only warnings", err)
	}
	if errs := Errors(diags); len(errs) != 0 {
		t.Errorf("Errors() = %v, want none", errs)
	}
}

func TestOptions(t *testing.T) {
	wait := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}}`
	if errs := Errors(Definition([]byte(wait))); len(errs) != 0 {
		t.Errorf("standard: unexpected errors %v", errs)
	}
	errs := Errors(DefinitionWith([]byte(wait), Options{Express: true}))
	if len(errs) != 1 || errs[0].Location != "/States/T/Resource" {
		t.Errorf("express: got %v, want one error at /States/T/Resource", errs)
	}
	local := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"validate-order","End":true}}}`
	if errs := Errors(DefinitionWith([]byte(local), Options{AllowAnyResource: true})); len(errs) != 0 {
		t.Errorf("AllowAnyResource: unexpected errors %v", errs)
	}
	if errs := Errors(Definition([]byte(local))); len(errs) != 1 || errs[0].Code != CodeInvalidResource {
		t.Errorf("default: got %v, want one INVALID_RESOURCE", errs)
	}
	deep := `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"Q","States":{"Q":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"X","States":{"X":{"Type":"Succeed"}}}]}}}]}}}`
	if errs := Errors(DefinitionWith([]byte(deep), Options{MaxNesting: 1})); len(errs) != 1 || errs[0].Code != CodeTooDeeplyNested {
		t.Errorf("MaxNesting 1: got %v, want one TOO_DEEPLY_NESTED", errs)
	}
}
