package jsonata

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	mrand "math/rand/v2"
	"strings"
	"time"

	"github.com/blues/jsonata-go/jlib"
	"github.com/blues/jsonata-go/jtypes"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// maxRangeItems caps $range as States.ArrayRange is capped.
const maxRangeItems = 1000

// awsFunctions are the functions Step Functions adds to JSONata; they do not
// depend on the evaluation's sources, so one instance serves every
// evaluation.
var awsFunctions = map[string]*function{
	"partition": {name: "partition", min: 2, max: 2, call: fnPartition},
	"range":     {name: "range", min: 3, max: 3, call: fnRange},
	"hash":      {name: "hash", min: 2, max: 2, call: fnHash},
	"parse":     {name: "parse", min: 1, max: 1, call: fnParse},
	"string":    {name: "string", min: 0, max: 2, call: fnString, contextArg: true},
	// The library escapes these as Go's url package does ("a+b"); JSONata
	// uses JavaScript's encodeURIComponent / encodeURI ("a%20b").
	"encodeUrlComponent": {name: "encodeUrlComponent", min: 1, max: 1, call: encoder(uriUnreserved), contextArg: true},
	"encodeUrl":          {name: "encodeUrl", min: 1, max: 1, call: encoder(uriUnreserved + uriReserved), contextArg: true},
	"formatInteger":      {name: "formatInteger", min: 2, max: 2, call: fnFormatInteger},
	"error":              {name: "error", min: 0, max: 1, call: fnError},
	"assert":             {name: "assert", min: 1, max: 2, call: fnAssert},
}

// functionsFor returns every function to bind for one evaluation: the fixed
// ones plus $now, $millis, $random and $uuid bound to opts' sources.
func functionsFor(opts Options) map[string]any {
	out := make(map[string]any, len(awsFunctions)+4)
	for name, f := range awsFunctions {
		out[name] = f
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	// JSONata fixes the instant once per evaluation.
	ms := now().UnixMilli()
	out["millis"] = &function{name: "millis", min: 0, max: 0, call: func([]any) (any, error) {
		return jsonvalue.NumberFromInt(ms), nil
	}}
	out["now"] = &function{name: "now", min: 0, max: 2, call: func(args []any) (any, error) {
		return fnNow(ms, args)
	}}
	random := opts.Random
	if random == nil {
		random = cryptoFloat
	}
	out["random"] = &function{name: "random", min: 0, max: 1, call: func(args []any) (any, error) {
		return fnRandom(random, args)
	}}
	uuid := opts.UUID
	if uuid == nil {
		uuid = newUUID
	}
	out["uuid"] = &function{name: "uuid", min: 0, max: 0, call: func([]any) (any, error) {
		return uuid(), nil
	}}
	return out
}

func fnPartition(args []any) (any, error) {
	arr, ok := args[0].([]any)
	if !ok {
		return nil, fmt.Errorf("The first argument of $partition must be an array, but was %s", typeOf(args[0]))
	}
	size, ok := positiveInt(args[1])
	if !ok {
		return nil, fmt.Errorf("The second argument of $partition (chunk size) must be a positive integer, but was %s", jsonvalue.String(orNull(args[1])))
	}
	out := make([]any, 0, (len(arr)+size-1)/size)
	for i := 0; i < len(arr); i += size {
		end := min(i+size, len(arr))
		chunk := make([]any, end-i)
		copy(chunk, arr[i:end])
		out = append(out, chunk)
	}
	return out, nil
}

func fnRange(args []any) (any, error) {
	var n [3]int64
	for i, name := range []string{"start", "end", "step"} {
		v, ok := jsonvalue.Int(args[i])
		if !ok || !jsonvalue.IsNumber(args[i]) {
			return nil, fmt.Errorf("The %s argument of $range must be an integer, but was %s", name, jsonvalue.String(orNull(args[i])))
		}
		n[i] = v
	}
	start, end, step := n[0], n[1], n[2]
	if step == 0 {
		return nil, fmt.Errorf("The step argument of $range must not be zero")
	}
	var out []any
	for v := start; (step > 0 && v <= end) || (step < 0 && v >= end); v += step {
		if len(out) == maxRangeItems {
			return nil, fmt.Errorf("$range would produce more than %d items", maxRangeItems)
		}
		out = append(out, jsonvalue.NumberFromInt(v))
	}
	// AWS returns the result as a JSONata sequence: recorded executions show
	// $range(1, 9, 9) yielding 1, not [1].
	switch len(out) {
	case 0:
		return Undefined, nil
	case 1:
		return out[0], nil
	}
	return out, nil
}

var hashes = map[string]func() hash.Hash{
	"MD5":     md5.New,
	"SHA-1":   sha1.New,
	"SHA-256": sha256.New,
	"SHA-384": sha512.New384,
	"SHA-512": sha512.New,
}

func fnHash(args []any) (any, error) {
	data, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("The first argument of $hash must be a string, but was %s", typeOf(args[0]))
	}
	alg, ok := args[1].(string)
	newHash := hashes[alg]
	if !ok || newHash == nil {
		return nil, fmt.Errorf("The hashing algorithm %s is not supported. Supported algorithms: MD5, SHA-1, SHA-256, SHA-384, SHA-512", jsonvalue.String(orNull(args[1])))
	}
	h := newHash()
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fnParse(args []any) (any, error) {
	s, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("The argument of $parse must be a string, but was %s", typeOf(args[0]))
	}
	v, err := jsonvalue.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("The argument of $parse is not valid JSON: %s", s)
	}
	return v, nil
}

