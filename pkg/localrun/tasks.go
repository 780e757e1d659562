package localrun

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// Resources the local task runner serves.
const (
	resourceLambdaInvoke = "arn:aws:states:::lambda:invoke"
	resourceSQSSend      = "arn:aws:states:::sqs:sendMessage"
	resourceSQSSendWait  = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
)

// taskRunner plays AWS for the engine's Task states: Lambda functions run
// in-process, SQS messages go to the local SQS through the real client.
type taskRunner struct {
	functions map[string]function // by ARN and by bare name
	sqs       *sqs.Client
	log       *slog.Logger
}

// RunTask implements asl.TaskRunner.
func (t *taskRunner) RunTask(ctx context.Context, req asl.TaskRequest) (any, error) {
	log := t.log.With("execution", req.ExecutionName, "stateMachine", req.StateMachineName, "state", req.StateName)
	switch req.Resource {
	case resourceLambdaInvoke:
		return t.invoke(ctx, req, log)
	case resourceSQSSend, resourceSQSSendWait:
		return t.sendMessage(ctx, req, log)
	}
	if strings.HasPrefix(req.Resource, "arn:aws:lambda:") {
		// A function ARN as the resource: the result is the payload as is.
		return t.call(ctx, req.Resource, req.Input, log)
	}
	return nil, aslerr.New(aslerr.TaskFailed, "the local runtime does not serve resource %s", req.Resource)
}

func (t *taskRunner) invoke(ctx context.Context, req asl.TaskRequest, log *slog.Logger) (any, error) {
	params, ok := req.Input.(map[string]any)
	if !ok {
		return nil, aslerr.New(aslerr.TaskFailed, "lambda:invoke wants an object with FunctionName and Payload")
	}
	name, _ := params["FunctionName"].(string)
	return t.call(ctx, name, params["Payload"], log)
}

// call runs a function with a JSON round trip, as Lambda does; the engine
// wraps the result for lambda:invoke.
func (t *taskRunner) call(ctx context.Context, name string, payload any, log *slog.Logger) (any, error) {
	fn, ok := t.functions[name]
	if !ok {
		return nil, &aslerr.Error{Name: "Lambda.ResourceNotFoundException",
			Cause: fmt.Sprintf("Function not found: %s (the local runtime serves %s)", name, strings.Join(t.names(), ", "))}
	}
	in, err := jsonvalue.Encode(payload)
	if err != nil {
		return nil, aslerr.New(aslerr.TaskFailed, "encode payload for %s: %v", name, err)
	}
	start := time.Now()
	out, err := t.run(ctx, fn, in)
	fnName := name[strings.LastIndexByte(name, ':')+1:]
	if err != nil {
		var fe *FunctionError
		if !errors.As(err, &fe) {
			fe = &FunctionError{Type: errorType(err), Message: err.Error()}
		}
		log.Warn("function failed", "function", fnName, "errorType", fe.Type, "errorMessage", fe.Message)
		return nil, &aslerr.Error{Name: fe.Type, Cause: asl.LambdaErrorCause(fe.Type, fe.Message), Wrapped: err}
	}
	log.Debug("function done", "function", fnName, "ms", time.Since(start).Milliseconds())
	v, err := jsonvalue.Decode(out)
	if err != nil {
		return nil, aslerr.New(aslerr.TaskFailed, "result of %s is not JSON: %v", name, err)
	}
	return v, nil
}

// run calls fn, turning a panic into the error Step Functions reports when
// a function's runtime dies.
func (t *taskRunner) run(ctx context.Context, fn function, in []byte) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &FunctionError{Type: "Lambda.Unknown", Message: fmt.Sprintf("the function panicked: %v", p)}
		}
	}()
	return fn(ctx, in)
}

func (t *taskRunner) names() []string {
	var out []string
	for k := range t.functions {
		if !strings.HasPrefix(k, "arn:") {
			out = append(out, k)
		}
	}
	return out
}

// sendMessage is the sqs:sendMessage integration: a non-string MessageBody
// is sent as its JSON text, as Step Functions does.
func (t *taskRunner) sendMessage(ctx context.Context, req asl.TaskRequest, log *slog.Logger) (any, error) {
	var p struct {
		QueueUrl          string
		MessageBody       any
		DelaySeconds      int32
		MessageAttributes map[string]struct {
			DataType, StringValue string
		}
	}
	raw, err := jsonvalue.Encode(req.Input)
	if err == nil {
		err = json.Unmarshal(raw, &p)
	}
	if err != nil || p.QueueUrl == "" || p.MessageBody == nil {
		return nil, aslerr.New(aslerr.TaskFailed, "sqs:sendMessage wants QueueUrl and MessageBody: %v", err)
	}
	body, ok := p.MessageBody.(string)
	if !ok {
		b, err := json.Marshal(p.MessageBody)
		if err != nil {
			return nil, aslerr.New(aslerr.TaskFailed, "encode MessageBody: %v", err)
		}
		body = string(b)
	}
	in := &sqs.SendMessageInput{QueueUrl: aws.String(p.QueueUrl), MessageBody: aws.String(body), DelaySeconds: p.DelaySeconds}
	if len(p.MessageAttributes) > 0 {
		in.MessageAttributes = map[string]sqstypes.MessageAttributeValue{}
		for k, v := range p.MessageAttributes {
			in.MessageAttributes[k] = sqstypes.MessageAttributeValue{DataType: aws.String(v.DataType), StringValue: aws.String(v.StringValue)}
		}
	}
	out, err := t.sqs.SendMessage(ctx, in)
	if err != nil {
		name := aslerr.TaskFailed
		var ae smithy.APIError
		if errors.As(err, &ae) {
			name = "SQS." + ae.ErrorCode()
		}
		log.Warn("sqs:sendMessage failed", "queue", p.QueueUrl, "err", err)
		return nil, &aslerr.Error{Name: name, Cause: err.Error(), Wrapped: err}
	}
	sum := md5.Sum([]byte(body))
	id := aws.ToString(out.MessageId)
	log.Debug("message sent", "queue", p.QueueUrl, "sqsMessageId", id)
	return map[string]any{
		"MD5OfMessageBody": hex.EncodeToString(sum[:]),
		"MessageId":        id,
		"SdkHttpMetadata": map[string]any{
			"HttpHeaders":    map[string]any{"Content-Type": "text/xml", "x-amzn-RequestId": id},
			"HttpStatusCode": jsonvalue.NumberFromInt(200),
		},
		"SdkResponseMetadata": map[string]any{"RequestId": id},
	}, nil
}
