package conformance

import (
	"fmt"
	"strings"
	"testing"
)

// ev builds an engine-style event (input/output as JSON text).
func ev(id, prev int, typ, details string) string {
	s := fmt.Sprintf(`{"id":%d,"previousEventId":%d,"timestamp":"2024-01-01T00:00:00Z","type":%q`, id, prev, typ)
	if details != "" {
		s += "," + details
	}
	return s + "}"
}

func events(t *testing.T, evs ...string) []any {
	t.Helper()
	return mustDecode(t, "["+strings.Join(evs, ",")+"]").([]any)
}

// A recorded Parallel history: branch events carry the id placeholder [0],
// are listed grouped by type, and ParallelStateSucceeded (id 12) is left out.
const recordedParallel = `[
 {"executionStartedEventDetails":{"input":{},"inputDetails":{"truncated":false},"roleArn":"snf_role_arn"},"id":1,"previousEventId":0,"timestamp":"timestamp","type":"ExecutionStarted"},
 {"id":2,"previousEventId":0,"stateEnteredEventDetails":{"input":{},"inputDetails":{"truncated":false},"name":"P"},"timestamp":"timestamp","type":"ParallelStateEntered"},
 {"id":3,"previousEventId":2,"timestamp":"timestamp","type":"ParallelStateStarted"},
 {"id":[0],"previousEventId":0,"stateEnteredEventDetails":{"input":{},"inputDetails":{"truncated":false},"name":"A"},"timestamp":"timestamp","type":"PassStateEntered"},
 {"id":[0],"previousEventId":0,"stateEnteredEventDetails":{"input":{},"inputDetails":{"truncated":false},"name":"B"},"timestamp":"timestamp","type":"PassStateEntered"},
 {"id":[0],"previousEventId":0,"stateExitedEventDetails":{"name":"A","output":{"a":1},"outputDetails":{"truncated":false}},"timestamp":"timestamp","type":"PassStateExited"},
 {"id":[0],"previousEventId":0,"stateExitedEventDetails":{"name":"B","output":{"b":2},"outputDetails":{"truncated":false}},"timestamp":"timestamp","type":"PassStateExited"},
 {"id":9,"previousEventId":7,"stateExitedEventDetails":{"name":"P","output":"[{\"a\":1},{\"b\":2}]","outputDetails":{"truncated":false}},"timestamp":"timestamp","type":"ParallelStateExited"},
 {"executionSucceededEventDetails":{"output":"[{\"a\":1},{\"b\":2}]","outputDetails":{"truncated":false}},"id":10,"previousEventId":9,"timestamp":"timestamp","type":"ExecutionSucceeded"}
]`

func engineParallel(branchB string) []string {
	return []string{
		ev(1, 0, "ExecutionStarted", `"executionStartedEventDetails":{"input":"{}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::111111111111:role/r"}`),
		ev(2, 0, "ParallelStateEntered", `"stateEnteredEventDetails":{"input":"{}","inputDetails":{"truncated":false},"name":"P"}`),
		ev(3, 2, "ParallelStateStarted", ""),
		// Interleaved differently from the recording.
		ev(4, 3, "PassStateEntered", `"stateEnteredEventDetails":{"input":"{}","inputDetails":{"truncated":false},"name":"B"}`),
		ev(5, 4, "PassStateExited", `"stateExitedEventDetails":{"name":"B","output":`+branchB+`,"outputDetails":{"truncated":false}}`),
		ev(6, 3, "PassStateEntered", `"stateEnteredEventDetails":{"input":"{}","inputDetails":{"truncated":false},"name":"A"}`),
		ev(7, 6, "PassStateExited", `"stateExitedEventDetails":{"name":"A","output":"{\"a\":1}","outputDetails":{"truncated":false}}`),
		ev(8, 7, "ParallelStateSucceeded", ""),
		ev(9, 7, "ParallelStateExited", `"stateExitedEventDetails":{"name":"P","output":"[{\"a\":1},{\"b\":2}]","outputDetails":{"truncated":false}}`),
		ev(10, 9, "ExecutionSucceeded", `"executionSucceededEventDetails":{"output":"[{\"a\":1},{\"b\":2}]","outputDetails":{"truncated":false}}`),
	}
}

