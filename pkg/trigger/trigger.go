// Package trigger is the start-execution task: an SQS event source mapping
// hands it a batch of inbound messages and it starts one workflow execution
// per message, named after the business key, so an operator finds an order's
// run by name and a duplicate delivery starts nothing new.
package trigger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/logiwaflow/logiwaflow/pkg/message"
)

// Starter is the part of the Step Functions client the trigger uses.
type Starter interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, opts ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

// ClaimStore is the part of the S3 client that keeps an oversized message.
type ClaimStore interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Trigger starts executions of one flow's state machine.
type Trigger struct {
	SFN             Starter
	Flow            message.Flow
	StateMachineARN string
	Logger          *slog.Logger
	// Claims and Bucket keep a message too large for an execution input
	// (the claim-check pattern): the original goes to
	// s3://Bucket/oversized/<flow>/<execution>.json and the execution gets
	// its address, so the workflow parks it as invalid and nothing is lost.
	Claims ClaimStore
	Bucket string
	// Now stamps claim keys (nil: the wall clock).
	Now func() time.Time
}

// OversizedPrefix is where the trigger keeps messages too large for an
// execution input.
const OversizedPrefix = "oversized/"

// ReplayAttribute is the SQS message attribute the redrive sets to the
// replay count; it wins over a "replay" field in the body, so a body that
// is not a JSON object still gets a fresh execution name per replay.
const ReplayAttribute = "replay"

// Input is the execution input the workflows read.
type Input struct {
	Body         string `json:"body"`
	Replay       int    `json:"replay"`
	ParkedFrom   string `json:"parkedFrom,omitempty"`
	SQSMessageID string `json:"sqsMessageId,omitempty"`
	// BodyRef and BodySize replace Body for a message over maxInput: where
	// the original is kept, and how big it is.
	BodyRef  string `json:"bodyRef,omitempty"`
	BodySize int    `json:"bodySize,omitempty"`
	SentAt   string `json:"sentAt,omitempty"`
}

// maxInput is Step Functions' limit on an execution input. A message that
// fits SQS but not, with its envelope, an execution input is cut to a
// placeholder the workflow parks as invalid, naming the size.
const maxInput = 256 * 1024

// Handle starts an execution per record and reports the records to retry
// (SQS partial batch response). A duplicate delivery is a success.
func (t *Trigger) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	log := t.Logger
	if log == nil {
		log = slog.Default()
	}
	for _, rec := range ev.Records {
		name, err := t.start(ctx, rec)
		if err != nil {
			log.Error("start execution failed; SQS will redeliver", "flow", t.Flow, "sqsMessageId", rec.MessageId, "execution", name, "err", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			continue
		}
		log.Info("execution started", "flow", t.Flow, "sqsMessageId", rec.MessageId, "execution", name)
	}
	return resp, nil
}

func (t *Trigger) start(ctx context.Context, rec events.SQSMessage) (string, error) {
	body := rec.Body
	key, replay := peek(t.Flow, []byte(body))
	if a, ok := rec.MessageAttributes[ReplayAttribute]; ok && a.StringValue != nil {
		if n, err := strconv.Atoi(*a.StringValue); err == nil && n >= 0 {
			replay = n
		}
	}
	name := message.ExecutionName(t.Flow, key, []byte(body), replay)
	in := Input{Body: body, Replay: replay, SQSMessageID: rec.MessageId, SentAt: rec.Attributes["SentTimestamp"]}
	if a, ok := rec.MessageAttributes["parkedFrom"]; ok && a.StringValue != nil {
		in.ParkedFrom = *a.StringValue
	}
	raw, err := json.Marshal(in)
	if err != nil {
		return name, fmt.Errorf("encode execution input: %w", err)
	}
	if len(raw) > maxInput {
		if raw, err = t.claim(ctx, name, in, len(body)); err != nil {
			return name, err
		}
	}
	_, err = t.SFN.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(t.StateMachineARN),
		Name:            aws.String(name),
		Input:           aws.String(string(raw)),
	})
	var exists *sfntypes.ExecutionAlreadyExists
	if errors.As(err, &exists) {
		return name, nil // a duplicate delivery: that message is already being handled
	}
	if err != nil {
		return name, fmt.Errorf("start %s: %w", name, err)
	}
	return name, nil
}

// claim keeps an oversized message in S3 and returns the execution input
// that points at it. The key is per execution name, so a redelivery
// overwrites the same object.
func (t *Trigger) claim(ctx context.Context, name string, in Input, size int) ([]byte, error) {
	if t.Claims == nil || t.Bucket == "" {
		return nil, fmt.Errorf("message of %d bytes is over the %d-byte execution input limit and no claim bucket is configured; leaving it on the queue", size, maxInput)
	}
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	key := fmt.Sprintf("%s%s/%s/%s.json", OversizedPrefix, t.Flow, now().UTC().Format("2006/01/02"), name)
	if _, err := t.Claims.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(t.Bucket),
		Key:         aws.String(key),
		Body:        strings.NewReader(in.Body),
		ContentType: aws.String("application/json"),
	}); err != nil {
		return nil, fmt.Errorf("keep oversized message at s3://%s/%s: %w", t.Bucket, key, err)
	}
	in.Body, in.BodyRef, in.BodySize = "", "s3://"+t.Bucket+"/"+key, size
	raw, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("encode execution input: %w", err)
	}
	return raw, nil
}

// peek reads just the business key and replay count, leniently: a message
// too broken to read still gets an execution, which parks it as invalid with
// the reason; "invalid" stands in for the key.
func peek(f message.Flow, body []byte) (string, int) {
	var head struct {
		SKU         string `json:"sku"`
		OrderNumber string `json:"orderNumber"`
		RMA         string `json:"rma"`
		Replay      int    `json:"replay"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return "invalid", 0
	}
	key := ""
	switch f {
	case message.FlowInventory:
		key = head.SKU
	case message.FlowOrders:
		key = head.OrderNumber
	case message.FlowRefunds:
		key = head.RMA
	}
	if key == "" {
		key = "invalid"
	}
	return key, head.Replay
}
