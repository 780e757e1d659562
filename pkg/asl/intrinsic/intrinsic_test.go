package intrinsic

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonpath"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

const testInput = `{
  "s": "HelloWorld", "empty": "", "n": 3, "f": 1.5, "neg": -2.5, "t": true, "null": null,
  "arr": [1, 2, 3, 4, 5], "dups": [1, 1, "a", "a", [1], [1], {"x": 1}, {"x": 1}, null, null, 1.0],
  "obj": {"b": 2, "a": [1, "x"], "c": null},
  "obj2": {"b": 3, "d": 4},
  "tmpl": "Hi {} and {}",
  "json": "{\"a\": [1, 2.50, -0], \"b\": \"x\"}",
  "b64": "RGF0YSB0byBlbmNvZGU=",
  "csv": "a,b;;c"
}`

func resolverFor(t testing.TB, input string) func(string) (any, error) {
	doc, err := jsonvalue.DecodeString(input)
	if err != nil {
		t.Fatal(err)
	}
	return func(path string) (any, error) {
		root, rest := jsonpath.Split(path)
		switch root {
		case "$":
			return jsonpath.Get(doc, rest)
		case "$$":
			return jsonpath.Get(map[string]any{"StateMachine": map[string]any{"Name": "order-flow-v2"}}, rest)
		case "$myVar":
			return jsonpath.Get(map[string]any{"k": "var-value"}, rest)
		}
		return nil, errors.New("unknown root " + root)
	}
}

func TestEval(t *testing.T) {
	resolve := resolverFor(t, testInput)
	tests := []struct {
		expr, want string
	}{
		// Format
		{`States.Format('Hello, {}!', $.s)`, `"Hello, HelloWorld!"`},
		{`States.Format('no placeholders')`, `"no placeholders"`},
		{`States.Format('{}|{}|{}|{}|{}', $.n, $.f, $.t, $.null, $.empty)`, `"3|1.5|true|null|"`},
		{`States.Format('{} {}', $.arr, $.obj)`, `"[1, 2, 3, 4, 5] {a=[1, x], b=2, c=null}"`},
		{`States.Format($.tmpl, 'x', 2)`, `"Hi x and 2"`},
		{`States.Format('esc \{\} and {}', 'v')`, `"esc {} and v"`},
		{`States.Format('quote \' and backslash \\ {}', 1)`, `"quote ' and backslash \\ 1"`},
		{`States.Format('{}', States.Array(1, 'a'))`, `"[1, a]"`},
		{`States.Format('{}', $myVar.k)`, `"var-value"`},
		// JSON
		{`States.StringToJson($.json)`, `{"a":[1,2.50,0],"b":"x"}`},
		{`States.StringToJson('')`, `null`},
		{`States.StringToJson('"x"')`, `"x"`},
		{`States.JsonToString($.obj)`, `"{\"a\":[1,\"x\"],\"b\":2,\"c\":null}"`},
		{`States.JsonToString($.s)`, `"\"HelloWorld\""`},
		{`States.JsonToString($.f)`, `"1.5"`},
		{`States.JsonMerge($.obj, $.obj2, false)`, `{"a":[1,"x"],"b":3,"c":null,"d":4}`},
		{`States.JsonMerge(States.StringToJson('{"x": 1}'), $.obj2, false)`, `{"b":3,"d":4,"x":1}`},
		// Arrays
		{`States.Array()`, `[]`},
		{`States.Array('a', 1, 1.50, true, false, null, $.obj2)`, `["a",1,1.50,true,false,null,{"b":3,"d":4}]`},
		{`States.ArrayPartition($.arr, 2)`, `[[1,2],[3,4],[5]]`},
		{`States.ArrayPartition(States.Array(), 2)`, `[]`},
		{`States.ArrayPartition($.arr, 9)`, `[[1,2,3,4,5]]`},
		{`States.ArrayContains($.arr, 3)`, `true`},
		{`States.ArrayContains($.arr, 3.0)`, `true`},
		{`States.ArrayContains($.dups, States.Array(1))`, `true`},
		{`States.ArrayContains($.arr, '3')`, `false`},
		{`States.ArrayRange(1, 9, 2)`, `[1,3,5,7,9]`},
		{`States.ArrayRange(0, 10, 3)`, `[0,3,6,9]`},
		{`States.ArrayRange(5, 1, -2)`, `[5,3,1]`},
		{`States.ArrayRange(5, 1, 1)`, `[]`},
		{`States.ArrayGetItem($.arr, 0)`, `1`},
		{`States.ArrayGetItem($.arr, 4)`, `5`},
		{`States.ArrayLength($.arr)`, `5`},
		{`States.ArrayLength(States.Array())`, `0`},
		{`States.ArrayUnique($.dups)`, `[1,"a",[1],{"x":1},null]`},
		// Encoding and hashing
		{`States.Base64Encode('Data to encode')`, `"RGF0YSB0byBlbmNvZGU="`},
		{`States.Base64Decode($.b64)`, `"Data to encode"`},
		{`States.Base64Decode('')`, `""`},
		{`States.Hash('input data', 'MD5')`, `"812f45842bc6d66ee14572ce20db8e86"`},
		{`States.Hash('input data', 'SHA-1')`, `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{`States.Hash('input data', 'SHA-256')`, `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		// Math
		{`States.MathAdd(1, 2)`, `3`},
		{`States.MathAdd($.n, -9)`, `-6`},
		{`States.MathAdd($.f, 0)`, `2`},
		{`States.MathAdd($.neg, 0)`, `-2`},
		{`States.MathAdd(-0.5, 0.5)`, `1`},
		{`States.MathAdd(1.49, -1.49)`, `0`},
		// Strings
		{`States.StringSplit('1,2,3', ',')`, `["1","2","3"]`},
		{`States.StringSplit($.csv, ',;')`, `["a","b","c"]`},
		{`States.StringSplit('', ',')`, `[]`},
		{`States.StringSplit('abc', '')`, `["abc"]`},
		{`States.StringSplit('a\'b', '\'')`, `["a","b"]`},
		// Nesting and context paths
		{`States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)`, `"order"`},
		{`States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))`, `"v2"`},
		{`  States.ArrayLength( $.arr )  `, `5`},
		{`States.ArrayLength($.arr[?(@ > 2)])`, `3`},
		{`States.Array($.obj['a'][1], $['arr'][-1:])`, `["x",[5]]`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := Compile(tt.expr)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := e.Eval(resolve)
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if s := jsonvalue.String(got); s != tt.want {
				t.Fatalf("got %s, want %s", s, tt.want)
			}
		})
	}
}