// fnRandom is AWS's $random: without an argument a uniform number in [0, 1);
// with an integer seed, a number determined by the seed. AWS does not
// publish its generator, so seeded values are stable here but differ from
// the ones AWS returns for the same seed.
func fnRandom(random func() float64, args []any) (any, error) {
	if len(args) == 0 || IsUndefined(args[0]) {
		return jsonvalue.NumberFromFloat(random()), nil
	}
	seed, ok := jsonvalue.Int(args[0])
	if !ok {
		return nil, fmt.Errorf("The seed argument of $random must be an integer, but was %s", jsonvalue.String(orNull(args[0])))
	}
	r := mrand.New(mrand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	return jsonvalue.NumberFromFloat(r.Float64()), nil
}

func fnNow(ms int64, args []any) (any, error) {
	var picture, tz jtypes.OptionalString
	if len(args) > 0 && !IsUndefined(args[0]) {
		s, ok := args[0].(string)
		if !ok {
			return nil, fmt.Errorf("argument 1 of function $now does not match function signature")
		}
		picture.Set(reflectOf(s))
	}
	if len(args) > 1 && !IsUndefined(args[1]) {
		s, ok := args[1].(string)
		if !ok {
			return nil, fmt.Errorf("argument 2 of function $now does not match function signature")
		}
		tz.Set(reflectOf(s))
	}
	return jlib.FromMillis(ms, picture, tz)
}

// cryptoFloat draws a uniform float64 in [0, 1) from crypto/rand, so the
// default source needs no seeding and no lock.
func cryptoFloat() float64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return mrand.Float64()
	}
	return float64(binary.BigEndian.Uint64(b[:])>>11) / (1 << 53)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		for i := range b {
			b[i] = byte(mrand.UintN(256))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return strings.Join([]string{h[0:8], h[8:12], h[12:16], h[16:20], h[20:32]}, "-")
}

func positiveInt(v any) (int, bool) {
	if !jsonvalue.IsNumber(v) {
		return 0, false
	}
	i, ok := jsonvalue.Int(v)
	if !ok || i <= 0 || i > math.MaxInt32 {
		return 0, false
	}
	return int(i), true
}

func typeOf(v any) string {
	if IsUndefined(v) {
		return "undefined"
	}
	return jsonvalue.TypeName(v)
}

func orNull(v any) any {
	if IsUndefined(v) {
		return nil
	}
	return v
}

const (
	uriUnreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()"
	uriReserved   = ";,/?:@&=+$#"
)

// encoder returns a percent-encoder that keeps the bytes in keep, as
// JavaScript's encodeURIComponent (and, with the reserved set, encodeURI) do.
func encoder(keep string) func(args []any) (any, error) {
	return func(args []any) (any, error) {
		if IsUndefined(args[0]) {
			return Undefined, nil
		}
		s, ok := args[0].(string)
		if !ok {
			return nil, fmt.Errorf("T0410: Argument 1 of function $encodeUrlComponent does not match function signature")
		}
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if strings.IndexByte(keep, s[i]) >= 0 {
				b.WriteByte(s[i])
			} else {
				fmt.Fprintf(&b, "%%%02X", s[i])
			}
		}
		return b.String(), nil
	}
}

// fnFormatInteger covers the decimal pictures of JSONata's $formatInteger
// ("0", "000", "#0"): the number of '0' digits is the minimum width. Other
// pictures (words, roman numerals, grouping) are not implemented.
func fnFormatInteger(args []any) (any, error) {
	if IsUndefined(args[0]) {
		return Undefined, nil
	}
	f, ok := jsonvalue.Float(args[0])
	pic, ok2 := args[1].(string)
	if !ok || !ok2 {
		return nil, fmt.Errorf("T0410: Argument 1 of function $formatInteger does not match function signature")
	}
	width := 0
	for _, r := range pic {
		switch r {
		case '0':
			width++
		case '#':
		default:
			return nil, fmt.Errorf("$formatInteger picture %q is not supported here (only decimal digit pictures)", pic)
		}
	}
	n := int64(math.Trunc(f))
	neg := n < 0
	if neg {
		n = -n
	}
	s := fmt.Sprintf("%0*d", width, n)
	if neg {
		s = "-" + s
	}
	return s, nil
}

// fnError is $error(message): the evaluation fails with code D3137.
func fnError(args []any) (any, error) {
	msg := "$error() function evaluated"
	if len(args) > 0 && !IsUndefined(args[0]) {
		s, ok := args[0].(string)
		if !ok {
			return nil, fmt.Errorf("T0410: Argument 1 of function $error does not match function signature")
		}
		msg = s
	}
	return nil, fmt.Errorf("D3137: %s", msg)
}

// fnAssert is $assert(condition, message), added in JSONata 1.8.
func fnAssert(args []any) (any, error) {
	cond, ok := args[0].(bool)
	if !ok {
		return nil, fmt.Errorf("T0410: Argument 1 of function $assert does not match function signature")
	}
	if cond {
		return Undefined, nil
	}
	msg := "$assert() statement failed"
	if len(args) > 1 {
		if s, ok := args[1].(string); ok {
			msg = s
		}
	}
	return nil, fmt.Errorf("D3141: %s", msg)
}
