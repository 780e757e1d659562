package jsonata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// fnString is JSONata 2.0's $string: strings unchanged, numbers rounded to
// 15 significant digits (so 0.1 + 0.2 is "0.3") in JavaScript's notation,
// objects and arrays as JSON with the same number rule, optionally indented.
// The library's own version formats numbers with Go's rules ("1e+21"
// spellings aside, it renders 1e-7 as "1e-07") and lacks the rounding.
func fnString(args []any) (any, error) {
	if len(args) == 0 || IsUndefined(args[0]) {
		return Undefined, nil
	}
	pretty := false
	if len(args) > 1 && !IsUndefined(args[1]) {
		b, ok := args[1].(bool)
		if !ok {
			return nil, fmt.Errorf("argument 2 of function $string does not match function signature")
		}
		pretty = b
	}
	switch v := args[0].(type) {
	case string:
		return v, nil
	}
	if f, ok := jsonvalue.Float(args[0]); ok {
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("Attempting to invoke string function on Infinity or NaN")
		}
		return jsNumber(round15(f)), nil
	}
	var buf bytes.Buffer
	writeJSON(&buf, args[0], pretty, "")
	return buf.String(), nil
}

// round15 rounds to 15 significant digits, as JSONata does before turning a
// number into text (Number(x.toPrecision(15))).
func round15(f float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err != nil {
		return f
	}
	return r
}

// jsNumber renders f as JavaScript's Number.prototype.toString does:
// positional notation for 1e-7 < |f| < 1e21, otherwise exponent notation
// with no zero padding ("1e-7", "1.5e+21").
func jsNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	abs := math.Abs(f)
	if abs >= 1e-6 && abs < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[0]
	exp = strings.TrimLeft(exp[1:], "0")
	return mant + "e" + string(sign) + exp
}

// writeJSON renders v as JSON.stringify does with JSONata's number rule.
func writeJSON(buf *bytes.Buffer, v any, pretty bool, indent string) {
	if f, ok := jsonvalue.Float(v); ok {
		buf.WriteString(jsNumber(round15(f)))
		return
	}
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case string:
		b, _ := json.Marshal(x)
		buf.Write(b)
	case []any:
		if len(x) == 0 {
			buf.WriteString("[]")
			return
		}
		buf.WriteByte('[')
		inner := indent + "  "
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if pretty {
				buf.WriteString("\n" + inner)
			}
			writeJSON(buf, e, pretty, inner)
		}
		if pretty {
			buf.WriteString("\n" + indent)
		}
		buf.WriteByte(']')
	case map[string]any:
		if len(x) == 0 {
			buf.WriteString("{}")
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		// Go maps have no insertion order; sorted keys keep output stable.
		sort.Strings(keys)
		buf.WriteByte('{')
		inner := indent + "  "
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			if pretty {
				buf.WriteString("\n" + inner)
			}
			b, _ := json.Marshal(k)
			buf.Write(b)
			buf.WriteByte(':')
			if pretty {
				buf.WriteByte(' ')
			}
			writeJSON(buf, x[k], pretty, inner)
		}
		if pretty {
			buf.WriteString("\n" + indent)
		}
		buf.WriteByte('}')
	default:
		buf.WriteString(`""`) // functions stringify to an empty string
	}
}
