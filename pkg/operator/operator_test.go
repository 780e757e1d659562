package operator

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/logiwaflow/logiwaflow/pkg/target"
	"github.com/logiwaflow/logiwaflow/statemachines"
)

func TestSplitMessages(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantBody  []string
		wantLines []int
		wantErr   string
	}{
		{"one object", ` {"a":1} `, []string{`{"a":1}`}, []int{0}, ""},
		{"pretty object", "{\n  \"a\": 1\n}\n", []string{"{\n  \"a\": 1\n}"}, []int{0}, ""},
		{"array", `[{"a":1}, {"b":2}]`, []string{`{"a":1}`, `{"b":2}`}, []int{0, 0}, ""},
		{"json lines", "{\"a\":1}\n\n{\"b\":2}\r\n", []string{`{"a":1}`, `{"b":2}`}, []int{1, 3}, ""},
		{"bad line kept", "{\"a\":1}\n{oops\n", []string{`{"a":1}`, `{oops`}, []int{1, 2}, ""},
		{"empty", " \n", nil, nil, "empty"},
		{"empty array", "[]", nil, nil, "array is empty"},
		{"broken array", "[{}", nil, nil, "not a JSON array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := SplitMessages([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || Classify(err) != KindUsage {
					t.Fatalf("err = %v, want a usage error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != len(tt.wantBody) {
				t.Fatalf("got %d items, want %d", len(items), len(tt.wantBody))
			}
			for i, it := range items {
				if it.Index != i || string(it.Body) != tt.wantBody[i] || it.Line != tt.wantLines[i] {
					t.Errorf("item %d = {%d line %d %q}, want {%d line %d %q}", i, it.Index, it.Line, it.Body, i, tt.wantLines[i], tt.wantBody[i])
				}
			}
		})
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"", time.Time{}, false},
		{"2026-11-24T09:30:00Z", time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC), false},
		{"2026-11-24T10:30:00+01:00", time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC), false},
		{"2026-11-20", time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), false},
		{"90m", now.Add(-90 * time.Minute), false},
		{"2h", now.Add(-2 * time.Hour), false},
		{"3d", now.Add(-72 * time.Hour), false},
		{"-2h", time.Time{}, true},
		{"1.5d", time.Time{}, true},
		{"yesterday", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := ParseSince(tt.in, now)
		if tt.err {
			if err == nil || Classify(err) != KindUsage {
				t.Errorf("ParseSince(%q) = %v, %v; want a usage error", tt.in, got, err)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	sendErr := &smithyhttp.RequestSendError{Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}
	tests := []struct {
		err  error
		want Kind
	}{
		{usagef("bad"), KindUsage},
		{fmt.Errorf("wrapped: %w", failedf("failed")), KindFailed},
		{fmt.Errorf("list executions: %w", sendErr), KindUnreachable},
		{errors.New("anything else"), KindFailed},
	}
	for _, tt := range tests {
		if got := Classify(tt.err); got != tt.want {
			t.Errorf("Classify(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestMachinesAndARNs(t *testing.T) {
	o := &Operator{Target: target.Target{StateMachines: map[string]string{
		"orders":  "arn:aws:states:eu-west-1:123456789012:stateMachine:logiwaflow-orders",
		"redrive": "arn:aws:states:eu-west-1:123456789012:stateMachine:logiwaflow-redrive",
	}}}
	if got, err := o.MachineARN("orders"); err != nil || got != o.Target.StateMachines["orders"] {
		t.Errorf("MachineARN(orders) = %q, %v", got, err)
	}
	if _, err := o.MachineARN("payments"); err == nil || Classify(err) != KindUsage || !strings.Contains(err.Error(), "orders, redrive") {
		t.Errorf("unknown machine: %v", err)
	}
	if got := o.machineName(o.Target.StateMachines["redrive"]); got != "redrive" {
		t.Errorf("machineName = %q", got)
	}
	if got := o.machineName("arn:aws:states:eu-west-1:1:stateMachine:other"); got != "other" {
		t.Errorf("machineName of an unknown ARN = %q", got)
	}
	want := "arn:aws:states:eu-west-1:123456789012:execution:logiwaflow-orders:orders-SO-1-abc"
	if got := executionARN(o.Target.StateMachines["orders"], "orders-SO-1-abc"); got != want {
		t.Errorf("executionARN = %q, want %q", got, want)
	}
}

func TestSplitKey(t *testing.T) {
	tests := []struct {
		key                     string
		reason, flow, execution string
		ok                      bool
	}{
		{"parked/outage/orders/2026/11/24/orders-SO-1-abc.json", "outage", "orders", "orders-SO-1-abc", true},
		{"redriven/invalid/inventory/2026/11/24/inventory-X-abc-r1.json", "invalid", "inventory", "inventory-X-abc-r1", true},
		{"parked/outage/orders/2026/11/orders-SO-1-abc.json", "", "", "", false},
		{"other/outage/orders/2026/11/24/x.json", "", "", "", false},
		{"parked/outage/orders/2026/11/24/x.txt", "", "", "", false},
	}
	for _, tt := range tests {
		r, f, x, ok := splitKey(tt.key)
		if r != tt.reason || f != tt.flow || x != tt.execution || ok != tt.ok {
			t.Errorf("splitKey(%q) = %q %q %q %v", tt.key, r, f, x, ok)
		}
	}
}

func TestRedriveCounts(t *testing.T) {
	events := []Event{
		{Type: "TaskStateExited", State: "ListParked", Output: []byte(`{"items":["a","b","c"],"continuation":"x"}`)},
		{Type: "TaskStateExited", State: "RepublishOne"},
		{Type: "PassStateExited", State: "RepublishFailed"},
		{Type: "TaskStateExited", State: "ListParked", Output: []byte(`{"items":["d"]}`)},
		{Type: "TaskStateEntered", State: "RepublishOne"},
		{Type: "TaskStateExited", State: "RepublishOne"},
	}
	if done, total := redriveCounts(events); done != 3 || total != 4 {
		t.Errorf("redriveCounts = %d of %d, want 3 of 4", done, total)
	}
}

func TestFlattenLiftsDetails(t *testing.T) {
	ts := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		ev   types.HistoryEvent
		want Event
	}{
		{types.HistoryEvent{Id: 2, PreviousEventId: 1, Timestamp: &ts, Type: types.HistoryEventTypeTaskStateEntered,
			StateEnteredEventDetails: &types.StateEnteredEventDetails{Name: aws.String("CallLogiwa"), Input: aws.String(`{"a":1}`)}},
			Event{ID: 2, PreviousID: 1, Timestamp: ts, Type: "TaskStateEntered", State: "CallLogiwa", Input: []byte(`{"a":1}`)}},
		{types.HistoryEvent{Id: 3, PreviousEventId: 2, Timestamp: &ts, Type: types.HistoryEventTypeTaskScheduled,
			TaskScheduledEventDetails: &types.TaskScheduledEventDetails{Resource: aws.String("invoke"), ResourceType: aws.String("lambda"), Parameters: aws.String(`{"p":true}`)}},
			Event{ID: 3, PreviousID: 2, Timestamp: ts, Type: "TaskScheduled", Resource: "lambda:invoke", Parameters: []byte(`{"p":true}`)}},
		{types.HistoryEvent{Id: 4, PreviousEventId: 3, Timestamp: &ts, Type: types.HistoryEventTypeTaskFailed,
			TaskFailedEventDetails: &types.TaskFailedEventDetails{Error: aws.String("Logiwa.Unavailable"), Cause: aws.String("503")}},
			Event{ID: 4, PreviousID: 3, Timestamp: ts, Type: "TaskFailed", Error: "Logiwa.Unavailable", Cause: "503"}},
		{types.HistoryEvent{Id: 5, Timestamp: &ts, Type: types.HistoryEventTypeExecutionSucceeded,
			ExecutionSucceededEventDetails: &types.ExecutionSucceededEventDetails{Output: aws.String("not json")}},
			Event{ID: 5, Timestamp: ts, Type: "ExecutionSucceeded", Output: []byte(`"not json"`)}},
		{types.HistoryEvent{Id: 6, Timestamp: &ts, Type: types.HistoryEventTypeMapIterationStarted,
			MapIterationStartedEventDetails: &types.MapIterationEventDetails{Name: aws.String("Republish"), Index: 7}},
			Event{ID: 6, Timestamp: ts, Type: "MapIterationStarted", Index: aws.Int32(7)}},
	}
	for _, tt := range tests {
		got := flatten(tt.ev)
		if fmt.Sprintf("%+v", deref(got)) != fmt.Sprintf("%+v", deref(tt.want)) {
			t.Errorf("flatten(%s)\n got %+v\nwant %+v", tt.ev.Type, deref(got), deref(tt.want))
		}
	}
}

// deref prints Index by value so two events compare by content.
func deref(e Event) any {
	idx := int32(-1)
	if e.Index != nil {
		idx = *e.Index
	}
	type plain Event
	return struct {
		plain
		Idx int32
	}{plain(Event{ID: e.ID, PreviousID: e.PreviousID, Timestamp: e.Timestamp, Type: e.Type, State: e.State, Resource: e.Resource,
		Error: e.Error, Cause: e.Cause, Input: e.Input, Output: e.Output, Parameters: e.Parameters}), idx}
}

var _ SFN = (*sfn.Client)(nil)

func TestConventionTarget(t *testing.T) {
	tg, err := ConventionTarget("logiwaflow", "eu-west-1", "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	if err := tg.Validate(); err != nil {
		t.Fatalf("derived target invalid: %v", err)
	}
	checks := map[string]string{
		tg.StateMachines["inventory-sync"]: "arn:aws:states:eu-west-1:123456789012:stateMachine:logiwaflow-inventory-sync",
		tg.StateMachines["redrive"]:        "arn:aws:states:eu-west-1:123456789012:stateMachine:logiwaflow-redrive",
		tg.Queues["orders"]:                "https://sqs.eu-west-1.amazonaws.com/123456789012/logiwaflow-orders",
		tg.Queues["gate-dlq"]:              "https://sqs.eu-west-1.amazonaws.com/123456789012/logiwaflow-gate-dlq",
		tg.ParkedBucket:                    "logiwaflow-parked-123456789012-eu-west-1",
		tg.RecordsTable:                    "logiwaflow-records",
		tg.JobsTable:                       "logiwaflow-jobs",
	}
	for got, want := range checks {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if len(tg.StateMachines) != 6 || len(tg.Queues) != 8 || tg.Name != target.AWS || len(tg.Endpoints) != 0 {
		t.Errorf("derived target %+v", tg)
	}
	for _, bad := range [][3]string{{"LogiwaFlow", "eu-west-1", "123456789012"}, {"logiwaflow", "europe", "123456789012"}, {"logiwaflow", "eu-west-1", "1234"}} {
		if _, err := ConventionTarget(bad[0], bad[1], bad[2]); err == nil || Classify(err) != KindUsage {
			t.Errorf("ConventionTarget%v = %v, want a usage error", bad, err)
		}
	}
}

func TestConventionTargetCoversEveryDefinition(t *testing.T) {
	if got := strings.Join(deployedMachines, ","); !sameSet(deployedMachines, statemachines.Names()) {
		t.Errorf("deployedMachines %s, definitions %v: keep them in step", got, statemachines.Names())
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, x := range a {
		seen[x] = true
	}
	for _, x := range b {
		if !seen[x] {
			return false
		}
	}
	return true
}
