// Package asl runs Amazon States Language state machines the way AWS Step
// Functions does: the same outputs, error names, cause texts and execution
// history events.
//
// The package keeps parsing (parse.go: definition -> compiled tree, every
// expression compiled once), evaluation (engine.go, execution.go and one
// state_*.go file per state type) and history (history.go: the one place
// events are built and numbered) apart.
//
// Task states call a TaskRunner. For a Lambda function ARN the runner returns
// the function's result and the engine uses it as the state's result. For the
// optimised integration "arn:aws:states:::lambda:invoke" the runner also
// returns the function's result (the Payload) and the engine wraps it the way
// AWS does: {"ExecutedVersion":"$LATEST","Payload":...,"SdkHttpMetadata":...,
// "SdkResponseMetadata":...,"StatusCode":200}. Runners fail with
// *aslerr.Error whose Name is what Retry and Catch match; a Lambda function
// error is Name = the function's errorType and Cause = LambdaErrorCause(...).
// Any other error becomes States.TaskFailed with the error text as cause.
// A Map state's ItemReader and ResultWriter call the same runner with their
// own Resource (see state_map_io.go for the request and result shapes).
//
// Speed: an execution someone Waits for without a deadline runs on the
// waiting goroutine; others start on a pool goroutine. Map iterations and
// Parallel branches run on the state's own goroutine until one of them
// waits (or takes longer than 100µs), and only then on more goroutines
// (see lazyGroup). History events are kept compactly and turned into
// HistoryEvent values when History is read.
package asl

import (
	"context"
	"log/slog"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
)

// TaskRunner executes the Resource of a Task state.
type TaskRunner interface {
	RunTask(ctx context.Context, req TaskRequest) (any, error)
}

// TaskRunnerFunc adapts a function to TaskRunner.
type TaskRunnerFunc func(ctx context.Context, req TaskRequest) (any, error)

// RunTask calls f.
func (f TaskRunnerFunc) RunTask(ctx context.Context, req TaskRequest) (any, error) {
	return f(ctx, req)
}

// TaskRequest is one invocation of a Task state's resource.
type TaskRequest struct {
	// Resource is the state's Resource ARN, e.g.
	// "arn:aws:lambda:us-east-1:1:function:x", "arn:aws:states:::lambda:invoke",
	// "arn:aws:states:::sqs:sendMessage.waitForTaskToken".
	Resource string
	// Input is the effective parameters (after InputPath/Parameters or Arguments).
	Input     any
	StateName string

	ExecutionName, ExecutionARN, StateMachineName string
	// TaskToken is set for .waitForTaskToken resources; the engine then waits
	// for SendTaskSuccess/Failure with this token after RunTask returns.
	TaskToken string
	// TimeoutSeconds and HeartbeatSeconds are the state's limits; 0 = none.
	TimeoutSeconds, HeartbeatSeconds int
	// Credentials is the state's Credentials field, evaluated.
	Credentials any
	// Attempt is the 0-based retry count of this state.
	Attempt int
	// ContextObject is the $$ value as seen by this state.
	ContextObject any
}

// Option configures an Engine.
type Option func(*Engine)

// WithClock sets the clock Waits, retries, timeouts and timestamps use.
func WithClock(c clock.Clock) Option { return func(e *Engine) { e.clock = c } }

// WithTasks sets the runner for Task states.
func WithTasks(r TaskRunner) Option { return func(e *Engine) { e.tasks = r } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// WithIDs sets the source of UUIDs (execution names, task tokens,
// States.UUID); tests make it deterministic.
func WithIDs(g func() string) Option { return func(e *Engine) { e.ids = g } }

// Status is an execution's status as AWS names it.
type Status string

// The execution statuses.
const (
	StatusRunning   Status = "RUNNING"
	StatusSucceeded Status = "SUCCEEDED"
	StatusFailed    Status = "FAILED"
	StatusTimedOut  Status = "TIMED_OUT"
	StatusAborted   Status = "ABORTED"
)

// StartOptions names an execution.
type StartOptions struct {
	// Name is the execution name; empty = a generated UUID.
	Name string
	// StateMachineARN defaults to a local ARN built from StateMachineName.
	StateMachineARN string
	// ExecutionARN defaults to one derived from StateMachineARN and Name.
	ExecutionARN string
	RoleARN      string
	// StartTime is the execution's start; zero = the clock's now.
	StartTime time.Time
}

// Result is how an execution ended.
type Result struct {
	Status    Status
	Output    any
	Error     string
	Cause     string
	StartDate time.Time
	StopDate  time.Time
}
