package localrun

import (
	"context"
	"errors"
	"log/slog"
	"maps"
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
	// throttle, when set and true, holds off receiving (see
	// Config.MaxRunning); nil never holds.
	throttle func() bool
}

// run polls until stop is closed; receives and handlers run under ctx.
// Close stops the receives through sqslocal.StopReceives and waits for
// them (recv is read-held around each) before it cancels ctx: a cancelled
// long poll can lose messages SQS already marked in flight, which would
// then stay invisible for a whole visibility timeout. wg tracks the pollers.
func (m *esm) run(ctx context.Context, stop <-chan struct{}, recv *sync.RWMutex, wg *sync.WaitGroup) {
	for i := range m.handlers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.poll(ctx, stop, recv, i)
		}()
	}
}

func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

func (m *esm) poll(ctx context.Context, stop <-chan struct{}, recv *sync.RWMutex, slot int) {
	backoff := 50 * time.Millisecond
	for {
		if m.throttle != nil && m.throttle() {
			if stopped(stop) {
				return
			}
			sleepCtx(ctx, throttleWait)
			continue
		}
		recv.RLock()
		if stopped(stop) || ctx.Err() != nil {
			recv.RUnlock()
			return
		}
		out, err := m.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(m.queueURL),
			MaxNumberOfMessages:         m.batchSize,
			WaitTimeSeconds:             m.wait,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		recv.RUnlock()
		if err != nil {
			if ctx.Err() != nil || stopped(stop) {
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
	retry := map[string]string{}
	switch {
	case err != nil:
		// The whole batch comes back after the visibility timeout.
		m.log.Error("event source mapping: function failed; the batch will be retried", "queue", m.name, "messages", len(msgs), "err", err)
		retry, handles = handles, nil
	default:
		for _, f := range resp.BatchItemFailures {
			if _, ok := handles[f.ItemIdentifier]; !ok {
				// Lambda treats an unknown identifier as a failure of the batch.
				m.log.Error("event source mapping: unknown batch item failure; the batch will be retried", "queue", m.name, "id", f.ItemIdentifier)
				maps.Copy(retry, handles)
				handles = nil
				break
			}
			retry[f.ItemIdentifier] = handles[f.ItemIdentifier]
			delete(handles, f.ItemIdentifier)
		}
	}
	// Finish the bookkeeping even while shutting down: the work is done.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if len(handles) > 0 {
		m.deleteBatch(bctx, handles)
	}
	if len(retry) > 0 && ctx.Err() != nil {
		// Interrupted by Close: hand the messages back at once rather than
		// after the visibility timeout, so the next start picks them up.
		m.release(bctx, retry)
	}
}

func (m *esm) deleteBatch(ctx context.Context, handles map[string]string) {
	var entries []sqstypes.DeleteMessageBatchRequestEntry
	for _, h := range handles {
		entries = append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(len(entries))), ReceiptHandle: aws.String(h)})
	}
	out, err := m.sqs.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(m.queueURL), Entries: entries})
	if err != nil {
		m.log.Error("event source mapping: delete failed; messages will be redelivered", "queue", m.name, "err", err)
		return
	}
	for _, f := range out.Failed {
		m.log.Error("event source mapping: delete failed; message will be redelivered", "queue", m.name, "code", aws.ToString(f.Code), "msg", aws.ToString(f.Message))
	}
}

func (m *esm) release(ctx context.Context, handles map[string]string) {
	var entries []sqstypes.ChangeMessageVisibilityBatchRequestEntry
	for _, h := range handles {
		entries = append(entries, sqstypes.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(len(entries))), ReceiptHandle: aws.String(h)})
	}
	out, err := m.sqs.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(m.queueURL), Entries: entries})
	if err != nil {
		m.log.Warn("event source mapping: could not release interrupted messages; they return after the visibility timeout", "queue", m.name, "err", err)
		return
	}
	for _, f := range out.Failed {
		m.log.Warn("event source mapping: could not release an interrupted message; it returns after the visibility timeout", "queue", m.name, "code", aws.ToString(f.Code), "msg", aws.ToString(f.Message))
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

// throttleWait is how often a held-off mapping looks again.
const throttleWait = 20 * time.Millisecond

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