func TestEvalFailures(t *testing.T) {
	resolve := resolverFor(t, testInput)
	tests := []struct {
		expr, cause string
	}{
		{`States.Format('{} {}', 1)`, "2 placeholder(s) but 1 value(s)"},
		{`States.Format('{}', 1, 2)`, "1 placeholder(s) but 2 value(s)"},
		{`States.Format($.n)`, "format string must be a string"},
		{`States.StringToJson($.n)`, "must be a string, but was number"},
		{`States.StringToJson('{bad')`, "could not be parsed as JSON"},
		{`States.ArrayPartition($.s, 2)`, "must be an array, but was string"},
		{`States.ArrayPartition($.arr, 0)`, "greater than 0"},
		{`States.ArrayPartition($.arr, 1.5)`, "must be an integer"},
		{`States.ArrayContains($.obj, 1)`, "must be an array, but was object"},
		{`States.ArrayRange(1, 9, 0)`, "step must not be 0"},
		{`States.ArrayRange(1, 'x', 1)`, "end must be an integer"},
		{`States.ArrayRange(0, 2000, 1)`, "more than the maximum of 1000"},
		{`States.ArrayGetItem($.arr, 5)`, "out of bounds"},
		{`States.ArrayGetItem($.arr, -1)`, "out of bounds"},
		{`States.ArrayGetItem($.arr, 'a')`, "index must be an integer"},
		{`States.ArrayLength($.s)`, "must be an array"},
		{`States.ArrayUnique($.null)`, "must be an array, but was null"},
		{`States.Base64Encode($.n)`, "must be a string"},
		{`States.Base64Decode('!!!')`, "not valid base64"},
		{`States.Hash('x', 'SHA-999')`, "not one of MD5"},
		{`States.Hash($.arr, 'MD5')`, "data must be a string"},
		{`States.JsonMerge($.obj, $.obj2, true)`, "only shallow merging"},
		{`States.JsonMerge($.obj, $.arr, false)`, "second argument must be an object"},
		{`States.JsonMerge($.s, $.obj, false)`, "first argument must be an object"},
		{`States.JsonMerge($.obj, $.obj, 'false')`, "must be a boolean"},
		{`States.MathAdd($.s, 1)`, "must be a number"},
		{`States.MathRandom(10, 1)`, "less than the start"},
		{`States.MathRandom('a', 1)`, "must be a number"},
		{`States.StringSplit($.arr, ',')`, "must be a string"},
		{`States.Base64Encode('` + strings.Repeat("x", maxStringInput+1) + `')`, "more than the maximum of 10000"},
		{`States.Hash('` + strings.Repeat("é", maxStringInput+1) + `', 'MD5')`, "more than the maximum of 10000"},
	}
	for _, tt := range tests {
		name := tt.expr
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			e, err := Compile(tt.expr)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := e.Eval(resolve)
			ae, ok := aslerr.As(err)
			if !ok {
				t.Fatalf("want *aslerr.Error, got %v (result %v)", err, got)
			}
			if ae.Name != aslerr.IntrinsicFailure || !strings.Contains(ae.Cause, tt.cause) {
				t.Fatalf("got %s: %s; want cause containing %q", ae.Name, ae.Cause, tt.cause)
			}
		})
	}
}

