package jsonvalue

import (
	"encoding/json"
	"math"
	"testing"
)

func TestNormalize(t *testing.T) {
	type item struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	}
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"model values unchanged", map[string]any{"a": json.Number("1.0"), "b": []any{"x", true, nil}}, `{"a":1.0,"b":["x",true,null]}`},
		{"integral float", 3.0, `3`},
		{"fraction", 2.5, `2.5`},
		{"int in nested containers", map[string]any{"a": []any{1, map[string]any{"b": int64(2)}}}, `{"a":[1,{"b":2}]}`},
		{"struct via JSON", item{SKU: "S1", Qty: 4}, `{"qty":4,"sku":"S1"}`},
		{"typed slice", []string{"a", "b"}, `["a","b"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if s := String(got); s != tt.want {
				t.Fatalf("got %s, want %s", s, tt.want)
			}
		})
	}
	if _, err := Normalize(math.NaN()); err == nil {
		t.Fatal("NaN must be refused")
	}
}

func TestNormalizeCopiesOnlyOnChange(t *testing.T) {
	in := map[string]any{"a": json.Number("1"), "b": map[string]any{"c": "x"}}
	out, _ := Normalize(in)
	out.(map[string]any)["z"] = true
	if _, ok := in["z"]; !ok {
		t.Fatal("an unchanged map should be returned as is, not copied")
	}
	in2 := map[string]any{"a": 1, "b": "x"}
	out2, _ := Normalize(in2)
	if _, isNum := in2["a"].(int); !isNum || String(out2) != `{"a":1,"b":"x"}` {
		t.Fatalf("input changed or wrong output: %v %s", in2, String(out2))
	}
}

func TestEqualAndNumbers(t *testing.T) {
	tests := []struct {
		a, b any
		want bool
	}{
		{json.Number("1"), json.Number("1.0"), true},
		{json.Number("1"), 1.0, true},
		{json.Number("9007199254740993"), json.Number("9007199254740993"), true},
		{json.Number("9007199254740993"), json.Number("9007199254740992"), false},
		{json.Number("1"), "1", false},
		{[]any{json.Number("1"), "a"}, []any{1, "a"}, true},
		{map[string]any{"a": nil}, map[string]any{"b": nil}, false},
		{map[string]any{"a": []any{}}, map[string]any{"a": []any{}}, true},
		{nil, false, false},
	}
	for _, tt := range tests {
		if got := Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("Equal(%v, %v) = %v", tt.a, tt.b, got)
		}
	}
	if i, ok := Int(json.Number("1e3")); !ok || i != 1000 {
		t.Errorf("Int(1e3) = %d %v", i, ok)
	}
	if _, ok := Int(json.Number("1.5")); ok {
		t.Error("Int(1.5) must fail")
	}
	if NumberFromFloat(1e21) != "1e+21" || NumberFromFloat(12) != "12" {
		t.Errorf("NumberFromFloat: %s %s", NumberFromFloat(1e21), NumberFromFloat(12))
	}
}

func TestDecodeAndTypeName(t *testing.T) {
	v, err := DecodeString(`{"n": 1.50, "s": "<b>"}`)
	if err != nil {
		t.Fatal(err)
	}
	if s := String(v); s != `{"n":1.50,"s":"<b>"}` {
		t.Fatalf("round trip %s (numbers keep their text, no HTML escaping)", s)
	}
	if _, err := DecodeString(`{} {}`); err == nil {
		t.Fatal("trailing data must be refused")
	}
	names := map[string]any{"null": nil, "boolean": true, "string": "x", "number": 1.5, "array": []any{}, "object": map[string]any{}}
	for want, v := range names {
		if got := TypeName(v); got != want {
			t.Errorf("TypeName(%v) = %s, want %s", v, got, want)
		}
	}
}
