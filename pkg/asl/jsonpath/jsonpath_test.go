package jsonpath

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

const storeDoc = `{
  "store": {
    "book": [
      {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
      {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
      {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553", "price": 8.99},
      {"category": "fiction", "author": "J. R. R. Tolkien", "title": "LOTR", "isbn": "0-395", "price": 22.99}
    ],
    "bicycle": {"color": "red", "price": 19.95}
  },
  "expensive": 10,
  "a b": {"c.d": 1},
  "nums": [1, 2, 3, 4, 5],
  "n": null,
  "s": "text",
  "flags": [true, false]
}`

func mustDecode(t testing.TB, s string) any {
	t.Helper()
	v, err := jsonvalue.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestGet(t *testing.T) {
	doc := mustDecode(t, storeDoc)
	tests := []struct {
		path string
		want string
	}{
		{"$", ""}, // whole doc, checked below
		{"$.expensive", `10`},
		{"$.store.bicycle.color", `"red"`},
		{"$['store']['bicycle']['color']", `"red"`},
		{`$["store"].bicycle["price"]`, `19.95`},
		{"$['a b']['c.d']", `1`},
		{"$.n", `null`},
		{"$.nums[0]", `1`},
		{"$.nums[-1]", `5`},
		{"$.nums[ 2 ]", `3`},
		{"$.nums[1:3]", `[2,3]`},
		{"$.nums[:2]", `[1,2]`},
		{"$.nums[-2:]", `[4,5]`},
		{"$.nums[3:]", `[4,5]`},
		{"$.nums[:-3]", `[1,2]`},
		{"$.nums[4:2]", `[]`},
		{"$.nums[0:100]", `[1,2,3,4,5]`},
		{"$.nums[0,2,9]", `[1,3]`},
		{"$.nums[*]", `[1,2,3,4,5]`},
		{"$.nums.*", `[1,2,3,4,5]`},
		{"$.store.book[*].author", `["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"]`},
		{"$.store.book[0,1].title", `["Sayings","Sword"]`},
		{"$.store.bicycle.*", `["red",19.95]`},
		{"$..isbn", `["0-553","0-395"]`},
		{"$.store..price", `[19.95,8.95,12.99,8.99,22.99]`},
		{"$..book[2].title", `["Moby Dick"]`},
		{"$..book[-1:].title", `["LOTR"]`},
		{"$.store.book[?(@.isbn)].title", `["Moby Dick","LOTR"]`},
		{"$.store.book[?(!@.isbn)].title", `["Sayings","Sword"]`},
		{"$.store.book[?(@.price < 10)].title", `["Sayings","Moby Dick"]`},
		{"$.store.book[?(@.price <= 8.95)].title", `["Sayings"]`},
		{"$.store.book[?(@.price > $.expensive)].title", `["Sword","LOTR"]`},
		{"$.store.book[?(@.price >= 12.99 && @.category == 'fiction')].title", `["Sword","LOTR"]`},
		{"$.store.book[?(@.category == 'reference' || @.price > 20)].title", `["Sayings","LOTR"]`},
		{`$.store.book[?(@.category != "fiction")].title`, `["Sayings"]`},
		{"$.store.book[?(@.author =~ /.*Tolkien/)].title", `["LOTR"]`},
		{"$.store.book[?(@.author =~ /nigel.*/i)].title", `["Sayings"]`},
		{"$.store.book[?(@.author =~ /Nigel/)].title", `[]`},
		{"$.store.book[?(@.category in ['reference','x'])].title", `["Sayings"]`},
		{"$.store.book[?(@.category nin ['fiction'])].title", `["Sayings"]`},
		{"$.store.book[?(@.title size 5)].title", `["Sword"]`},
		{"$.store.book[?(@.title contains 'Dick')].title", `["Moby Dick"]`},
		{"$.store.book[?((@.price < 9) && !(@.isbn))].title", `["Sayings"]`},
		{"$.store.book[?(@.isbn != '0-553')].title", `["Sayings","Sword","LOTR"]`},
		{"$.nums[?(@ > 3)]", `[4,5]`},
		{"$.nums[?(@ == '2')]", `[2]`},
		{"$.flags[?(@ == true)]", `[true]`},
		{"$..book[?(@.price > 20)].author", `["J. R. R. Tolkien"]`},
		{"$..[?(@.color)].price", `[19.95]`},
		{"$.store.book.length()", `4`},
		{"$.nums.length()", `5`},
		{"$.nums.sum()", `15.0`},
		{"$.nums.avg()", `3.0`},
		{"$.nums.max()", `5.0`},
		{"$.store.bicycle.keys()", `["color","price"]`},
		{"$.store.bicycle['color','price']", `{"color":"red","price":19.95}`},
		{"$.store.bicycle['color','nope']", `{"color":"red"}`},
		{"$.store.book[*]['author','x']", `[{"author":"Nigel Rees"},{"author":"Evelyn Waugh"},{"author":"Herman Melville"},{"author":"J. R. R. Tolkien"}]`},
		{"$.store.book[*].isbn", `["0-553","0-395"]`},
		{"$.store.book[*].nope.x", `[]`},
		{"$..nope", `[]`},
		{"$.nope[*]", `[]`},
		{"$.nope.x[1:]", `[]`},
		{"$.s[*]", `[]`},
		{"$.n[0,1]", `[]`},
		{"$.store.book[*].title.x", `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := Get(doc, tt.path)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if tt.want == "" {
				if !jsonvalue.Equal(got, doc) {
					t.Fatalf("got %s", jsonvalue.String(got))
				}
				return
			}
			if s := jsonvalue.String(got); s != tt.want {
				t.Fatalf("got %s, want %s", s, tt.want)
			}
		})
	}
}

func TestGetNotFound(t *testing.T) {
	doc := mustDecode(t, storeDoc)
	tests := []struct {
		path   string
		reason string
	}{
		{"$.NoSuchInputPath", "No results for path: $['NoSuchInputPath']"},
		{"$.store.nope", "No results for path: $['store']['nope']"},
		{"$.nope.deeper", "Missing property in path $['nope']"},
		{"$.nums[9]", "No results for path: $['nums'][9]"},
		{"$.nums[-9]", "No results for path: $['nums'][-9]"},
		{"$.n[0]", "The path $['n'] is null"},
		{"$.s[0]", "Filter: [0] can only be applied to arrays. Current context is: text"},
		{"$.s.x", "Expected to find an object with property ['x'] in path $['s'] but found 'java.lang.String'."},
		{"$.n.x", "Expected to find an object with property ['x'] in path $['n'] but found 'null'."},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := Get(doc, tt.path)
			var nf *NotFoundError
			if !errors.As(err, &nf) {
				t.Fatalf("want *NotFoundError, got %v", err)
			}
			if nf.Path != tt.path || !strings.HasPrefix(nf.Reason, tt.reason) {
				t.Fatalf("got %+v, want reason %q", nf, tt.reason)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	for _, p := range []string{
		"", "a", "$.", "$..", "$[", "$['a'", "$[a]", "$.a[?(@.x >)]", "$.a[?(@.x == 1]",
		"$.a.foo()", "$.a.length().b", "$[1:2:3]", "$.a[?(@.x =~ 'no')]", "$.a[?(1)]",
		"$.a[?(@.x =~ /(/)]", "$[?(@.a == {)]", "$ .a",
	} {
		if _, err := Compile(p); err == nil {
			t.Errorf("Compile(%q) succeeded", p)
		} else {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("Compile(%q): want *SyntaxError, got %T", p, err)
			}
		}
	}
}

func TestDefiniteAndString(t *testing.T) {
	tests := []struct {
		path     string
		definite bool
		norm     string
	}{
		{"$", true, "$"},
		{"$.a.b", true, "$['a']['b']"},
		{"$.a[0]", true, "$['a'][0]"},
		{"$['a','b']", true, "$['a','b']"},
		{"$.a.length()", true, "$['a'].length()"},
		{"$.a[0,1]", false, "$['a'][0,1]"},
		{"$.a[1:]", false, "$['a'][1:]"},
		{"$.a[*]", false, "$['a'][*]"},
		{"$..a", false, "$..['a']"},
		{"$.a[?(@.x)]", false, "$['a'][?]"},
	}
	for _, tt := range tests {
		p := MustCompile(tt.path)
		if p.IsDefinite() != tt.definite || p.Normalized() != tt.norm || p.String() != tt.path {
			t.Errorf("%s: definite=%v norm=%s", tt.path, p.IsDefinite(), p.Normalized())
		}
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		doc, path, val, want string
		wantErr              bool
	}{
		{`{"a":1}`, "$", `"x"`, `"x"`, false},
		{`{"a":1}`, "$.b", `2`, `{"a":1,"b":2}`, false},
		{`{"a":1}`, "$.a", `{"z":[1]}`, `{"a":{"z":[1]}}`, false},
		{`{"a":{"b":1}}`, "$.a.c", `2`, `{"a":{"b":1,"c":2}}`, false},
		{`{}`, "$.x.y.z", `true`, `{"x":{"y":{"z":true}}}`, false},
		{`{"a":[1,{"b":2}]}`, "$.a[1].c", `3`, `{"a":[1,{"b":2,"c":3}]}`, false},
		{`{"a":[1,2]}`, "$.a[-1]", `9`, `{"a":[1,9]}`, false},
		{`{"a":[1,2]}`, "$.a[2]", `9`, ``, true},
		{`{"a":"str"}`, "$.a.b", `1`, ``, true},
		{`{"a":null}`, "$.a.b", `1`, ``, true},
		{`"str"`, "$.a", `1`, ``, true},
		{`[1]`, "$.a", `1`, ``, true},
		{`{"a":[1]}`, "$.a[*]", `1`, ``, true},
		{`{}`, "$.a[0]", `1`, ``, true},
	}
	for _, tt := range tests {
		t.Run(tt.path+" on "+tt.doc, func(t *testing.T) {
			doc := mustDecode(t, tt.doc)
			before := jsonvalue.String(doc)
			got, err := Set(doc, tt.path, mustDecode(t, tt.val))
			if tt.wantErr {
				var se *SetError
				if !errors.As(err, &se) {
					t.Fatalf("want *SetError, got %v (%v)", err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s := jsonvalue.String(got); s != tt.want {
				t.Fatalf("got %s, want %s", s, tt.want)
			}
			if after := jsonvalue.String(doc); after != before {
				t.Fatalf("Set mutated its input: %s -> %s", before, after)
			}
		})
	}
}

func TestSplit(t *testing.T) {
	tests := []struct{ in, root, rest string }{
		{"$", "$", "$"},
		{"$.a", "$", "$.a"},
		{"$[0]", "$", "$[0]"},
		{"$$", "$$", "$"},
		{"$$.Execution.Id", "$$", "$.Execution.Id"},
		{"$myVar", "$myVar", "$"},
		{"$myVar.a.b", "$myVar", "$.a.b"},
		{"$my_var2[0]", "$my_var2", "$[0]"},
		{"$ärger.x", "$ärger", "$.x"},
		{"States.Format()", "", "States.Format()"},
	}
	for _, tt := range tests {
		root, rest := Split(tt.in)
		if root != tt.root || rest != tt.rest {
			t.Errorf("Split(%q) = %q, %q", tt.in, root, rest)
		}
	}
}

func TestConcurrentCompileAndGet(t *testing.T) {
	doc := mustDecode(t, storeDoc)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				v, err := Get(doc, "$.store.book[?(@.price < 10)].title")
				if err != nil || len(v.([]any)) != 2 {
					t.Errorf("got %v, %v", v, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{"$", "$.a.b", "$['a b']", "$.a[0]", "$.a[-1:]", "$.a[*].b", "$..x",
		"$.a[?(@.x > 1)]", "$.a[0,2]", "$.a.length()", "$[?(@.a in [1,'b'])]", "$[?(@ =~ /x/i)]"} {
		f.Add(s)
	}
	doc := mustDecode(f, storeDoc)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Compile(s)
		if err != nil {
			return
		}
		_, _ = p.Get(doc)
		_, _ = p.Set(doc, "x")
		_ = p.Normalized()
	})
}

func BenchmarkGetDefinite(b *testing.B) {
	doc := mustDecode(b, storeDoc)
	p := MustCompile("$.store.book[2].title")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Get(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetFilter(b *testing.B) {
	doc := mustDecode(b, storeDoc)
	p := MustCompile("$.store.book[?(@.price < 10)].title")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Get(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetCached(b *testing.B) {
	doc := mustDecode(b, storeDoc)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Get(doc, "$.store.bicycle.color"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestQuotedNameKeepsEscapes pins what AWS was recorded doing: a backslash in
// a quoted name stays part of the name.
func TestQuotedNameKeepsEscapes(t *testing.T) {
	doc := map[string]any{`Test\""Name"`: "v", `a\'b`: "w"}
	for path, want := range map[string]string{`$['Test\""Name"']`: "v", `$['a\'b']`: "w"} {
		got, err := Get(doc, path)
		if err != nil || got != want {
			t.Errorf("Get(%s) = %v, %v; want %q", path, got, err, want)
		}
	}
}
