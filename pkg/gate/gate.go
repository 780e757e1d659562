// Package gate is the call-Logiwa worker: the one place every Logiwa request
// in the system passes through. Workflows put a request on the gate queue
// with a task token (sqs:sendMessage.waitForTaskToken); an event source
// mapping with a maximum concurrency hands the worker batches; the worker
// paces each HTTP request to the account's rate limit, calls Logiwa, and
// answers the waiting execution with SendTaskSuccess ({operation, result,
// latencyMs}) or SendTaskFailure (the typed error name, e.g.
// Logiwa.Unavailable, and the detail). A refund naming a shipment order
// Logiwa does not hold fails as Logiwa.OrderNotFound, not Logiwa.Rejected:
// the order's own message may only be behind it, so the workflow waits. A burst waits in the queue, not in
// billed retries; retries are the workflow's.
package gate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// Responder is the part of the Step Functions client the worker uses.
type Responder interface {
	SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, opts ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, opts ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
}

// Operation performs one kind of Logiwa request. It returns the result to
// hand the workflow, and the time spent waiting on Logiwa (not on the pacer).
type Operation func(ctx context.Context, payload json.RawMessage) (result any, latency time.Duration, err error)

// Request is one gate message.
type Request struct {
	TaskToken string          `json:"taskToken"`
	Execution string          `json:"execution"`
	Operation string          `json:"operation"`
	Payload   json.RawMessage `json:"payload"`
}

// Response is what a waiting execution receives on success.
type Response struct {
	Operation string `json:"operation"`
	Result    any    `json:"result"`
	LatencyMs int64  `json:"latencyMs"`
}

// Worker answers gate messages.
type Worker struct {
	SFN        Responder
	Operations map[string]Operation
	Logger     *slog.Logger
	// Meter, when set, records every answered call.
	Meter *Meter
	// Claims, when set, order the writes of each entity by version.
	Claims WriteClaims
}

// Named is implemented by errors that carry the name a workflow matches.
type Named interface{ ErrorName() string }

// Names of failures the worker itself reports.
const (
	NameBadRequest = "Gate.BadRequest"
	NameInternal   = "Gate.Internal"
)

// maxCause is Step Functions' limit on a SendTaskFailure cause.
const maxCause = 32768

// Handle processes one batch. A message whose answer could not be delivered
// to Step Functions is reported as a batch item failure, so SQS redelivers it
// and the (idempotent) call is made again; one whose token is gone (the
// execution timed out or stopped) is dropped, as nobody waits for it.
func (w *Worker) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		if err := w.handleOne(ctx, rec); err != nil {
			w.log().Error("gate message not answered; SQS will redeliver", "sqsMessageId", rec.MessageId, "err", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

func (w *Worker) log() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.Default()
}

func (w *Worker) handleOne(ctx context.Context, rec events.SQSMessage) error {
	var req Request
	if err := json.Unmarshal([]byte(rec.Body), &req); err != nil || req.TaskToken == "" {
		// Without a token there is nobody to answer: drop it loudly.
		w.log().Error("gate message without a task token dropped", "sqsMessageId", rec.MessageId, "err", err)
		return nil
	}
	log := w.log().With("execution", req.Execution, "operation", req.Operation)
	result, latency, err := w.claimed(ctx, req, func() (any, time.Duration, error) { return w.call(ctx, req) })
	if err != nil {
		name, cause := describe(err)
		if w.Meter != nil {
			w.Meter.Observe(req.Execution, req.Operation, latency, name)
		}
		log.Warn("Logiwa call failed", "error", name, "cause", cause, "latencyMs", latency.Milliseconds())
		_, serr := w.SFN.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{
			TaskToken: aws.String(req.TaskToken), Error: aws.String(name), Cause: aws.String(cause),
		})
		return tokenGone(serr)
	}
	out, err := json.Marshal(Response{Operation: req.Operation, Result: result, LatencyMs: latency.Milliseconds()})
	if err != nil {
		return fmt.Errorf("encode result of %s: %w", req.Operation, err)
	}
	if w.Meter != nil {
		w.Meter.Observe(req.Execution, req.Operation, latency, "")
	}
	log.Info("Logiwa call done", "latencyMs", latency.Milliseconds())
	_, serr := w.SFN.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(req.TaskToken), Output: aws.String(string(out))})
	return tokenGone(serr)
}

func (w *Worker) call(ctx context.Context, req Request) (res any, latency time.Duration, err error) {
	op, ok := w.Operations[req.Operation]
	if !ok {
		return nil, 0, &BadRequestError{Msg: fmt.Sprintf("unknown operation %q", req.Operation)}
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("operation %s panicked: %v", req.Operation, p)
		}
	}()
	return op(ctx, req.Payload)
}

// tokenGone treats an answer nobody waits for as delivered.
func tokenGone(err error) error {
	var gone *sfntypes.TaskTimedOut
	var missing *sfntypes.TaskDoesNotExist
	var invalid *sfntypes.InvalidToken
	if err == nil || errors.As(err, &gone) || errors.As(err, &missing) || errors.As(err, &invalid) {
		return nil
	}
	return err
}

// describe gives a failure's workflow-visible name and cause.
func describe(err error) (string, string) {
	name := NameInternal
	var n Named
	if errors.As(err, &n) {
		name = n.ErrorName()
	}
	cause := err.Error()
	if len(cause) > maxCause {
		cause = cause[:maxCause]
	}
	return name, cause
}

// BadRequestError is a gate message the worker cannot act on.
type BadRequestError struct{ Msg string }

func (e *BadRequestError) Error() string     { return e.Msg }
func (e *BadRequestError) ErrorName() string { return NameBadRequest }
