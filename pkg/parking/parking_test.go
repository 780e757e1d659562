package parking

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/logiwaflow/logiwaflow/pkg/localaws/s3local"
)

type sent struct {
	queue, body, parkedFrom, replay string
}

type fakeSQS struct {
	mu   sync.Mutex
	sent []sent
}

func (f *fakeSQS) SendMessage(ctx context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := sent{queue: *in.QueueUrl, body: *in.MessageBody}
	if a, ok := in.MessageAttributes["parkedFrom"]; ok {
		s.parkedFrom = *a.StringValue
	}
	if a, ok := in.MessageAttributes["replay"]; ok {
		s.replay = *a.StringValue
	}
	f.sent = append(f.sent, s)
	return &sqs.SendMessageOutput{MessageId: aws.String("m")}, nil
}

func newService(t *testing.T) (*Service, *fakeSQS) {
	t.Helper()
	srv, err := s3local.Open(filepath.Join(t.TempDir(), "s3.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.CreateBucket("parked"); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); _ = srv.Close() })
	c := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	q := &fakeSQS{}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	return &Service{S3: c, Bucket: "parked", SQS: q, Queues: map[string]string{"orders": "q-orders"}, MaxReplays: 2,
		Now: func() time.Time { return now }}, q
}

const body = `{"schema":"order.v1","orderNumber":"SO-1","version":1}`

func park(t *testing.T, s *Service, execution, reason string, replay int, parkedFrom string) ParkOutput {
	t.Helper()
	orig, _ := json.Marshal(map[string]any{"body": body, "replay": replay, "parkedFrom": parkedFrom})
	out, err := s.Park(context.Background(), ParkInput{
		Flow: "orders", Execution: execution, Reason: reason,
		Failure:  json.RawMessage(`{"Error":"Logiwa.Unavailable","Cause":"503 maintenance"}`),
		Original: orig,
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestParkListRedrive(t *testing.T) {
	s, q := newService(t)
	ctx := context.Background()
	out := park(t, s, "orders-SO-1-aaaa", ReasonOutage, 0, "")
	if out.Key != "parked/outage/orders/2026/11/25/orders-SO-1-aaaa.json" || out.Error != "Logiwa.Unavailable" || out.Cause != "503 maintenance" {
		t.Fatalf("park: %+v", out)
	}
	park(t, s, "orders-SO-2-bbbb", ReasonRejected, 0, "")

	tests := []struct {
		f    Filter
		want int
	}{{Filter{}, 2}, {Filter{Reason: ReasonOutage}, 1}, {Filter{Reason: ReasonOutage, Flow: "inventory"}, 0}, {Filter{Flow: "orders"}, 2},
		{Filter{Skip: []string{ReasonRejected, ReasonInvalid}}, 1}, {Filter{Reason: ReasonRejected, Skip: []string{ReasonRejected}}, 0}}
	for _, tt := range tests {
		keys, next, err := s.List(ctx, tt.f, time.Time{}, "", 10)
		if err != nil || len(keys) != tt.want || next != "" {
			t.Errorf("list %+v: %v %q %v", tt.f, keys, next, err)
		}
	}

	// Dry run sends nothing and moves nothing.
	res, err := s.Republish(ctx, out.Key, true)
	if err != nil || res.Outcome != OutcomeDryRun || len(q.sent) != 0 {
		t.Fatalf("dry run: %+v %v sent=%d", res, err, len(q.sent))
	}
	res, err = s.Republish(ctx, out.Key, false)
	if err != nil || res.Outcome != OutcomeRedriven || res.Replay != 1 {
		t.Fatalf("redrive: %+v %v", res, err)
	}
	if len(q.sent) != 1 || q.sent[0].queue != "q-orders" || !strings.Contains(q.sent[0].body, `"replay":1`) || q.sent[0].replay != "1" ||
		q.sent[0].parkedFrom != "redriven/outage/orders/2026/11/25/orders-SO-1-aaaa.json" {
		t.Fatalf("sent %+v", q.sent)
	}
	if keys, _, _ := s.List(ctx, Filter{Reason: ReasonOutage}, time.Time{}, "", 10); len(keys) != 0 {
		t.Fatalf("redriven message still parked: %v", keys)
	}
	moved, err := s.Get(ctx, q.sent[0].parkedFrom)
	if err != nil || moved.Redriven == nil || moved.Redriven.Replay != 1 {
		t.Fatalf("redriven copy: %+v %v", moved, err)
	}

	// It fails again: the new park carries the history of the first.
	again := park(t, s, "orders-SO-1-aaaa-r1", ReasonOutage, 1, q.sent[0].parkedFrom)
	p, err := s.Get(ctx, again.Key)
	if err != nil || len(p.History) != 1 || p.History[0].Execution != "orders-SO-1-aaaa" {
		t.Fatalf("history: %+v %v", p, err)
	}
	// Past the budget (2) it stays parked, marked exhausted.
	last := park(t, s, "orders-SO-1-aaaa-r2", ReasonOutage, 2, "")
	res, err = s.Republish(ctx, last.Key, false)
	if err != nil || res.Outcome != OutcomeExhausted {
		t.Fatalf("exhausted: %+v %v", res, err)
	}
	if p, _ := s.Get(ctx, last.Key); !p.Exhausted {
		t.Fatal("exhausted message not marked")
	}
}

func TestRedriveHandler(t *testing.T) {
	s, _ := newService(t)
	park(t, s, "orders-SO-1-aaaa", ReasonOutage, 0, "")
	out, err := s.Redrive(context.Background(), RedriveInput{Action: "list", Request: json.RawMessage(`{"reason":"outage"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if l := out.(ListOutput); len(l.Items) != 1 || l.Continuation != "" {
		t.Fatalf("list: %+v", l)
	}
	for _, bad := range []RedriveInput{{Action: "purge"}, {Action: "republish"}, {Action: "list", Before: "noon"}} {
		if _, err := s.Redrive(context.Background(), bad); err == nil {
			t.Errorf("%+v: want an error", bad)
		}
	}
}

// A message that is not a JSON object cannot carry its replay count in the
// body; the attribute does, or the replay would be taken for a duplicate.
func TestRedriveOfBrokenJSONCarriesReplayAttribute(t *testing.T) {
	s, q := newService(t)
	ctx := context.Background()
	orig, _ := json.Marshal(map[string]any{"body": "{not json", "replay": 0})
	out, err := s.Park(ctx, ParkInput{Flow: "orders", Execution: "orders-invalid-abc", Reason: ReasonInvalid,
		Failure: json.RawMessage(`{"Error":"Message.Invalid","Cause":"invalid JSON"}`), Original: orig})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Republish(ctx, out.Key, false)
	if err != nil || res.Outcome != OutcomeRedriven {
		t.Fatalf("redrive: %+v %v", res, err)
	}
	if len(q.sent) != 1 || q.sent[0].body != "{not json" || q.sent[0].replay != "1" {
		t.Fatalf("sent %+v, want the body unchanged and replay attribute 1", q.sent)
	}
}

// A message the trigger kept in S3 for its size stays parked: replaying it
// would only be too large again.
func TestOversizedMessageStaysParked(t *testing.T) {
	s, q := newService(t)
	ctx := context.Background()
	orig, _ := json.Marshal(map[string]any{"body": "", "bodyRef": "s3://parked/oversized/orders/x.json", "bodySize": 300000})
	out, err := s.Park(ctx, ParkInput{Flow: "orders", Execution: "orders-SO-9-abc", Reason: ReasonInvalid,
		Failure: json.RawMessage(`{"Error":"Message.Invalid","Cause":"too large"}`), Original: orig})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Get(ctx, out.Key)
	if err != nil || p.BodyRef != "s3://parked/oversized/orders/x.json" {
		t.Fatalf("parked %+v %v: want the original's address kept", p, err)
	}
	res, err := s.Republish(ctx, out.Key, false)
	if err != nil || res.Outcome != OutcomeExhausted || len(q.sent) != 0 {
		t.Fatalf("redrive: %+v %v sent %d", res, err, len(q.sent))
	}
}

// TestOrderNotFoundIsRedrivenDaily: a message parked as order_not_found is
// listed under the daily schedule's filter (skip invalid and rejected), so
// the redrive replays it; a rejected one is not.
func TestOrderNotFoundIsRedrivenDaily(t *testing.T) {
	s, _ := newService(t)
	if !slices.Contains(Reasons, ReasonOrderNotFound) {
		t.Fatalf("Reasons %v lack %s", Reasons, ReasonOrderNotFound)
	}
	nf := park(t, s, "orders-SO-1-aaaa", ReasonOrderNotFound, 0, "")
	park(t, s, "orders-SO-2-bbbb", ReasonRejected, 0, "")
	if want := "parked/order_not_found/orders/2026/11/25/orders-SO-1-aaaa.json"; nf.Key != want {
		t.Fatalf("park: %+v, want key %s", nf, want)
	}
	keys, _, err := s.List(context.Background(), Filter{Skip: []string{ReasonInvalid, ReasonRejected}}, time.Time{}, "", 10)
	if err != nil || !slices.Equal(keys, []string{nf.Key}) {
		t.Fatalf("daily listing %v (err %v), want only %s", keys, err, nf.Key)
	}
}
