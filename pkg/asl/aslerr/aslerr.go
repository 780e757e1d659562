// Package aslerr holds the error type that every part of the ASL engine
// reports failures with: an AWS error name (what Retry, Catch and Fail match
// on) and a cause text. The engine's expression packages return these with the
// detail of what went wrong; the engine adds the "An error occurred while
// executing the state ..." prefix that AWS puts on runtime failures.
package aslerr

import (
	"errors"
	"fmt"
)

// The error names defined by the Amazon States Language.
const (
	All                             = "States.ALL"
	HeartbeatTimeout                = "States.HeartbeatTimeout"
	Timeout                         = "States.Timeout"
	TaskFailed                      = "States.TaskFailed"
	Permissions                     = "States.Permissions"
	ResultPathMatchFailure          = "States.ResultPathMatchFailure"
	ParameterPathFailure            = "States.ParameterPathFailure"
	QueryEvaluationError            = "States.QueryEvaluationError"
	BranchFailed                    = "States.BranchFailed"
	NoChoiceMatched                 = "States.NoChoiceMatched"
	IntrinsicFailure                = "States.IntrinsicFailure"
	ExceedToleratedFailureThreshold = "States.ExceedToleratedFailureThreshold"
	ItemReaderFailed                = "States.ItemReaderFailed"
	ResultWriterFailed              = "States.ResultWriterFailed"
	Runtime                         = "States.Runtime"
)

// Error is a failure with an ASL error name and a cause.
type Error struct {
	Name  string
	Cause string
	// Wrapped is the underlying Go error, if any, for logs; it is not part of
	// what a workflow sees.
	Wrapped error
}

func (e *Error) Error() string {
	if e.Cause == "" {
		return e.Name
	}
	return e.Name + ": " + e.Cause
}

func (e *Error) Unwrap() error { return e.Wrapped }

// New returns an Error with a formatted cause.
func New(name, format string, args ...any) *Error {
	return &Error{Name: name, Cause: fmt.Sprintf(format, args...)}
}

// As extracts an *Error from err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}
