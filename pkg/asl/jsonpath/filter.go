package jsonpath

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// expr is a filter expression node: it decides whether a candidate node
// (the "@" of the filter) is selected.
type expr interface {
	test(c *evalCtx, cur any) bool
}

type orExpr []expr
type andExpr []expr
type notExpr struct{ e expr }

func (e orExpr) test(c *evalCtx, cur any) bool {
	for _, x := range e {
		if x.test(c, cur) {
			return true
		}
	}
	return false
}

func (e andExpr) test(c *evalCtx, cur any) bool {
	for _, x := range e {
		if !x.test(c, cur) {
			return false
		}
	}
	return true
}

func (e notExpr) test(c *evalCtx, cur any) bool { return !e.e.test(c, cur) }

// operand is one side of a comparison: a path from @ or $, or a literal.
type operand struct {
	path    *Path // nil for a literal
	fromAt  bool  // relative to the current node rather than the root
	lit     any
	isRegex bool
	re      *regexp.Regexp
}

// undefined marks a path operand that selected nothing.
type undefinedT struct{}

var undefined = undefinedT{}

func (o *operand) value(c *evalCtx, cur any) any {
	if o.path == nil {
		return o.lit
	}
	start := c.root
	if o.fromAt {
		start = cur
	}
	if o.path.simple {
		if v, ok := o.path.lookup(start); ok {
			return v
		}
		return undefined
	}
	sub := evalCtx{root: c.root, segs: o.path.segs, lenient: true}
	sub.walk(0, start)
	if o.path.definite {
		if len(sub.out) == 0 {
			return undefined
		}
		return sub.out[0]
	}
	if sub.out == nil {
		return []any{}
	}
	return sub.out
}

// existsExpr is a path on its own: true when it selects something.
type existsExpr struct{ o operand }

func (e existsExpr) test(c *evalCtx, cur any) bool {
	v := e.o.value(c, cur)
	if v == undefined {
		return false
	}
	if l, ok := v.([]any); ok && !e.o.path.definite {
		return len(l) > 0
	}
	return true
}

type relExpr struct {
	op          string
	left, right operand
}

func (e relExpr) test(c *evalCtx, cur any) bool {
	l := e.left.value(c, cur)
	r := e.right.value(c, cur)
	switch e.op {
	case "==":
		return looseEqual(l, r)
	case "!=":
		return !looseEqual(l, r)
	case "<", "<=", ">", ">=":
		cmp, ok := compare(l, r)
		if !ok {
			return false
		}
		switch e.op {
		case "<":
			return cmp < 0
		case "<=":
			return cmp <= 0
		case ">":
			return cmp > 0
		}
		return cmp >= 0
	case "=~":
		re, s := e.right.re, l
		if e.left.isRegex {
			re, s = e.left.re, r
		}
		str, ok := s.(string)
		if !ok || re == nil {
			return false
		}
		return re.MatchString(str)
	case "in", "nin":
		list, ok := r.([]any)
		if !ok {
			return false
		}
		found := false
		for _, x := range list {
			if looseEqual(l, x) {
				found = true
				break
			}
		}
		return found == (e.op == "in")
	case "contains":
		switch lv := l.(type) {
		case string:
			rs, ok := r.(string)
			return ok && strings.Contains(lv, rs)
		case []any:
			for _, x := range lv {
				if looseEqual(x, r) {
					return true
				}
			}
		}
		return false
	case "size":
		n, ok := jsonvalue.Int(r)
		if !ok {
			return false
		}
		switch lv := l.(type) {
		case string:
			return int64(utf16Len(lv)) == n
		case []any:
			return int64(len(lv)) == n
		}
		return false
	case "empty":
		want, ok := r.(bool)
		if !ok {
			return false
		}
		switch lv := l.(type) {
		case string:
			return (len(lv) == 0) == want
		case []any:
			return (len(lv) == 0) == want
		}
		return false
	case "subsetof", "anyof", "noneof":
		ll, ok1 := l.([]any)
		rl, ok2 := r.([]any)
		if !ok1 || !ok2 {
			return false
		}
		in := func(x any) bool {
			for _, y := range rl {
				if looseEqual(x, y) {
					return true
				}
			}
			return false
		}
		switch e.op {
		case "subsetof":
			for _, x := range ll {
				if !in(x) {
					return false
				}
			}
			return true
		case "anyof":
			for _, x := range ll {
				if in(x) {
					return true
				}
			}
			return false
		}
		for _, x := range ll {
			if in(x) {
				return false
			}
		}
		return true
	}
	return false
}

