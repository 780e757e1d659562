package localrun

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// batchHandler is a Lambda function an SQS event source mapping invokes.
type batchHandler func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error)

// esm is an SQS event source mapping as Lambda runs one: pollers receive
// batches (up to batchSize, long polling), invoke the handler, delete what
// succeeded and leave the batch item failures (everything, when the handler
// fails) to reappear after the visibility timeout, so that after the queue's
// maxReceiveCount SQS moves a poison message to its dead-letter queue.
// concurrency bounds how many batches are handled at once (the mapping's
// maximum concurrency); each concurrent slot has its own handler, as each
// Lambda instance has its own state (the gate's pacer).
type esm struct {
	name      string // the queue key: inventory, orders, refunds, gate
	queueURL  string
	queueARN  string
	sqs       *sqs.Client
	handlers  []batchHandler // one per concurrent slot
	batchSize int32
	wait      int32 // long poll seconds
	log       *slog.Logger

	inflight *atomic.Int64 // batches being handled, shared by all mappings
}

// run polls until ctx ends; wg tracks the pollers.
func (m *esm) run(ctx context.Context, wg *sync.WaitGroup) {
	for i := range m.handlers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.poll(ctx, i)
		}()
	}
}

func (m *esm) poll(ctx context.Context, slot int) {
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		out, err := m.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(m.queueURL),
			MaxNumberOfMessages:         m.batchSize,
			WaitTimeSeconds:             m.wait,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			m.log.Warn("event source mapping: receive failed", "queue", m.name, "err", err)
			sleepCtx(ctx, backoff)
			backoff = min(backoff*2, 2*time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
		if len(out.Messages) > 0 {
			// A received message stays counted by SQS (in flight) until it
			// is deleted, after the handler's effects; inflight is only for
			// logs and the console.
			m.inflight.Add(1)
			m.handle(ctx, slot, out.Messages)
			m.inflight.Add(-1)
		}
	}
}

func (m *esm) handle(ctx context.Context, slot int, msgs []sqstypes.Message) {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, 0, len(msgs))}
	handles := map[string]string{}
	for _, msg := range msgs {
		id := aws.ToString(msg.MessageId)
		handles[id] = aws.ToString(msg.ReceiptHandle)
		ev.Records = append(ev.Records, toRecord(msg, m.queueARN))
	}
	resp, err := m.invoke(ctx, slot, ev)
	if err != nil {
		// The whole batch comes back after the visibility timeout.
		m.log.Error("event source mapping: function failed; the batch will be retried", "queue", m.name, "messages", len(msgs), "err", err)
		return
	}
	for _, f := range resp.BatchItemFailures {
		if _, ok := handles[f.ItemIdentifier]; !ok {
			// Lambda treats an unknown identifier as a failure of the batch.
			m.log.Error("event source mapping: unknown batch item failure; the batch will be retried", "queue", m.name, "id", f.ItemIdentifier)
			return
		}
		delete(handles, f.ItemIdentifier)
	}
	if len(handles) == 0 {
		return
	}
	var entries []sqstypes.DeleteMessageBatchRequestEntry
	n := 0
	for _, h := range handles {
		entries = append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(n)), ReceiptHandle: aws.String(h)})
		n++
	}
	// Delete even while shutting down: the work is done.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	out, err := m.sqs.DeleteMessageBatch(dctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(m.queueURL), Entries: entries})
	if err != nil {
		m.log.Error("event source mapping: delete failed; messages will be redelivered", "queue", m.name, "err", err)
		return
	}
	for _, f := range out.Failed {
		m.log.Error("event source mapping: delete failed; message will be redelivered", "queue", m.name, "code", aws.ToString(f.Code), "msg", aws.ToString(f.Message))
	}
}

// invoke runs the slot's handler, a panic counting as a failed invocation.
func (m *esm) invoke(ctx context.Context, slot int, ev events.SQSEvent) (resp events.SQSEventResponse, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errors.New("handler panicked")
			m.log.Error("event source mapping: handler panicked", "queue", m.name, "panic", p)
		}
	}()
	return m.handlers[slot](ctx, ev)
}

// toRecord builds the Lambda event record of a received message.
func toRecord(msg sqstypes.Message, queueARN string) events.SQSMessage {
	r := events.SQSMessage{
		MessageId:         aws.ToString(msg.MessageId),
		ReceiptHandle:     aws.ToString(msg.ReceiptHandle),
		Body:              aws.ToString(msg.Body),
		Md5OfBody:         aws.ToString(msg.MD5OfBody),
		EventSource:       "aws:sqs",
		EventSourceARN:    queueARN,
		AWSRegion:         "us-east-1",
		Attributes:        map[string]string{},
		MessageAttributes: map[string]events.SQSMessageAttribute{},
	}
	for k, v := range msg.Attributes {
		r.Attributes[k] = v
	}
	for k, v := range msg.MessageAttributes {
		r.MessageAttributes[k] = events.SQSMessageAttribute{
			DataType: aws.ToString(v.DataType), StringValue: v.StringValue, BinaryValue: v.BinaryValue,
		}
	}
	return r
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
