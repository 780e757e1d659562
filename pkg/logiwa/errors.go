package logiwa

import (
	"fmt"
	"strings"
	"time"
)

// ASL error names the state machines match in Retry and Catch. They are the
// contract between this client and statemachines/*.json: never rename them.
const (
	NameUnavailable  = "Logiwa.Unavailable"
	NameRateLimited  = "Logiwa.RateLimited"
	NameUnauthorized = "Logiwa.Unauthorized"
	NameRejected     = "Logiwa.Rejected"
	// NameOrderNotFound is a request naming a shipment order Logiwa does not
	// hold. Kept apart from Rejected because the order may only be late (its
	// own message still queued or retrying), so the workflow waits for it.
	NameOrderNotFound = "Logiwa.OrderNotFound"
)

// UnavailableError means Logiwa could not be reached or did not answer
// usefully: 5xx, 503 maintenance, refused or reset connections, timeouts,
// and malformed or truncated bodies. Worth retrying with back-off.
type UnavailableError struct {
	Op          string // the operation, e.g. `create shipment order "A-1"`
	Call        CallInfo
	Maintenance bool   // 503: Logiwa's documented maintenance answer
	Reason      string // short human summary
	Err         error  // underlying transport, context or decode error, if any
}

// ErrorName returns the ASL error name.
func (e *UnavailableError) ErrorName() string { return NameUnavailable }

func (e *UnavailableError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s%s: %s", NameUnavailable, opPrefix(e.Op), e.Call.describe(), e.Reason)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// RateLimitedError is a 429. RetryAfter is zero when Logiwa sent no usable
// Retry-After header; the workflow's own back-off applies then.
type RateLimitedError struct {
	Op         string // the operation, e.g. `create shipment order "A-1"`
	Call       CallInfo
	RetryAfter time.Duration
	Message    string
}

// ErrorName returns the ASL error name.
func (e *RateLimitedError) ErrorName() string { return NameRateLimited }

func (e *RateLimitedError) Error() string {
	msg := fmt.Sprintf("%s: %s%s: too many requests", NameRateLimited, opPrefix(e.Op), e.Call.describe())
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// UnauthorizedError means the credentials were refused at login, or a call
// was still answered 401 after one fresh login. Retrying will not help until
// someone fixes the credentials or the account's permissions.
type UnauthorizedError struct {
	Op      string // the operation, e.g. `create shipment order "A-1"`
	Call    CallInfo
	Login   bool // true when the login itself was refused
	Message string
}

// ErrorName returns the ASL error name.
func (e *UnauthorizedError) ErrorName() string { return NameUnauthorized }

func (e *UnauthorizedError) Error() string {
	what := "still unauthorized after a fresh login"
	if e.Login {
		what = "login refused"
	}
	msg := fmt.Sprintf("%s: %s%s: %s", NameUnauthorized, opPrefix(e.Op), e.Call.describe(), what)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// FieldError is one entry of Logiwa's validation shape
// {"message", "data": [{"property", "errorMessage"}], "code", "status"}.
type FieldError struct {
	Property string `json:"property"`
	Message  string `json:"errorMessage"`
}

// RejectedError means Logiwa (or this client, before sending) refused the
// request as invalid: 400, 404, 413, 414, 415 and other 4xx. The same request
// will be refused again, so workflows park it instead of retrying.
type RejectedError struct {
	Op          string // the operation, e.g. `create shipment order "A-1"`
	Call        CallInfo
	Message     string       // message / title / description from the body
	Code        string       // e.g. "validation", "VALIDATION_ERROR", when sent
	FieldErrors []FieldError // per-field validation errors, when sent
	Body        string       // raw body (truncated) when it was not JSON
}

// ErrorName returns the ASL error name.
func (e *RejectedError) ErrorName() string { return NameRejected }

func (e *RejectedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s%s", NameRejected, opPrefix(e.Op), e.Call.describe())
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	} else if e.Body != "" {
		fmt.Fprintf(&b, ": %s", e.Body)
	}
	for i, fe := range e.FieldErrors {
		if i == 0 {
			b.WriteString(" [")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", fe.Property, fe.Message)
		if i == len(e.FieldErrors)-1 {
			b.WriteString("]")
		}
	}
	return b.String()
}

// OrderNotFoundError means the request names a shipment order (by code or
// identifier) that Logiwa does not hold: a cancel of an unknown order, or a
// return order against one. Logiwa gives no distinct answer for it (a cancel
// is refused 404, a return create 400 "Shipment order not found."), so the
// client confirms it with a lookup of the order before reporting it.
type OrderNotFoundError struct {
	Op      string // the operation, e.g. `cancel shipment order "A-1"`
	Call    CallInfo
	Order   string // the order's code or identifier as the request named it
	Message string // Logiwa's refusal, when the request reached it
}

// ErrorName returns the ASL error name.
func (e *OrderNotFoundError) ErrorName() string { return NameOrderNotFound }

func (e *OrderNotFoundError) Error() string {
	msg := fmt.Sprintf("%s: %s%s: Logiwa has no shipment order %q", NameOrderNotFound, opPrefix(e.Op), e.Call.describe(), e.Order)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Named is implemented by every error this package returns for a failed
// call; the gate worker uses it to fill SendTaskFailure's error field.
type Named interface {
	error
	ErrorName() string
}

var (
	_ Named = (*UnavailableError)(nil)
	_ Named = (*RateLimitedError)(nil)
	_ Named = (*UnauthorizedError)(nil)
	_ Named = (*RejectedError)(nil)
	_ Named = (*OrderNotFoundError)(nil)
)

func opPrefix(op string) string {
	if op == "" {
		return ""
	}
	return op + ": "
}

// withOp names the operation on a typed error and returns it unwrapped:
// aws-lambda-go reports the Go type name of the error a handler returns, so
// wrapping with fmt.Errorf here would hide the type from the workflow. The
// innermost operation wins, being the most precise. Other errors are wrapped.
func withOp(err error, op string) error {
	if err == nil {
		return nil
	}
	switch e := err.(type) {
	case *UnavailableError:
		if e.Op == "" {
			e.Op = op
		}
	case *RateLimitedError:
		if e.Op == "" {
			e.Op = op
		}
	case *UnauthorizedError:
		if e.Op == "" {
			e.Op = op
		}
	case *RejectedError:
		if e.Op == "" {
			e.Op = op
		}
	case *OrderNotFoundError:
		if e.Op == "" {
			e.Op = op
		}
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
	return err
}
