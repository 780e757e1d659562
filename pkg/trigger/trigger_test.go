package trigger

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
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
