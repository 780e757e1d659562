package conformance

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := jsonvalue.DecodeString(s)
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func TestCompare(t *testing.T) {
	bound := map[string]string{"<ArnPart_0idx>": "sm-1", "<ExecArnPart_0idx>": "exec-1"}
	tests := []struct {
		name     string
		want     string // JSON
		got      any    // a value, or a JSON text in gotJSON
		gotJSON  string
		wantDiff string // substring of the difference; "" = equal
	}{
		{name: "equal objects in any key order", want: `{"a":1,"b":[true,null]}`, gotJSON: `{"b":[true,null],"a":1}`},
		{name: "numbers by value", want: `{"a":1.0,"b":100}`, gotJSON: `{"a":1,"b":1e2}`},
		{name: "float64 from a handler", want: `2.5`, got: 2.5},
		{name: "int from a handler", want: `3`, got: 3},
		{name: "large integers stay exact", want: `9007199254740993`, gotJSON: `9007199254740992`, wantDiff: "want 9007199254740993, got 9007199254740992"},
		{name: "different number", want: `{"x":{"y":1}}`, gotJSON: `{"x":{"y":2}}`, wantDiff: "x.y: want 1, got 2"},
		{name: "missing key", want: `{"a":1,"b":2}`, gotJSON: `{"a":1}`, wantDiff: "b: missing"},
		{name: "extra key", want: `{"a":1}`, gotJSON: `{"a":1,"c":3}`, wantDiff: "c: unexpected"},
		{name: "array length", want: `[1,2]`, gotJSON: `[1]`, wantDiff: "want 2 elements, got 1"},
		{name: "array element path", want: `{"l":[1,{"k":"v"}]}`, gotJSON: `{"l":[1,{"k":"w"}]}`, wantDiff: `l[1].k: want "v", got "w"`},
		{name: "null vs missing value", want: `null`, gotJSON: `0`, wantDiff: "want null, got 0"},
		{name: "type mismatch", want: `"1"`, gotJSON: `true`, wantDiff: `got true`},
		{name: "recorded string holding JSON vs value", want: `"[{},{},{}]"`, gotJSON: `[{},{},{}]`},
		{name: "recorded string holding a number", want: `"42"`, gotJSON: `42`},
		{name: "produced string holding JSON vs recorded value", want: `{"a":[1,2]}`, got: `{"a": [1, 2]}`},
		{name: "both strings holding JSON written differently", want: `"[[1, 2, 3], [4, 5, 6]]"`, got: `[[1,2,3],[4,5,6]]`},
		{name: "same strings", want: `"42"`, got: "42"},
		{name: "JSON text of a number vs of a string", want: `"42"`, got: `"42"`, wantDiff: `want "42"`},
		{name: "event timestamp token", want: `"timestamp"`, got: "2016-12-05 21:29:29Z"},
		{name: "date token", want: `{"TimestampValue":"date"}`, gotJSON: `{"TimestampValue":"2016-03-14T01:59:00Z"}`},
		{name: "time token rejects other text", want: `"start-time"`, got: "yesterday", wantDiff: `want "start-time", got "yesterday"`},
		{name: "timestamp placeholder", want: `{"start_at":"<timestamp>"}`, gotJSON: `{"start_at":"2026-11-25T11:45:25.000000Z"}`},
		{name: "timestamp inside a cause", want: `"format string: $.start_at == <timestamp>"`, got: "format string: $.start_at == 2026-11-25T11:45:25.000000"},
		{name: "role token", want: `"snf_role_arn"`, got: "arn:aws:iam::111111111111:role/x"},
		{name: "random number token", want: `{"FunctionResult":"RandomNumberGenerated"}`, gotJSON: `{"FunctionResult":17}`},
		{name: "random number token needs a number", want: `"RandomNumberGenerated"`, got: "17", wantDiff: "want"},
		{name: "generated uuid token", want: `"generated-uuid"`, got: "4b1c3c0e-5d7a-4e39-9a52-1b0f3c2d4e5f"},
		{name: "execution ARN placeholders", want: `"arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:<ExecArnPart_0idx>"`, got: "arn:aws:states:us-east-1:111111111111:execution:sm-1:exec-1"},
		{name: "ARN placeholder bound to another name", want: `"arn:<partition>:states:<region>:111111111111:stateMachine:<ArnPart_0idx>"`, got: "arn:aws:states:us-east-1:111111111111:stateMachine:other", wantDiff: `<ArnPart_0idx> stands for "other"`},
		{name: "wrong account", want: `"arn:<partition>:states:<region>:111111111111:stateMachine:<ArnPart_0idx>"`, got: "arn:aws:states:us-east-1:222222222222:stateMachine:sm-1", wantDiff: "want"},
		{name: "placeholder inside a JSON string value", want: `{"v":"\"arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:<ExecArnPart_0idx>\""}`, gotJSON: `{"v":"\"arn:aws:states:us-east-1:111111111111:execution:sm-1:exec-1\""}`},
		{name: "json-input placeholder", want: `"could not be found in the input '<json-input:1>'"`, got: `could not be found in the input '{"a":1}'`},
		{name: "omitted literal matches itself", want: `"\"<omitted>\""`, got: `"<omitted>"`},
		{name: "recorded cause holding JSON", want: `{"x":"y"}`, got: `{"x":"y"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMatcher(bound)
			got := tt.got
			if tt.gotJSON != "" {
				got = mustDecode(t, tt.gotJSON)
			}
			d := m.Compare("", mustDecode(t, tt.want), got)
			switch {
			case tt.wantDiff == "" && d != nil:
				t.Fatalf("want equal, got difference %s", d)
			case tt.wantDiff != "" && d == nil:
				t.Fatalf("want a difference containing %q, got none", tt.wantDiff)
			case tt.wantDiff != "" && !strings.Contains(d.String(), tt.wantDiff):
				t.Fatalf("difference %q does not contain %q", d, tt.wantDiff)
			}
		})
	}
}

func TestUnknownPlaceholdersAndLiterals(t *testing.T) {
	m := NewMatcher(nil)
	if d := m.Compare("", "Request ID: <request_id>", "Request ID: abc-123"); d != nil {
		t.Fatalf("an unknown placeholder is a wildcard: %s", d)
	}
	if d := m.Compare("", "Request ID: <request_id>", "Request ID: other"); d == nil {
		t.Fatal("an unknown placeholder binds like the known ones")
	}
	m = NewMatcher(nil)
	m.SetLiterals([]byte(`{"Assign":{"answer":"<omitted>"}}`))
	if d := m.Compare("", `"<omitted>"`, `"<omitted>"`); d != nil {
		t.Fatalf("a literal matches itself: %s", d)
	}
	if d := m.Compare("", `"<omitted>"`, `"42"`); d == nil {
		t.Fatal("a token the definition carries is literal, not a wildcard")
	}
}

func TestUUIDPlaceholderConsistent(t *testing.T) {
	m := NewMatcher(nil)
	u1 := "4b1c3c0e-5d7a-4e39-9a52-1b0f3c2d4e5f"
	u2 := "00000000-0000-4000-8000-000000000001"
	if d := m.Compare("a", "<uuid:1>", u1); d != nil {
		t.Fatalf("first use: %s", d)
	}
	if d := m.Compare("b", "<uuid:1>", u1); d != nil {
		t.Fatalf("same value again: %s", d)
	}
	d := m.Compare("c", "<uuid:1>", u2)
	if d == nil || !strings.Contains(d.String(), "elsewhere") {
		t.Fatalf("a second value for <uuid:1> must differ, got %v", d)
	}
	if d := m.Compare("d", "<uuid:2>", u2); d != nil {
		t.Fatalf("another number binds separately: %s", d)
	}
	if d := m.Compare("e", "<uuid:3>", "not-a-uuid"); d == nil {
		t.Fatal("a non-UUID must not match <uuid:3>")
	}
}

func TestCompareAcceptsJSONNumberAndFloat(t *testing.T) {
	m := NewMatcher(nil)
	if d := m.Compare("", json.Number("0.1"), 0.1); d != nil {
		t.Fatalf("0.1: %s", d)
	}
	if d := m.Compare("", json.Number("1"), json.Number("1.000")); d != nil {
		t.Fatalf("1 vs 1.000: %s", d)
	}
}
