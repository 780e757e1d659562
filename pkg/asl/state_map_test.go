package asl

import (
	"testing"
	"time"
)

// TestMapNegativeMaxConcurrencyPathStalls checks AWS's behaviour for a
// MaxConcurrencyPath that resolves to a negative integer: the execution
// stays RUNNING without entering the Map until it is stopped, while a value
// that is not an integer fails the state.
func TestMapNegativeMaxConcurrencyPathStalls(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","MaxConcurrencyPath":"$.mc",
		"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	for _, in := range []string{`{"xs":[1],"mc":-1}`, `{"xs":[1],"mc":"-3"}`} {
		x := startDef(t, NewEngine(), def, in)
		time.Sleep(20 * time.Millisecond)
		if st, h := x.Status(), x.History(); st != StatusRunning || len(h) != 1 || h[0].Type != "ExecutionStarted" {
			t.Fatalf("%s: status %s with %d events, want RUNNING with ExecutionStarted only", in, st, len(h))
		}
		x.Stop("", "")
		if res := waitResult(t, x); res.Status != StatusAborted {
			t.Fatalf("%s: after Stop: %s", in, res.Status)
		}
	}
	res := waitResult(t, startDef(t, NewEngine(), def, `{"xs":[1],"mc":"many"}`))
	if res.Status != StatusFailed || res.Error != "States.Runtime" {
		t.Fatalf("non-integer MaxConcurrencyPath: %s %s, want FAILED States.Runtime", res.Status, res.Error)
	}
	res = waitResult(t, startDef(t, NewEngine(), def, `{"xs":[1,2],"mc":1}`))
	if res.Status != StatusSucceeded {
		t.Fatalf("MaxConcurrencyPath 1: %s %s", res.Status, res.Error)
	}
}
