package asl

import (
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

func TestNeedsContext(t *testing.T) {
	tests := map[string]bool{
		"$states.input.a":                          false,
		"$states.result.x + $states.input.y":       false,
		"$states.errorOutput.Error":                false,
		"$v + 1":                                   false,
		"$states.context.Execution.Id":             true,
		"$states":                                  true,
		"$keys($states)":                           true,
		"$states.inputs":                           true, // not .input
		"$lookup($states, 'context')":              true,
		"$eval('$states.context.State.Name')":      true,
		"$states.input.a & $states.context.x":      true,
		"$states.input[0].context":                 false, // a field of the input
		"$states.result ~> $map(function($x){$x})": false,
	}
	for src, want := range tests {
		if got := needsContext(src); got != want {
			t.Errorf("needsContext(%q) = %v, want %v", src, got, want)
		}
	}
}

// TestJSONataContextWhenNeeded runs expressions that read $states.context
// in different ways, and one that does not, through the engine.
func TestJSONataContextWhenNeeded(t *testing.T) {
	def := `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":{
		"name":"{% $states.context.State.Name %}",
		"keys":"{% $sort($keys($states)) %}",
		"via":"{% $lookup($states, 'context').Execution.Name %}",
		"plain":"{% $states.input.a %}"},"End":true}}}`
	res := waitResult(t, startDef(t, NewEngine(), def, `{"a":1}`))
	if res.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", res.Status, res.Error, res.Cause)
	}
	want := mustDecode(t, `{"name":"P","keys":["context","input"],"via":"exec-1","plain":1}`)
	if !jsonvalue.Equal(res.Output, want) {
		t.Fatalf("output %v, want %v", res.Output, want)
	}
}
