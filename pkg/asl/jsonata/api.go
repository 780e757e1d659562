package jsonata

import (
	"strings"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
)

// undefinedValue is the type of Undefined; it has no exported form so no JSON
// value can be mistaken for it.
type undefinedValue struct{}

func (undefinedValue) String() string { return "undefined" }

// Undefined is returned by Eval when the expression yields nothing (a missing
// field, an unbound variable, a function returning undefined). AWS fails the
// state with "... returned nothing (undefined)." in that case; the engine
// reports it because only it knows the field.
var Undefined any = undefinedValue{}

// IsUndefined reports whether v is Undefined.
func IsUndefined(v any) bool { _, ok := v.(undefinedValue); return ok }

// IsExpression reports whether a string field value is a JSONata expression,
// and returns the text between the delimiters, trimmed. AWS requires the value
// to start with "{%" and end with "%}" exactly: a value with whitespace before
// "{%" or after "%}" is a plain string literal.
func IsExpression(s string) (inner string, ok bool) {
	if len(s) < 4 || !strings.HasPrefix(s, "{%") || !strings.HasSuffix(s, "%}") {
		return "", false
	}
	return strings.TrimSpace(s[2 : len(s)-2]), true
}

// evalError builds the error every runtime failure is reported with.
func evalError(cause string, wrapped error) *aslerr.Error {
	return &aslerr.Error{Name: aslerr.QueryEvaluationError, Cause: cause, Wrapped: wrapped}
}
