// Package jsonvalue is the value model shared by the ASL engine and its
// expression languages: JSON decoded with encoding/json's UseNumber, so a
// number keeps the exact text it had (AWS passes 1.0 through as 1.0 and keeps
// integers beyond 2^53 exact).
//
// A value is one of: nil, bool, string, json.Number, []any, map[string]any.
// Readers also accept float64, int and int64, because Go task handlers and
// JSONata return them; Normalize turns those into json.Number.
package jsonvalue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Decode parses one JSON document into the value model.
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("decode JSON: unexpected data after the first value")
	}
	return v, nil
}

// DecodeString is Decode for a string.
func DecodeString(s string) (any, error) { return Decode([]byte(s)) }

// Encode renders v as compact JSON without HTML escaping, as AWS does.
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// String is Encode for places that cannot fail (values of the model always
// encode); it returns the error text if they somehow do.
func String(v any) string {
	b, err := Encode(v)
	if err != nil {
		return fmt.Sprintf("<unencodable: %v>", err)
	}
	return string(b)
}

// Float reports v as a float64 when it is a number.
func Float(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

// Int reports v as an int64 when it is a number with no fractional part.
func Int(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, true
		}
		f, err := n.Float64()
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<63 {
			return 0, false
		}
		return int64(f), true
	case int:
		return int64(n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	}
	f, ok := Float(v)
	if !ok || f != math.Trunc(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return int64(f), true
}

// IsNumber reports whether v is a number of any accepted Go type.
func IsNumber(v any) bool {
	_, ok := Float(v)
	return ok
}

// NumberFromFloat renders f the way AWS renders computed numbers: integral
// values without a fraction, others in their shortest form.
func NumberFromFloat(f float64) json.Number {
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}

// NumberFromInt renders an integer.
func NumberFromInt(i int64) json.Number { return json.Number(strconv.FormatInt(i, 10)) }

// Normalize converts Go-native values (float64, int, structs via JSON, ...)
// into the value model. Values already in the model are returned as they are;
// a container is copied only when something inside it changes.
func Normalize(v any) (any, error) {
	n, _, err := normalize(v)
	return n, err
}

// normalize reports whether the result differs from v, so parents copy only
// on change.
func normalize(v any) (any, bool, error) {
	switch x := v.(type) {
	case nil, bool, string, json.Number:
		return v, false, nil
	case float64, float32, int, int64, int32, uint64:
		f, _ := Float(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, false, fmt.Errorf("number %v cannot be represented in JSON", f)
		}
		if i, ok := Int(x); ok && math.Abs(f) < 1<<53 {
			return NumberFromInt(i), true, nil
		}
		return NumberFromFloat(f), true, nil
	case []any:
		var out []any
		for i, e := range x {
			n, changed, err := normalize(e)
			if err != nil {
				return nil, false, err
			}
			if changed && out == nil {
				out = make([]any, len(x))
				copy(out, x)
			}
			if out != nil {
				out[i] = n
			}
		}
		if out == nil {
			return x, false, nil
		}
		return out, true, nil
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			n, changed, err := normalize(e)
			if err != nil {
				return nil, false, err
			}
			if changed && out == nil {
				out = make(map[string]any, len(x))
				for k2, e2 := range x {
					out[k2] = e2
				}
			}
			if out != nil {
				out[k] = n
			}
		}
		if out == nil {
			return x, false, nil
		}
		return out, true, nil
	}
	// Anything else (structs, typed slices and maps) goes through JSON.
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false, fmt.Errorf("normalize %T: %w", v, err)
	}
	d, err := Decode(b)
	return d, true, err
}

// Equal compares two values structurally; numbers compare by value (1 == 1.0).
func Equal(a, b any) bool {
	if fa, ok := Float(a); ok {
		fb, ok := Float(b)
		if !ok {
			return false
		}
		// Integers beyond 2^53 compare exactly; floats would round them together.
		if ia, oka := Int(a); oka {
			if ib, okb := Int(b); okb {
				return ia == ib
			}
		}
		return fa == fb
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// Clone deep-copies containers; scalars are immutable and shared.
func Clone(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Clone(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Clone(e)
		}
		return out
	}
	return v
}

// TypeName names v's JSON type as AWS's messages do: "object", "array",
// "string", "number", "boolean", "null".
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	if IsNumber(v) {
		return "number"
	}
	return strings.ToLower(fmt.Sprintf("%T", v))
}
