// Package jsonata evaluates the JSONata expressions of Amazon States
// Language ("{% ... %}" field values) the way AWS Step Functions does:
// JSONata 2.0.6 plus the functions AWS adds ($partition, $range, $hash,
// $random with a seed, $uuid, $parse), with the $states binding and
// workflow variables passed per evaluation.
//
// # Choice of library
//
// Two Go ports are served by the module proxy, both at JSONata 1.5 level:
// github.com/blues/jsonata-go v1.5.4 and its fork github.com/xiatechs/jsonata-go
// v1.8.8. Measured unwrapped (TestLibraryComparison) on the 51 expressions
// extracted in isolation from the recorded AWS executions in
// shared/conformance and on a table of 67 JSONata 2.0 / AWS behaviours
// (features_test.go):
//
//	library                      conformance   features
//	blues/jsonata-go v1.5.4      34/51         55/67
//	xiatechs/jsonata-go v1.8.8   35/51         56/67
//	this package (wraps blues)   51/51         67/67
//
// The two differ by a single case ($string of 1e-7). We wrap blues: the fork
// rewrites expression text with regular expressions before parsing (to
// drop comments and re-quote path names), which can change string literals,
// and it pulls in three more modules; its extra functions are not ones
// Step Functions users rely on.
//
// Both libraries share defects that the wrapper works around:
//
//   - A compiled expression is not reusable: evaluating `x ~> $f(y)` inserts
//     x into the call's arguments in the syntax tree, so the second
//     evaluation fails. Expressions containing "~>" are parsed again for
//     every evaluation.
//   - Evaluation is not goroutine-safe: built-in functions are package-level
//     objects that store the calling context in a field. Evaluations inside
//     the library are serialised by one mutex (variables, conversion and
//     the fast path below run outside it).
//   - JSON null in the input was treated as "no value"; input nulls are
//     passed as the library's own null.
//   - A path reaching an empty array returns undefined (JSONata returns the
//     array), and numbers are float64. Expressions that are a plain path
//     ($var or $var.a.b.c, the bulk of state machine expressions) are
//     evaluated directly on the value model: empty arrays and integers of
//     any size come out exactly, and it costs about 90 ns.
//
// # What the wrapper adds
//
// Functions are bound per evaluation as variables implementing the
// library's Callable interface, which also replaces library functions
// whose behaviour differs from JSONata 2.0: $string (15 significant
// digits, JavaScript number notation), $encodeUrl/$encodeUrlComponent
// (%20, not +), $error and $assert (codes D3137/D3141), $formatInteger
// (decimal pictures only), and $now/$millis/$random/$uuid, which read the
// sources in Options (EvalWith) so tests are deterministic. Workflow
// variables shadow functions of the same name, as in jsonata-js.
//
// Results are converted back to the jsonvalue model: integral numbers print
// without a fraction (3, not 3.0), others in JavaScript's shortest form.
// Failures are *aslerr.Error named States.QueryEvaluationError; operator and
// signature errors carry jsonata-js's code and text ("T2002: The right side
// of the "+" operator must evaluate to a number"). An expression yielding
// nothing returns Undefined; one yielding a function fails wrapping
// ErrUnsupportedResult. The engine adds the state and field to both.
//
// # Known gaps
//
//   - JSONata syntax newer than 1.5 does not parse: the parent operator %,
//     focus/index binding (@ and #), and $formatInteger word/roman pictures.
//   - Outside the plain-path fast path, an empty array reached through a
//     path is undefined (so {'k': $states.input.empty} drops k), and
//     arithmetic is float64.
//   - Object key order: inputs are Go maps, so $keys and $string of objects
//     return keys in sorted order, not insertion order.
//   - Seeded $random is deterministic but does not reproduce AWS's values
//     for the same seed; $range returns a lone item unwrapped (as recorded
//     from AWS) and no items as Undefined (not recorded; assumed).
//   - The exact cause texts of AWS for failures inside its own functions
//     are not recorded in the conformance cases; ours are descriptive.
package jsonata
