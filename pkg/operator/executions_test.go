package operator

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/logiwaflow/logiwaflow/pkg/target"
)

// fakeSFN serves ListExecutions newest first in pages of 100, like Step
// Functions, and counts the pages it served.
type fakeSFN struct {
	SFN
	execs map[string][]types.ExecutionListItem // by machine ARN, newest first
	pages int
}

func (f *fakeSFN) ListExecutions(_ context.Context, in *sfn.ListExecutionsInput, _ ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error) {
	f.pages++
	all := f.execs[aws.ToString(in.StateMachineArn)]
	var list []types.ExecutionListItem
	for _, e := range all {
		if in.StatusFilter == "" || e.Status == in.StatusFilter {
			list = append(list, e)
		}
	}
	from := 0
	if in.NextToken != nil {
		from, _ = strconv.Atoi(*in.NextToken)
	}
	to := min(from+int(in.MaxResults), len(list))
	out := &sfn.ListExecutionsOutput{Executions: list[from:to]}
	if to < len(list) {
		out.NextToken = aws.String(strconv.Itoa(to))
	}
	return out, nil
}

func (f *fakeSFN) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	for _, list := range f.execs {
		for _, e := range list {
			if aws.ToString(e.ExecutionArn) == aws.ToString(in.ExecutionArn) {
				return &sfn.DescribeExecutionOutput{ExecutionArn: e.ExecutionArn, Name: e.Name, Status: e.Status, StartDate: e.StartDate, StateMachineArn: e.StateMachineArn}, nil
			}
		}
	}
	return nil, &types.ExecutionDoesNotExist{Message: aws.String("no such execution")}
}

const machineARN = "arn:aws:states:eu-west-1:123456789012:stateMachine:logiwaflow-orders"

// newFake holds n order executions, one a minute back from base, every
// third FAILED.
func newFake(n int, base time.Time) *fakeSFN {
	f := &fakeSFN{execs: map[string][]types.ExecutionListItem{}}
	for i := range n {
		name := fmt.Sprintf("orders-SO-%04d-abcdef1234", i)
		status := types.ExecutionStatusSucceeded
		if i%3 == 0 {
			status = types.ExecutionStatusFailed
		}
		f.execs[machineARN] = append(f.execs[machineARN], types.ExecutionListItem{
			Name: aws.String(name), ExecutionArn: aws.String(executionARN(machineARN, name)), StateMachineArn: aws.String(machineARN),
			Status: status, StartDate: aws.Time(base.Add(-time.Duration(i) * time.Minute)),
		})
	}
	return f
}

func TestListExecutionsPagesAndStops(t *testing.T) {
	base := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		filter    ListFilter
		want      int
		wantPages int
		first     string
	}{
		{"limit across pages", ListFilter{Limit: 150}, 150, 2, "orders-SO-0000-abcdef1234"},
		{"since stops paging", ListFilter{Since: base.Add(-30 * time.Minute), Limit: 1000}, 31, 1, "orders-SO-0000-abcdef1234"},
		{"status", ListFilter{Status: "failed", Limit: 1000}, 84, 1, "orders-SO-0000-abcdef1234"},
		{"name across pages", ListFilter{NameContains: "so-0249", Limit: 1000}, 1, 3, "orders-SO-0249-abcdef1234"},
		{"machine by name", ListFilter{Machine: "orders", Limit: 5}, 5, 1, "orders-SO-0000-abcdef1234"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(250, base)
			o := &Operator{Target: target.Target{StateMachines: map[string]string{"orders": machineARN}}, SFN: f}
			got, err := o.ListExecutions(context.Background(), tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want || f.pages != tt.wantPages {
				t.Fatalf("got %d executions in %d pages, want %d in %d", len(got), f.pages, tt.want, tt.wantPages)
			}
			if got[0].Name != tt.first || got[0].Machine != "orders" {
				t.Errorf("first = %+v", got[0])
			}
		})
	}
}

func TestResolve(t *testing.T) {
	f := newFake(30, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	o := &Operator{Target: target.Target{StateMachines: map[string]string{"orders": machineARN}}, SFN: f}
	ctx := context.Background()
	tests := []struct {
		ref, want string
		kind      Kind
	}{
		{"orders-SO-0007-abcdef1234", executionARN(machineARN, "orders-SO-0007-abcdef1234"), 0},
		{"SO-0007", executionARN(machineARN, "orders-SO-0007-abcdef1234"), 0},
		{"arn:aws:states:eu-west-1:1:execution:m:x", "arn:aws:states:eu-west-1:1:execution:m:x", 0},
		{"SO-001", "", KindUsage}, // SO-0010 .. SO-0019
		{"SO-9999", "", KindFailed},
		{"", "", KindUsage},
	}
	for _, tt := range tests {
		got, err := o.Resolve(ctx, tt.ref)
		if tt.kind != 0 {
			if err == nil || Classify(err) != tt.kind {
				t.Errorf("Resolve(%q) = %q, %v; want kind %d", tt.ref, got, err, tt.kind)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", tt.ref, got, err, tt.want)
		}
	}
	_, err := o.Resolve(ctx, "SO-001")
	if err == nil || !strings.Contains(err.Error(), "matches 10 executions") {
		t.Errorf("ambiguous: %v", err)
	}
}
