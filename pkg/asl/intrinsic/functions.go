package intrinsic

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

type function struct {
	name             string
	minArgs, maxArgs int // maxArgs < 0: no limit
	impl             func(c *call) (any, error)
}

func (f *function) arityText(got int) string {
	var want string
	switch {
	case f.maxArgs < 0:
		want = fmt.Sprintf("at least %d", f.minArgs)
	case f.minArgs == f.maxArgs:
		want = fmt.Sprintf("%d", f.minArgs)
	default:
		want = fmt.Sprintf("%d to %d", f.minArgs, f.maxArgs)
	}
	return fmt.Sprintf("%s takes %s argument(s) but got %d", f.name, want, got)
}

// functions is the table of intrinsics, by name as written.
var functions map[string]*function

func init() {
	functions = map[string]*function{}
	for _, f := range []*function{
		{"States.Format", 1, -1, fnFormat},
		{"States.StringToJson", 1, 1, fnStringToJSON},
		{"States.JsonToString", 1, 1, fnJSONToString},
		{"States.Array", 0, -1, fnArray},
		{"States.ArrayPartition", 2, 2, fnArrayPartition},
		{"States.ArrayContains", 2, 2, fnArrayContains},
		{"States.ArrayRange", 3, 3, fnArrayRange},
		{"States.ArrayGetItem", 2, 2, fnArrayGetItem},
		{"States.ArrayLength", 1, 1, fnArrayLength},
		{"States.ArrayUnique", 1, 1, fnArrayUnique},
		{"States.Base64Encode", 1, 1, fnBase64Encode},
		{"States.Base64Decode", 1, 1, fnBase64Decode},
		{"States.Hash", 2, 2, fnHash},
		{"States.JsonMerge", 3, 3, fnJSONMerge},
		{"States.MathRandom", 2, 3, fnMathRandom},
		{"States.MathAdd", 2, 2, fnMathAdd},
		{"States.StringSplit", 2, 2, fnStringSplit},
		{"States.UUID", 0, 0, fnUUID},
	} {
		functions[f.name] = f
	}
}

// Limits AWS applies to intrinsic inputs and outputs.
const (
	maxStringInput = 10000 // Base64Encode, Base64Decode and Hash input characters
	maxArrayRange  = 1000  // elements States.ArrayRange may produce
)

// --- argument helpers ---

func (c *call) str(i int, what string) (string, error) {
	s, ok := c.args[i].(string)
	if !ok {
		return "", c.fail("the %s must be a string, but was %s", what, jsonvalue.TypeName(c.args[i]))
	}
	return s, nil
}

func (c *call) array(i int, what string) ([]any, error) {
	a, ok := c.args[i].([]any)
	if !ok {
		return nil, c.fail("the %s must be an array, but was %s", what, jsonvalue.TypeName(c.args[i]))
	}
	return a, nil
}

// integer reads an argument that must be a whole number.
func (c *call) integer(i int, what string) (int64, error) {
	if !jsonvalue.IsNumber(c.args[i]) {
		return 0, c.fail("the %s must be an integer, but was %s", what, jsonvalue.TypeName(c.args[i]))
	}
	n, ok := jsonvalue.Int(c.args[i])
	if !ok {
		return 0, c.fail("the %s must be an integer, but was %s", what, jsonvalue.String(c.args[i]))
	}
	return n, nil
}

