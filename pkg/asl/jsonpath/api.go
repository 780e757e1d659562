package jsonpath

import (
	"errors"
	"fmt"
)

// Path is a compiled JSONPath expression. It is immutable and safe for
// concurrent use.
type Path struct {
	src      string
	definite bool
}

// NotFoundError is returned by Get when a definite path names something that
// is not in the document. The engine turns it into the AWS error that fits
// the field it evaluated (e.g. States.Runtime for InputPath/Parameters).
type NotFoundError struct {
	// Path is the whole path as written.
	Path string
	// At is the prefix of Path that did resolve, e.g. "$.a" for "$.a.b.c".
	At string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("the JSONPath %s could not be found in the input", e.Path)
}

// ErrSyntax is wrapped by every Compile error.
var ErrSyntax = errors.New("invalid JSONPath")

// Compile parses path.
func Compile(path string) (*Path, error) {
	return nil, fmt.Errorf("%w %q: not implemented yet", ErrSyntax, path)
}

// MustCompile is Compile for paths known to be valid (tests, constants).
func MustCompile(path string) *Path {
	p, err := Compile(path)
	if err != nil {
		panic(err)
	}
	return p
}

// Get evaluates the path against doc. A definite path returns the value it
// names (or *NotFoundError); an indefinite one (wildcard, slice, filter, deep
// scan, union) returns a []any of its matches, possibly empty.
func (p *Path) Get(doc any) (any, error) { return nil, errors.New("not implemented") }

// IsDefinite reports whether the path names at most one value.
func (p *Path) IsDefinite() bool { return p.definite }

// String returns the path as written.
func (p *Path) String() string { return p.src }

// Get compiles path (through a concurrency-safe cache) and evaluates it.
func Get(doc any, path string) (any, error) {
	p, err := Compile(path)
	if err != nil {
		return nil, err
	}
	return p.Get(doc)
}

// Set returns a copy of doc with v stored at path, with ResultPath semantics:
// "$" replaces the whole document; "$.a.b" sets b inside a, creating missing
// objects on the way. doc is never mutated: containers along the path are
// copied, the rest is shared. It fails when a step on the way is not an
// object, or the path is not a simple chain of names.
func Set(doc any, path string, v any) (any, error) { return nil, errors.New("not implemented") }

// Split separates the root of a path from its rest, rewritten to start at
// "$": "$$.Execution.Id" -> ("$$", "$.Execution.Id"), "$myVar.a" ->
// ("$myVar", "$.a"), "$.a" -> ("$", "$.a"), "$$" -> ("$$", "$").
func Split(path string) (root, rest string) { return "$", path }
