package jsonata

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// evalCase is one expression with its input, variables and expected result
// (JSON text; "undefined" for Undefined) or expected error cause.
type evalCase struct {
	name    string
	expr    string
	input   string
	vars    map[string]string
	want    string
	wantErr string
}

func runCase(t *testing.T, c evalCase) {
	t.Helper()
	got, err := evalText(c.expr, c.input, c.vars)
	if c.wantErr != "" {
		if err == nil {
			t.Fatalf("%s: got %s, want error %q", c.expr, show(got), c.wantErr)
		}
		if err.Error() != "States.QueryEvaluationError: "+c.wantErr {
			t.Fatalf("%s: error %q, want cause %q", c.expr, err.Error(), c.wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", c.expr, err)
	}
	if s := show(got); s != c.want {
		t.Fatalf("%s: got %s, want %s", c.expr, s, c.want)
	}
}

func evalText(expr, input string, vars map[string]string) (any, error) {
	e, err := Compile(expr)
	if err != nil {
		return nil, err
	}
	var in any
	if input != "" {
		if in, err = jsonvalue.DecodeString(input); err != nil {
			return nil, err
		}
	}
	b := map[string]any{}
	for k, v := range vars {
		if b[k], err = jsonvalue.DecodeString(v); err != nil {
			return nil, err
		}
	}
	return e.Eval(in, b)
}

func show(v any) string {
	if IsUndefined(v) {
		return "undefined"
	}
	return jsonvalue.String(v)
}

func TestEvalBasics(t *testing.T) {
	cases := []evalCase{
		{name: "field", expr: "$states.input.a", vars: map[string]string{"states": `{"input":{"a":1}}`}, want: "1"},
		{name: "null literal", expr: "null", want: "null"},
		{name: "missing", expr: "$doesNotExist", want: "undefined"},
		{name: "integral float", expr: "1.5 * 2", want: "3"},
		{name: "sum", expr: "$sum([1.5, 2.5])", want: "4"},
		{name: "division", expr: "1 / 4", want: "0.25"},
		{name: "string concat", expr: "'a' & 1", want: `"a1"`},
		{name: "object", expr: "{'a': [1, 'two'], 'b': null}", want: `{"a":[1,"two"],"b":null}`},
		{name: "input array kept", expr: "$x.a", vars: map[string]string{"x": `{"a":[1]}`}, want: "[1]"},
		{name: "map singleton", expr: "$x.a.b", vars: map[string]string{"x": `{"a":[{"b":1}]}`}, want: "1"},
		{name: "map many", expr: "$x.a.b", vars: map[string]string{"x": `{"a":[{"b":1},{"b":2}]}`}, want: "[1,2]"},
		{name: "filter", expr: "$x[v > 1].v", vars: map[string]string{"x": `[{"v":1},{"v":2},{"v":3}]`}, want: "[2,3]"},
		{name: "uppercase chain twice", expr: "'abc' ~> $uppercase()", want: `"ABC"`},
		{name: "string number", expr: "$string(0.1 + 0.2)", want: `"0.3"`},
		{name: "string map", expr: "$x.$string()", vars: map[string]string{"x": `[1, 2.5]`}, want: `["1","2.5"]`},
		{name: "string object", expr: "$string({'a': 1.0})", want: `"{\"a\":1}"`},
		{name: "regex contains", expr: `$contains('hello$world', /^hello\$/)`, want: "true"},
		{name: "number", expr: "$number('2')", want: "2"},
		{name: "condition", expr: "$states.input.type = 'Public'", vars: map[string]string{"states": `{"input":{"type":"Public"}}`}, want: "true"},
		{name: "lambda result", expr: "$fn := function($x){$x}", wantErr: "returned an unsupported result type."},
		{name: "non-number plus", expr: "1 + 'a'", wantErr: `T2002: The right side of the "+" operator must evaluate to a number`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runCase(t, c) })
	}
}

func evalWith(ev evaluator, expr, input string, vars map[string]string) (any, error) {
	var in any
	var err error
	if input != "" {
		if in, err = jsonvalue.DecodeString(input); err != nil {
			return nil, err
		}
	}
	b := map[string]any{}
	for k, v := range vars {
		if b[k], err = jsonvalue.DecodeString(v); err != nil {
			return nil, err
		}
	}
	return ev(expr, in, b)
}

func TestFeatures(t *testing.T) {
	for _, c := range features {
		t.Run(c.name, func(t *testing.T) { runCase(t, c) })
	}
}

func TestScanRefs(t *testing.T) {
	tests := []struct {
		src  string
		refs string
		all  bool
	}{
		{"$states.input.a + $v1", "[states v1]", false},
		{"$count($x) & $_y", "[_y count x]", false},
		{"$$.a + $", "[]", false},
		{"$eval('$z')", "[eval z]", true},
	}
	for _, tc := range tests {
		refs, all := scanRefs(tc.src)
		var names []string
		for n := range refs {
			names = append(names, n)
		}
		sort.Strings(names)
		if fmt.Sprint(names) != tc.refs || all != tc.all {
			t.Errorf("scanRefs(%q) = %v %v, want %s %v", tc.src, names, all, tc.refs, tc.all)
		}
	}
}

// TestUnnamedBindingsIgnored checks that a binding the expression does not
// name is not needed (it is not even converted), while one it names is.
func TestUnnamedBindingsIgnored(t *testing.T) {
	e := MustCompile("$a + 1")
	got, err := e.Eval(nil, map[string]any{"a": 2.0, "big": map[string]any{"k": []any{1.0}}})
	if err != nil || fmt.Sprint(got) != "3" {
		t.Fatalf("got %v, %v", got, err)
	}
	if e.Uses("big") || !e.Uses("a") {
		t.Fatalf("Uses: big %v, a %v", e.Uses("big"), e.Uses("a"))
	}
}

// TestFromLibPlainContainers checks the reflection-free conversion of the
// library's plain containers against the general one.
func TestFromLibPlainContainers(t *testing.T) {
	v := map[string]any{
		"s": "x", "b": true, "n": 3.0, "f": 2.5, "null": nil, "libnull": libNull,
		"arr":    []any{1.0, "a", nil, map[string]any{"k": []any{}}},
		"nested": map[string]any{"deep": map[string]any{"i": 7, "big": 1e21}},
	}
	fast, err := fromLib(reflect.ValueOf(v))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"arr":[1,"a",null,{"k":[]}],"b":true,"f":2.5,"libnull":null,"n":3,"nested":{"deep":{"big":1e+21,"i":7}},"null":null,"s":"x"}`
	if got := jsonvalue.String(fast); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if _, err := fromLibAny(map[string]any{"f": func() {}}); err == nil {
		t.Fatal("a function inside a result must be unsupported")
	}
}

// TestOutValueSharesUnchanged checks that a value read from the input is
// shared when no number in it needs re-rendering, and copied where one does.
func TestOutValueSharesUnchanged(t *testing.T) {
	plain := map[string]any{"a": []any{json.Number("1"), "x"}, "b": map[string]any{"c": json.Number("2.5")}}
	if got := outValue(plain); reflect.ValueOf(got).Pointer() != reflect.ValueOf(plain).Pointer() {
		t.Error("an unchanged object was copied")
	}
	mixed := map[string]any{"keep": []any{"x"}, "n": json.Number("1.50")}
	got := outValue(mixed).(map[string]any)
	if jsonvalue.String(got) != `{"keep":["x"],"n":1.5}` || mixed["n"] != json.Number("1.50") {
		t.Errorf("got %s, input now %v", jsonvalue.String(got), mixed)
	}
	if reflect.ValueOf(got["keep"]).Pointer() != reflect.ValueOf(mixed["keep"]).Pointer() {
		t.Error("an unchanged member was copied")
	}
}