func TestCompareHistory(t *testing.T) {
	simpleWant := `[
 {"executionStartedEventDetails":{"input":{"x":1},"inputDetails":{"truncated":false},"roleArn":"snf_role_arn"},"id":1,"previousEventId":0,"timestamp":"timestamp","type":"ExecutionStarted"},
 {"id":2,"previousEventId":0,"stateEnteredEventDetails":{"input":{"x":1},"inputDetails":{"truncated":false},"name":"S"},"timestamp":"timestamp","type":"PassStateEntered"},
 {"id":3,"previousEventId":2,"stateExitedEventDetails":{"name":"S","output":{"x":1},"outputDetails":{"truncated":false}},"timestamp":"timestamp","type":"PassStateExited"},
 {"executionSucceededEventDetails":{"output":{"x":1},"outputDetails":{"truncated":false}},"id":4,"previousEventId":3,"timestamp":"timestamp","type":"ExecutionSucceeded"}
]`
	runningWant := `[{"executionStartedEventDetails":{"input":{"x":1},"inputDetails":{"truncated":false},"roleArn":"snf_role_arn"},"id":1,"previousEventId":0,"timestamp":"timestamp","type":"ExecutionStarted"}]`
	start := ev(1, 0, "ExecutionStarted", `"executionStartedEventDetails":{"input":"{\"x\":1}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::111111111111:role/r"}`)
	entered := ev(2, 0, "PassStateEntered", `"stateEnteredEventDetails":{"input":"{\"x\": 1}","inputDetails":{"truncated":false},"name":"S"}`)
	exited := func(out string) string {
		return ev(3, 2, "PassStateExited", `"stateExitedEventDetails":{"name":"S","output":`+out+`,"outputDetails":{"truncated":false}}`)
	}
	succeeded := ev(4, 3, "ExecutionSucceeded", `"executionSucceededEventDetails":{"output":"{\"x\":1}","outputDetails":{"truncated":false}}`)

	tests := []struct {
		name     string
		want     string
		got      []string
		prefix   bool
		wantDiff string
	}{
		{name: "running: later events allowed", want: runningWant, prefix: true, got: []string{start, entered}},
		{name: "running: engine ended", want: runningWant, prefix: true, got: []string{start, entered, exited(`"{\"x\":1}"`), succeeded},
			wantDiff: "still running, but the engine's ended with event id 4 (ExecutionSucceeded)"},
		{name: "running: recorded events must match", want: runningWant, prefix: true, got: []string{ev(1, 0, "ExecutionStarted", `"executionStartedEventDetails":{"input":"{\"x\":2}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::111111111111:role/r"}`)},
			wantDiff: "history[0].executionStartedEventDetails.input.x: want 1, got 2"},
		{name: "same history", want: simpleWant, got: []string{start, entered, exited(`"{\"x\":1}"`), succeeded}},
		{name: "output differs", want: simpleWant, got: []string{start, entered, exited(`"{\"x\":2}"`), succeeded},
			wantDiff: "history[2].stateExitedEventDetails.output.x: want 1, got 2"},
		{name: "missing terminal event", want: simpleWant, got: []string{start, entered, exited(`"{\"x\":1}"`)},
			wantDiff: "history[3]: missing event id 4 (ExecutionSucceeded)"},
		{name: "extra event", want: simpleWant, got: []string{start, entered, exited(`"{\"x\":1}"`), succeeded, ev(5, 4, "ExecutionFailed", "")},
			wantDiff: "unexpected event id 5 (ExecutionFailed)"},
		{name: "wrong previous id", want: simpleWant, got: []string{start, entered, ev(3, 1, "PassStateExited", `"stateExitedEventDetails":{"name":"S","output":"{\"x\":1}","outputDetails":{"truncated":false}}`), succeeded},
			wantDiff: "history[2].previousEventId: want 2, got 1"},
		{name: "wrong type", want: simpleWant, got: []string{start, entered, ev(3, 2, "PassStateExitedX", ""), succeeded},
			wantDiff: `history[2].type: want "PassStateExited", got "PassStateExitedX"`},
		{name: "extra detail field", want: simpleWant, got: []string{start, entered, ev(3, 2, "PassStateExited", `"stateExitedEventDetails":{"name":"S","output":"{\"x\":1}","outputDetails":{"truncated":false},"extra":1}`), succeeded},
			wantDiff: "history[2].stateExitedEventDetails.extra: unexpected"},
		{name: "parallel branches in any order, dropped event allowed", want: recordedParallel, got: engineParallel(`"{\"b\":2}"`)},
		{name: "parallel branch differs", want: recordedParallel, got: engineParallel(`"{\"b\":3}"`),
			wantDiff: "history[6].stateExitedEventDetails.output.b: (unordered branch event, closest is id 5) want 2, got 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMatcher(nil)
			d := m.CompareHistory(mustDecode(t, tt.want).([]any), events(t, tt.got...))
			if tt.prefix {
				d = m.CompareHistoryPrefix(mustDecode(t, tt.want).([]any), events(t, tt.got...))
			}
			switch {
			case tt.wantDiff == "" && d != nil:
				t.Fatalf("want a match, got %s", d)
			case tt.wantDiff != "" && d == nil:
				t.Fatalf("want a difference containing %q, got none", tt.wantDiff)
			case tt.wantDiff != "" && !strings.Contains(d.String(), tt.wantDiff):
				t.Fatalf("difference %q does not contain %q", d, tt.wantDiff)
			}
		})
	}
}
