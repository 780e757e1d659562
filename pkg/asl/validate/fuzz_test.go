package validate

import (
	"reflect"
	"testing"
)

// FuzzDefinition feeds arbitrary bytes to the validator: it must never panic,
// must be deterministic, and must report well-formed diagnostics.
func FuzzDefinition(f *testing.F) {
	// Seed with each corpus definition on its own: whole corpus files are
	// too large for the mutator to make progress.
	for _, file := range []string{"invalid.json", "valid.json"} {
		for _, c := range loadCorpus(f, file) {
			f.Add(c.source())
		}
	}
	f.Add([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"States.Format('{}', States.Array($.a[0], $$.b))"},"End":true}}}`))
	f.Add([]byte(`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Not":{"Not":{"Variable":"$.x","IsNull":true}},"Next":"C"}]}}}`))
	f.Fuzz(func(t *testing.T, def []byte) {
		diags := Definition(def)
		if again := Definition(def); !reflect.DeepEqual(diags, again) {
			t.Fatalf("not deterministic: %v vs %v", diags, again)
		}
		for _, d := range diags {
			if d.Code == "" || d.Message == "" || (d.Severity != SeverityError && d.Severity != SeverityWarning) {
				t.Fatalf("malformed diagnostic %+v", d)
			}
		}
		if (Error(diags) == nil) != (len(Errors(diags)) == 0) {
			t.Fatalf("Error and Errors disagree for %v", diags)
		}
	})
}
