package localrun

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// idlePoll is how often Idle looks.
const idlePoll = 20 * time.Millisecond

// Idle returns when the main queues hold nothing (visible, in flight or
// delayed) and no execution is running, seen twice in a row: work is always
// somewhere (a message stays in flight until its handler's effect, such as
// a started execution, exists; a waiting execution is running), and the
// second look covers work handed from one to the other in between.
// Dead-letter queues do not count: nothing consumes them.
func (r *Runtime) Idle(ctx context.Context) error {
	quiet := 0
	for {
		idle, err := r.idleOnce(ctx)
		if err != nil {
			return err
		}
		if idle {
			quiet++
		} else {
			quiet = 0
		}
		if quiet >= 2 {
			return nil
		}
		t := time.NewTimer(idlePoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("localrun: idle: %w (still busy: %s)", ctx.Err(), r.busy())
		case <-t.C:
		}
	}
}

func (r *Runtime) idleOnce(ctx context.Context) (bool, error) {
	n, err := r.queued(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	if r.sfn.Running() > 0 || r.inflight.Load() > 0 {
		return false, nil
	}
	n, err = r.queued(ctx)
	return n == 0 && err == nil, err
}

// queued counts the messages of the main queues.
func (r *Runtime) queued(ctx context.Context) (int, error) {
	total := 0
	for _, key := range QueueKeys {
		n, err := r.QueueDepth(ctx, key)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// QueueDepth is a queue's visible, in-flight and delayed messages; key is a
// Target.Queues key (e.g. "orders", "orders-dlq").
func (r *Runtime) QueueDepth(ctx context.Context, key string) (int, error) {
	url, ok := r.queues[key]
	if !ok {
		return 0, fmt.Errorf("localrun: no queue %q", key)
	}
	out, err := r.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed,
		},
	})
	if err != nil {
		return 0, fmt.Errorf("localrun: depth of %s: %w", key, err)
	}
	total := 0
	for k, v := range out.Attributes {
		if !strings.HasPrefix(k, "ApproximateNumberOfMessages") {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("localrun: depth of %s: %s=%q", key, k, v)
		}
		total += n
	}
	return total, nil
}

// busy describes what keeps the runtime from being idle, for errors.
func (r *Runtime) busy() string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	parts := []string{fmt.Sprintf("%d executions running", r.sfn.Running()), fmt.Sprintf("%d batches in handlers", r.inflight.Load())}
	for _, key := range QueueKeys {
		if n, err := r.QueueDepth(ctx, key); err != nil || n > 0 {
			parts = append(parts, fmt.Sprintf("queue %s: %d messages (err %v)", key, n, err))
		}
	}
	return strings.Join(parts, ", ")
}