func TestResolveErrorPassesThrough(t *testing.T) {
	sentinel := errors.New("path not found")
	e, err := Compile(`States.Format('{}', $.missing)`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Eval(func(string) (any, error) { return nil, sentinel })
	if !errors.Is(err, sentinel) {
		t.Fatalf("got %v, want the resolver's error unchanged", err)
	}
}

func TestCompileErrors(t *testing.T) {
	for _, expr := range []string{
		``, `States`, `States.Nope(1)`, `States.Format(`, `States.Format('x'`, `States.Format('x)`,
		`States.Format()`, `States.UUID(1)`, `States.ArrayRange(1, 2)`, `States.MathRandom(1)`,
		`States.MathRandom(1, 2, 3, 4)`, `States.JsonToString()`, `States.Array(1,)`, `States.Array(,1)`,
		`States.Array(1) x`, `States.Array(truex)`, `States.Array(1.2.3)`, `States.Array(@)`, `$.a`,
		`States.Array($.a`, `States.Hash('a')`, `States.Array(1 2)`,
	} {
		_, err := Compile(expr)
		ae, ok := aslerr.As(err)
		if !ok || ae.Name != aslerr.IntrinsicFailure {
			t.Errorf("Compile(%q) = %v, want States.IntrinsicFailure", expr, err)
		}
	}
}

func TestIsIntrinsic(t *testing.T) {
	for s, want := range map[string]bool{
		`States.Format('x')`: true, ` States.UUID() `: true, `$.a`: false, `$$.Execution.Id`: false,
		`States.`: false, `Hello`: false,
	} {
		if got := IsIntrinsic(s); got != want {
			t.Errorf("IsIntrinsic(%q) = %v", s, got)
		}
	}
}

func TestUUID(t *testing.T) {
	e, err := Compile(`States.UUID()`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.EvalEnv(nil, Env{UUID: func() string { return "fixed" }})
	if err != nil || got != "fixed" {
		t.Fatalf("injected UUID: got %v, %v", got, err)
	}
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, _ := e.Eval(nil)
	b, _ := e.Eval(nil)
	if !v4.MatchString(a.(string)) || a == b {
		t.Fatalf("default UUIDs %v, %v: want distinct v4 UUIDs", a, b)
	}
}

func TestMathRandom(t *testing.T) {
	resolve := resolverFor(t, `{"lo": 12.5, "hi": 44.51}`)
	e, err := Compile(`States.MathRandom($.lo, $.hi)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []float64{0, 0.5, 0.999999} {
		got, err := e.EvalEnv(resolve, Env{Rand: func() float64 { return r }})
		if err != nil {
			t.Fatal(err)
		}
		n, _ := jsonvalue.Int(got)
		if n < 13 || n > 45 {
			t.Fatalf("rand %v gave %v, outside [13, 45]", r, got)
		}
	}
	lo, _ := e.EvalEnv(resolve, Env{Rand: func() float64 { return 0 }})
	if jsonvalue.String(lo) != "13" {
		t.Fatalf("rand 0 gave %v, want the start 13", lo)
	}
	seeded, err := Compile(`States.MathRandom(0, 999, 3)`)
	if err != nil {
		t.Fatal(err)
	}
	first, err := seeded.Eval(nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		again, _ := seeded.Eval(nil)
		if !jsonvalue.Equal(first, again) {
			t.Fatalf("seeded results differ: %v vs %v", first, again)
		}
	}
	if n, ok := jsonvalue.Int(first); !ok || n < 0 || n > 999 {
		t.Fatalf("seeded result %v outside [0, 999]", first)
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`States.Format('a {} b', $.x)`, `States.Array(1, 'x', true, null, -2.5)`,
		`States.ArrayGetItem(States.StringSplit($$.a, '-'), 0)`, `States.Format('\{\}\'\\')`,
		`States.JsonMerge($.a[?(@.x == ')')], $v.b, false)`, `States.UUID()`, `States.MathRandom(1, 2, 3)`,
	} {
		f.Add(s)
	}
	resolve := resolverFor(f, testInput)
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Compile(s)
		if err != nil {
			if _, ok := aslerr.As(err); !ok {
				t.Fatalf("Compile(%q) error %T is not *aslerr.Error", s, err)
			}
			return
		}
		_, _ = e.Eval(resolve)
	})
}

func BenchmarkFormat(b *testing.B) {
	resolve := resolverFor(b, testInput)
	e, err := Compile(`States.Format('Hello {}, you have {} items in {}', $.s, $.n, $.obj)`)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(resolve); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompileNested(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(`States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))`); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPaths(t *testing.T) {
	tests := map[string]string{
		"States.Format('{} {}', $.a, States.ArrayLength($$.b.c))": "[$.a $$.b.c]",
		"States.UUID()":                     "[]",
		"States.Array(1, $v, 'x', $v.k[0])": "[$v $v.k[0]]",
	}
	for src, want := range tests {
		e, err := Compile(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if got := fmt.Sprint(e.Paths()); got != want {
			t.Errorf("%s: Paths() = %s, want %s", src, got, want)
		}
	}
}