// looseEqual is Jayway's ValueNode equality: numbers compare by value, and a
// string equals a number when their texts agree ("1" == 1).
func looseEqual(a, b any) bool {
	if a == undefined || b == undefined {
		return false
	}
	an, aNum := jsonvalue.Float(a)
	bn, bNum := jsonvalue.Float(b)
	as, aStr := a.(string)
	bs, bStr := b.(string)
	switch {
	case aNum && bNum:
		return jsonvalue.Equal(a, b)
	case aNum && bStr:
		return numString(a, an) == bs || parsesEqual(bs, an)
	case aStr && bNum:
		return numString(b, bn) == as || parsesEqual(as, bn)
	case aStr && bStr:
		return as == bs
	}
	return jsonvalue.Equal(a, b)
}

func parsesEqual(s string, f float64) bool {
	var n json.Number = json.Number(strings.TrimSpace(s))
	g, err := n.Float64()
	return err == nil && g == f && s != ""
}

func numString(v any, f float64) string {
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	return string(jsonvalue.NumberFromFloat(f))
}

// compare orders two numbers or two strings; other pairs do not compare.
func compare(a, b any) (int, bool) {
	if af, ok := jsonvalue.Float(a); ok {
		bf, ok := jsonvalue.Float(b)
		if !ok {
			return 0, false
		}
		if ai, ok := jsonvalue.Int(a); ok {
			if bi, ok := jsonvalue.Int(b); ok {
				switch {
				case ai < bi:
					return -1, true
				case ai > bi:
					return 1, true
				}
				return 0, true
			}
		}
		switch {
		case af < bf:
			return -1, true
		case af > bf:
			return 1, true
		}
		return 0, true
	}
	as, ok1 := a.(string)
	bs, ok2 := b.(string)
	if ok1 && ok2 {
		return strings.Compare(as, bs), true
	}
	return 0, false
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// --- parsing ---

func (p *parser) orExpr() (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errf("filter nested too deeply")
	}
	first, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	list := orExpr{first}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.src[p.pos:], "||") {
			break
		}
		p.pos += 2
		e, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		list = append(list, e)
	}
	if len(list) == 1 {
		return first, nil
	}
	return list, nil
}

func (p *parser) andExpr() (expr, error) {
	first, err := p.unary()
	if err != nil {
		return nil, err
	}
	list := andExpr{first}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.src[p.pos:], "&&") {
			break
		}
		p.pos += 2
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		list = append(list, e)
	}
	if len(list) == 1 {
		return first, nil
	}
	return list, nil
}

func (p *parser) unary() (expr, error) {
	p.skipSpace()
	switch p.peek() {
	case '!':
		if !strings.HasPrefix(p.src[p.pos:], "!=") {
			p.pos++
			e, err := p.unary()
			if err != nil {
				return nil, err
			}
			return notExpr{e}, nil
		}
	case '(':
		p.pos++
		e, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		return e, p.expect(')')
	}
	return p.relation()
}

// wordOps are the operators written as words; they need a space before them.
var wordOps = []string{"subsetof", "contains", "noneof", "anyof", "empty", "size", "nin", "in"}

func (p *parser) relation() (expr, error) {
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	op := ""
	for _, o := range []string{"==", "!=", "<=", ">=", "=~", "<", ">"} {
		if strings.HasPrefix(p.src[p.pos:], o) {
			op = o
			break
		}
	}
	if op == "" {
		for _, o := range wordOps {
			if strings.HasPrefix(p.src[p.pos:], o) {
				rest := p.src[p.pos+len(o):]
				if rest == "" || rest[0] == ' ' || rest[0] == '[' || rest[0] == '\'' || rest[0] == '"' || rest[0] == '@' || rest[0] == '$' || rest[0] == '{' {
					op = o
					break
				}
			}
		}
	}
	if op == "" {
		if left.path == nil {
			return nil, p.errf("a literal on its own is not a filter condition")
		}
		return existsExpr{left}, nil
	}
	p.pos += len(op)
	right, err := p.operand()
	if err != nil {
		return nil, err
	}
	if op == "=~" && !right.isRegex && !left.isRegex {
		return nil, p.errf("=~ needs a /regex/")
	}
	return relExpr{op: op, left: left, right: right}, nil
}

