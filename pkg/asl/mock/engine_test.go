package mock

import (
	"context"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// TestWithEngine runs state machines on the engine with mocked tasks.
func TestWithEngine(t *testing.T) {
	const config = `{"StateMachines":{"M":{"TestCases":{
		"Invoke":{"Call":"LambdaOk"},
		"Token":{"Call":"Callback"},
		"TokenFails":{"Call":"CallbackFails"},
		"Retried":{"Call":"FlakyThenOk"}}}},
	"MockedResponses":{
		"LambdaOk":{"0":{"Return":{"StatusCode":200,"Payload":{"picked":3}}}},
		"Callback":{"0":{"Return":{"approved":true}}},
		"CallbackFails":{"0":{"Throw":{"Error":"Rejected","Cause":"no"}}},
		"FlakyThenOk":{"0-1":{"Throw":{"Error":"Transient","Cause":"again"}},"2":{"Return":{"n":2}}}}}`
	cfg, err := Parse([]byte(config))
	if err != nil {
		t.Fatal(err)
	}
	def := func(resource string) []byte {
		return []byte(`{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"` + resource + `",
			"Retry":[{"ErrorEquals":["Transient"],"IntervalSeconds":5,"MaxAttempts":3}],"End":true}}}`)
	}
	tests := []struct {
		testCase, resource, selectPath string
		wantStatus                     asl.Status
		want                           string
	}{
		// The engine wraps lambda:invoke results; the mock's Payload is the function's result.
		{"Invoke", "arn:aws:states:::lambda:invoke", "Payload", asl.StatusSucceeded, `{"picked":3}`},
		{"Token", "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "", asl.StatusSucceeded, `{"approved":true}`},
		{"TokenFails", "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "", asl.StatusFailed, `"Rejected"`},
		{"Retried", "arn:aws:lambda:us-east-1:123456789012:function:f", "", asl.StatusSucceeded, `{"n":2}`},
	}
	for _, tt := range tests {
		t.Run(tt.testCase, func(t *testing.T) {
			r, err := cfg.Runner("M", tt.testCase)
			if err != nil {
				t.Fatal(err)
			}
			sm, err := asl.NewStateMachine("M", def(tt.resource))
			if err != nil {
				t.Fatal(err)
			}
			eng := asl.NewEngine(asl.WithTasks(r), asl.WithClock(clock.NewFake(time.Unix(0, 0))))
			r.AnswerTokens(eng)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			x, err := eng.Start(ctx, sm, map[string]any{}, asl.StartOptions{Name: "e"})
			if err != nil {
				t.Fatal(err)
			}
			res, err := x.Wait(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tt.wantStatus {
				t.Fatalf("status %s (%s %s), want %s", res.Status, res.Error, res.Cause, tt.wantStatus)
			}
			got := res.Output
			if res.Status == asl.StatusFailed {
				got = res.Error
			} else if tt.selectPath != "" {
				got = got.(map[string]any)[tt.selectPath]
			}
			want, _ := jsonvalue.DecodeString(tt.want)
			if !jsonvalue.Equal(want, got) {
				t.Fatalf("got %s, want %s", jsonvalue.String(got), tt.want)
			}
		})
	}
}
