package jsonpath

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// SetError reports why Set could not place a value. The engine turns it into
// States.ResultPathMatchFailure with a cause of its own wording.
type SetError struct {
	// Path is the path as written.
	Path string
	// At is the normalized prefix where the walk stopped ($['a']).
	At string
	// Found is the value found there (not an object, or not an array).
	Found any
	// Msg says what was wrong.
	Msg string
}

func (e *SetError) Error() string {
	return fmt.Sprintf("cannot apply path %s: %s", e.Path, e.Msg)
}

// Set returns a copy of doc with v stored at path, with ResultPath semantics:
// "$" replaces the whole document; "$.a.b" sets b inside a, creating missing
// objects on the way; "$.a[0]" replaces an existing array element. doc is
// never mutated: the containers along the path are copied, everything else
// is shared. It fails when a step on the way is not an object (or array, for
// an index), when an index is out of range, or when the path is not a chain
// of single names and indexes.
func Set(doc any, path string, v any) (any, error) {
	p, err := Compile(path)
	if err != nil {
		return nil, err
	}
	return p.Set(doc, v)
}

// Set is the compiled form of the package-level Set.
func (p *Path) Set(doc any, v any) (any, error) {
	if !p.simple {
		return nil, &SetError{Path: p.src, At: "$", Found: doc, Msg: "a result path must be a chain of single names and indexes"}
	}
	return p.setAt(0, doc, v)
}

func (p *Path) setAt(i int, cur any, v any) (any, error) {
	if i == len(p.segs) {
		return v, nil
	}
	s := &p.segs[i]
	if s.kind == segName {
		var m map[string]any
		switch x := cur.(type) {
		case map[string]any:
			m = x
		default:
			// Only a missing member is created; an explicit null (or any
			// other non-object) in the document is a mismatch.
			return nil, p.setErr(i, cur, "expected an object")
		}
		child, ok := m[s.names[0]]
		var nv any
		var err error
		if !ok {
			nv, err = p.create(i+1, v)
		} else {
			nv, err = p.setAt(i+1, child, v)
		}
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(m)+1)
		for k, e := range m {
			out[k] = e
		}
		out[s.names[0]] = nv
		return out, nil
	}
	arr, ok := cur.([]any)
	if !ok {
		return nil, p.setErr(i, cur, "expected an array")
	}
	idx := s.indexes[0]
	if idx < 0 {
		idx += len(arr)
	}
	if idx < 0 || idx >= len(arr) {
		return nil, p.setErr(i, cur, fmt.Sprintf("index %d is out of range", s.indexes[0]))
	}
	nv, err := p.setAt(i+1, arr[idx], v)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(arr))
	copy(out, arr)
	out[idx] = nv
	return out, nil
}

// create builds the objects for the rest of the path below a missing member.
func (p *Path) create(i int, v any) (any, error) {
	if i == len(p.segs) {
		return v, nil
	}
	s := &p.segs[i]
	if s.kind != segName {
		return nil, p.setErr(i, nil, "cannot create an array element")
	}
	child, err := p.create(i+1, v)
	if err != nil {
		return nil, err
	}
	return map[string]any{s.names[0]: child}, nil
}

func (p *Path) setErr(i int, found any, msg string) error {
	return &SetError{Path: p.src, At: normalized(p.segs[:i]), Found: found,
		Msg: fmt.Sprintf("%s at %s, found %s", msg, normalized(p.segs[:i]), jsonvalue.TypeName(found))}
}

// Split separates the root of a path from its rest, rewritten to start at
// "$": "$$.Execution.Id" -> ("$$", "$.Execution.Id"), "$myVar.a" ->
// ("$myVar", "$.a"), "$myVar[0]" -> ("$myVar", "$[0]"), "$.a" -> ("$", "$.a"),
// "$$" -> ("$$", "$"). A string that does not start with "$" comes back as
// ("", path).
func Split(path string) (root, rest string) {
	if !strings.HasPrefix(path, "$") {
		return "", path
	}
	if strings.HasPrefix(path, "$$") {
		return "$$", "$" + path[2:]
	}
	i := 1
	for i < len(path) {
		r, size := utf8.DecodeRuneInString(path[i:])
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		i += size
	}
	return path[:i], "$" + path[i:]
}
