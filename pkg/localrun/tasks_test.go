package localrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
	"github.com/logiwaflow/logiwaflow/pkg/message"
)

type echoIn struct {
	Say  string `json:"say"`
	Fail string `json:"fail"`
}

type echoOut struct {
	Said string `json:"said"`
}

type plainErr struct{}

func (plainErr) Error() string { return "plain" }

// echo succeeds, or fails the way its input asks.
func echo(_ context.Context, in echoIn) (echoOut, error) {
	switch in.Fail {
	case "named":
		return echoOut{}, fmt.Errorf("wrapped: %w", &message.InvalidError{Field: "sku", Reason: "missing"})
	case "plain":
		return echoOut{}, plainErr{}
	case "wrapped":
		return echoOut{}, fmt.Errorf("context: %w", errors.New("inner"))
	case "panic":
		panic("boom")
	}
	return echoOut{Said: in.Say}, nil
}

func TestRunTaskLambda(t *testing.T) {
	tr := &taskRunner{
		functions: map[string]function{FunctionARN("echo"): lambdaFunc(echo), Prefix + "echo": lambdaFunc(echo)},
		log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	cases := []struct {
		name      string
		resource  string
		input     string
		want      string // result JSON on success
		wantErr   string // ASL error name
		wantCause string // the cause's errorMessage
	}{
		{"by ARN", resourceLambdaInvoke, `{"FunctionName":"` + FunctionARN("echo") + `","Payload":{"say":"hi"}}`, `{"said":"hi"}`, "", ""},
		{"by name", resourceLambdaInvoke, `{"FunctionName":"logiwaflow-echo","Payload":{"say":"yo"}}`, `{"said":"yo"}`, "", ""},
		{"function ARN as resource", FunctionARN("echo"), `{"say":"direct"}`, `{"said":"direct"}`, "", ""},
		{"typed error name", resourceLambdaInvoke, `{"FunctionName":"logiwaflow-echo","Payload":{"fail":"named"}}`, "", "Message.Invalid", ""},
		{"Go type name", resourceLambdaInvoke, `{"FunctionName":"logiwaflow-echo","Payload":{"fail":"plain"}}`, "", "plainErr", "plain"},
		{"wrapped plain error", resourceLambdaInvoke, `{"FunctionName":"logiwaflow-echo","Payload":{"fail":"wrapped"}}`, "", "wrapError", "context: inner"},
		{"panic", resourceLambdaInvoke, `{"FunctionName":"logiwaflow-echo","Payload":{"fail":"panic"}}`, "", "Lambda.Unknown", "the function panicked: boom"},
		{"bad payload", resourceLambdaInvoke, `{"FunctionName":"logiwaflow-echo","Payload":{"say":5}}`, "", "UnmarshalTypeError", ""},
		{"unknown function", resourceLambdaInvoke, `{"FunctionName":"nope","Payload":{}}`, "", "Lambda.ResourceNotFoundException", ""},
		{"unknown resource", "arn:aws:states:::dynamodb:putItem", `{}`, "", aslerr.TaskFailed, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := jsonvalue.DecodeString(c.input)
			if err != nil {
				t.Fatal(err)
			}
			out, err := tr.RunTask(context.Background(), asl.TaskRequest{Resource: c.resource, Input: in, ExecutionName: "x"})
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				got, _ := jsonvalue.Encode(out)
				if string(got) != c.want {
					t.Fatalf("result %s, want %s", got, c.want)
				}
				return
			}
			ae, ok := aslerr.As(err)
			if !ok || ae.Name != c.wantErr {
				t.Fatalf("err = %v, want name %s", err, c.wantErr)
			}
			if c.resource != resourceLambdaInvoke || c.wantErr == "Lambda.ResourceNotFoundException" {
				return
			}
			var cause struct{ ErrorMessage, ErrorType string }
			if err := json.Unmarshal([]byte(ae.Cause), &cause); err != nil {
				t.Fatalf("cause %q is not Lambda's JSON: %v", ae.Cause, err)
			}
			if cause.ErrorType != c.wantErr || (c.wantCause != "" && cause.ErrorMessage != c.wantCause) {
				t.Fatalf("cause %+v", cause)
			}
		})
	}
}

// TestSendMessageTask sends through the runtime's SQS: an object body goes
// as its JSON text, a string body as is.
func TestSendMessageTask(t *testing.T) {
	r := start(t, fastConfig(t))
	tr := &taskRunner{sqs: r.sqs, log: r.log}
	ctx := context.Background()
	url := r.Target().Queues["inventory-dlq"]
	for _, c := range []struct{ body, want string }{
		{`{"a":[1,2],"b":"x"}`, `{"a":[1,2],"b":"x"}`},
		{`"plain text"`, `plain text`},
	} {
		in, _ := jsonvalue.DecodeString(`{"QueueUrl":"` + url + `","MessageBody":` + c.body + `}`)
		out, err := tr.RunTask(ctx, asl.TaskRequest{Resource: resourceSQSSend, Input: in})
		if err != nil {
			t.Fatal(err)
		}
		if m, _ := out.(map[string]any); m["MessageId"] == "" || m["MD5OfMessageBody"] == nil {
			t.Fatalf("output %v", out)
		}
		msgs, err := r.sqs.ReceiveMessage(ctx, receiveOne(url))
		if err != nil || len(msgs.Messages) != 1 || *msgs.Messages[0].Body != c.want {
			t.Fatalf("received %+v, %v; want body %s", msgs, err, c.want)
		}
	}
	in, _ := jsonvalue.DecodeString(`{"QueueUrl":"` + url + `-missing","MessageBody":"x"}`)
	_, err := tr.RunTask(ctx, asl.TaskRequest{Resource: resourceSQSSend, Input: in})
	if ae, ok := aslerr.As(err); !ok || ae.Name == aslerr.TaskFailed || ae.Name[:4] != "SQS." {
		t.Fatalf("missing queue: %v", err)
	}
}

func receiveOne(url string) *sqs.ReceiveMessageInput {
	return &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 1, WaitTimeSeconds: 1}
}
