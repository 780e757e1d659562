// Package intrinsic parses and evaluates the Amazon States Language intrinsic
// functions (States.Format, States.Array, States.Hash, ...) the way AWS Step
// Functions does.
//
// Compile parses a call once (nested calls, '...' strings with the escapes
// \' \{ \} \\, numbers, true/false/null, and path arguments: $.x, $$.x,
// $var, $var.x, including filters with commas and parentheses) and checks
// each function's argument count. Eval runs it; path arguments are handed to
// the caller's resolve function, so context-object and variable lookups stay
// with the engine.
//
// Behaviour pinned by recordings against AWS (see the conformance test):
//   - States.Format renders strings bare, null as null, numbers as written,
//     arrays as [a, b] and objects as {k=v, k2=v2} (Java's toString);
//   - States.StringToJson of "" is null, and "-0" parses to 0;
//   - States.MathAdd rounds each argument half up (Java Math.round) first;
//   - States.StringSplit splits at any character of the delimiter string and
//     drops empty pieces (Java's StringTokenizer).
//
// Runtime failures are *aslerr.Error named States.IntrinsicFailure with a
// cause "Invalid arguments in States.X: ..."; the engine adds the state
// prefix. Errors returned by resolve pass through unchanged.
//
// Known approximations: object keys in States.Format come out sorted (our
// value model has no key order), and the cause texts of failures are ours,
// since no failing intrinsic was recorded against AWS.
package intrinsic
