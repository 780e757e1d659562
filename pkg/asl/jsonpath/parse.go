package jsonpath

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// functions lists the path functions Jayway supports at the end of a path
// (and that AWS therefore accepts, e.g. "$.items.length()").
var functions = map[string]bool{
	"length": true, "size": true, "min": true, "max": true, "avg": true,
	"sum": true, "stddev": true, "keys": true, "first": true, "last": true,
}

type parser struct {
	src string
	pos int
	// inFilter makes names stop at the operators and brackets of a filter.
	inFilter bool
	depth    int
}

// maxDepth bounds filter nesting so hostile input cannot exhaust the stack.
const maxDepth = 64

func (p *parser) errf(format string, args ...any) error {
	msg := format
	if len(args) > 0 {
		msg = sprintf(format, args...)
	}
	return &SyntaxError{Path: p.src, Offset: p.pos, Msg: msg}
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.src[p.pos]
}

func (p *parser) skipSpace() {
	for !p.eof() && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

func parse(src string) (*Path, error) {
	p := &parser{src: src}
	if !strings.HasPrefix(src, "$") {
		return nil, p.errf("a path must start with '$'")
	}
	p.pos = 1
	segs, err := p.segments()
	if err != nil {
		return nil, err
	}
	if !p.eof() {
		return nil, p.errf("unexpected %q", p.src[p.pos:])
	}
	return newPath(src, segs), nil
}

func newPath(src string, segs []segment) *Path {
	path := &Path{src: src, segs: segs, definite: true, simple: true}
	for i := range segs {
		s := &segs[i]
		if !s.definite() {
			path.definite = false
		}
		if !(s.kind == segName && len(s.names) == 1) && !(s.kind == segIndex && len(s.indexes) == 1) {
			path.simple = false
		}
	}
	return path
}

// segments parses the segments after a root ($ or @) until something that
// cannot continue a path.
func (p *parser) segments() ([]segment, error) {
	var segs []segment
	for !p.eof() {
		c := p.src[p.pos]
		switch {
		case c == '.' && strings.HasPrefix(p.src[p.pos:], ".."):
			p.pos += 2
			segs = append(segs, segment{kind: segScan})
			if p.eof() {
				return nil, p.errf("path must not end with '..'")
			}
			switch p.peek() {
			case '[':
				s, err := p.bracket()
				if err != nil {
					return nil, err
				}
				segs = append(segs, s)
			case '*':
				p.pos++
				segs = append(segs, segment{kind: segWildcard})
			default:
				s, err := p.dotName()
				if err != nil {
					return nil, err
				}
				segs = append(segs, s)
			}
		case c == '.':
			p.pos++
			if p.eof() {
				return nil, p.errf("path must not end with '.'")
			}
			if p.peek() == '*' {
				p.pos++
				segs = append(segs, segment{kind: segWildcard})
				continue
			}
			if p.peek() == '[' {
				// Jayway tolerates "$.['a']" and "$.[0]".
				continue
			}
			s, err := p.dotName()
			if err != nil {
				return nil, err
			}
			segs = append(segs, s)
		case c == '[':
			s, err := p.bracket()
			if err != nil {
				return nil, err
			}
			segs = append(segs, s)
		default:
			if p.inFilter {
				return segs, nil
			}
			return nil, p.errf("unexpected character %q", c)
		}
		if n := len(segs); n > 0 && segs[n-1].kind == segFunc {
			if p.inFilter {
				return segs, nil
			}
			if !p.eof() {
				return nil, p.errf("a function must be the last element of a path")
			}
		}
	}
	return segs, nil
}

// nameStop reports whether c ends a dot-notation name.
func (p *parser) nameStop(c byte) bool {
	switch c {
	case '.', '[', ' ', '\t', '\n', '\r':
		return true
	}
	if p.inFilter {
		switch c {
		case ')', '=', '!', '<', '>', '&', '|', ',', ']', '~':
			return true
		}
	}
	return false
}

// dotName parses the name after "." (or ".."), or a function call.
func (p *parser) dotName() (segment, error) {
	start := p.pos
	for !p.eof() && !p.nameStop(p.src[p.pos]) && p.src[p.pos] != '(' {
		p.pos++
	}
	name := p.src[start:p.pos]
	if name == "" {
		return segment{}, p.errf("empty property name")
	}
	if p.peek() == '(' {
		if !functions[name] {
			return segment{}, p.errf("unknown function %q", name)
		}
		p.pos++
		p.skipSpace()
		if p.peek() != ')' {
			return segment{}, p.errf("function %s() takes no arguments", name)
		}
		p.pos++
		return segment{kind: segFunc, fn: name}, nil
	}
	if strings.ContainsAny(name, "'\"()") {
		return segment{}, p.errf("invalid property name %q", name)
	}
	return segment{kind: segName, names: []string{name}}, nil
}

// bracket parses a [...] segment.
func (p *parser) bracket() (segment, error) {
	p.pos++ // [
	p.skipSpace()
	if p.eof() {
		return segment{}, p.errf("unterminated '['")
	}
	switch c := p.peek(); {
	case c == '*':
		p.pos++
		p.skipSpace()
		if err := p.expect(']'); err != nil {
			return segment{}, err
		}
		return segment{kind: segWildcard}, nil
	case c == '?':
		return p.filterSegment()
	case c == '\'' || c == '"':
		var names []string
		for {
			p.skipSpace()
			s, err := p.quoted()
			if err != nil {
				return segment{}, err
			}
			names = append(names, s)
			p.skipSpace()
			if p.peek() == ',' {
				p.pos++
				continue
			}
			if err := p.expect(']'); err != nil {
				return segment{}, err
			}
			return segment{kind: segName, names: names}, nil
		}
	default:
		return p.indexOrSlice()
	}
}

func (p *parser) expect(c byte) error {
	if p.peek() != c {
		if p.eof() {
			return p.errf("expected %q, found end of path", c)
		}
		return p.errf("expected %q, found %q", c, p.peek())
	}
	p.pos++
	return nil
}

// quoted parses a '...' or "..." string.
func (p *parser) quoted() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", p.errf("expected a quoted name")
	}
	p.pos++
	var b strings.Builder
	for {
		if p.eof() {
			return "", p.errf("unterminated string")
		}
		c := p.src[p.pos]
		if c == q {
			p.pos++
			return b.String(), nil
		}
		if c == '\\' && p.pos+1 < len(p.src) {
			// AWS's Jayway keeps escapes verbatim in a quoted name: the
			// backslash only stops the next character from ending it
			// ($['a\"b'] names the key a\"b, as recorded against AWS).
			b.WriteString(p.src[p.pos : p.pos+2])
			p.pos += 2
			continue
		}
		_, size := utf8.DecodeRuneInString(p.src[p.pos:])
		b.WriteString(p.src[p.pos : p.pos+size])
		p.pos += size
	}
}

