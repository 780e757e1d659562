package validate

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// pathKind says how much of JSONPath a field accepts.
type pathKind int

const (
	// anyPath is a full JSONPath (wildcards, filters, slices, deep scan), as
	// InputPath, OutputPath and the ".$" payload fields take.
	anyPath pathKind = iota
	// referencePath addresses a single node: names and single indices only,
	// as ResultPath, ItemsPath and the *Path fields of Wait and Task take.
	referencePath
)

// checkPath reports whether s is a JSONPath of the given kind that Step
// Functions accepts: "$" (the input), "$$" (the context object) or "$name"
// (a variable), followed by segments. allowContext permits "$$".
func checkPath(s string, kind pathKind, allowContext bool) (ok bool, why string) {
	if !strings.HasPrefix(s, "$") {
		return false, "Reference path didn't start with '$'"
	}
	rest := s[1:]
	switch {
	case strings.HasPrefix(rest, "$"):
		if !allowContext {
			return false, "the context object is not allowed here"
		}
		rest = rest[1:]
	case rest != "" && isIdentStart(rest):
		// A variable reference: $name followed by segments.
		i := 0
		for i < len(rest) {
			r, size := utf8.DecodeRuneInString(rest[i:])
			if !isIdentRune(r) {
				break
			}
			i += size
		}
		rest = rest[i:]
	}
	return checkSegments(rest, kind)
}

func isIdentStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '_' || unicode.IsLetter(r)
}

func isIdentRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// checkSegments checks the part of a path after its root.
func checkSegments(s string, kind pathKind) (bool, string) {
	for s != "" {
		switch {
		case strings.HasPrefix(s, ".."):
			if kind == referencePath {
				return false, "deep scan '..' is not allowed in a Reference Path"
			}
			s = s[2:]
			if s == "" {
				return false, "path ends after '..'"
			}
			if s[0] == '*' {
				s = s[1:]
				continue
			}
			n := nameLen(s)
			if n == 0 {
				return false, "expected a field name after '..'"
			}
			s = s[n:]
		case s[0] == '.':
			s = s[1:]
			if s == "" {
				return false, "path ends after '.'"
			}
			if s[0] == '*' {
				if kind == referencePath {
					return false, "wildcard '*' is not allowed in a Reference Path"
				}
				s = s[1:]
				continue
			}
			n := nameLen(s)
			if n == 0 {
				return false, "expected a field name after '.'"
			}
			s = s[n:]
		case s[0] == '[':
			end, ok := bracketEnd(s)
			if !ok {
				return false, "unclosed '['"
			}
			if ok, why := checkBracket(s[1:end], kind); !ok {
				return false, why
			}
			s = s[end+1:]
		default:
			return false, "unexpected character '" + s[:1] + "'"
		}
	}
	return true, ""
}

// nameLen is the length of a dot-notation field name at the start of s.
func nameLen(s string) int {
	for i, r := range s {
		if r == '.' || r == '[' || r == ']' || unicode.IsSpace(r) {
			return i
		}
	}
	return len(s)
}

// bracketEnd finds the ']' closing the '[' at s[0], skipping quoted strings
// and parenthesised filter expressions.
func bracketEnd(s string) (int, bool) {
	depth := 0
	var quote byte
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ']' && depth == 0:
			return i, true
		}
	}
	return 0, false
}

func checkBracket(in string, kind pathKind) (bool, string) {
	b := strings.TrimSpace(in)
	switch {
	case b == "":
		return false, "empty '[]'"
	case isInt(b):
		return true, ""
	case isQuoted(b):
		return true, ""
	}
	if kind == referencePath {
		return false, "'[" + in + "]' is not allowed in a Reference Path"
	}
	switch {
	case b == "*":
		return true, ""
	case strings.HasPrefix(b, "?(") && strings.HasSuffix(b, ")"), strings.HasPrefix(b, "(") && strings.HasSuffix(b, ")"):
		return true, ""
	case strings.Contains(b, ":"):
		parts := strings.Split(b, ":")
		if len(parts) > 3 {
			return false, "bad slice '[" + in + "]'"
		}
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" && !isInt(p) {
				return false, "bad slice '[" + in + "]'"
			}
		}
		return true, ""
	case strings.Contains(b, ","):
		for _, p := range strings.Split(b, ",") {
			p = strings.TrimSpace(p)
			if !isInt(p) && !isQuoted(p) {
				return false, "bad union '[" + in + "]'"
			}
		}
		return true, ""
	}
	return false, "bad subscript '[" + in + "]'"
}

