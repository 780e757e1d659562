package intrinsic

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
)

// Expr is a compiled intrinsic function call. Immutable and safe for
// concurrent use.
type Expr struct {
	src  string
	root *node
}

type nodeKind uint8

const (
	nCall nodeKind = iota
	nLit
	nPath
)

type node struct {
	kind nodeKind
	fn   *function // nCall
	args []*node   // nCall
	lit  any       // nLit
	path string    // nPath, as written ("$.a", "$$.x", "$v")
	// tmpl is set for a string literal: the text split at its unescaped {}
	// placeholders, so States.Format can tell "\{}" from "{}".
	tmpl []string
}

// IsIntrinsic reports whether s is written as an intrinsic function call
// ("States.Format(...)" and friends), as opposed to a JSONPath.
func IsIntrinsic(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "States.") && strings.HasSuffix(s, ")")
}

// Compile parses expr and checks each call's argument count. Errors are
// *aslerr.Error named States.IntrinsicFailure; AWS reports these when the
// definition is validated.
func Compile(expr string) (*Expr, error) {
	p := &parser{src: expr}
	p.skipSpace()
	if !strings.HasPrefix(p.src[p.pos:], "States.") {
		return nil, p.errf("an intrinsic function call must start with 'States.'")
	}
	root, err := p.call()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eof() {
		return nil, p.errf("unexpected text after the call: %q", p.src[p.pos:])
	}
	return &Expr{src: expr, root: root}, nil
}

// String returns the expression as written.
func (e *Expr) String() string { return e.src }

// Paths lists the path arguments of the call and its nested calls, as
// written, in order; a caller can compile them once.
func (e *Expr) Paths() []string {
	var out []string
	var walk func(n *node)
	walk = func(n *node) {
		switch n.kind {
		case nPath:
			out = append(out, n.path)
		case nCall:
			for _, a := range n.args {
				walk(a)
			}
		}
	}
	walk(e.root)
	return out
}

type parser struct {
	src   string
	pos   int
	depth int
}

const maxDepth = 64

func (p *parser) errf(format string, args ...any) error {
	e := aslerr.New(aslerr.IntrinsicFailure, format, args...)
	e.Cause = "Invalid intrinsic function call '" + p.src + "': " + e.Cause
	return e
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

// call parses States.Name(arg, ...).
func (p *parser) call() (*node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errf("calls nested too deeply")
	}
	start := p.pos
	for !p.eof() && p.src[p.pos] != '(' && p.src[p.pos] != ' ' {
		p.pos++
	}
	name := p.src[start:p.pos]
	fn, ok := functions[name]
	if !ok {
		return nil, p.errf("unknown function %s", name)
	}
	p.skipSpace()
	if p.peek() != '(' {
		return nil, p.errf("expected '(' after %s", name)
	}
	p.pos++
	n := &node{kind: nCall, fn: fn}
	p.skipSpace()
	if p.peek() == ')' {
		p.pos++
	} else {
		for {
			a, err := p.arg()
			if err != nil {
				return nil, err
			}
			n.args = append(n.args, a)
			p.skipSpace()
			if p.peek() == ',' {
				p.pos++
				continue
			}
			if p.peek() == ')' {
				p.pos++
				break
			}
			if p.eof() {
				return nil, p.errf("missing ')' in call to %s", name)
			}
			return nil, p.errf("unexpected %q in the arguments of %s", p.peek(), name)
		}
	}
	if len(n.args) < fn.minArgs || (fn.maxArgs >= 0 && len(n.args) > fn.maxArgs) {
		return nil, p.errf("%s", fn.arityText(len(n.args)))
	}
	return n, nil
}

func (p *parser) arg() (*node, error) {
	p.skipSpace()
	if p.eof() {
		return nil, p.errf("expected an argument")
	}
	rest := p.src[p.pos:]
	switch c := p.peek(); {
	case strings.HasPrefix(rest, "States."):
		return p.call()
	case c == '\'':
		return p.stringLit()
	case c == '$':
		return p.pathArg()
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.pos
		p.pos++
		for !p.eof() && strings.IndexByte("0123456789.eE+-", p.src[p.pos]) >= 0 {
			p.pos++
		}
		text := p.src[start:p.pos]
		var v any
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			return nil, p.errf("invalid number %s", text)
		}
		return &node{kind: nLit, lit: json.Number(text)}, nil
	}
	for _, w := range []struct {
		s string
		v any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(rest, w.s) {
			after := rest[len(w.s):]
			if after == "" || strings.IndexByte(" \t\n\r,)", after[0]) >= 0 {
				p.pos += len(w.s)
				return &node{kind: nLit, lit: w.v}, nil
			}
		}
	}
	return nil, p.errf("unexpected %q", p.peek())
}

// stringLit parses '...'. \' \{ \} and \\ are escapes; in the template of
// States.Format an escaped brace is a literal brace, not a placeholder.
func (p *parser) stringLit() (*node, error) {
	p.pos++ // '
	var cur strings.Builder
	var parts []string
	var all strings.Builder
	for {
		if p.eof() {
			return nil, p.errf("unterminated string literal")
		}
		c := p.src[p.pos]
		switch {
		case c == '\'':
			p.pos++
			parts = append(parts, cur.String())
			return &node{kind: nLit, lit: all.String(), tmpl: parts}, nil
		case c == '\\' && p.pos+1 < len(p.src):
			n := p.src[p.pos+1]
			switch n {
			case '\'', '{', '}', '\\':
				cur.WriteByte(n)
				all.WriteByte(n)
				p.pos += 2
				continue
			}
			// Any other backslash stands for itself.
			cur.WriteByte(c)
			all.WriteByte(c)
			p.pos++
		case c == '{' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '}':
			parts = append(parts, cur.String())
			cur.Reset()
			all.WriteString("{}")
			p.pos += 2
		default:
			_, size := utf8.DecodeRuneInString(p.src[p.pos:])
			cur.WriteString(p.src[p.pos : p.pos+size])
			all.WriteString(p.src[p.pos : p.pos+size])
			p.pos += size
		}
	}
}

// pathArg reads a path up to the ',' or ')' that ends the argument, skipping
// over brackets, parentheses and quoted text inside it (filters).
func (p *parser) pathArg() (*node, error) {
	start := p.pos
	depth := 0
	var quote byte
	for ; !p.eof(); p.pos++ {
		c := p.src[p.pos]
		if quote != 0 {
			if c == '\\' {
				p.pos++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '\'', '"':
			quote = c
		case '[', '(':
			depth++
		case ']':
			depth--
		case ')':
			if depth == 0 {
				return p.pathNode(start)
			}
			depth--
		case ',':
			if depth == 0 {
				return p.pathNode(start)
			}
		}
	}
	return nil, p.errf("missing ')' after path %s", p.src[start:])
}

func (p *parser) pathNode(start int) (*node, error) {
	path := strings.TrimSpace(p.src[start:p.pos])
	if path == "" {
		return nil, p.errf("empty path")
	}
	return &node{kind: nPath, path: path}, nil
}