func (p *parser) operand() (operand, error) {
	p.skipSpace()
	if p.eof() {
		return operand{}, p.errf("expected an operand")
	}
	switch c := p.peek(); {
	case c == '@' || c == '$':
		start := p.pos
		p.pos++
		segs, err := p.segments()
		if err != nil {
			return operand{}, err
		}
		return operand{path: newPath(p.src[start:p.pos], segs), fromAt: c == '@'}, nil
	case c == '\'' || c == '"':
		s, err := p.quoted()
		return operand{lit: s}, err
	case c == '/':
		return p.regex()
	case c == '[':
		return p.listLiteral()
	case c == '{':
		return p.objectLiteral()
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.pos
		p.pos++
		for !p.eof() && strings.IndexByte("0123456789.eE+-", p.src[p.pos]) >= 0 {
			p.pos++
		}
		n := json.Number(p.src[start:p.pos])
		if _, err := n.Float64(); err != nil {
			return operand{}, p.errf("invalid number %q", n)
		}
		return operand{lit: n}, nil
	}
	for _, w := range []struct {
		s string
		v any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(p.src[p.pos:], w.s) {
			p.pos += len(w.s)
			return operand{lit: w.v}, nil
		}
	}
	return operand{}, p.errf("unexpected %q in filter", p.peek())
}

func (p *parser) regex() (operand, error) {
	p.pos++ // /
	var b strings.Builder
	for {
		if p.eof() {
			return operand{}, p.errf("unterminated regex")
		}
		c := p.src[p.pos]
		if c == '\\' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '/' {
			b.WriteByte('/')
			p.pos += 2
			continue
		}
		if c == '/' {
			p.pos++
			break
		}
		b.WriteByte(c)
		p.pos++
	}
	flags := ""
	for !p.eof() && strings.IndexByte("imsxu", p.src[p.pos]) >= 0 {
		if f := p.src[p.pos]; f == 'i' || f == 'm' || f == 's' {
			flags += string(f)
		}
		p.pos++
	}
	pattern := b.String()
	// Java's Matcher.matches() must match the whole input.
	full := "^(?:" + pattern + ")$"
	if flags != "" {
		full = "(?" + flags + ")" + full
	}
	re, err := regexp.Compile(full)
	if err != nil {
		return operand{}, p.errf("invalid regex /%s/: %v", pattern, err)
	}
	return operand{isRegex: true, re: re}, nil
}

// listLiteral parses [lit, lit, ...] with JSON or single-quoted strings.
func (p *parser) listLiteral() (operand, error) {
	p.pos++ // [
	list := []any{}
	for {
		p.skipSpace()
		if p.peek() == ']' {
			p.pos++
			return operand{lit: list}, nil
		}
		o, err := p.operand()
		if err != nil {
			return operand{}, err
		}
		if o.path != nil || o.isRegex {
			return operand{}, p.errf("a list may only hold literals")
		}
		list = append(list, o.lit)
		p.skipSpace()
		if p.peek() == ',' {
			p.pos++
			continue
		}
		if err := p.expect(']'); err != nil {
			return operand{}, err
		}
		return operand{lit: list}, nil
	}
}

// objectLiteral parses a JSON object literal.
func (p *parser) objectLiteral() (operand, error) {
	start, depth, inStr := p.pos, 0, byte(0)
	for ; p.pos < len(p.src); p.pos++ {
		c := p.src[p.pos]
		if inStr != 0 {
			if c == '\\' {
				p.pos++
			} else if c == inStr {
				inStr = 0
			}
			continue
		}
		switch c {
		case '"':
			inStr = c
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				p.pos++
				v, err := jsonvalue.DecodeString(p.src[start:p.pos])
				if err != nil {
					return operand{}, p.errf("invalid JSON literal: %v", err)
				}
				return operand{lit: v}, nil
			}
		}
	}
	return operand{}, p.errf("unterminated object literal")
}
