// Package validate checks Amazon States Language definitions statically, the
// way AWS Step Functions does in CreateStateMachine and
// ValidateStateMachineDefinition: it reports every fault it finds with AWS's
// diagnostic code, the JSON-pointer-like location AWS reports, and a message
// worded like AWS's.
//
// What it checks, per AWS's rules: JSON syntax; the fields each state type
// accepts and requires, and their types and bounds; Next/End; transition
// targets, reachability and the existence of a terminal state within each
// (sub-)machine; state names (unique across the whole machine, at most 80
// characters); Choice rules; Wait durations; Fail Error/Cause; Retry and
// Catch; Parallel branches and Map processors (recursively, each its own
// scope); Distributed Map ItemReader, ItemBatcher and ResultWriter; the
// fields of each query language and a JSONata machine's states staying
// JSONata; JSONPath and Reference Path syntax, "key.$" payload values,
// intrinsic function calls and "{% %}" expressions (compiled with the
// engine's JSONata compiler); variable names and assignments to variables of
// an enclosing scope.
//
// It works on the raw JSON (an order-preserving decoding of its own) rather
// than on the engine's syntax tree, so it can report unknown fields, wrong
// types and duplicate keys precisely, and so a definition the engine could not
// even parse still gets a useful answer.
package validate

import (
	"strings"
)

// Severities of a Diagnostic.
const (
	SeverityError   = "ERROR"
	SeverityWarning = "WARNING"
)

// Diagnostic codes, as ValidateStateMachineDefinition reports them.
const (
	CodeInvalidJSON       = "INVALID_JSON_DESCRIPTION"
	CodeMissingDesc       = "MISSING_DESCRIPTION"
	CodeSchema            = "SCHEMA_VALIDATION_FAILED"
	CodeInvalidResource   = "INVALID_RESOURCE"
	CodeMissingEndState   = "MISSING_END_STATE"
	CodeDuplicateState    = "DUPLICATE_STATE_NAME"
	CodeInvalidStateName  = "INVALID_STATE_NAME"
	CodeMissingTransition = "MISSING_TRANSITION_TARGET"
	CodeTooDeeplyNested   = "TOO_DEEPLY_NESTED"
	// Warnings.
	CodeNoDollar           = "NO_DOLLAR"
	CodeNoPath             = "NO_PATH"
	CodePassResultIsStatic = "PASS_RESULT_IS_STATIC"
)

// Diagnostic is one fault found in a definition.
// Its JSON form is the ValidateStateMachineDefinitionDiagnostic wire shape.
type Diagnostic struct {
	// Code is AWS's diagnostic code, e.g. SCHEMA_VALIDATION_FAILED.
	Code string `json:"code"`
	// Location is where the fault is, as AWS reports it: "/" for the top
	// level, "/States/Validate/Next" for a field of a state,
	// "/States/P/Branches[0]/States/X" inside a branch. Empty when AWS
	// reports none (no terminal state, a definition that is not an object).
	Location string `json:"location,omitempty"`
	// Message describes the fault without the location, as AWS's diagnostic
	// message does.
	Message string `json:"message"`
	// Severity is SeverityError or SeverityWarning.
	Severity string `json:"severity"`
}

// String renders the diagnostic the way AWS embeds it in an InvalidDefinition
// error: "CODE: message at /location".
func (d Diagnostic) String() string {
	s := d.Code + ": " + d.Message
	if d.Location != "" {
		s += " at " + d.Location
	}
	return s
}

// Options tunes the checks. The zero value validates as AWS does for a
// STANDARD state machine.
type Options struct {
	// Express validates for an EXPRESS state machine, which rejects the
	// .sync and .waitForTaskToken integration patterns.
	Express bool
	// AllowAnyResource accepts Task resources that are not ARNs (for
	// definitions written for a local runtime that names handlers directly).
	AllowAnyResource bool
	// MaxNesting is how deep Parallel and Map may nest before
	// TOO_DEEPLY_NESTED; 0 means the default of 40.
	MaxNesting int
}

// Definition validates a state machine definition with the default options
// and returns every fault found; an empty result means the definition is
// valid.
func Definition(def []byte) []Diagnostic {
	return DefinitionWith(def, Options{})
}

// DefinitionWith is Definition with options.
func DefinitionWith(def []byte, opts Options) []Diagnostic {
	v := &validator{opts: opts}
	v.run(def)
	return v.diags
}

// Errors returns the diagnostics of severity ERROR.
func Errors(diags []Diagnostic) []Diagnostic {
	var out []Diagnostic
	for _, d := range diags {
		if d.Severity == SeverityError {
			out = append(out, d)
		}
	}
	return out
}

// InvalidDefinitionError is the error Error returns: AWS's InvalidDefinition.
type InvalidDefinitionError struct {
	Diagnostics []Diagnostic // the ERROR diagnostics, in the order found
}

// Error renders the message as AWS's CreateStateMachine does:
// "Invalid State Machine Definition: 'CODE: message at /loc, CODE: ...'".
func (e *InvalidDefinitionError) Error() string {
	parts := make([]string, len(e.Diagnostics))
	for i, d := range e.Diagnostics {
		parts[i] = d.String()
	}
	return "Invalid State Machine Definition: '" + strings.Join(parts, ", ") + "'"
}

// Error returns nil when diags hold no ERROR, else an *InvalidDefinitionError.
func Error(diags []Diagnostic) error {
	errs := Errors(diags)
	if len(errs) == 0 {
		return nil
	}
	return &InvalidDefinitionError{Diagnostics: errs}
}