func (p *parser) integer() (int, bool) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	for !p.eof() && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	n, err := strconv.Atoi(p.src[start:p.pos])
	if err != nil {
		p.pos = start
		return 0, false
	}
	return n, true
}

func (p *parser) indexOrSlice() (segment, error) {
	if p.peek() == ':' {
		p.pos++
		p.skipSpace()
		s := segment{kind: segSlice}
		if p.peek() != ']' {
			n, ok := p.integer()
			if !ok {
				return segment{}, p.errf("invalid slice bound")
			}
			s.to, s.hasTo = n, true
		}
		p.skipSpace()
		return s, p.expect(']')
	}
	first, ok := p.integer()
	if !ok {
		return segment{}, p.errf("expected an index, a slice, '*', '?' or a quoted name")
	}
	p.skipSpace()
	switch p.peek() {
	case ':':
		p.pos++
		p.skipSpace()
		s := segment{kind: segSlice, from: first, hasFrom: true}
		if p.peek() != ']' {
			n, ok := p.integer()
			if !ok {
				return segment{}, p.errf("invalid slice bound")
			}
			s.to, s.hasTo = n, true
		}
		p.skipSpace()
		return s, p.expect(']')
	case ',':
		idx := []int{first}
		for p.peek() == ',' {
			p.pos++
			p.skipSpace()
			n, ok := p.integer()
			if !ok {
				return segment{}, p.errf("invalid index")
			}
			idx = append(idx, n)
			p.skipSpace()
		}
		return segment{kind: segIndex, indexes: idx}, p.expect(']')
	}
	return segment{kind: segIndex, indexes: []int{first}}, p.expect(']')
}

func (p *parser) filterSegment() (segment, error) {
	p.pos++ // ?
	p.skipSpace()
	if err := p.expect('('); err != nil {
		return segment{}, err
	}
	saved := p.inFilter
	p.inFilter = true
	e, err := p.orExpr()
	p.inFilter = saved
	if err != nil {
		return segment{}, err
	}
	p.skipSpace()
	if err := p.expect(')'); err != nil {
		return segment{}, err
	}
	p.skipSpace()
	if err := p.expect(']'); err != nil {
		return segment{}, err
	}
	return segment{kind: segFilter, filter: e}, nil
}
