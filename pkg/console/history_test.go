package console

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// events builds a history from (type, state name) pairs; entered and exited
// events get their details, failures an error name.
func events(spec ...string) []sfntypes.HistoryEvent {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var out []sfntypes.HistoryEvent
	for i := 0; i < len(spec); i += 2 {
		typ, name := spec[i], spec[i+1]
		ev := sfntypes.HistoryEvent{Id: int64(len(out) + 1), PreviousEventId: int64(len(out)), Type: sfntypes.HistoryEventType(typ), Timestamp: aws.Time(t0.Add(time.Duration(len(out)) * time.Second))}
		switch {
		case len(typ) > 12 && typ[len(typ)-12:] == "StateEntered":
			ev.StateEnteredEventDetails = &sfntypes.StateEnteredEventDetails{Name: aws.String(name), Input: aws.String(`{"in":1}`)}
		case len(typ) > 11 && typ[len(typ)-11:] == "StateExited":
			ev.StateExitedEventDetails = &sfntypes.StateExitedEventDetails{Name: aws.String(name), Output: aws.String(`{"out":2}`)}
		case typ == "LambdaFunctionFailed":
			ev.LambdaFunctionFailedEventDetails = &sfntypes.LambdaFunctionFailedEventDetails{Error: aws.String(name), Cause: aws.String("boom")}
		case typ == "TaskFailed":
			ev.TaskFailedEventDetails = &sfntypes.TaskFailedEventDetails{Error: aws.String(name), Resource: aws.String("sendMessage"), ResourceType: aws.String("sqs")}
		case typ == "ExecutionFailed":
			ev.ExecutionFailedEventDetails = &sfntypes.ExecutionFailedEventDetails{Error: aws.String(name)}
		}
		out = append(out, ev)
	}
	return out
}

const parkDef = `{"StartAt":"Validate","States":{
	"Validate":{"Type":"Task","Resource":"x","Next":"Call","Catch":[{"ErrorEquals":["Message.Invalid"],"Next":"Park"}]},
	"Call":{"Type":"Task","Resource":"y","Next":"Map"},
	"Map":{"Type":"Map","ItemProcessor":{"StartAt":"Inner","States":{"Inner":{"Type":"Pass","End":true}}},"Next":"Done"},
	"Done":{"Type":"Succeed"},
	"Park":{"Type":"Task","Resource":"z","Next":"Parked"},
	"Parked":{"Type":"Fail","Error":"Parked.invalid"}}}`

func TestStateStatus(t *testing.T) {
	tests := []struct {
		name   string
		events []sfntypes.HistoryEvent
		exec   string
		want   map[string]string
		detail map[string]string
		taken  []string
	}{
		{
			name: "caught then parked",
			events: events("ExecutionStarted", "", "TaskStateEntered", "Validate", "LambdaFunctionScheduled", "",
				"LambdaFunctionFailed", "Message.Invalid", "TaskStateExited", "Validate",
				"TaskStateEntered", "Park", "LambdaFunctionScheduled", "", "LambdaFunctionSucceeded", "", "TaskStateExited", "Park",
				"FailStateEntered", "Parked", "ExecutionFailed", "Parked.invalid"),
			exec: "FAILED",
			want: map[string]string{"Validate": statusCaught, "Park": statusSucceeded, "Parked": statusFailed,
				"Call": statusNotReached, "Map": statusNotReached, "Done": statusNotReached},
			detail: map[string]string{"Validate": "Message.Invalid"},
			taken:  []string{"Validate\x00Park", "Park\x00Parked"},
		},
		{
			name: "retried and still running",
			events: events("ExecutionStarted", "", "TaskStateEntered", "Validate", "TaskStateExited", "Validate",
				"TaskStateEntered", "Call", "TaskScheduled", "", "TaskFailed", "Logiwa.Unavailable", "TaskScheduled", ""),
			exec:   "RUNNING",
			want:   map[string]string{"Validate": statusSucceeded, "Call": statusInProgress, "Park": statusNotReached},
			detail: map[string]string{"Call": "2 attempts; Logiwa.Unavailable"},
		},
		{
			name: "map iterations count against the map, not the graph's states",
			events: events("ExecutionStarted", "", "TaskStateEntered", "Validate", "TaskStateExited", "Validate",
				"TaskStateEntered", "Call", "TaskStateExited", "Call",
				"MapStateEntered", "Map", "MapStateStarted", "", "MapIterationStarted", "",
				"PassStateEntered", "Inner", "PassStateExited", "Inner", "MapIterationSucceeded", "",
				"MapStateSucceeded", "", "MapStateExited", "Map", "SucceedStateEntered", "Done", "SucceedStateExited", "Done",
				"ExecutionSucceeded", ""),
			exec:   "SUCCEEDED",
			want:   map[string]string{"Map": statusSucceeded, "Done": statusSucceeded, "Inner": ""},
			detail: map[string]string{"Map": "Inner ×1"},
		},
		{
			name:   "stopped in a state",
			events: events("ExecutionStarted", "", "TaskStateEntered", "Validate", "ExecutionAborted", ""),
			exec:   "ABORTED",
			want:   map[string]string{"Validate": statusFailed},
		},
	}
	l := layOut(mustDef(t, parkDef))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, traces, taken := readHistory(tc.events)
			if len(rows) != len(tc.events) {
				t.Fatalf("%d rows for %d events", len(rows), len(tc.events))
			}
			status, detail := stateStatus(l, traces, tc.exec)
			g := draw(l, status, detail, taken)
			drawn := map[string]string{}
			for _, n := range g.Nodes {
				drawn[n.Name] = n.Status
			}
			for state, want := range tc.want {
				if drawn[state] != want {
					t.Errorf("%s: %q, want %q", state, drawn[state], want)
				}
			}
			for _, tr := range tc.taken {
				if !taken[tr] {
					t.Errorf("transition %q not taken (taken: %v)", tr, taken)
				}
			}
			if tc.taken != nil && len(taken) != len(tc.taken) {
				t.Errorf("taken %v, want %q", taken, tc.taken)
			}
			for state, want := range tc.detail {
				if detail[state] != want {
					t.Errorf("%s detail %q, want %q", state, detail[state], want)
				}
			}
		})
	}
}

func TestReadHistoryRows(t *testing.T) {
	rows, _, taken := readHistory(events("ExecutionStarted", "", "TaskStateEntered", "Validate", "TaskFailed", "Logiwa.Rejected",
		"MapStateStarted", "", "PassStateEntered", "Inner", "MapStateSucceeded", "", "TaskStateExited", "Validate"))
	if len(taken) != 0 {
		t.Errorf("one top-level state, yet transitions %v", taken)
	}
	if rows[1].Anchor != "state-Validate" || rows[1].Input != "{\n  \"in\": 1\n}" {
		t.Errorf("entered row %+v", rows[1])
	}
	if !rows[2].Failure || rows[2].Error != "Logiwa.Rejected" || rows[2].Resource != "sqs:sendMessage" || rows[2].State != "Validate" {
		t.Errorf("failure row %+v", rows[2])
	}
	if rows[4].State != "Validate" || rows[4].Step != "Inner" {
		t.Errorf("inner row %+v", rows[4])
	}
	if rows[6].Output == "" || rows[6].Elapsed != 6*time.Second {
		t.Errorf("exited row %+v", rows[6])
	}
}
