package sfnlocal

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
)

const (
	passDef = `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Result":"a","ResultPath":"$.a","Next":"B"},
		"B":{"Type":"Pass","Result":"b","ResultPath":"$.b","Next":"C"},
		"C":{"Type":"Pass","Result":"c","ResultPath":"$.c","End":true}}}`
	failDef = `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"it broke"}}}`
	// waitDef stays RUNNING for an hour on the real clock: executions that
	// must still be running when the test looks at them.
	waitDef = `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`
	// tokenDef's runner takes the token from TaskRequest.TaskToken. The
	// Parameters leave out "$$.Task.Token": at the time of writing the engine
	// evaluates Parameters before it issues the token (reported to the lead).
	tokenDef = `{"StartAt":"Send","States":{"Send":{"Type":"Task",
		"Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
		"Parameters":{"QueueUrl":"https://sqs.local/q","MessageBody":{"order.$":"$"}},
		"End":true}}}`
	roleARN = "arn:aws:iam::000000000000:role/test"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixture is a server behind httptest and a real sfn client pointed at it.
type fixture struct {
	srv    *Server
	client *sfn.Client
	tokens chan string // task tokens captured by the task runner
}

func newFixture(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	f := &fixture{tokens: make(chan string, 16)}
	runner := asl.TaskRunnerFunc(func(_ context.Context, req asl.TaskRequest) (any, error) {
		f.tokens <- req.TaskToken
		return map[string]any{"MessageId": "m-1"}, nil
	})
	eng := asl.NewEngine(asl.WithTasks(runner), asl.WithLogger(quiet))
	f.srv = New(eng, append([]Option{WithLogger(quiet)}, opts...)...)
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close)
	t.Cleanup(f.srv.Close)
	f.client = sfn.New(sfn.Options{
		Region:           Region,
		BaseEndpoint:     aws.String(ts.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	})
	return f
}

func (f *fixture) create(t *testing.T, name, def string) string {
	t.Helper()
	out, err := f.client.CreateStateMachine(t.Context(), &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(roleARN),
	})
	if err != nil {
		t.Fatalf("CreateStateMachine %s: %v", name, err)
	}
	return aws.ToString(out.StateMachineArn)
}

func (f *fixture) start(t *testing.T, machineARN, name, input string) string {
	t.Helper()
	out, err := f.client.StartExecution(t.Context(), &sfn.StartExecutionInput{
		StateMachineArn: aws.String(machineARN), Name: aws.String(name), Input: aws.String(input),
	})
	if err != nil {
		t.Fatalf("StartExecution %s: %v", name, err)
	}
	return aws.ToString(out.ExecutionArn)
}

