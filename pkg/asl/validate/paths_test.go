package validate

import (
	"os"
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/refdata"
)

func TestCheckPath(t *testing.T) {
	tests := []struct {
		path    string
		kind    pathKind
		context bool
		ok      bool
	}{
		{"$", referencePath, false, true},
		{"$.a.b[0]['c d']", referencePath, false, true},
		{"$myVar.field", referencePath, false, true},
		{"$$.Execution.Id", referencePath, true, true},
		{"$$.Execution.Id", referencePath, false, false},
		{"$.a[*]", referencePath, false, false},
		{"$..a", referencePath, false, false},
		{"$.a[?(@.b > 1)]", referencePath, false, false},
		{"$.a[?(@.b > 1)]", anyPath, false, true},
		{"$.a[1:3]", anyPath, false, true},
		{"$.a[0,1]", anyPath, false, true},
		{"$..name", anyPath, false, true},
		{"$.*", anyPath, false, true},
		{"a.b", anyPath, false, false},
		{"$.", anyPath, false, false},
		{"$.a[", anyPath, false, false},
		{"$.a[]", anyPath, false, false},
		{"$.a[x]", anyPath, false, false},
		{"$ .a", anyPath, false, false},
	}
	for _, tt := range tests {
		if ok, why := checkPath(tt.path, tt.kind, tt.context); ok != tt.ok {
			t.Errorf("checkPath(%q, %v, %v) = %v (%s), want %v", tt.path, tt.kind, tt.context, ok, why, tt.ok)
		}
	}
}

func TestCheckIntrinsic(t *testing.T) {
	tests := []struct {
		call string
		ok   bool
	}{
		{"States.UUID()", true},
		{"States.Format('{} and {}', $.a, $$.Execution.Name)", true},
		{`States.Format('it\'s {}', States.JsonToString($.x))`, true},
		{"States.Array(1, -2.5, true, null, 'x', $.a[0])", true},
		{"States.MathRandom($.lo, $.hi, 7)", true},
		{"States.StringSplit($.s, ',')", true},
		{"States.UUID(1)", false},
		{"States.ArrayRange(1, 2)", false},
		{"States.Nope()", false},
		{"States.Format('x'", false},
		{"States.Format('x)", false},
		{"States.Array(1,)", false},
		{"States.Array(abc)", false},
		{"States.Array(1) extra", false},
		{"States.Array($.a[)", false},
	}
	for _, tt := range tests {
		if ok, why := checkIntrinsic(tt.call); ok != tt.ok {
			t.Errorf("checkIntrinsic(%q) = %v (%s), want %v", tt.call, ok, why, tt.ok)
		}
	}
}

func TestValidVariableName(t *testing.T) {
	for name, want := range map[string]bool{
		"x": true, "_x1": true, "données": true, "x.y": false, "1x": false, "": false, "a-b": false,
		strings.Repeat("v", 80): true, strings.Repeat("v", 81): false,
	} {
		if got := validVariableName(name); got != want {
			t.Errorf("validVariableName(%q) = %v, want %v", name, got, want)
		}
	}
}

func BenchmarkDefinition(b *testing.B) {
	data, err := os.ReadFile(refdata.Path(b, "bench", "order-pipeline.asl.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Definition(data)
	}
}
