// Package operator holds the logic of the operator verbs (send, executions,
// start, resync, parked, redrive) as plain functions over small client
// interfaces and a target.Target, so the CLI, the console and tests share it.
// The same code runs against the local runtime and against AWS: the target
// only says where the APIs are and what the resources are called.
package operator

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/parking"
	"github.com/logiwaflow/logiwaflow/pkg/target"
)

// SFN is the part of the Step Functions client the verbs use.
type SFN interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, opts ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, opts ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	ListExecutions(ctx context.Context, in *sfn.ListExecutionsInput, opts ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error)
	GetExecutionHistory(ctx context.Context, in *sfn.GetExecutionHistoryInput, opts ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error)
}

// Operator runs the verbs against one target.
type Operator struct {
	Target target.Target
	SFN    SFN
	S3     parking.ObjectStore
	SQS    message.Sender
	// Now is the operator's clock, for relative times such as --since 2h;
	// nil is the wall clock.
	Now func() time.Time
	// Poll is how often a waiting verb looks at a running execution; 0 means
	// 500 ms.
	Poll time.Duration
}

// New builds an operator with SDK clients from cfg.
func New(t target.Target, cfg aws.Config) *Operator {
	return &Operator{
		Target: t,
		SFN:    sfn.NewFromConfig(cfg),
		S3:     s3.NewFromConfig(cfg),
		SQS:    sqs.NewFromConfig(cfg),
	}
}

func (o *Operator) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC()
	}
	return time.Now().UTC()
}

func (o *Operator) poll() time.Duration {
	if o.Poll > 0 {
		return o.Poll
	}
	return 500 * time.Millisecond
}

// Kind classifies a failure for the CLI's exit status.
type Kind int

// Kinds of failure.
const (
	// KindFailed: the operation ran and failed (an execution failed, a
	// message was invalid, something was not found).
	KindFailed Kind = iota + 1
	// KindUsage: the request itself is wrong (unknown machine, bad JSON).
	KindUsage
	// KindUnreachable: the target's APIs did not answer.
	KindUnreachable
)

// Error is a failure with its kind.
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func usagef(format string, args ...any) error {
	return &Error{Kind: KindUsage, Err: fmt.Errorf(format, args...)}
}

func failedf(format string, args ...any) error {
	return &Error{Kind: KindFailed, Err: fmt.Errorf(format, args...)}
}

// Classify returns an error's kind: its own when it is an *Error,
// KindUnreachable when the SDK could not send the request at all (refused
// connection, unknown host), KindFailed otherwise.
func Classify(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	var rse *smithyhttp.RequestSendError
	if errors.As(err, &rse) {
		return KindUnreachable
	}
	return KindFailed
}

// MachineNames lists the target's state machines by definition name.
func (o *Operator) MachineNames() []string {
	names := make([]string, 0, len(o.Target.StateMachines))
	for n := range o.Target.StateMachines {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// MachineARN resolves a definition name (orders, inventory-sync, ...) or a
// state machine ARN.
func (o *Operator) MachineARN(nameOrARN string) (string, error) {
	if strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN, nil
	}
	if arn, ok := o.Target.StateMachines[nameOrARN]; ok {
		return arn, nil
	}
	return "", usagef("unknown state machine %q (want one of %s)", nameOrARN, strings.Join(o.MachineNames(), ", "))
}

// machineName maps an ARN back to its definition name, or the ARN's last
// part when the target does not know it.
func (o *Operator) machineName(arn string) string {
	for n, a := range o.Target.StateMachines {
		if a == arn {
			return n
		}
	}
	if i := strings.LastIndexByte(arn, ':'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// executionARN derives an execution's ARN from its machine's ARN and name,
// as Step Functions builds it.
func executionARN(machineARN, name string) string {
	return strings.Replace(machineARN, ":stateMachine:", ":execution:", 1) + ":" + name
}

// ParseSince reads a time given as RFC 3339, a date (2006-01-02, midnight
// UTC), or a duration back from now ("90m", "2h", "3d").
func ParseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.UTC(), nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int
		if _, err := fmt.Sscanf(n, "%d", &days); err == nil && fmt.Sprint(days) == n && days >= 0 {
			return now.Add(-time.Duration(days) * 24 * time.Hour).UTC(), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, usagef("time %q: want RFC 3339 (2026-11-25T09:00:00Z), a date (2026-11-25) or a duration back from now (90m, 2h, 3d)", s)
}
