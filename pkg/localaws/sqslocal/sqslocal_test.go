package sqslocal

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	c     *sqs.Client
	srv   *Server
	clock *fakeClock
	stop  func()
}

// start serves a Server; a nil clock means the wall clock.
func start(t *testing.T, path string, clock *fakeClock) *env {
	t.Helper()
	opts := Options{Path: path, FlushInterval: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
	if clock != nil {
		opts.Clock = clock
	}
	srv, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	c := sqs.New(sqs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(hs.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	var once sync.Once
	return &env{c: c, srv: srv, clock: clock, stop: func() {
		once.Do(func() {
			hs.Close()
			if err := srv.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
	}}
}

func (e *env) createQueue(t *testing.T, name string, attrs map[string]string) string {
	t.Helper()
	out, err := e.c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

func (e *env) send(t *testing.T, url, body string) string {
	t.Helper()
	out, err := e.c.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	return aws.ToString(out.MessageId)
}

func (e *env) receive(t *testing.T, in *sqs.ReceiveMessageInput) []types.Message {
	t.Helper()
	if in.MessageSystemAttributeNames == nil {
		in.MessageSystemAttributeNames = []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll}
	}
	out, err := e.c.ReceiveMessage(context.Background(), in)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return out.Messages
}

func (e *env) count(t *testing.T, url string) (visible, inflight string) {
	t.Helper()
	out, err := e.c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes["ApproximateNumberOfMessages"], out.Attributes["ApproximateNumberOfMessagesNotVisible"]
}

func errCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func TestQueueOperations(t *testing.T) {
	e := start(t, "", &fakeClock{t: time.Unix(1_700_000_000, 0)})
	defer e.stop()
	ctx := context.Background()
	url := e.createQueue(t, "orders-in", map[string]string{"VisibilityTimeout": "30"})

	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"create is idempotent and get url matches", func(t *testing.T) {
			if again := e.createQueue(t, "orders-in", map[string]string{"VisibilityTimeout": "30"}); again != url {
				t.Fatalf("url %s != %s", again, url)
			}
			out, err := e.c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders-in")})
			if err != nil || aws.ToString(out.QueueUrl) != url {
				t.Fatalf("GetQueueUrl = %v, %v", out, err)
			}
			if !strings.HasSuffix(url, "/"+AccountID+"/orders-in") {
				t.Fatalf("url %s", url)
			}
		}},
		{"create with different attributes is QueueNameExists", func(t *testing.T) {
			_, err := e.c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-in"),
				Attributes: map[string]string{"VisibilityTimeout": "5"}})
			var qne *types.QueueNameExists
			if !errors.As(err, &qne) {
				t.Fatalf("err = %v", err)
			}
		}},
		{"missing queue is QueueDoesNotExist", func(t *testing.T) {
			_, err := e.c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
			var qdne *types.QueueDoesNotExist
			if !errors.As(err, &qdne) {
				t.Fatalf("err = %v", err)
			}
		}},
		{"list queues by prefix", func(t *testing.T) {
			e.createQueue(t, "other", nil)
			out, err := e.c.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("orders")})
			if err != nil || len(out.QueueUrls) != 1 || out.QueueUrls[0] != url {
				t.Fatalf("ListQueues = %v, %v", out, err)
			}
		}},
		{"unknown attribute is InvalidAttributeName", func(t *testing.T) {
			_, err := e.c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url),
				Attributes: map[string]string{"Bogus": "1"}})
			var ian *types.InvalidAttributeName
			if !errors.As(err, &ian) {
				t.Fatalf("err = %v", err)
			}
		}},
		{"send and receive with attributes", func(t *testing.T) {
			q := e.createQueue(t, "attrs", nil)
			_, err := e.c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(`{"order":1}`),
				MessageAttributes: map[string]types.MessageAttributeValue{
					"trace": {DataType: aws.String("String"), StringValue: aws.String("t-1")},
					"blob":  {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2, 3}},
				}})
			if err != nil {
				t.Fatal(err)
			}
			msgs := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MessageAttributeNames: []string{"All"}})
			if len(msgs) != 1 {
				t.Fatalf("got %d messages", len(msgs))
			}
			m := msgs[0]
			if aws.ToString(m.Body) != `{"order":1}` || aws.ToString(m.MessageAttributes["trace"].StringValue) != "t-1" ||
				string(m.MessageAttributes["blob"].BinaryValue) != "\x01\x02\x03" {
				t.Fatalf("message %+v", m)
			}
			if m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["SentTimestamp"] != "1700000000000" {
				t.Fatalf("system attributes %v", m.Attributes)
			}
		}},
		{"visibility timeout expiry redelivers with a new handle", func(t *testing.T) {
			q := e.createQueue(t, "vis", map[string]string{"VisibilityTimeout": "30"})
			id := e.send(t, q, "work")
			first := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)})
			if len(first) != 1 || aws.ToString(first[0].MessageId) != id {
				t.Fatalf("first receive %v", first)
			}
			if got := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)}); len(got) != 0 {
				t.Fatalf("in-flight message delivered again: %v", got)
			}
			if v, nv := e.count(t, q); v != "0" || nv != "1" {
				t.Fatalf("counts visible=%s inflight=%s", v, nv)
			}
			e.clock.Advance(31 * time.Second)
			second := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)})
			if len(second) != 1 || second[0].Attributes["ApproximateReceiveCount"] != "2" ||
				aws.ToString(second[0].ReceiptHandle) == aws.ToString(first[0].ReceiptHandle) {
				t.Fatalf("second receive %+v", second)
			}
			// A stale handle is accepted but deletes nothing, as in SQS.
			if _, err := e.c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(q), ReceiptHandle: first[0].ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
			if _, nv := e.count(t, q); nv != "1" {
				t.Fatalf("stale handle deleted the message")
			}
			if _, err := e.c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(q), ReceiptHandle: second[0].ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
			if v, nv := e.count(t, q); v != "0" || nv != "0" {
				t.Fatalf("after delete visible=%s inflight=%s", v, nv)
			}
		}},
		{"change visibility", func(t *testing.T) {
			q := e.createQueue(t, "chg", nil)
			e.send(t, q, "a")
			e.send(t, q, "b")
			msgs := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 2})
			if len(msgs) != 2 {
				t.Fatalf("got %d", len(msgs))
			}
			if _, err := e.c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(q),
				ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
				t.Fatal(err)
			}
			again := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10})
			if len(again) != 1 || aws.ToString(again[0].Body) != aws.ToString(msgs[0].Body) {
				t.Fatalf("after visibility 0 got %v", again)
			}
			out, err := e.c.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(q),
				Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
					{Id: aws.String("a"), ReceiptHandle: again[0].ReceiptHandle, VisibilityTimeout: 120},
					{Id: aws.String("b"), ReceiptHandle: msgs[1].ReceiptHandle, VisibilityTimeout: 120},
					{Id: aws.String("bad"), ReceiptHandle: aws.String("garbage"), VisibilityTimeout: 1},
				}})
			if err != nil || len(out.Successful) != 2 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Code) != "ReceiptHandleIsInvalid" {
				t.Fatalf("batch = %+v, %v", out, err)
			}
			e.clock.Advance(60 * time.Second) // past the queue's 30s default, before 120s
			if got := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)}); len(got) != 0 {
				t.Fatalf("extended messages delivered early: %v", got)
			}
			e.clock.Advance(61 * time.Second)
			if got := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10}); len(got) != 2 {
				t.Fatalf("after extension got %d", len(got))
			}
		}},
		{"change visibility of a visible message is MessageNotInflight", func(t *testing.T) {
			q := e.createQueue(t, "notinflight", nil)
			e.send(t, q, "x")
			m := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), VisibilityTimeout: 5})
			e.clock.Advance(6 * time.Second)
			_, err := e.c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(q),
				ReceiptHandle: m[0].ReceiptHandle, VisibilityTimeout: 10})
			var mni *types.MessageNotInflight
			if !errors.As(err, &mni) {
				t.Fatalf("err = %v", err)
			}
		}},
		{"redrive to DLQ after maxReceiveCount", func(t *testing.T) {
			dlq := e.createQueue(t, "work-dlq", nil)
			q := e.createQueue(t, "work", map[string]string{
				"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:work-dlq","maxReceiveCount":"2"}`})
			id := e.send(t, q, "poison")
			for i := 1; i <= 2; i++ {
				got := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), VisibilityTimeout: 10})
				if len(got) != 1 {
					t.Fatalf("receive %d got %d", i, len(got))
				}
				e.clock.Advance(11 * time.Second)
			}
			if got := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)}); len(got) != 0 {
				t.Fatalf("third receive from source got %v", got)
			}
			got := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlq)})
			if len(got) != 1 || aws.ToString(got[0].MessageId) != id || aws.ToString(got[0].Body) != "poison" {
				t.Fatalf("DLQ got %v", got)
			}
			attrs, err := e.c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(q),
				AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameRedrivePolicy}})
			if err != nil || !strings.Contains(attrs.Attributes["RedrivePolicy"], "work-dlq") {
				t.Fatalf("RedrivePolicy = %v, %v", attrs, err)
			}
		}},
		{"message size limit", func(t *testing.T) {
			q := e.createQueue(t, "size", nil)
			if _, err := e.c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q),
				MessageBody: aws.String(strings.Repeat("x", 262144))}); err != nil {
				t.Fatalf("256 KiB exactly: %v", err)
			}
			_, err := e.c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q),
				MessageBody: aws.String(strings.Repeat("x", 262145))})
			if errCode(err) != "InvalidParameterValue" || !strings.Contains(err.Error(), "Message must be shorter than 262144 bytes") {
				t.Fatalf("oversize err = %v (code %q)", err, errCode(err))
			}
		}},
		{"batch send, receive max, batch delete", func(t *testing.T) {
			q := e.createQueue(t, "batch", nil)
			var entries []types.SendMessageBatchRequestEntry
			for _, id := range []string{"a", "b", "c", "d", "e"} {
				entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String("m-" + id)})
			}
			out, err := e.c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q), Entries: entries})
			if err != nil || len(out.Successful) != 5 {
				t.Fatalf("batch send %+v, %v", out, err)
			}
			msgs := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 3})
			if len(msgs) != 3 {
				t.Fatalf("got %d, want 3", len(msgs))
			}
			var del []types.DeleteMessageBatchRequestEntry
			for i, m := range msgs {
				del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String(string(rune('a' + i))), ReceiptHandle: m.ReceiptHandle})
			}
			dout, err := e.c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q), Entries: del})
			if err != nil || len(dout.Successful) != 3 {
				t.Fatalf("batch delete %+v, %v", dout, err)
			}
			if v, nv := e.count(t, q); v != "2" || nv != "0" {
				t.Fatalf("visible=%s inflight=%s", v, nv)
			}
			_, err = e.c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q), Entries: entries[:1:1][:1]})
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q),
				Entries: []types.SendMessageBatchRequestEntry{entries[0], entries[0]}})
			var dup *types.BatchEntryIdsNotDistinct
			if !errors.As(err, &dup) {
				t.Fatalf("duplicate ids err = %v", err)
			}
			_, err = e.c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 11})
			if errCode(err) != "InvalidParameterValue" {
				t.Fatalf("MaxNumberOfMessages 11 err = %v", err)
			}
		}},
		{"delay seconds", func(t *testing.T) {
			q := e.createQueue(t, "delay", nil)
			if _, err := e.c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("later"), DelaySeconds: 10}); err != nil {
				t.Fatal(err)
			}
			if got := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)}); len(got) != 0 {
				t.Fatal("delayed message delivered early")
			}
			e.clock.Advance(10 * time.Second)
			if got := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)}); len(got) != 1 {
				t.Fatal("delayed message not delivered after its delay")
			}
		}},
		{"purge", func(t *testing.T) {
			q := e.createQueue(t, "purge", nil)
			e.send(t, q, "1")
			e.send(t, q, "2")
			if _, err := e.c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(q)}); err != nil {
				t.Fatal(err)
			}
			if v, nv := e.count(t, q); v != "0" || nv != "0" {
				t.Fatalf("visible=%s inflight=%s", v, nv)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func TestLongPolling(t *testing.T) {
	e := start(t, "", nil)
	defer e.stop()
	ctx := context.Background()
	q := e.createQueue(t, "poll", map[string]string{"VisibilityTimeout": "1"})

	t.Run("returns as soon as a message arrives", func(t *testing.T) {
		got := make(chan []types.Message, 1)
		began := time.Now()
		go func() {
			out, err := e.c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), WaitTimeSeconds: 10})
			if err != nil {
				t.Error(err)
			}
			got <- out.Messages
		}()
		time.Sleep(150 * time.Millisecond)
		e.send(t, q, "wake")
		msgs := <-got
		if len(msgs) != 1 || aws.ToString(msgs[0].Body) != "wake" {
			t.Fatalf("got %v", msgs)
		}
		if el := time.Since(began); el > 3*time.Second {
			t.Fatalf("long poll took %v", el)
		}
		// Not deleted: it reappears once its 1s visibility timeout lapses,
		// and a waiting long poll notices without any new send.
		began = time.Now()
		out, err := e.c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), WaitTimeSeconds: 5,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount}})
		if err != nil || len(out.Messages) != 1 || out.Messages[0].Attributes["ApproximateReceiveCount"] != "2" {
			t.Fatalf("redelivery = %+v, %v", out, err)
		}
		if el := time.Since(began); el < 500*time.Millisecond || el > 3*time.Second {
			t.Fatalf("redelivery after %v, want about 1s", el)
		}
		if _, err := e.c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(q), ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("waits the full time when the queue stays empty", func(t *testing.T) {
		began := time.Now()
		out, err := e.c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), WaitTimeSeconds: 1})
		if err != nil || len(out.Messages) != 0 {
			t.Fatalf("got %v, %v", out, err)
		}
		if el := time.Since(began); el < 900*time.Millisecond {
			t.Fatalf("returned after %v, want about 1s", el)
		}
	})
}

func TestRestartKeepsQueuesAndMessages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sqs.json")
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	e := start(t, path, clock)
	q := e.createQueue(t, "durable", map[string]string{"VisibilityTimeout": "60"})
	e.send(t, q, "waiting")
	e.send(t, q, "in-flight")
	if got := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)}); len(got) != 1 {
		t.Fatal("receive before restart")
	}
	e.stop()

	e = start(t, path, clock)
	defer e.stop()
	if v, nv := e.count(t, q); v != "1" || nv != "1" {
		t.Fatalf("after restart visible=%s inflight=%s", v, nv)
	}
	clock.Advance(61 * time.Second)
	got := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10})
	if len(got) != 2 {
		t.Fatalf("after restart and timeout got %d messages", len(got))
	}
}

func TestAttributesMD5(t *testing.T) {
	// Digest of {"a": String "b"}: len("a") "a" len("String") "String" 0x01 len("b") "b".
	got := attributesMD5(map[string]messageAttribute{"a": {DataType: "String", StringValue: "b"}})
	want := md5Hex("\x00\x00\x00\x01a\x00\x00\x00\x06String\x01\x00\x00\x00\x01b")
	if got != want {
		t.Fatalf("attributesMD5 = %s, want %s", got, want)
	}
	if attributesMD5(nil) != "" {
		t.Fatal("empty attributes must have no digest")
	}
}