// rounded reads a number and rounds it as Java's Math.round does (half up:
// -0.5 -> 0, 2.5 -> 3), which is what AWS does with non-integer arguments.
func (c *call) rounded(i int, what string) (int64, error) {
	if n, ok := jsonvalue.Int(c.args[i]); ok {
		return n, nil
	}
	f, ok := jsonvalue.Float(c.args[i])
	if !ok {
		return 0, c.fail("the %s must be a number, but was %s", what, jsonvalue.TypeName(c.args[i]))
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<62 {
		return 0, c.fail("the %s is out of range: %s", what, jsonvalue.String(c.args[i]))
	}
	return int64(math.Floor(f + 0.5)), nil
}

// --- the functions ---

func fnFormat(c *call) (any, error) {
	var parts []string
	if n := c.nodes[0]; n.kind == nLit && n.tmpl != nil {
		parts = n.tmpl
	} else {
		s, err := c.str(0, "format string")
		if err != nil {
			return nil, err
		}
		parts = strings.Split(s, "{}")
	}
	values := c.args[1:]
	if len(parts)-1 != len(values) {
		return nil, c.fail("the format string has %d placeholder(s) but %d value(s) were given", len(parts)-1, len(values))
	}
	var b strings.Builder
	for i, p := range parts {
		b.WriteString(p)
		if i < len(values) {
			writeJava(&b, values[i])
		}
	}
	return b.String(), nil
}

// writeJava renders a value the way Java's toString does for the decoded
// JSON (strings bare, objects as {k=v, k2=v2}, arrays as [a, b]), which is
// what States.Format substitutes. Object keys come out sorted: our value
// model does not keep their order.
func writeJava(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		b.WriteString(x)
	case nil:
		b.WriteString("null")
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJava(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			writeJava(b, x[k])
		}
		b.WriteByte('}')
	default:
		b.WriteString(jsonvalue.String(v))
	}
}

func fnStringToJSON(c *call) (any, error) {
	s, err := c.str(0, "argument")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil // AWS parses an empty string to null
	}
	v, err := jsonvalue.DecodeString(s)
	if err != nil {
		return nil, c.fail("the string could not be parsed as JSON: %s", s)
	}
	return javaNumbers(v), nil
}

// javaNumbers rewrites numbers as Jackson would print them after parsing:
// "-0" is the integer 0.
func javaNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if x == "-0" {
			return json.Number("0")
		}
	case []any:
		for i, e := range x {
			x[i] = javaNumbers(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = javaNumbers(e)
		}
	}
	return v
}

func fnJSONToString(c *call) (any, error) {
	b, err := jsonvalue.Encode(c.args[0])
	if err != nil {
		return nil, c.fail("the value cannot be rendered as JSON: %v", err)
	}
	return string(b), nil
}

func fnArray(c *call) (any, error) {
	out := make([]any, len(c.args))
	copy(out, c.args)
	return out, nil
}

func fnArrayPartition(c *call) (any, error) {
	arr, err := c.array(0, "first argument")
	if err != nil {
		return nil, err
	}
	size, err := c.integer(1, "chunk size")
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, c.fail("the chunk size must be greater than 0, but was %d", size)
	}
	out := []any{}
	for i := 0; i < len(arr); i += int(size) {
		end := min(len(arr), i+int(size))
		chunk := make([]any, end-i)
		copy(chunk, arr[i:end])
		out = append(out, chunk)
	}
	return out, nil
}

func fnArrayContains(c *call) (any, error) {
	arr, err := c.array(0, "first argument")
	if err != nil {
		return nil, err
	}
	for _, e := range arr {
		if jsonvalue.Equal(e, c.args[1]) {
			return true, nil
		}
	}
	return false, nil
}

func fnArrayRange(c *call) (any, error) {
	start, err := c.integer(0, "start")
	if err != nil {
		return nil, err
	}
	end, err := c.integer(1, "end")
	if err != nil {
		return nil, err
	}
	step, err := c.integer(2, "step")
	if err != nil {
		return nil, err
	}
	if step == 0 {
		return nil, c.fail("the step must not be 0")
	}
	count := int64(0)
	if (step > 0 && end >= start) || (step < 0 && end <= start) {
		count = (end-start)/step + 1
	}
	if count > maxArrayRange {
		return nil, c.fail("the range has %d elements, more than the maximum of %d", count, maxArrayRange)
	}
	out := make([]any, 0, count)
	for i := int64(0); i < count; i++ {
		out = append(out, jsonvalue.NumberFromInt(start+i*step))
	}
	return out, nil
}

func fnArrayGetItem(c *call) (any, error) {
	arr, err := c.array(0, "first argument")
	if err != nil {
		return nil, err
	}
	idx, err := c.integer(1, "index")
	if err != nil {
		return nil, err
	}
	if idx < 0 || idx >= int64(len(arr)) {
		return nil, c.fail("the index %d is out of bounds for an array of length %d", idx, len(arr))
	}
	return arr[idx], nil
}

func fnArrayLength(c *call) (any, error) {
	arr, err := c.array(0, "argument")
	if err != nil {
		return nil, err
	}
	return jsonvalue.NumberFromInt(int64(len(arr))), nil
}

