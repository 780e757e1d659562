package sfnlocal

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

func TestStartExecutionDuplicates(t *testing.T) {
	f := newFixture(t)
	waitARN := f.create(t, "waiter", waitDef)
	passARN := f.create(t, "passer", passDef)
	running := f.start(t, waitARN, "dup", `{"a":1,"b":2}`)
	finished := f.start(t, passARN, "dup", `{"a":1}`)
	f.await(t, finished)

	tests := []struct {
		name    string
		machine string
		input   string
		wantARN string // "" = ExecutionAlreadyExists expected
	}{
		{"running, same input", waitARN, `{"a":1,"b":2}`, running},
		{"running, same input reformatted", waitARN, `{ "b": 2, "a": 1 }`, running},
		{"running, other input", waitARN, `{"a":2}`, ""},
		{"finished, same input", passARN, `{"a":1}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.client.StartExecution(t.Context(), &sfn.StartExecutionInput{
				StateMachineArn: aws.String(tc.machine), Name: aws.String("dup"), Input: aws.String(tc.input),
			})
			if tc.wantARN == "" {
				var exists *types.ExecutionAlreadyExists
				if !errors.As(err, &exists) {
					t.Fatalf("err = %v, want ExecutionAlreadyExists", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("StartExecution: %v", err)
			}
			if out.StartDate == nil || time.Since(*out.StartDate) > time.Minute {
				t.Errorf("start date = %v", out.StartDate)
			}
			if aws.ToString(out.ExecutionArn) != tc.wantARN {
				t.Errorf("ARN = %s, want %s", aws.ToString(out.ExecutionArn), tc.wantARN)
			}
		})
	}
	if n := len(f.srv.Executions(waitARN)); n != 1 {
		t.Errorf("waiter has %d executions, want 1", n)
	}
}

func TestListExecutions(t *testing.T) {
	f := newFixture(t)
	passARN := f.create(t, "passer", passDef)
	failARN := f.create(t, "failer", failDef)
	for i := range 5 {
		f.await(t, f.start(t, passARN, fmt.Sprintf("ok-%d", i), `{}`))
	}
	f.await(t, f.start(t, failARN, "bad-0", `{}`))
	// The same machine's executions can be in different states: add a
	// running one by redeploying the machine as a long wait.
	if _, err := f.srv.Register("passer", []byte(waitDef)); err != nil {
		t.Fatalf("Register: %v", err)
	}
	f.start(t, passARN, "slow-0", `{}`)

	tests := []struct {
		name     string
		machine  string
		filter   types.ExecutionStatus
		pageSize int32
		want     []string
		pages    int
	}{
		{"all newest first", passARN, "", 0, []string{"slow-0", "ok-4", "ok-3", "ok-2", "ok-1", "ok-0"}, 1},
		{"succeeded in pages of 2", passARN, types.ExecutionStatusSucceeded, 2, []string{"ok-4", "ok-3", "ok-2", "ok-1", "ok-0"}, 3},
		{"running", passARN, types.ExecutionStatusRunning, 0, []string{"slow-0"}, 1},
		{"failed on other machine", failARN, types.ExecutionStatusFailed, 0, []string{"bad-0"}, 1},
		{"none aborted", passARN, types.ExecutionStatusAborted, 0, nil, 1},
		{"exact page size", passARN, "", 3, []string{"slow-0", "ok-4", "ok-3", "ok-2", "ok-1", "ok-0"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			var token *string
			pages := 0
			for {
				out, err := f.client.ListExecutions(t.Context(), &sfn.ListExecutionsInput{
					StateMachineArn: aws.String(tc.machine), StatusFilter: tc.filter,
					MaxResults: tc.pageSize, NextToken: token,
				})
				if err != nil {
					t.Fatalf("ListExecutions: %v", err)
				}
				pages++
				for _, e := range out.Executions {
					got = append(got, aws.ToString(e.Name))
					if tc.filter != "" && e.Status != tc.filter {
						t.Errorf("%s has status %s under filter %s", aws.ToString(e.Name), e.Status, tc.filter)
					}
					if e.StartDate == nil || (e.Status != types.ExecutionStatusRunning) != (e.StopDate != nil) {
						t.Errorf("%s: dates start=%v stop=%v status=%s", aws.ToString(e.Name), e.StartDate, e.StopDate, e.Status)
					}
				}
				if token = out.NextToken; token == nil {
					break
				}
			}
			if !slices.Equal(got, tc.want) || pages != tc.pages {
				t.Errorf("listed %v in %d pages, want %v in %d", got, pages, tc.want, tc.pages)
			}
		})
	}
}

func TestGetExecutionHistory(t *testing.T) {
	f := newFixture(t)
	arn := f.start(t, f.create(t, "passer", passDef), "h", `{"in":true}`)
	f.await(t, arn)
	wantTypes := []types.HistoryEventType{
		types.HistoryEventTypeExecutionStarted,
		types.HistoryEventTypePassStateEntered, types.HistoryEventTypePassStateExited,
		types.HistoryEventTypePassStateEntered, types.HistoryEventTypePassStateExited,
		types.HistoryEventTypePassStateEntered, types.HistoryEventTypePassStateExited,
		types.HistoryEventTypeExecutionSucceeded,
	}
	tests := []struct {
		name     string
		reverse  bool
		pageSize int32
		pages    int
	}{
		{"forward, one page", false, 0, 1},
		{"forward, pages of 3", false, 3, 3},
		{"reverse, pages of 3", true, 3, 3},
		{"reverse, pages of 1", true, 1, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var events []types.HistoryEvent
			var token *string
			pages := 0
			for {
				out, err := f.client.GetExecutionHistory(t.Context(), &sfn.GetExecutionHistoryInput{
					ExecutionArn: aws.String(arn), ReverseOrder: tc.reverse, MaxResults: tc.pageSize, NextToken: token,
				})
				if err != nil {
					t.Fatalf("GetExecutionHistory: %v", err)
				}
				pages++
				events = append(events, out.Events...)
				if token = out.NextToken; token == nil {
					break
				}
			}
			if pages != tc.pages || len(events) != len(wantTypes) {
				t.Fatalf("%d events in %d pages, want %d in %d", len(events), pages, len(wantTypes), tc.pages)
			}
			for i, ev := range events {
				want := int64(i + 1)
				if tc.reverse {
					want = int64(len(events) - i)
				}
				if ev.Id != want || ev.Type != wantTypes[want-1] {
					t.Errorf("event %d = id %d %s, want id %d %s", i, ev.Id, ev.Type, want, wantTypes[want-1])
				}
				if ev.Timestamp == nil || ev.Timestamp.IsZero() {
					t.Errorf("event %d has no timestamp", ev.Id)
				}
			}
			first := events[0]
			if tc.reverse {
				first = events[len(events)-1]
			}
			if d := first.ExecutionStartedEventDetails; d == nil || aws.ToString(d.Input) != `{"in":true}` {
				t.Errorf("ExecutionStarted details = %+v", d)
			}
		})
	}

	t.Run("without execution data", func(t *testing.T) {
		out, err := f.client.GetExecutionHistory(t.Context(), &sfn.GetExecutionHistoryInput{
			ExecutionArn: aws.String(arn), IncludeExecutionData: aws.Bool(false),
		})
		if err != nil {
			t.Fatalf("GetExecutionHistory: %v", err)
		}
		if d := out.Events[0].ExecutionStartedEventDetails; d == nil || d.Input != nil {
			t.Errorf("ExecutionStarted details = %+v, want no input", d)
		}
	})
}

func TestStopExecution(t *testing.T) {
	f := newFixture(t)
	arn := f.start(t, f.create(t, "waiter", waitDef), "stop-me", `{}`)
	out, err := f.client.StopExecution(t.Context(), &sfn.StopExecutionInput{
		ExecutionArn: aws.String(arn), Error: aws.String("Operator"), Cause: aws.String("no longer needed"),
	})
	if err != nil {
		t.Fatalf("StopExecution: %v", err)
	}
	if out.StopDate == nil {
		t.Error("StopExecution returned no stop date")
	}
	d := f.await(t, arn)
	if d.Status != types.ExecutionStatusAborted || aws.ToString(d.Error) != "Operator" || aws.ToString(d.Cause) != "no longer needed" {
		t.Errorf("after stop: status=%s error=%q cause=%q", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	h, err := f.client.GetExecutionHistory(t.Context(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), ReverseOrder: true, MaxResults: 1})
	if err != nil {
		t.Fatalf("GetExecutionHistory: %v", err)
	}
	if len(h.Events) != 1 || h.Events[0].Type != types.HistoryEventTypeExecutionAborted {
		t.Errorf("last event = %+v, want ExecutionAborted", h.Events)
	}
	// Stopping again is harmless and keeps the first stop's date.
	again, err := f.client.StopExecution(t.Context(), &sfn.StopExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil || !again.StopDate.Equal(*d.StopDate) {
		t.Errorf("second stop = %v, %v; want stop date %v", again, err, d.StopDate)
	}
}

func TestRetention(t *testing.T) {
	f := newFixture(t, WithKeep(2))
	smARN := f.create(t, "passer", passDef)
	var arns []string
	for i := range 4 {
		arns = append(arns, f.start(t, smARN, fmt.Sprintf("r-%d", i), `{}`))
		f.await(t, arns[i])
	}
	// Pruning runs when an execution ends, just after DescribeExecution can
	// see it ended; wait for it.
	waitFor(t, func() bool { return len(f.srv.Executions(smARN)) == 2 })
	var names []string
	for _, e := range f.srv.Executions(smARN) {
		names = append(names, e.Name)
	}
	if !slices.Equal(names, []string{"r-3", "r-2"}) {
		t.Errorf("kept %v, want [r-3 r-2]", names)
	}
	if _, ok := f.srv.Execution(arns[0]); ok {
		t.Error("oldest execution still kept")
	}
	info, ok := f.srv.Execution(arns[3])
	if !ok || info.Status != "SUCCEEDED" || len(info.History()) != 8 || info.StateMachineARN != smARN {
		t.Errorf("Execution(newest) = %+v, %v", info, ok)
	}
	_, err := f.client.DescribeExecution(t.Context(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arns[0])})
	var missing *types.ExecutionDoesNotExist
	if !errors.As(err, &missing) {
		t.Errorf("describe pruned execution err = %v, want ExecutionDoesNotExist", err)
	}
}
