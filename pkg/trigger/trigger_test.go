package trigger

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/logiwaflow/logiwaflow/pkg/message"
)

// fakeSFN mimics StartExecution's name rule: a name is used once.
type fakeSFN struct {
	mu      sync.Mutex
	started map[string]string
	failFor string
}

func (f *fakeSFN) StartExecution(ctx context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failFor != "" && strings.Contains(*in.Name, f.failFor) {
		return nil, errors.New("throttled")
	}
	if _, ok := f.started[*in.Name]; ok {
		return nil, &sfntypes.ExecutionAlreadyExists{Message: in.Name}
	}
	f.started[*in.Name] = *in.Input
	return &sfn.StartExecutionOutput{}, nil
}

func rec(id, body string) events.SQSMessage { return events.SQSMessage{MessageId: id, Body: body} }

func TestHandle(t *testing.T) {
	f := &fakeSFN{started: map[string]string{}, failFor: "SO-9"}
	tr := &Trigger{SFN: f, Flow: message.FlowOrders, StateMachineARN: "arn:sm"}
	order := `{"schema":"order.v1","orderNumber":"SO-1","version":1}`
	replayed := `{"schema":"order.v1","orderNumber":"SO-1","version":1,"replay":1}`
	ev := events.SQSEvent{Records: []events.SQSMessage{
		rec("a", order),
		rec("b", order), // duplicate delivery: nothing new, and not a failure
		rec("c", replayed),
		rec("d", "{not json"),
		rec("e", `{"orderNumber":"SO-9"}`), // Step Functions refuses: SQS must redeliver
	}}
	resp, err := tr.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "e" {
		t.Fatalf("batch failures %+v", resp.BatchItemFailures)
	}
	if len(f.started) != 3 {
		t.Fatalf("started %v", f.started)
	}
	var names []string
	for n, in := range f.started {
		names = append(names, n)
		var x Input
		if err := json.Unmarshal([]byte(in), &x); err != nil || x.Body == "" {
			t.Fatalf("input of %s: %s", n, in)
		}
		if strings.HasSuffix(n, "-r1") && x.Replay != 1 {
			t.Fatalf("replay not passed: %s", in)
		}
	}
	joined := strings.Join(names, " ")
	if !strings.Contains(joined, "orders-invalid-") || !strings.Contains(joined, "-r1") {
		t.Fatalf("names %v", names)
	}
}

// fakeClaims records the objects put.
type fakeClaims struct {
	mu   sync.Mutex
	objs map[string][]byte
	err  error
}

func (f *fakeClaims) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objs[*in.Bucket+"/"+*in.Key] = b
	return &s3.PutObjectOutput{}, nil
}

func TestOversizedMessageIsKeptAndReferenced(t *testing.T) {
	big := `{"schema":"order.v1","orderNumber":"SO-BIG","version":1,"pad":"` + strings.Repeat("x", maxInput) + `"}`
	tests := []struct {
		name        string
		claims      *fakeClaims
		bucket      string
		wantFailure bool
	}{
		{"kept in S3", &fakeClaims{objs: map[string][]byte{}}, "parked", false},
		{"S3 refuses: SQS keeps it", &fakeClaims{objs: map[string][]byte{}, err: errors.New("denied")}, "parked", true},
		{"no bucket: SQS keeps it", &fakeClaims{objs: map[string][]byte{}}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeSFN{started: map[string]string{}}
			tr := &Trigger{SFN: f, Flow: message.FlowOrders, StateMachineARN: "arn:sm", Claims: tt.claims, Bucket: tt.bucket,
				Now: func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) }}
			resp, err := tr.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{rec("a", big)}})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantFailure {
				if len(resp.BatchItemFailures) != 1 || len(f.started) != 0 {
					t.Fatalf("want the message left on the queue: failures %+v, started %d", resp.BatchItemFailures, len(f.started))
				}
				return
			}
			if len(f.started) != 1 {
				t.Fatalf("started %d executions", len(f.started))
			}
			for name, raw := range f.started {
				var in Input
				if err := json.Unmarshal([]byte(raw), &in); err != nil {
					t.Fatal(err)
				}
				wantKey := "parked/oversized/orders/2026/11/25/" + name + ".json"
				if in.Body != "" || in.BodyRef != "s3://"+wantKey || in.BodySize != len(big) {
					t.Fatalf("input %+v, want bodyRef s3://%s and size %d", in, wantKey, len(big))
				}
				if got := tt.claims.objs[wantKey]; string(got) != big {
					t.Fatalf("kept %d bytes, want the %d-byte original", len(got), len(big))
				}
				if !strings.HasPrefix(name, "orders-SO-BIG-") {
					t.Fatalf("name %s does not carry the order number", name)
				}
			}
		})
	}
}

func TestReplayAttributeWinsOverBody(t *testing.T) {
	f := &fakeSFN{started: map[string]string{}}
	tr := &Trigger{SFN: f, Flow: message.FlowOrders, StateMachineARN: "arn:sm"}
	two := "2"
	broken := events.SQSMessage{MessageId: "a", Body: "{not json",
		MessageAttributes: map[string]events.SQSMessageAttribute{ReplayAttribute: {StringValue: &two, DataType: "Number"}}}
	// The original delivery and its replay must get different names, or the
	// replay is taken for a duplicate and silently dropped.
	if _, err := tr.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{rec("o", "{not json"), broken}}); err != nil {
		t.Fatal(err)
	}
	if len(f.started) != 2 {
		t.Fatalf("started %v, want the original and the replay", f.started)
	}
	found := false
	for name, raw := range f.started {
		if strings.HasSuffix(name, "-r2") {
			found = true
			var in Input
			_ = json.Unmarshal([]byte(raw), &in)
			if in.Replay != 2 {
				t.Fatalf("replay %d in the input of %s", in.Replay, name)
			}
		}
	}
	if !found {
		t.Fatalf("no -r2 execution among %v", f.started)
	}
}
