package jsonpath

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// evalCtx carries one evaluation: the root (for "$" inside filters), the
// segments, the matches found so far and the first hard error.
type evalCtx struct {
	root any
	segs []segment
	out  []any
	err  error
	// lenient suppresses Jayway's exceptions (filters evaluate their paths
	// this way: a missing property just selects nothing).
	lenient bool
}

// Get evaluates the path against doc. A definite path returns the value it
// names, or a *NotFoundError when it is not there; an indefinite path
// (wildcard, slice, filter, deep scan, index union) returns a []any of its
// matches, possibly empty. Values are returned as they are in doc, not
// copied: callers must not mutate them.
func (p *Path) Get(doc any) (any, error) {
	if p.simple {
		return p.getSimple(doc)
	}
	// AWS evaluates indefinite paths without Jayway's exceptions: a missing
	// or mistyped step just selects nothing ($.items[*] on {} is []).
	c := evalCtx{root: doc, segs: p.segs, lenient: !p.definite}
	c.walk(0, doc)
	if c.err != nil {
		return nil, c.notFound(p, c.err)
	}
	if p.definite {
		if len(c.out) == 0 {
			return nil, c.notFound(p, nil)
		}
		return c.out[0], nil
	}
	if c.out == nil {
		return []any{}, nil
	}
	return c.out, nil
}

// getSimple walks a chain of single names and indexes without allocating.
func (p *Path) getSimple(doc any) (any, error) {
	cur := doc
	for i := range p.segs {
		s := &p.segs[i]
		leaf := i == len(p.segs)-1
		if s.kind == segName {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, p.fail(notObject(s, p.segs[:i], cur))
			}
			v, ok := m[s.names[0]]
			if !ok {
				if leaf {
					return nil, p.fail(nil)
				}
				return nil, p.fail(errMissing(p.segs[:i+1]))
			}
			cur = v
			continue
		}
		if err := checkArray(s, p.segs[:i], cur); err != nil {
			return nil, p.fail(err)
		}
		arr := cur.([]any)
		idx := s.indexes[0]
		if idx < 0 {
			idx += len(arr)
		}
		if idx < 0 || idx >= len(arr) {
			return nil, p.fail(nil)
		}
		cur = arr[idx]
	}
	return cur, nil
}

// lookup is getSimple without errors, for paths inside filters.
func (p *Path) lookup(doc any) (any, bool) {
	cur := doc
	for i := range p.segs {
		s := &p.segs[i]
		if s.kind == segName {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[s.names[0]]; !ok {
				return nil, false
			}
			continue
		}
		arr, ok := cur.([]any)
		if !ok {
			return nil, false
		}
		idx := s.indexes[0]
		if idx < 0 {
			idx += len(arr)
		}
		if idx < 0 || idx >= len(arr) {
			return nil, false
		}
		cur = arr[idx]
	}
	return cur, true
}

func (p *Path) fail(reason error) error {
	c := evalCtx{}
	return c.notFound(p, reason)
}

func (c *evalCtx) notFound(p *Path, reason error) error {
	e := &NotFoundError{Path: p.src, Normalized: p.Normalized()}
	if reason != nil {
		var agg *aggregateError
		if errors.As(reason, &agg) {
			return agg
		}
		e.Reason = reason.Error()
	} else {
		e.Reason = "No results for path: " + e.Normalized
	}
	return e
}

// aggregateError is Jayway's failure of an aggregation function; it is not a
// missing path.
type aggregateError struct{ msg string }

func (e *aggregateError) Error() string { return e.msg }

func errMissing(upTo []segment) error {
	return fmt.Errorf("Missing property in path %s", normalized(upTo))
}

func notObject(s *segment, before []segment, cur any) error {
	return fmt.Errorf("Expected to find an object with property %s in path %s but found '%s'. "+
		"This is not a json object according to the JsonProvider: '%s'.",
		s.String(), normalized(before), javaClass(cur), jsonProviderClass)
}

func checkArray(s *segment, before []segment, cur any) error {
	if cur == nil {
		return fmt.Errorf("The path %s is null", normalized(before))
	}
	if _, ok := cur.([]any); !ok {
		return fmt.Errorf("Filter: %s can only be applied to arrays. Current context is: %s", s.String(), javaString(cur))
	}
	return nil
}

