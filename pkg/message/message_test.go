package message

import (
	"context"

	"errors"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		flow    Flow
		fixture string
		key     string
		version int64
	}{
		{FlowInventory, "inventory.json", "SKU-1001", 3},
		{FlowOrders, "order.json", "SO-2001", 1},
		{FlowRefunds, "refund-return.json", "RMA-77", 1},
		{FlowRefunds, "refund-cancel.json", "RMA-78", 2},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			m, err := Parse(tt.flow, readFixture(t, tt.fixture))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if m.Flow() != tt.flow || m.Key() != tt.key || m.Head().Version != tt.version {
				t.Fatalf("got flow %s key %q version %d", m.Flow(), m.Key(), m.Head().Version)
			}
		})
	}
}

func TestParseInvalidNamesTheField(t *testing.T) {
	order := string(readFixture(t, "order.json"))
	tests := []struct {
		name      string
		flow      Flow
		body      string
		wantField string
		wantText  string
	}{
		{"malformed", FlowOrders, `{"schema": "order.v1",`, "", "malformed JSON"},
		{"not an object", FlowOrders, `[1,2]`, "", "object"},
		{"missing order number", FlowOrders, strings.Replace(order, `"orderNumber": "SO-2001",`, "", 1), "/orderNumber", "is required"},
		{"bad quantity", FlowOrders, strings.Replace(order, `"quantity": 2`, `"quantity": 0`, 1), "/lines/0/quantity", "minimum"},
		{"quantity wrong type", FlowOrders, strings.Replace(order, `"quantity": 2`, `"quantity": "two"`, 1), "/lines/0/quantity", "integer"},
		{"bad email", FlowOrders, strings.Replace(order, `ada@example.com`, `not-an-email`, 1), "/customer/email", "email"},
		{"unknown field", FlowOrders, strings.Replace(order, `"version": 1,`, `"version": 1, "colour": "red",`, 1), "", "colour"},
		{"wrong schema for flow", FlowInventory, order, "/schema", "inventory.v1"},
		{"too large", FlowOrders, `{"x":"` + strings.Repeat("a", MaxBytes) + `"}`, "", "256 KiB"},
		{"return without lines", FlowRefunds, `{"schema":"refund.v1","messageId":"m","rma":"R1","orderNumber":"SO-1","version":1,"occurredAt":"2026-11-25T10:00:00Z","kind":"return"}`, "/lines", "is required"},
		{"bad kind", FlowRefunds, `{"schema":"refund.v1","messageId":"m","rma":"R1","orderNumber":"SO-1","version":1,"occurredAt":"2026-11-25T10:00:00Z","kind":"swap"}`, "/kind", "return"},
		{"bad date", FlowOrders, strings.Replace(order, `"orderDate": "2026-11-24"`, `"orderDate": "24/11/2026"`, 1), "/orderDate", "date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.flow, []byte(tt.body))
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("want *InvalidError, got %v", err)
			}
			if ie.Field != tt.wantField {
				t.Errorf("field = %q, want %q (error: %v)", ie.Field, tt.wantField, err)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not mention %q", err, tt.wantText)
			}
			if ie.ErrorName() != "Message.Invalid" {
				t.Errorf("ErrorName = %q", ie.ErrorName())
			}
		})
	}
}

func TestExecutionName(t *testing.T) {
	body := readFixture(t, "order.json")
	n1 := ExecutionName(FlowOrders, "SO-2001", body, 0)
	if !strings.HasPrefix(n1, "orders-SO-2001-") || len(n1) != len("orders-SO-2001-")+10 {
		t.Fatalf("name %q", n1)
	}
	if n2 := ExecutionName(FlowOrders, "SO-2001", body, 0); n2 != n1 {
		t.Fatalf("duplicate delivery must get the same name: %q vs %q", n1, n2)
	}
	// A redriven copy carries replay in the body; the hash ignores it.
	replayed := []byte(strings.Replace(string(body), `"version": 1,`, `"version": 1, "replay": 2,`, 1))
	if n3 := ExecutionName(FlowOrders, "SO-2001", replayed, 2); n3 != n1+"-r2" {
		t.Fatalf("replay name %q, want %q", n3, n1+"-r2")
	}
	changed := []byte(strings.Replace(string(body), `"quantity": 2`, `"quantity": 3`, 1))
	if n4 := ExecutionName(FlowOrders, "SO-2001", changed, 0); n4 == n1 {
		t.Fatal("different content must get a different name")
	}
	long := ExecutionName(FlowOrders, strings.Repeat("K", 200)+"#/ x", body, 12)
	if len(long) > MaxExecutionName {
		t.Fatalf("name %d chars: %q", len(long), long)
	}
	if got := ExecutionName(FlowOrders, "#US 41/65", body, 0); !strings.HasPrefix(got, "orders-_US_41_65-") {
		t.Fatalf("sanitized name %q", got)
	}
}

type fakeSender struct{ got []string }

func (f *fakeSender) SendMessage(ctx context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	f.got = append(f.got, *in.QueueUrl+" "+*in.MessageBody)
	id := "id-1"
	return &sqs.SendMessageOutput{MessageId: &id}, nil
}

func TestPublisher(t *testing.T) {
	fs := &fakeSender{}
	p := &Publisher{SQS: fs, Queues: map[Flow]string{FlowOrders: "q-orders"}}
	m, err := Parse(FlowOrders, readFixture(t, "order.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(context.Background(), m); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if len(fs.got) != 1 || !strings.HasPrefix(fs.got[0], "q-orders {") {
		t.Fatalf("sent %q", fs.got)
	}
	// Invalid messages never reach the queue.
	_, err = p.PublishRaw(context.Background(), FlowOrders, []byte(`{"schema":"order.v1"}`))
	var ie *InvalidError
	if !errors.As(err, &ie) || len(fs.got) != 1 {
		t.Fatalf("invalid message: err %v, sent %d", err, len(fs.got))
	}
}