func fnArrayUnique(c *call) (any, error) {
	arr, err := c.array(0, "argument")
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, e := range arr {
		if !slices.ContainsFunc(out, func(x any) bool { return jsonvalue.Equal(x, e) }) {
			out = append(out, e)
		}
	}
	return out, nil
}

func fnBase64Encode(c *call) (any, error) {
	s, err := c.str(0, "argument")
	if err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(s); n > maxStringInput {
		return nil, c.fail("the input is %d characters long, more than the maximum of %d", n, maxStringInput)
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func fnBase64Decode(c *call) (any, error) {
	s, err := c.str(0, "argument")
	if err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(s); n > maxStringInput {
		return nil, c.fail("the input is %d characters long, more than the maximum of %d", n, maxStringInput)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b2, err2 := base64.RawStdEncoding.DecodeString(s); err2 == nil {
			b, err = b2, nil
		}
	}
	if err != nil {
		return nil, c.fail("the input is not valid base64: %s", s)
	}
	// Java decodes the bytes as UTF-8, replacing what is not.
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}

var hashes = map[string]func() hash.Hash{
	"MD5":     md5.New,
	"SHA-1":   sha1.New,
	"SHA-256": sha256.New,
	"SHA-384": sha512.New384,
	"SHA-512": sha512.New,
}

func fnHash(c *call) (any, error) {
	s, err := c.str(0, "data")
	if err != nil {
		return nil, err
	}
	alg, err := c.str(1, "algorithm")
	if err != nil {
		return nil, err
	}
	newHash, ok := hashes[alg]
	if !ok {
		return nil, c.fail("the algorithm %q is not one of MD5, SHA-1, SHA-256, SHA-384, SHA-512", alg)
	}
	if n := utf8.RuneCountInString(s); n > maxStringInput {
		return nil, c.fail("the input is %d characters long, more than the maximum of %d", n, maxStringInput)
	}
	h := newHash()
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fnJSONMerge(c *call) (any, error) {
	a, ok := c.args[0].(map[string]any)
	if !ok {
		return nil, c.fail("the first argument must be an object, but was %s", jsonvalue.TypeName(c.args[0]))
	}
	b, ok := c.args[1].(map[string]any)
	if !ok {
		return nil, c.fail("the second argument must be an object, but was %s", jsonvalue.TypeName(c.args[1]))
	}
	deep, ok := c.args[2].(bool)
	if !ok {
		return nil, c.fail("the third argument must be a boolean, but was %s", jsonvalue.TypeName(c.args[2]))
	}
	if deep {
		return nil, c.fail("only shallow merging is supported; the third argument must be false")
	}
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out, nil
}

func fnMathRandom(c *call) (any, error) {
	start, err := c.rounded(0, "start")
	if err != nil {
		return nil, err
	}
	end, err := c.rounded(1, "end")
	if err != nil {
		return nil, err
	}
	if end < start {
		return nil, c.fail("the end %d is less than the start %d", end, start)
	}
	span := float64(end-start) + 1
	var r float64
	if len(c.args) == 3 {
		seed, err := c.rounded(2, "seed")
		if err != nil {
			return nil, err
		}
		r = mrand.New(mrand.NewPCG(uint64(seed), 0)).Float64()
	} else {
		r = c.env.Rand()
	}
	n := start + int64(math.Floor(r*span))
	return jsonvalue.NumberFromInt(min(n, end)), nil
}

func fnMathAdd(c *call) (any, error) {
	a, err := c.rounded(0, "first argument")
	if err != nil {
		return nil, err
	}
	b, err := c.rounded(1, "second argument")
	if err != nil {
		return nil, err
	}
	return jsonvalue.NumberFromInt(a + b), nil
}

// fnStringSplit splits at every character of the delimiter string and drops
// empty pieces, like Java's StringTokenizer (which AWS's results match).
func fnStringSplit(c *call) (any, error) {
	s, err := c.str(0, "first argument")
	if err != nil {
		return nil, err
	}
	delims, err := c.str(1, "delimiter")
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) }) {
		out = append(out, f)
	}
	return out, nil
}

func fnUUID(c *call) (any, error) {
	return c.env.UUID(), nil
}
