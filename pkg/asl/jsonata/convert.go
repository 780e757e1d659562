package jsonata

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"

	"github.com/blues/jsonata-go/jtypes"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// errUnsupported marks a result that has no JSON form (a function).
var errUnsupported = fmt.Errorf("unsupported result type")

// toLib converts a jsonvalue-model value into what the library evaluates:
// numbers become float64 (the library reads numbers by reflect kind, and a
// json.Number is a string kind). Integers beyond 2^53 lose exactness here,
// as they do in JSONata itself, which computes in IEEE doubles.
func toLib(v any) any {
	switch x := v.(type) {
	case nil:
		// The library treats a nil interface as "no value"; its null is a
		// nil *interface{}, which is what null in the input must be.
		return libNull
	case bool, string, float64:
		return v
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			// Out of range: keep what JSON.parse would give.
			return math.Inf(sign(string(x)))
		}
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toLib(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = toLib(e)
		}
		return out
	}
	if f, ok := jsonvalue.Float(v); ok {
		return f
	}
	// Anything else (structs from Go callers) goes through the value model.
	n, err := jsonvalue.Normalize(v)
	if err != nil {
		return nil
	}
	return toLib(n)
}

func sign(s string) int {
	if len(s) > 0 && s[0] == '-' {
		return -1
	}
	return 1
}

// fromLib converts a library result back into the value model. Numbers
// become json.Number with AWS's rendering (3, not 3.0); functions and other
// values with no JSON form are errUnsupported.
func fromLib(v reflect.Value) (any, error) {
	if !v.IsValid() {
		return Undefined, nil
	}
	if jtypes.IsCallable(v) {
		return nil, errUnsupported
	}
	v = jtypes.Resolve(v)
	if !v.IsValid() {
		return nil, nil
	}
	if (v.Kind() == reflect.Map || v.Kind() == reflect.Slice) && v.CanInterface() {
		switch x := v.Interface().(type) {
		case map[string]any, []any:
			return fromLibAny(x)
		}
	}
	switch v.Kind() {
	case reflect.Ptr, reflect.Interface:
		return nil, nil // a nil pointer is the library's null
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.String:
		return v.String(), nil
	case reflect.Float32, reflect.Float64:
		return numberOut(v.Float())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return jsonvalue.NumberFromInt(v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return numberOut(float64(v.Uint()))
	case reflect.Slice, reflect.Array:
		out := make([]any, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			e, err := fromLib(v.Index(i))
			if err != nil {
				return nil, err
			}
			if IsUndefined(e) {
				continue // undefined members vanish from arrays, as in JSONata
			}
			out = append(out, e)
		}
		return out, nil
	case reflect.Map:
		out := make(map[string]any, v.Len())
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			e, err := fromLib(v.MapIndex(k))
			if err != nil {
				return nil, err
			}
			if IsUndefined(e) {
				continue // JSON.stringify drops undefined members
			}
			out[fmt.Sprint(jtypes.Resolve(k).Interface())] = e
		}
		return out, nil
	case reflect.Struct:
		n, err := jsonvalue.Normalize(v.Interface())
		if err != nil {
			return nil, fmt.Errorf("convert %s result: %w", v.Type(), err)
		}
		return n, nil
	}
	return nil, errUnsupported
}

// fromLibAny is fromLib for values inside the library's plain containers
// (map[string]any, []any), which are converted without reflection (it was
// most of the cost of a JSONata state returning a document). Anything else
// goes through fromLib.
func fromLibAny(x any) (any, error) {
	switch t := x.(type) {
	case nil:
		return nil, nil
	case bool, string:
		return t, nil
	case float64:
		return numberOut(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			c, err := fromLibAny(e)
			if err != nil {
				return nil, err
			}
			if IsUndefined(c) {
				continue // JSON.stringify drops undefined members
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(t))
		for _, e := range t {
			c, err := fromLibAny(e)
			if err != nil {
				return nil, err
			}
			if IsUndefined(c) {
				continue // undefined members vanish from arrays, as in JSONata
			}
			out = append(out, c)
		}
		return out, nil
	}
	return fromLib(reflect.ValueOf(x))
}

// numberOut renders a computed number the way AWS serialises JSONata
// results (JSON.stringify): integral values without a fraction.
func numberOut(f float64) (any, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("number %v cannot be represented in JSON", f)
	}
	return jsonvalue.NumberFromFloat(f), nil
}