// await polls DescribeExecution until the execution has ended.
func (f *fixture) await(t *testing.T, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, err := f.client.DescribeExecution(t.Context(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("DescribeExecution: %v", err)
		}
		if out.Status != types.ExecutionStatusRunning {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s still RUNNING after 5s", arn)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fixture) token(t *testing.T) string {
	t.Helper()
	select {
	case tok := <-f.tokens:
		return tok
	case <-time.After(5 * time.Second):
		t.Fatal("no task token captured within 5s")
		return ""
	}
}

func jsonEq(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("got is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v: %s", err, want)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("JSON = %s, want %s", gb, wb)
	}
}

func TestCreateStartDescribe(t *testing.T) {
	tests := []struct {
		name       string
		def, input string
		status     types.ExecutionStatus
		output     string
		err, cause string
	}{
		{name: "succeeds", def: passDef, input: `{"x":1}`, status: types.ExecutionStatusSucceeded,
			output: `{"x":1,"a":"a","b":"b","c":"c"}`},
		{name: "fails", def: failDef, input: `{}`, status: types.ExecutionStatusFailed,
			err: "Boom", cause: "it broke"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			smARN := f.create(t, "m-"+tc.name, tc.def)
			if want := StateMachineARN("m-" + tc.name); smARN != want {
				t.Errorf("state machine ARN = %s, want %s", smARN, want)
			}
			arn := f.start(t, smARN, "run-1", tc.input)
			if want := "arn:aws:states:us-east-1:000000000000:execution:m-" + tc.name + ":run-1"; arn != want {
				t.Errorf("execution ARN = %s, want %s", arn, want)
			}
			d := f.await(t, arn)
			if d.Status != tc.status {
				t.Fatalf("status = %s, want %s", d.Status, tc.status)
			}
			if aws.ToString(d.Name) != "run-1" || aws.ToString(d.StateMachineArn) != smARN {
				t.Errorf("name/machine = %s/%s", aws.ToString(d.Name), aws.ToString(d.StateMachineArn))
			}
			jsonEq(t, aws.ToString(d.Input), tc.input)
			if tc.output != "" {
				jsonEq(t, aws.ToString(d.Output), tc.output)
			} else if d.Output != nil {
				t.Errorf("output = %s, want none", aws.ToString(d.Output))
			}
			if aws.ToString(d.Error) != tc.err || aws.ToString(d.Cause) != tc.cause {
				t.Errorf("error/cause = %q/%q, want %q/%q", aws.ToString(d.Error), aws.ToString(d.Cause), tc.err, tc.cause)
			}
			if d.StartDate == nil || d.StopDate == nil || d.StopDate.Before(*d.StartDate) ||
				time.Since(*d.StartDate) > time.Minute {
				t.Errorf("dates start=%v stop=%v", d.StartDate, d.StopDate)
			}
		})
	}
}

func TestDescribeAndListStateMachines(t *testing.T) {
	f := newFixture(t)
	regARN, err := f.srv.Register("registered", []byte(passDef))
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	if regARN != "arn:aws:states:us-east-1:000000000000:stateMachine:registered" {
		t.Errorf("Register ARN = %s", regARN)
	}
	for _, n := range []string{"m1", "m2", "m3"} {
		f.create(t, n, passDef)
	}
	d, err := f.client.DescribeStateMachine(t.Context(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(StateMachineARN("m2"))})
	if err != nil {
		t.Fatalf("DescribeStateMachine: %v", err)
	}
	if aws.ToString(d.Name) != "m2" || aws.ToString(d.Definition) != passDef || aws.ToString(d.RoleArn) != roleARN ||
		d.Type != types.StateMachineTypeStandard || d.Status != types.StateMachineStatusActive || d.CreationDate == nil {
		t.Errorf("DescribeStateMachine = %+v", d)
	}

	var names []string
	var token *string
	pages := 0
	for {
		out, err := f.client.ListStateMachines(t.Context(), &sfn.ListStateMachinesInput{MaxResults: 3, NextToken: token})
		if err != nil {
			t.Fatalf("ListStateMachines: %v", err)
		}
		pages++
		for _, m := range out.StateMachines {
			names = append(names, aws.ToString(m.Name))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if got, want := names, []string{"registered", "m1", "m2", "m3"}; !slices.Equal(got, want) || pages != 2 {
		t.Errorf("listed %v in %d pages, want %v in 2", got, pages, want)
	}

	// Register again replaces the definition; CreateStateMachine with another
	// definition is refused.
	if _, err := f.srv.Register("registered", []byte(failDef)); err != nil {
		t.Fatalf("Register again: %v", err)
	}
	x := f.start(t, regARN, "after-redeploy", `{}`)
	if d := f.await(t, x); d.Status != types.ExecutionStatusFailed {
		t.Errorf("after redeploy status = %s, want FAILED", d.Status)
	}
	if _, err := f.srv.Register("bad name", []byte(passDef)); err == nil {
		t.Error("Register with an invalid name succeeded")
	}
	if _, err := f.srv.Register("bad-def", []byte(`{"StartAt":"X","States":{}}`)); !errors.Is(err, asl.ErrInvalidDefinition) {
		t.Errorf("Register invalid definition err = %v, want ErrInvalidDefinition", err)
	}
}

// waitFor polls cond for up to 5s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func httptestRequest(method, body string) *http.Request {
	return httptest.NewRequest(method, "/", strings.NewReader(body))
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
