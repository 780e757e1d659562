package asl

import (
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// eval evaluates a JSONPath choice condition against the state input.
func (c *condition) eval(r resolver) (bool, error) {
	switch c.op {
	case "And":
		for _, s := range c.subs {
			ok, err := s.eval(r)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case "Or":
		for _, s := range c.subs {
			ok, err := s.eval(r)
			if err != nil {
				return false, err
			}
			if ok {
				return true, nil
			}
		}
		return false, nil
	case "Not":
		ok, err := c.subs[0].eval(r)
		return !ok, err
	}
	v, err := r.get(c.variable)
	present := true
	if err != nil {
		var nf *pathNotFound
		if !errors.As(err, &nf) {
			return false, err
		}
		present = false
	}
	if c.op == "IsPresent" {
		want, _ := c.operand.(bool)
		return present == want, nil
	}
	if !present {
		return false, aslerr.New(aslerr.Runtime,
			"Invalid path '%s': The choice state's condition path references an invalid value.", c.variable.src)
	}
	operand := c.operand
	if c.operandPath != nil {
		operand, err = r.get(c.operandPath)
		if err != nil {
			var nf *pathNotFound
			if errors.As(err, &nf) {
				return false, aslerr.New(aslerr.Runtime,
					"Invalid path '%s': The choice state's condition path references an invalid value.", c.operandPath.src)
			}
			return false, err
		}
	}
	return compare(c.op, v, operand), nil
}

// compare applies one comparison operator; mismatched types compare false,
// as in AWS.
func compare(op string, v, operand any) bool {
	switch op {
	case "IsNull":
		want, _ := operand.(bool)
		return (v == nil) == want
	case "IsNumeric":
		want, _ := operand.(bool)
		return jsonvalue.IsNumber(v) == want
	case "IsString":
		want, _ := operand.(bool)
		_, ok := v.(string)
		return ok == want
	case "IsBoolean":
		want, _ := operand.(bool)
		_, ok := v.(bool)
		return ok == want
	case "IsTimestamp":
		want, _ := operand.(bool)
		s, ok := v.(string)
		if ok {
			_, err := parseTimestamp(s)
			ok = err == nil
		}
		return ok == want
	case "BooleanEquals":
		a, ok1 := v.(bool)
		b, ok2 := operand.(bool)
		return ok1 && ok2 && a == b
	case "StringMatches":
		a, ok1 := v.(string)
		b, ok2 := operand.(string)
		return ok1 && ok2 && stringMatches(a, b)
	}
	switch {
	case strings.HasPrefix(op, "String"):
		a, ok1 := v.(string)
		b, ok2 := operand.(string)
		if !ok1 || !ok2 {
			return false
		}
		return ordered(op[len("String"):], strings.Compare(a, b))
	case strings.HasPrefix(op, "Numeric"):
		a, ok1 := numberRat(v)
		b, ok2 := numberRat(operand)
		if !ok1 || !ok2 {
			return false
		}
		return ordered(op[len("Numeric"):], a.Cmp(b))
	case strings.HasPrefix(op, "Timestamp"):
		a, ok1 := v.(string)
		b, ok2 := operand.(string)
		if !ok1 || !ok2 {
			return false
		}
		ta, err1 := parseTimestamp(a)
		tb, err2 := parseTimestamp(b)
		if err1 != nil || err2 != nil {
			return false
		}
		return ordered(op[len("Timestamp"):], ta.Compare(tb))
	}
	return false
}

func ordered(rel string, cmp int) bool {
	switch rel {
	case "Equals":
		return cmp == 0
	case "LessThan":
		return cmp < 0
	case "GreaterThan":
		return cmp > 0
	case "LessThanEquals":
		return cmp <= 0
	case "GreaterThanEquals":
		return cmp >= 0
	}
	return false
}

// numberRat reads a number exactly, so large integers and decimals compare
// without float rounding.
func numberRat(v any) (*big.Rat, bool) {
	if !jsonvalue.IsNumber(v) {
		return nil, false
	}
	if n, ok := v.(interface{ String() string }); ok {
		if r, ok := new(big.Rat).SetString(n.String()); ok {
			return r, true
		}
	}
	f, _ := jsonvalue.Float(v)
	r := new(big.Rat)
	if r.SetFloat64(f) == nil {
		return nil, false
	}
	return r, true
}

// stringMatches implements StringMatches: "*" matches any run of
// characters, "\*" a literal star and "\\" a literal backslash.
func stringMatches(s, pattern string) bool {
	type tok struct {
		star bool
		ch   rune
	}
	var toks []tok
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '\\' && i+1 < len(rs) {
			toks = append(toks, tok{ch: rs[i+1]})
			i++
			continue
		}
		toks = append(toks, tok{star: rs[i] == '*', ch: rs[i]})
	}
	in := []rune(s)
	// Classic wildcard matching with backtracking on the last star.
	ti, si, starT, starS := 0, 0, -1, 0
	for si < len(in) {
		if ti < len(toks) && !toks[ti].star && toks[ti].ch == in[si] {
			ti++
			si++
		} else if ti < len(toks) && toks[ti].star {
			starT, starS = ti, si
			ti++
		} else if starT >= 0 {
			ti = starT + 1
			starS++
			si = starS
		} else {
			return false
		}
	}
	for ti < len(toks) && toks[ti].star {
		ti++
	}
	return ti == len(toks)
}

// parseTimestamp parses an ISO-8601 extended offset date-time the way AWS
// accepts it (RFC 3339 with a 'T', seconds, and a zone).
func parseTimestamp(s string) (time.Time, error) {
	if len(s) < 20 || (s[10] != 'T') {
		return time.Time{}, errors.New("not an ISO-8601 date-time")
	}
	return time.Parse(time.RFC3339Nano, s)
}
