package mock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

func loadExample(t *testing.T) *Config {
	t.Helper()
	cfg, err := LoadFile(filepath.Join("testdata", "MockConfigFile.json"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestRunnerServesTestCase(t *testing.T) {
	cfg := loadExample(t)
	type call struct {
		state, resource string
		want            string // JSON result, or "" when an error is expected
		wantErr         string // "Name: Cause" of an *aslerr.Error, or a substring of another error
	}
	tests := []struct {
		testCase string
		calls    []call
	}{
		{"HappyPath", []call{
			{state: "LambdaState", resource: "arn:aws:lambda:us-east-1:123456789012:function:f", want: `{"StatusCode":200,"Payload":{"StatusCode":200,"body":"Hello from Lambda!"}}`},
			{state: "SQSState", resource: "arn:aws:states:::sqs:sendMessage", want: `{"MD5OfMessageBody":"3bcb6e8e","MessageId":"3bcb6e8e-8b51"}`},
		}},
		{"RetryPath", []call{
			{state: "LambdaState", wantErr: "Lambda.ResourceNotReadyException: Lambda resource is not ready."},
			{state: "LambdaState", wantErr: "Lambda.TimeoutException: Lambda timed out."},
			{state: "LambdaState", wantErr: "Lambda.TimeoutException: Lambda timed out."},
			{state: "LambdaState", resource: "arn:aws:states:::lambda:invoke", want: `{"StatusCode":200,"body":"Hello from Lambda!"}`},
			{state: "LambdaState", wantErr: "invocation 4 of state \"LambdaState\" is not mocked: response \"MockedLambdaRetry\" answers invocations 0, 1-2, 3"},
		}},
		{"HybridPath", []call{
			{state: "SQSState", wantErr: `state "SQSState" of "LambdaSQSIntegration" is not mocked in test case "HybridPath" (mocked states: "LambdaState")`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.testCase, func(t *testing.T) {
			r, err := cfg.Runner("LambdaSQSIntegration", tt.testCase)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range tt.calls {
				got, err := r.RunTask(context.Background(), asl.TaskRequest{StateName: c.state, Resource: c.resource, ExecutionName: "e1"})
				if c.wantErr != "" {
					if err == nil {
						t.Fatalf("call %d: want error %q, got %v", i, c.wantErr, got)
					}
					if e, ok := aslerr.As(err); ok {
						if e.Error() != c.wantErr {
							t.Fatalf("call %d: error %q, want %q", i, e.Error(), c.wantErr)
						}
					} else if !strings.Contains(err.Error(), c.wantErr) || !errors.Is(err, ErrNotMocked) {
						t.Fatalf("call %d: error %q, want one containing %q and wrapping ErrNotMocked", i, err, c.wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
				want, _ := jsonvalue.DecodeString(c.want)
				if !jsonvalue.Equal(want, got) {
					t.Fatalf("call %d: got %s, want %s", i, jsonvalue.String(got), c.want)
				}
			}
		})
	}
}

func TestRunnerCountsPerExecution(t *testing.T) {
	cfg := loadExample(t)
	r, err := cfg.Runner("LambdaSQSIntegration", "RetryPath")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Each execution's first invocation gets answer "0".
			_, errs[i] = r.RunTask(context.Background(), asl.TaskRequest{StateName: "LambdaState", ExecutionARN: "arn:x:" + string(rune('a'+i))})
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		e, ok := aslerr.As(err)
		if !ok || e.Name != "Lambda.ResourceNotReadyException" {
			t.Fatalf("execution %d: %v", i, err)
		}
	}
	if n := r.Invocations("LambdaState"); n != 8 {
		t.Fatalf("invocations %d, want 8", n)
	}
}

func TestRunnerReturnsCopies(t *testing.T) {
	cfg := loadExample(t)
	r, _ := cfg.Runner("LambdaSQSIntegration", "HappyPath")
	first, _ := r.RunTask(context.Background(), asl.TaskRequest{StateName: "SQSState", ExecutionName: "a"})
	first.(map[string]any)["MessageId"] = "changed"
	second, _ := r.RunTask(context.Background(), asl.TaskRequest{StateName: "SQSState", ExecutionName: "b"})
	if second.(map[string]any)["MessageId"] != "3bcb6e8e-8b51" {
		t.Fatal("a caller changing a result must not change the mock")
	}
}

func TestRunnerUnknownNames(t *testing.T) {
	cfg := loadExample(t)
	if _, err := cfg.Runner("Nope", "HappyPath"); err == nil || !strings.Contains(err.Error(), `no state machine "Nope" (it has "LambdaSQSIntegration")`) {
		t.Errorf("unknown machine: %v", err)
	}
	if _, err := cfg.Runner("LambdaSQSIntegration", "Nope"); err == nil || !strings.Contains(err.Error(), `no test case "Nope"`) {
		t.Errorf("unknown test case: %v", err)
	}
	r, _ := cfg.Runner("LambdaSQSIntegration", "HybridPath")
	_, _ = r.RunTask(context.Background(), asl.TaskRequest{StateName: "SQSState"})
	if u := r.Unmocked(); len(u) != 1 || u[0] != "SQSState" {
		t.Errorf("unmocked %v", u)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, config, wantErr string
	}{
		{"not JSON", `{`, "mock config: decode JSON"},
		{"not an object", `[]`, "want a JSON object, got array"},
		{"missing sections", `{}`, "StateMachines: missing"},
		{"unknown top field", `{"StateMachines":{},"MockedResponses":{},"Extra":1}`, "Extra: unknown field"},
		{"undefined response", `{"StateMachines":{"M":{"TestCases":{"T":{"S":"R"}}}},"MockedResponses":{}}`,
			`StateMachines.M.TestCases.T.S: mocked response "R" is not defined`},
		{"response name not a string", `{"StateMachines":{"M":{"TestCases":{"T":{"S":1}}}},"MockedResponses":{}}`,
			"StateMachines.M.TestCases.T.S: want a mocked response name, got number"},
		{"no TestCases", `{"StateMachines":{"M":{}},"MockedResponses":{}}`, "StateMachines.M.TestCases: want an object, got null"},
		{"bad invocation key", `{"StateMachines":{},"MockedResponses":{"R":{"first":{"Return":1}}}}`,
			`MockedResponses.R.first: want an invocation number (0, 1, ...) or a range like "1-2", got "first"`},
		{"backwards range", `{"StateMachines":{},"MockedResponses":{"R":{"3-1":{"Return":1}}}}`, `range "3-1" ends before it starts`},
		{"overlap", `{"StateMachines":{},"MockedResponses":{"R":{"0-2":{"Return":1},"2":{"Return":2}}}}`, "invocations 0-2 and 2 overlap"},
		{"both", `{"StateMachines":{},"MockedResponses":{"R":{"0":{"Return":1,"Throw":{"Error":"E"}}}}}`, "MockedResponses.R.0: Return and Throw are mutually exclusive"},
		{"neither", `{"StateMachines":{},"MockedResponses":{"R":{"0":{}}}}`, "MockedResponses.R.0: want Return or Throw"},
		{"throw without error", `{"StateMachines":{},"MockedResponses":{"R":{"0":{"Throw":{"Cause":"c"}}}}}`, "MockedResponses.R.0.Throw: Error: want a non-empty string"},
		{"throw cause not a string", `{"StateMachines":{},"MockedResponses":{"R":{"0":{"Throw":{"Error":"E","Cause":{}}}}}}`, "Cause: want a string, got object"},
		{"empty response", `{"StateMachines":{},"MockedResponses":{"R":{}}}`, "MockedResponses.R: no responses"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.config))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	_, err := Parse([]byte(`{"StateMachines":{"M":{"TestCases":{"T":{"S":"Missing"}}}},"MockedResponses":{"R":{"x":{"Return":1}}}}`))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{`MockedResponses.R.x`, `mocked response "Missing"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestLoadFileMissing(t *testing.T) {
	_, err := LoadFile(filepath.Join(t.TempDir(), "none.json"))
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("want a not-exist error, got %v", err)
	}
}
