package jsonpath

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Path is a compiled JSONPath expression. It is immutable and safe for
// concurrent use.
type Path struct {
	src      string
	segs     []segment
	definite bool
	// simple is true when every segment is a single name or a single index,
	// which lets Get walk the document without the general evaluator.
	simple bool
}

type segKind uint8

const (
	segName     segKind = iota // ['a'] or ['a','b']
	segIndex                   // [0] or [0,2]
	segSlice                   // [a:b]
	segWildcard                // [*] or .*
	segScan                    // .. (applies the next segment at every level)
	segFilter                  // [?(...)]
	segFunc                    // .length() and friends
)

type segment struct {
	kind    segKind
	names   []string
	indexes []int
	// slice bounds; hasFrom/hasTo say whether they were written.
	from, to       int
	hasFrom, hasTo bool
	filter         expr
	fn             string
}

// definite reports whether the segment selects at most one node.
func (s *segment) definite() bool {
	switch s.kind {
	case segName:
		return true // several names at the leaf merge into one object
	case segIndex:
		return len(s.indexes) == 1
	case segFunc:
		return true
	}
	return false
}

// String renders the segment the way Jayway prints a compiled path, which is
// how AWS names paths in its error messages ($['a'][0]).
func (s *segment) String() string {
	var b strings.Builder
	s.write(&b)
	return b.String()
}

func (s *segment) write(b *strings.Builder) {
	switch s.kind {
	case segName:
		b.WriteByte('[')
		for i, n := range s.names {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('\'')
			b.WriteString(n)
			b.WriteByte('\'')
		}
		b.WriteByte(']')
	case segIndex:
		b.WriteByte('[')
		for i, n := range s.indexes {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(n))
		}
		b.WriteByte(']')
	case segSlice:
		b.WriteByte('[')
		if s.hasFrom {
			b.WriteString(strconv.Itoa(s.from))
		}
		b.WriteByte(':')
		if s.hasTo {
			b.WriteString(strconv.Itoa(s.to))
		}
		b.WriteByte(']')
	case segWildcard:
		b.WriteString("[*]")
	case segScan:
		b.WriteString("..")
	case segFilter:
		b.WriteString("[?]")
	case segFunc:
		b.WriteString("." + s.fn + "()")
	}
}

// normalized renders "$" followed by the first n segments.
func normalized(segs []segment) string {
	var b strings.Builder
	b.WriteByte('$')
	for i := range segs {
		segs[i].write(&b)
	}
	return b.String()
}

// NotFoundError is returned by Get when a definite path names something that
// is not in the document. The engine wraps it into the AWS error that fits
// the field it evaluated (e.g. States.Runtime with "Invalid path '$.x' : " +
// Reason for InputPath, or "The JSONPath '$.x' specified for the field ...
// could not be found in the input" for Parameters).
type NotFoundError struct {
	// Path is the path as written.
	Path string
	// Normalized is the path as Jayway prints it: $['a']['b'][0].
	Normalized string
	// Reason is Jayway's message, e.g. "No results for path: $['a']" or
	// "Missing property in path $['a']".
	Reason string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("invalid path '%s' : %s", e.Path, e.Reason)
}

// SyntaxError is returned by Compile for a malformed path.
type SyntaxError struct {
	Path   string
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSONPath %q at offset %d: %s", e.Path, e.Offset, e.Msg)
}

var cache sync.Map // string -> *Path

// Compile parses path. Results are cached, so compiling the same text again
// is cheap; the cache is safe for concurrent use.
func Compile(path string) (*Path, error) {
	if p, ok := cache.Load(path); ok {
		return p.(*Path), nil
	}
	p, err := parse(path)
	if err != nil {
		return nil, err
	}
	cache.Store(path, p)
	return p, nil
}

// MustCompile is Compile for paths known to be valid (tests, constants).
func MustCompile(path string) *Path {
	p, err := Compile(path)
	if err != nil {
		panic(err)
	}
	return p
}

// IsDefinite reports whether the path names at most one value (no wildcard,
// slice, filter, deep scan or index union).
func (p *Path) IsDefinite() bool { return p.definite }

// String returns the path as written.
func (p *Path) String() string { return p.src }

// Normalized returns the path as Jayway prints it ($['a'][0]).
func (p *Path) Normalized() string { return normalized(p.segs) }

// Get compiles path (through a concurrency-safe cache) and evaluates it.
func Get(doc any, path string) (any, error) {
	p, err := Compile(path)
	if err != nil {
		return nil, err
	}
	return p.Get(doc)
}