func isInt(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isQuoted(s string) bool {
	return len(s) >= 2 && (s[0] == '\'' && s[len(s)-1] == '\'' || s[0] == '"' && s[len(s)-1] == '"')
}

// intrinsicArity is each intrinsic function's minimum and maximum argument
// count (-1: no maximum).
var intrinsicArity = map[string][2]int{
	"States.Format":         {1, -1},
	"States.StringToJson":   {1, 1},
	"States.JsonToString":   {1, 1},
	"States.Array":          {0, -1},
	"States.ArrayPartition": {2, 2},
	"States.ArrayContains":  {2, 2},
	"States.ArrayRange":     {3, 3},
	"States.ArrayGetItem":   {2, 2},
	"States.ArrayLength":    {1, 1},
	"States.ArrayUnique":    {1, 1},
	"States.Base64Encode":   {1, 1},
	"States.Base64Decode":   {1, 1},
	"States.Hash":           {2, 2},
	"States.JsonMerge":      {3, 3},
	"States.MathRandom":     {2, 3},
	"States.MathAdd":        {2, 2},
	"States.StringSplit":    {2, 2},
	"States.UUID":           {0, 0},
}

// checkIntrinsic reports whether s is one well-formed intrinsic function
// call, e.g. States.Format('{} items', $.count).
func checkIntrinsic(s string) (bool, string) {
	p := &intrinsicParser{s: s}
	if ok, why := p.call(); !ok {
		return false, why
	}
	p.space()
	if p.i != len(p.s) {
		return false, "unexpected text after the intrinsic function call"
	}
	return true, ""
}

type intrinsicParser struct {
	s     string
	i     int
	depth int
}

func (p *intrinsicParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *intrinsicParser) call() (bool, string) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 50 {
		return false, "intrinsic functions nested too deeply"
	}
	open := strings.IndexByte(p.s[p.i:], '(')
	if open < 0 {
		return false, "missing '(' after the function name"
	}
	name := strings.TrimSpace(p.s[p.i : p.i+open])
	arity, known := intrinsicArity[name]
	if !known {
		return false, "unknown intrinsic function '" + name + "'"
	}
	p.i += open + 1
	n := 0
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
	} else {
		for {
			p.space()
			if ok, why := p.arg(); !ok {
				return false, why
			}
			n++
			p.space()
			if p.i >= len(p.s) {
				return false, "missing ')'"
			}
			if p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.s[p.i] == ')' {
				p.i++
				break
			}
			return false, "expected ',' or ')' in the argument list of " + name
		}
	}
	if n < arity[0] || arity[1] >= 0 && n > arity[1] {
		return false, "wrong number of arguments for " + name
	}
	return true, ""
}

func (p *intrinsicParser) arg() (bool, string) {
	if p.i >= len(p.s) {
		return false, "missing argument"
	}
	rest := p.s[p.i:]
	switch {
	case rest[0] == '\'':
		for j := 1; j < len(rest); j++ {
			switch rest[j] {
			case '\\':
				j++
			case '\'':
				p.i += j + 1
				return true, ""
			}
		}
		return false, "unterminated string literal"
	case rest[0] == '$':
		end := argEnd(rest)
		path := strings.TrimSpace(rest[:end])
		if ok, why := checkPath(path, anyPath, true); !ok {
			return false, "bad path argument '" + path + "': " + why
		}
		p.i += end
		return true, ""
	case strings.HasPrefix(rest, "States."):
		return p.call()
	}
	end := argEnd(rest)
	lit := strings.TrimSpace(rest[:end])
	if lit == "true" || lit == "false" || lit == "null" || isNumber(lit) {
		p.i += end
		return true, ""
	}
	return false, "bad argument '" + lit + "'"
}

// argEnd finds where an unquoted argument ends: at ',' or ')' outside
// brackets and quotes.
func argEnd(s string) int {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '[' || c == '(':
			depth++
		case (c == ']' || c == ')') && depth > 0:
			depth--
		case (c == ',' || c == ')') && depth == 0:
			return i
		}
	}
	return len(s)
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	s = strings.TrimPrefix(s, "-")
	dot := false
	digits := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// checkPathOrIntrinsic validates the value of a "key.$" payload field.
func checkPathOrIntrinsic(s string) bool {
	if strings.HasPrefix(s, "States.") {
		ok, _ := checkIntrinsic(s)
		return ok
	}
	ok, _ := checkPath(s, anyPath, true)
	return ok
}

// isJSONataExpr reports whether s is written as a JSONata expression.
func isJSONataExpr(s string) bool {
	return len(s) >= 4 && strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}")
}

// validVariableName reports whether name may be assigned: a letter or
// underscore, then letters, digits or underscores, at most 80 characters.
func validVariableName(name string) bool {
	if name == "" || utf8.RuneCountInString(name) > 80 || !isIdentStart(name) {
		return false
	}
	for _, r := range name {
		if !isIdentRune(r) {
			return false
		}
	}
	return true
}
