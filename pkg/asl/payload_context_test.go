package asl

import (
	"context"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// TestContextFieldMatchesContextObject checks the shortcut for common
// context paths against evaluating the same path on the whole context
// object, for frames in and out of a Map, with and without a task token.
func TestContextFieldMatchesContextObject(t *testing.T) {
	sm, err := NewStateMachine("sm", []byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	x := &Execution{eng: NewEngine(), sm: sm, name: "n", arn: "arn:x", smARN: "arn:sm", roleARN: "arn:role",
		input: map[string]any{"a": "b"}, start: time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.UTC), ctx: ctx}
	paths := []string{
		"$$.Execution.Id", "$$.Execution.Name", "$$.Execution.StartTime", "$$.Execution.Input", "$$.Execution.RoleArn",
		"$$.Execution.RedriveCount", "$$.Execution.Input.a", "$$.Execution.Nope", "$$.Execution",
		"$$.State.Name", "$$.State.EnteredTime", "$$.State.RetryCount", "$$.State",
		"$$.StateMachine.Id", "$$.StateMachine.Name", "$$.Task.Token", "$$.Task",
		"$$.Map.Item.Index", "$$.Map.Item.Value", "$$.Map.Item", "$$.Nope",
	}
	frames := map[string]*frame{
		"top":       {x: x, stateName: "S", stateEntered: x.start.Add(time.Second)},
		"task":      {x: x, stateName: "T", stateEntered: x.start, execState: true, retryCount: 2, taskToken: "tok"},
		"map item":  {x: x, stateName: "I", inMap: true, itemIndex: 3, itemValue: map[string]any{"k": "v"}},
		"map task":  {x: x, stateName: "I", inMap: true, itemIndex: 0, itemValue: "s", execState: true},
		"empty map": {x: x, inMap: true},
	}
	for name, f := range frames {
		for _, p := range paths {
			pe, err := compilePath(p)
			if err != nil {
				t.Fatal(err)
			}
			if pe.fields == nil && p != "$$.Execution" && p != "$$.State" && p != "$$.Task" && p != "$$.Nope" {
				t.Errorf("%s: no plain fields", p)
			}
			got, gotErr := resolver{f: f}.get(pe)
			slow := *pe
			slow.fields = nil
			want, wantErr := resolver{f: f}.get(&slow)
			if (gotErr != nil) != (wantErr != nil) || !jsonvalue.Equal(got, want) {
				t.Errorf("%s %s: got %v (%v), want %v (%v)", name, p, got, gotErr, want, wantErr)
			}
		}
	}
}

func TestPlainFields(t *testing.T) {
	for in, want := range map[string]int{"$.a.b": 2, "$.a": 1, "$.a[0]": 0, "$..a": 0, "$.a.": 0, "$['a']": 0, "$": 0} {
		if got := len(plainFields(in)); got != want {
			t.Errorf("plainFields(%q) has %d fields, want %d", in, got, want)
		}
	}
}