// jsonProviderClass is what Jayway names its JSON provider in messages.
const jsonProviderClass = "com.jayway.jsonpath.spi.json.JsonSmartJsonProvider"

// javaClass names the Java class Jayway would report for a value.
func javaClass(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "java.lang.String"
	case bool:
		return "java.lang.Boolean"
	case []any:
		return "net.minidev.json.JSONArray"
	case map[string]any:
		return "net.minidev.json.JSONObject"
	}
	if i, ok := jsonvalue.Int(v); ok && i == int64(int32(i)) {
		return "java.lang.Integer"
	}
	return "java.lang.Double"
}

// javaString renders a value the way Java's toString of json-smart values does.
func javaString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return jsonvalue.String(v)
}

// upstreamDefinite reports whether every segment before i is definite.
func (c *evalCtx) upstreamDefinite(i int) bool {
	if c.lenient {
		return false
	}
	for j := 0; j < i; j++ {
		if !c.segs[j].definite() {
			return false
		}
	}
	return true
}

func (c *evalCtx) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// walk applies segment i and the rest to cur, collecting matches.
func (c *evalCtx) walk(i int, cur any) {
	if c.err != nil {
		return
	}
	if i == len(c.segs) {
		c.out = append(c.out, cur)
		return
	}
	s := &c.segs[i]
	leaf := i == len(c.segs)-1
	switch s.kind {
	case segName:
		m, ok := cur.(map[string]any)
		if !ok {
			if c.upstreamDefinite(i) {
				c.fail(notObject(s, c.segs[:i], cur))
			}
			return
		}
		if len(s.names) == 1 {
			v, ok := m[s.names[0]]
			if !ok {
				if !leaf && c.upstreamDefinite(i) {
					c.fail(errMissing(c.segs[:i+1]))
				}
				return
			}
			c.walk(i+1, v)
			return
		}
		if leaf {
			// Several names at the end merge into one object (Jayway).
			merged := make(map[string]any, len(s.names))
			for _, n := range s.names {
				if v, ok := m[n]; ok {
					merged[n] = v
				}
			}
			c.out = append(c.out, merged)
			return
		}
		for _, n := range s.names {
			if v, ok := m[n]; ok {
				c.walk(i+1, v)
			}
		}
	case segIndex:
		if err := checkArray(s, c.segs[:i], cur); err != nil {
			if c.upstreamDefinite(i) {
				c.fail(err)
			}
			return
		}
		arr := cur.([]any)
		for _, idx := range s.indexes {
			if idx < 0 {
				idx += len(arr)
			}
			if idx >= 0 && idx < len(arr) {
				c.walk(i+1, arr[idx])
			}
		}
	case segSlice:
		if err := checkArray(s, c.segs[:i], cur); err != nil {
			if c.upstreamDefinite(i) {
				c.fail(err)
			}
			return
		}
		arr := cur.([]any)
		from, to := sliceBounds(s, len(arr))
		for j := from; j < to; j++ {
			c.walk(i+1, arr[j])
		}
	case segWildcard:
		switch x := cur.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				c.walk(i+1, x[k])
			}
		case []any:
			for _, v := range x {
				c.walk(i+1, v)
			}
		}
	case segScan:
		c.scan(i+1, cur)
	case segFilter:
		switch x := cur.(type) {
		case map[string]any:
			if s.filter.test(c, x) {
				c.walk(i+1, x)
			}
		case []any:
			for _, v := range x {
				if s.filter.test(c, v) {
					c.walk(i+1, v)
				}
			}
		default:
			if c.upstreamDefinite(i) {
				c.fail(fmt.Errorf("Filter: [?] can not be applied to primitives. Current context is: %s", javaString(cur)))
			}
		}
	case segFunc:
		v, err := applyFunc(s.fn, cur)
		if err != nil {
			c.fail(err)
			return
		}
		c.walk(i+1, v)
	}
}

