package sfnlocal

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

func TestTaskTokenRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		answer func(f *fixture, t *testing.T, token string) error
		status types.ExecutionStatus
		output string
		err    string
		cause  string
	}{
		{
			name: "success",
			answer: func(f *fixture, t *testing.T, token string) error {
				_, err := f.client.SendTaskSuccess(t.Context(), &sfn.SendTaskSuccessInput{
					TaskToken: aws.String(token), Output: aws.String(`{"shipped":true}`),
				})
				return err
			},
			status: types.ExecutionStatusSucceeded, output: `{"shipped":true}`,
		},
		{
			name: "failure",
			answer: func(f *fixture, t *testing.T, token string) error {
				_, err := f.client.SendTaskFailure(t.Context(), &sfn.SendTaskFailureInput{
					TaskToken: aws.String(token), Error: aws.String("Logiwa.Rejected"), Cause: aws.String("no stock"),
				})
				return err
			},
			status: types.ExecutionStatusFailed, err: "Logiwa.Rejected", cause: "no stock",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			arn := f.start(t, f.create(t, "tokens", tokenDef), "t-1", `{}`)
			token := f.token(t)
			if token == "" {
				t.Fatal("task runner got an empty task token")
			}
			if _, err := f.client.SendTaskHeartbeat(t.Context(), &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)}); err != nil {
				t.Fatalf("SendTaskHeartbeat: %v", err)
			}
			if err := tc.answer(f, t, token); err != nil {
				t.Fatalf("answer: %v", err)
			}
			d := f.await(t, arn)
			if d.Status != tc.status || aws.ToString(d.Error) != tc.err || aws.ToString(d.Cause) != tc.cause {
				t.Errorf("status=%s error=%q cause=%q, want %s %q %q", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause), tc.status, tc.err, tc.cause)
			}
			if tc.output != "" {
				jsonEq(t, aws.ToString(d.Output), tc.output)
			}
			// A token is answered once.
			_, err := f.client.SendTaskSuccess(t.Context(), &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{}`)})
			var gone *types.TaskDoesNotExist
			if !errors.As(err, &gone) {
				t.Errorf("second answer err = %v, want TaskDoesNotExist", err)
			}
		})
	}
}

// TestTypedErrors checks each failure reaches the SDK as its typed error.
func TestTypedErrors(t *testing.T) {
	f := newFixture(t)
	smARN := f.create(t, "passer", passDef)
	missingExec := ExecutionARN("passer", "nope")
	tokenARN := f.create(t, "tokens", tokenDef)
	f.start(t, tokenARN, "waiting", `{}`)
	liveToken := f.token(t)

	tests := []struct {
		name string
		call func() error
		want any // pointer to the typed error
	}{
		{"describe missing execution", func() error {
			_, err := f.client.DescribeExecution(t.Context(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(missingExec)})
			return err
		}, new(*types.ExecutionDoesNotExist)},
		{"stop missing execution", func() error {
			_, err := f.client.StopExecution(t.Context(), &sfn.StopExecutionInput{ExecutionArn: aws.String(missingExec)})
			return err
		}, new(*types.ExecutionDoesNotExist)},
		{"history of missing execution", func() error {
			_, err := f.client.GetExecutionHistory(t.Context(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(missingExec)})
			return err
		}, new(*types.ExecutionDoesNotExist)},
		{"describe missing machine", func() error {
			_, err := f.client.DescribeStateMachine(t.Context(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(StateMachineARN("nope"))})
			return err
		}, new(*types.StateMachineDoesNotExist)},
		{"start on missing machine", func() error {
			_, err := f.client.StartExecution(t.Context(), &sfn.StartExecutionInput{StateMachineArn: aws.String(StateMachineARN("nope"))})
			return err
		}, new(*types.StateMachineDoesNotExist)},
		{"list executions of missing machine", func() error {
			_, err := f.client.ListExecutions(t.Context(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(StateMachineARN("nope"))})
			return err
		}, new(*types.StateMachineDoesNotExist)},
		{"invalid definition", func() error {
			_, err := f.client.CreateStateMachine(t.Context(), &sfn.CreateStateMachineInput{
				Name: aws.String("broken"), Definition: aws.String(`{"StartAt":"X","States":{}}`), RoleArn: aws.String(roleARN),
			})
			return err
		}, new(*types.InvalidDefinition)},
		{"machine exists with other definition", func() error {
			_, err := f.client.CreateStateMachine(t.Context(), &sfn.CreateStateMachineInput{
				Name: aws.String("passer"), Definition: aws.String(failDef), RoleArn: aws.String(roleARN),
			})
			return err
		}, new(*types.StateMachineAlreadyExists)},
		{"invalid machine name", func() error {
			_, err := f.client.CreateStateMachine(t.Context(), &sfn.CreateStateMachineInput{
				Name: aws.String("has space"), Definition: aws.String(passDef), RoleArn: aws.String(roleARN),
			})
			return err
		}, new(*types.InvalidName)},
		{"invalid execution name", func() error {
			_, err := f.client.StartExecution(t.Context(), &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Name: aws.String("a/b")})
			return err
		}, new(*types.InvalidName)},
		{"execution name too long", func() error {
			_, err := f.client.StartExecution(t.Context(), &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Name: aws.String(strings.Repeat("x", 81))})
			return err
		}, new(*types.InvalidName)},
		{"input not JSON", func() error {
			_, err := f.client.StartExecution(t.Context(), &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Input: aws.String(`{"a":`)})
			return err
		}, new(*types.InvalidExecutionInput)},
		{"unknown task token", func() error {
			_, err := f.client.SendTaskSuccess(t.Context(), &sfn.SendTaskSuccessInput{TaskToken: aws.String("unknown"), Output: aws.String(`{}`)})
			return err
		}, new(*types.TaskDoesNotExist)},
		{"heartbeat on unknown token", func() error {
			_, err := f.client.SendTaskHeartbeat(t.Context(), &sfn.SendTaskHeartbeatInput{TaskToken: aws.String("unknown")})
			return err
		}, new(*types.TaskDoesNotExist)},
		{"failure on oversized token", func() error {
			_, err := f.client.SendTaskFailure(t.Context(), &sfn.SendTaskFailureInput{TaskToken: aws.String(strings.Repeat("t", 2000))})
			return err
		}, new(*types.InvalidToken)},
		{"success output not JSON", func() error {
			_, err := f.client.SendTaskSuccess(t.Context(), &sfn.SendTaskSuccessInput{TaskToken: aws.String(liveToken), Output: aws.String(`not json`)})
			return err
		}, new(*types.InvalidOutput)},
		{"bad page token", func() error {
			_, err := f.client.ListExecutions(t.Context(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(smARN), NextToken: aws.String("garbage")})
			return err
		}, new(*types.InvalidToken)},
		{"history token from another listing", func() error {
			_, err := f.client.GetExecutionHistory(t.Context(), &sfn.GetExecutionHistoryInput{
				ExecutionArn: aws.String(ExecutionARN("tokens", "waiting")), NextToken: encodeToken("ex", 1),
			})
			return err
		}, new(*types.InvalidToken)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatal("call succeeded, want an error")
			}
			if !errors.As(err, tc.want) {
				t.Errorf("err = %v (%T), want %T", err, err, tc.want)
			}
		})
	}
}

// TestProtocol checks the raw wire: unknown operations and methods.
func TestProtocol(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, method, target string
		status               int
		errType              string
	}{
		{"unknown operation", http.MethodPost, "AWSStepFunctions.DeleteEverything", http.StatusBadRequest, "UnknownOperationException"},
		{"other service", http.MethodPost, "DynamoDB_20120810.ListTables", http.StatusBadRequest, "UnknownOperationException"},
		{"GET", http.MethodGet, "AWSStepFunctions.ListStateMachines", http.StatusMethodNotAllowed, "UnknownOperationException"},
		{"malformed body", http.MethodPost, "AWSStepFunctions.ListStateMachines", http.StatusBadRequest, "SerializationException"},
		{"empty body ok", http.MethodPost, "AWSStepFunctions.ListStateMachines", http.StatusOK, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := "{}"
			switch tc.name {
			case "malformed body":
				body = "{"
			case "empty body ok":
				body = ""
			}
			req := httptestRequest(tc.method, body)
			req.Header.Set("X-Amz-Target", tc.target)
			rec := newRecorder()
			f.srv.ServeHTTP(rec, req)
			if rec.Code != tc.status || rec.Header().Get("X-Amzn-ErrorType") != tc.errType {
				t.Errorf("status %d type %q body %s, want %d %q", rec.Code, rec.Header().Get("X-Amzn-ErrorType"), rec.Body, tc.status, tc.errType)
			}
			if ct := rec.Header().Get("Content-Type"); ct != contentType {
				t.Errorf("content type %q", ct)
			}
		})
	}
}
