package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// kind is the JSON type of a node.
type kind int

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

func (k kind) String() string {
	return [...]string{"null", "boolean", "number", "string", "array", "object"}[k]
}

// node is one JSON value, decoded keeping object members in document order
// and keeping duplicate keys, which encoding/json's maps would silently drop:
// a repeated state name is a fault AWS reports.
type node struct {
	kind    kind
	boolean bool
	text    string // a string's value, or a number's literal text
	items   []*node
	members []member
}

type member struct {
	key string
	val *node
}

// get returns the value of key in an object (the last one when repeated, as
// a lenient JSON reader would), or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != kindObject {
		return nil
	}
	var found *node
	for _, m := range n.members {
		if m.key == key {
			found = m.val
		}
	}
	return found
}

func (n *node) has(key string) bool { return n.get(key) != nil }

// str returns a string node's value and whether n is a string.
func (n *node) str() (string, bool) {
	if n == nil || n.kind != kindString {
		return "", false
	}
	return n.text, true
}

// number returns a number node's value as float64.
func (n *node) number() (float64, bool) {
	if n == nil || n.kind != kindNumber {
		return 0, false
	}
	f, err := strconv.ParseFloat(n.text, 64)
	return f, err == nil
}

// syntaxError is a JSON syntax fault with its line and column.
type syntaxError struct {
	msg          string
	line, column int
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("%s at line: %d, column: %d", e.msg, e.line, e.column)
}

// decodeNode parses one JSON document into a node tree.
func decodeNode(data []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := readNode(dec)
	if err != nil {
		return nil, positioned(data, dec, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, positioned(data, dec, errors.New("unexpected data after the end of the JSON object"))
	}
	return n, nil
}

func readNode(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return &node{kind: kindNull}, nil
	case bool:
		return &node{kind: kindBool, boolean: t}, nil
	case json.Number:
		return &node{kind: kindNumber, text: string(t)}, nil
	case string:
		return &node{kind: kindString, text: t}, nil
	case json.Delim:
		switch t {
		case '[':
			n := &node{kind: kindArray}
			for dec.More() {
				item, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, item)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		case '{':
			n := &node{kind: kindObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key is not a string")
				}
				val, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.members = append(n.members, member{key: key, val: val})
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		}
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// positioned attaches a line and column to a decoding error.
func positioned(data []byte, dec *json.Decoder, err error) error {
	off := dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	prefix := data[:off]
	line := bytes.Count(prefix, []byte{'\n'}) + 1
	col := int(off) - (bytes.LastIndexByte(prefix, '\n') + 1) + 1
	msg := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) {
		msg = "Unexpected end-of-input"
	}
	msg = strings.TrimPrefix(msg, "json: ")
	return &syntaxError{msg: msg, line: line, column: col}
}
