package jsonata

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

func TestAWSFunctionErrors(t *testing.T) {
	cases := []evalCase{
		{name: "partition empty", expr: "$partition([], 2)", want: "[]"},
		{name: "partition size zero", expr: "$partition([1], 0)", wantErr: "The second argument of $partition (chunk size) must be a positive integer, but was 0"},
		{name: "partition not array", expr: "$partition('a', 1)", wantErr: "The first argument of $partition must be an array, but was string"},
		{name: "range single", expr: "$range(1, 9, 9)", want: "1"},
		{name: "range step zero", expr: "$range(1, 2, 0)", wantErr: "The step argument of $range must not be zero"},
		{name: "range fraction", expr: "$range(1.5, 2, 1)", wantErr: "The start argument of $range must be an integer, but was 1.5"},
		{name: "range too long", expr: "$range(1, 5000, 1)", wantErr: "$range would produce more than 1000 items"},
		{name: "hash md5", expr: "$hash('abc', 'MD5')", want: `"900150983cd24fb0d6963f7d28e17f72"`},
		{name: "hash sha1", expr: "$hash('abc', 'SHA-1')", want: `"a9993e364706816aba3e25717850c26c9cd0d89d"`},
		{name: "hash sha384 length", expr: "$length($hash('abc', 'SHA-384'))", want: "96"},
		{name: "hash sha512 length", expr: "$length($hash('abc', 'SHA-512'))", want: "128"},
		{name: "hash bad algorithm", expr: "$hash('abc', 'SHA-3')", wantErr: `The hashing algorithm "SHA-3" is not supported. Supported algorithms: MD5, SHA-1, SHA-256, SHA-384, SHA-512`},
		{name: "hash not string", expr: "$hash(1, 'MD5')", wantErr: "The first argument of $hash must be a string, but was number"},
		{name: "parse invalid", expr: "$parse('{')", wantErr: "The argument of $parse is not valid JSON: {"},
		{name: "parse scalar", expr: "$parse('12')", want: "12"},
		{name: "random seed type", expr: "$random('x')", wantErr: `The seed argument of $random must be an integer, but was "x"`},
		{name: "random range", expr: "$random() >= 0 and $random() < 1", want: "true"},
		{name: "random seeds differ", expr: "$random(1) != $random(2)", want: "true"},
		{name: "uuid v4", expr: "$substring($uuid(), 14, 1)", want: `"4"`},
		{name: "wrong arity", expr: "$partition([1])", wantErr: "function $partition: wrong number of arguments"},
		{name: "variable shadows function", expr: "$hash", vars: map[string]string{"hash": `"mine"`}, want: `"mine"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runCase(t, c) })
	}
}

func TestInjectedSources(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 10e6, time.UTC)
	opts := Options{
		Now:    func() time.Time { return at },
		Random: func() float64 { return 0.25 },
		UUID:   func() string { return "00000000-0000-4000-8000-000000000000" },
	}
	cases := map[string]string{
		"$now()":                            `"2024-05-06T07:08:09.010Z"`,
		"$millis()":                         "1714979289010",
		"$millis() = $toMillis($now())":     "true",
		"$now('[Y0001]-[M01]-[D01]')":       `"2024-05-06"`,
		"$random()":                         "0.25",
		"$uuid()":                           `"00000000-0000-4000-8000-000000000000"`,
		"$fromMillis($millis() - 86400000)": `"2024-05-05T07:08:09.010Z"`,
	}
	for expr, want := range cases {
		got, err := MustCompile(expr).EvalWith(nil, nil, opts)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if s := show(got); s != want {
			t.Errorf("%s = %s, want %s", expr, s, want)
		}
	}
}

func TestIsExpression(t *testing.T) {
	cases := []struct {
		in, inner string
		ok        bool
	}{
		{"{% $x %}", "$x", true},
		{"{%$x%}", "$x", true},
		{"{%\n  $a + 1\n%}", "$a + 1", true},
		{" {% $x %}", "", false},
		{"{% $x %} ", "", false},
		{"{% $x", "", false},
		{"$x %}", "", false},
		{"{%%}", "", true},
		{"plain", "", false},
	}
	for _, c := range cases {
		inner, ok := IsExpression(c.in)
		if ok != c.ok || inner != c.inner {
			t.Errorf("IsExpression(%q) = %q, %v; want %q, %v", c.in, inner, ok, c.inner, c.ok)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, src := range []string{"$x +", "(", "'abc", "{'a': }", "$f("} {
		_, err := Compile(src)
		e, ok := aslerr.As(err)
		if !ok || e.Name != aslerr.QueryEvaluationError || e.Cause == "" {
			t.Errorf("Compile(%q) error = %v, want a QueryEvaluationError with a cause", src, err)
		}
	}
}

func TestUnsupportedResult(t *testing.T) {
	_, err := MustCompile("$uppercase").Eval(nil, nil)
	if !errors.Is(err, ErrUnsupportedResult) {
		t.Fatalf("function result: error %v, want ErrUnsupportedResult", err)
	}
}

// TestConcurrentEval runs shared compiled expressions from many goroutines;
// with -race it proves Eval is safe, and the results prove evaluations do
// not see each other's variables or the library's in-place rewrites.
func TestConcurrentEval(t *testing.T) {
	exprs := []*Expr{
		MustCompile("$states.input.n * 2"),
		MustCompile("$states.input.s ~> $uppercase()"),
		MustCompile("$string($states.input.n) & '-' & $substring($states.input.s, 0, 1)"),
		MustCompile("$states.input.items"),
		MustCompile("$partition($range(1, $states.input.m, 1), 2)"),
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				n := g*100 + i + 1
				s := fmt.Sprintf("s%d", n)
				states := map[string]any{"input": map[string]any{"n": jsonvalue.NumberFromInt(int64(n)), "s": s, "items": []any{}, "m": jsonvalue.NumberFromInt(int64(n%20 + 2))}}
				want := []string{
					fmt.Sprint(2 * n), fmt.Sprintf("%q", "S"+s[1:]), fmt.Sprintf(`"%d-s"`, n), "[]",
				}
				for k, e := range exprs[:4] {
					got, err := e.Eval(nil, map[string]any{"states": states})
					if err != nil || show(got) != want[k] {
						errs <- fmt.Errorf("%s with n=%d: got %s (%v), want %s", e, n, show(got), err, want[k])
						return
					}
				}
				got, err := exprs[4].Eval(nil, map[string]any{"states": states})
				if arr, ok := got.([]any); err != nil || !ok || len(arr) != (n%20+3)/2 {
					errs <- fmt.Errorf("partition with n=%d: got %s (%v)", n, show(got), err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func BenchmarkEval(b *testing.B) {
	input, _ := jsonvalue.DecodeString(`{"orderId":"SO-1","lines":[{"sku":"A","qty":2,"price":3.5},{"sku":"B","qty":1,"price":10},{"sku":"C","qty":4,"price":0.25}]}`)
	bind := map[string]any{"states": map[string]any{"input": input}, "customer": "María"}
	for _, bc := range []struct{ name, expr string }{
		{"path", "$states.input.orderId"},
		{"typical", "{'order': $states.input.orderId, 'total': $sum($states.input.lines.(qty * price)), 'skus': $states.input.lines.sku, 'who': $customer}"},
		{"chain", "$states.input.lines ~> $map(function($l){$l.sku})"},
	} {
		e := MustCompile(bc.expr)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := e.Eval(input, bind); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