// scan applies segment i at cur and at every node below it, in document
// order (a node before its children), as Jayway's deep scan does.
func (c *evalCtx) scan(i int, cur any) {
	if c.err != nil {
		return
	}
	s := &c.segs[i]
	switch x := cur.(type) {
	case map[string]any:
		c.scanAt(i, s, x)
		for _, k := range sortedKeys(x) {
			c.scan(i, x[k])
		}
	case []any:
		c.scanAt(i, s, x)
		for _, v := range x {
			c.scan(i, v)
		}
	}
}

func (c *evalCtx) scanAt(i int, s *segment, node any) {
	saved := c.lenient
	c.lenient = true // a deep scan never fails on a node that does not fit
	defer func() { c.lenient = saved }()
	switch s.kind {
	case segName:
		m, ok := node.(map[string]any)
		if !ok {
			return
		}
		if len(s.names) > 1 && i == len(c.segs)-1 {
			for _, n := range s.names {
				if _, ok := m[n]; !ok {
					return
				}
			}
		}
		c.walk(i, node)
	case segIndex, segSlice:
		if _, ok := node.([]any); ok {
			c.walk(i, node)
		}
	case segFilter:
		if m, ok := node.(map[string]any); ok && s.filter.test(c, m) {
			c.walk(i+1, m)
		}
	default:
		c.walk(i, node)
	}
}

// sliceBounds resolves [from:to] against an array of length n as Jayway does
// (negative bounds count from the end; no step).
func sliceBounds(s *segment, n int) (int, int) {
	from, to := 0, n
	if s.hasFrom {
		from = s.from
		if from < 0 {
			from = max(0, n+from)
		}
	}
	if s.hasTo {
		to = s.to
		if to < 0 {
			to = n + to
		}
		to = min(to, n)
	}
	from = min(from, n)
	if to < from {
		to = from
	}
	return from, to
}

// applyFunc runs a path function on a node.
func applyFunc(name string, v any) (any, error) {
	switch name {
	case "length", "size":
		switch x := v.(type) {
		case []any:
			return jsonvalue.NumberFromInt(int64(len(x))), nil
		case map[string]any:
			return jsonvalue.NumberFromInt(int64(len(x))), nil
		case string:
			return jsonvalue.NumberFromInt(int64(utf16Len(x))), nil
		}
		return nil, nil
	case "keys":
		m, ok := v.(map[string]any)
		if !ok {
			return nil, nil
		}
		keys := sortedKeys(m)
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = k
		}
		return out, nil
	case "first", "last":
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 {
			return nil, &aggregateError{msg: "Aggregation function attempted to calculate value using empty array"}
		}
		if name == "first" {
			return arr[0], nil
		}
		return arr[len(arr)-1], nil
	}
	// Aggregations over the numbers of an array; Jayway returns a Double.
	arr, _ := v.([]any)
	var nums []float64
	for _, e := range arr {
		if f, ok := jsonvalue.Float(e); ok {
			nums = append(nums, f)
		}
	}
	if len(nums) == 0 {
		return nil, &aggregateError{msg: "Aggregation function attempted to calculate value using empty array"}
	}
	var r float64
	switch name {
	case "min":
		r = slices.Min(nums)
	case "max":
		r = slices.Max(nums)
	case "sum", "avg", "stddev":
		sum, sq := 0.0, 0.0
		for _, f := range nums {
			sum += f
			sq += f * f
		}
		n := float64(len(nums))
		switch name {
		case "sum":
			r = sum
		case "avg":
			r = sum / n
		default:
			r = math.Sqrt(sq/n - (sum/n)*(sum/n))
		}
	}
	return javaDouble(r), nil
}

// javaDouble renders a float as Java's Double.toString does ("6.0", "1.0E7"),
// which is how AWS prints the Double results of path functions.
func javaDouble(f float64) json.Number {
	if f == math.Trunc(f) && math.Abs(f) < 1e7 {
		return json.Number(strconv.FormatFloat(f, 'f', 1, 64))
	}
	a := math.Abs(f)
	if a >= 1e-3 && a < 1e7 {
		return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1.2345E+07
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	exp = strings.TrimPrefix(exp, "+")
	e, _ := strconv.Atoi(exp)
	return json.Number(mant + "E" + strconv.Itoa(e))
}
