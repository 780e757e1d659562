package jsonata

import (
	"errors"
	"fmt"
	"reflect"

	blues "github.com/blues/jsonata-go"
	"github.com/blues/jsonata-go/jparse"
)

// jsErrors maps the library's evaluation error kinds to the code and text
// jsonata-js 2.0 reports for the same failure, which is what AWS passes on.
var jsErrors = map[blues.ErrType]struct{ code, text string }{
	blues.ErrNonNumberLHS:       {"T2001", "The left side of the %s operator must evaluate to a number"},
	blues.ErrNonNumberRHS:       {"T2002", "The right side of the %s operator must evaluate to a number"},
	blues.ErrNonIntegerLHS:      {"T2003", "The left side of the range operator (..) must evaluate to an integer"},
	blues.ErrNonIntegerRHS:      {"T2004", "The right side of the range operator (..) must evaluate to an integer"},
	blues.ErrNonComparableLHS:   {"T2010", "The expressions either side of operator %s must evaluate to numeric or string values"},
	blues.ErrNonComparableRHS:   {"T2010", "The expressions either side of operator %s must evaluate to numeric or string values"},
	blues.ErrTypeMismatch:       {"T2009", "The values either side of operator %s must be of the same data type"},
	blues.ErrNonCallable:        {"T1006", "Attempted to invoke a non-function"},
	blues.ErrNonCallableApply:   {"T2006", "The right side of the function application operator ~> must be a function"},
	blues.ErrNonCallablePartial: {"T1008", "Attempted to partially apply a non-function"},
	blues.ErrNumberInf:          {"D1001", "Number out of range"},
	blues.ErrNumberNaN:          {"D1001", "Number out of range"},
	blues.ErrMaxRangeItems:      {"D2014", "The size of the sequence allocated by the range operator (..) must not exceed 1e7"},
	blues.ErrIllegalKey:         {"T1003", "Key in object structure must evaluate to a string"},
	blues.ErrDuplicateKey:       {"D1009", "Multiple key definitions evaluate to same key: %q"},
	blues.ErrIllegalUpdate:      {"T2011", "The insert/update clause of the transform expression must evaluate to an object"},
	blues.ErrIllegalDelete:      {"T2012", "The delete clause of the transform expression must evaluate to a string or array of strings"},
	blues.ErrNonSortable:        {"T2008", "The expressions within an order-by clause must evaluate to numeric or string values"},
	blues.ErrSortMismatch:       {"T2007", "Type mismatch when comparing values in order-by clause"},
}

// runtimeCause renders an evaluation failure as a cause text.
func runtimeCause(err error) string {
	var ee *blues.EvalError
	if errors.As(err, &ee) {
		if m, ok := jsErrors[ee.Type]; ok {
			text := m.text
			if countVerbs(text) == 1 {
				arg := ee.Value
				if ee.Type != blues.ErrDuplicateKey {
					arg = fmt.Sprintf("%q", ee.Value)
				}
				text = fmt.Sprintf(text, arg)
			}
			return m.code + ": " + text
		}
	}
	var ac *blues.ArgCountError
	if errors.As(err, &ac) {
		return fmt.Sprintf("T0410: Function $%s takes %d argument(s), got %d", ac.Func, ac.Expected, ac.Received)
	}
	var at *blues.ArgTypeError
	if errors.As(err, &at) {
		return fmt.Sprintf("T0410: Argument %d of function $%s does not match function signature", at.Which, at.Func)
	}
	return err.Error()
}

// compileCause renders a syntax error.
func compileCause(expr string, err error) string {
	var pe *jparse.Error
	if errors.As(err, &pe) {
		return fmt.Sprintf("Invalid JSONata expression '%s': S0201: %s (at position %d)", expr, pe.Error(), pe.Position+1)
	}
	return fmt.Sprintf("Invalid JSONata expression '%s': %v", expr, err)
}

func countVerbs(s string) int {
	n := 0
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' {
			n++
			i++
		}
	}
	return n
}

// preprocess adapts source text before the library parses it. It is the
// hook for syntax the library reads differently from JSONata 2.0; see
// doc.go for what is and is not covered.
func preprocess(expr string) string { return expr }

func reflectOf(v any) reflect.Value { return reflect.ValueOf(v) }
