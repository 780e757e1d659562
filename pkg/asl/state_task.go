package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// LambdaErrorCause renders the cause AWS reports for a failed Lambda
// function: {"errorMessage":...,"errorType":...}.
func LambdaErrorCause(errType, message string) string {
	b, _ := json.Marshal(map[string]any{"errorMessage": message, "errorType": errType})
	return string(b)
}

// resourceKind splits an integration ARN "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
// into ("sqs", "sendMessage.waitForTaskToken"); a Lambda function ARN gives
// ("lambda", "") and lambdaFn = true.
func resourceKind(arn string) (typ, res string, lambdaFn bool) {
	if strings.HasPrefix(arn, "arn:aws:states:::") {
		rest := strings.TrimPrefix(arn, "arn:aws:states:::")
		if i := strings.LastIndexByte(rest, ':'); i >= 0 {
			return rest[:i], rest[i+1:], false
		}
		return rest, "", false
	}
	parts := strings.Split(arn, ":")
	if len(parts) > 2 && parts[2] == "lambda" {
		return "lambda", "", true
	}
	if len(parts) > 5 && parts[2] == "states" && parts[5] == "activity" {
		return "activity", "", false
	}
	return "lambda", "", true
}

func regionOf(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) > 3 && parts[3] != "" {
		return parts[3]
	}
	return "us-east-1"
}

// seconds evaluates TimeoutSeconds/HeartbeatSeconds or their *Path form.
func (sr *stateRun) seconds(src valueSource, pe *pathExpr, field string) (int64, error) {
	switch v := src.(type) {
	case lit:
		n, _ := jsonvalue.Int(v.v)
		return n, nil
	case *jtmpl:
		if v == nil {
			return 0, nil
		}
		x, err := v.eval(sr.bindingsFor(v, nil))
		if err != nil {
			return 0, err
		}
		n, ok := jsonvalue.Int(x)
		if !ok || n <= 0 {
			return 0, &evalFailure{name: aslerr.QueryEvaluationError, location: field,
				cause: fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected 'integer', but was '%s' for value: %s",
					v.exprText(), field, typeName(x), encodeData(x))}
		}
		return n, nil
	}
	if pe == nil {
		return 0, nil
	}
	x, err := sr.resolver(sr.input).get(pe)
	if err != nil {
		return 0, pathErr(err, field+"Path", pe, sr.input)
	}
	n, ok := jsonvalue.Int(x)
	if !ok || n <= 0 {
		return 0, aslerr.New(aslerr.Runtime, "The %sPath field refers to value \"%s\" which is not a valid integer: %s", field, plain(x), pe.src)
	}
	return n, nil
}

// task runs the Task body once: schedule, call the runner, wait for the
// token if asked, and report the events AWS reports.
func (sr *stateRun) task(params any) (any, error) {
	st, ts, f := sr.st, sr.st.task, sr.f
	x := f.x
	timeout, err := sr.seconds(ts.timeout, ts.timeoutPath, "TimeoutSeconds")
	if err != nil {
		return nil, err
	}
	heartbeat, err := sr.seconds(ts.heartbeat, ts.heartbeatPath, "HeartbeatSeconds")
	if err != nil {
		return nil, err
	}
	if heartbeat > 0 && timeout == 0 {
		timeout = 99999999
	}
	var creds any
	switch c := ts.credentials.(type) {
	case *tmpl:
		if creds, err = c.eval(sr.resolver(sr.input)); err != nil {
			return nil, err
		}
	case *jtmpl:
		if creds, err = c.eval(sr.bindingsFor(c, nil)); err != nil {
			return nil, err
		}
	}
	rtype, rname, lambdaFn, waitToken := ts.rtype, ts.rname, ts.lambdaFn, ts.waitToken
	h := &x.hist
	if lambdaFn {
		h.put(f.h, &event{ts: f.now, typ: evLambdaFunctionScheduled, kind: kindLambdaSched, name: ts.resource, v: params, n: timeout}, true)
		h.put(f.h, &event{ts: f.now, typ: evLambdaFunctionStarted}, true)
	} else {
		f.record("TaskScheduled", &EventDetails{ResourceType: rtype, Resource: rname, Region: ts.region,
			Parameters: params, TimeoutInSeconds: timeout, HeartbeatSeconds: heartbeat, HasCredentials: creds != nil})
		f.record("TaskStarted", &EventDetails{ResourceType: rtype, Resource: rname})
	}
	req := TaskRequest{
		Resource: ts.resource, Input: params, StateName: st.name,
		ExecutionName: x.name, ExecutionARN: x.arn, StateMachineName: x.sm.Name,
		TaskToken: f.taskToken, TimeoutSeconds: int(timeout), HeartbeatSeconds: int(heartbeat),
		Credentials: creds, Attempt: f.retryCount,
	}
	// Building $$ costs a few maps; plain Lambda function calls (the hot
	// path) do not get it, integrations and callbacks do.
	if !lambdaFn {
		req.ContextObject = f.contextObject()
	}
	res, fl := sr.callRunner(req, timeout, heartbeat, waitToken, rtype, rname)
	f.tick()
	if fl != nil {
		switch {
		case lambdaFn && fl.err == aslerr.Timeout:
			f.record("LambdaFunctionTimedOut", &EventDetails{Error: fl.err, Cause: fl.cause})
		case lambdaFn:
			f.record("LambdaFunctionFailed", &EventDetails{Error: fl.err, Cause: fl.cause, HasError: true, HasCause: fl.hasCause})
		case fl.err == aslerr.Timeout || fl.err == aslerr.HeartbeatTimeout:
			f.record("TaskTimedOut", &EventDetails{ResourceType: rtype, Resource: rname, Error: fl.err, Cause: fl.cause})
		default:
			f.record("TaskFailed", &EventDetails{ResourceType: rtype, Resource: rname, Error: fl.err, Cause: fl.cause, HasError: true, HasCause: fl.hasCause})
		}
		return nil, fl
	}
	if lambdaFn {
		h.put(f.h, &event{ts: f.now, typ: evLambdaFunctionSucceeded, kind: kindOutput, v: res}, true)
	} else {
		f.record("TaskSucceeded", &EventDetails{ResourceType: rtype, Resource: rname, Output: res})
	}
	return res, nil
}

// callRunner invokes the runner, enforcing the timeout and, for
// .waitForTaskToken, waiting for the token's answer and heartbeats.
func (sr *stateRun) callRunner(req TaskRequest, timeout, heartbeat int64, waitToken bool, rtype, rname string) (any, *failure) {
	x := sr.f.x
	eng := x.eng
	var tw *tokenWait
	if waitToken {
		tw = eng.registerToken(req.TaskToken)
	}
	ctx := x.ctx
	var cancel context.CancelFunc = func() {}
	if timeout > 0 || waitToken {
		ctx, cancel = context.WithCancel(ctx)
	}
	defer cancel()

	type outcome struct {
		v   any
		err error
	}
	var (
		res any
		err error
	)
	var timer interface {
		C() <-chan time.Time
		Stop() bool
	}
	if timeout > 0 {
		timer = eng.clock.NewTimer(time.Duration(timeout) * time.Second)
		defer timer.Stop()
	}
	var timeoutC <-chan time.Time
	if timer != nil {
		timeoutC = timer.C()
	}
	if timeout > 0 || waitToken {
		// The task (or the token's answer) is waited for: let sibling
		// iterations and branches run meanwhile.
		sr.f.mayBlock()
	}
	if timeout > 0 {
		done := make(chan outcome, 1)
		// The goroutine gets its own copy of the request so that req
		// itself stays on the stack on the common path without a timeout.
		r := req
		go func() {
			v, err := eng.tasks.RunTask(ctx, r)
			done <- outcome{v, err}
		}()
		select {
		case o := <-done:
			res, err = o.v, o.err
		case <-timeoutC:
			if waitToken {
				eng.finishToken(req.TaskToken, true)
			}
			return nil, newFailure(aslerr.Timeout, "")
		case <-x.ctx.Done():
			return nil, &failure{err: "States.Aborted"}
		}
	} else {
		res, err = eng.tasks.RunTask(ctx, req)
	}
	if err != nil {
		if waitToken {
			eng.finishToken(req.TaskToken, false)
		}
		if x.ctx.Err() != nil {
			return nil, &failure{err: "States.Aborted"}
		}
		if ae, ok := aslerr.As(err); ok {
			return nil, newFailure(ae.Name, ae.Cause)
		}
		return nil, newFailure(aslerr.TaskFailed, err.Error())
	}
	if res, err = jsonvalue.Normalize(res); err != nil {
		return nil, newFailure(aslerr.TaskFailed, fmt.Sprintf("task result is not JSON: %v", err))
	}
	if !waitToken {
		if rtype == "lambda" && rname == "invoke" {
			res = wrapLambdaInvoke(res, eng.ids())
		}
		return res, nil
	}
	sr.f.tick()
	sr.f.record("TaskSubmitted", &EventDetails{ResourceType: rtype, Resource: rname, Output: res})
	var hbC <-chan time.Time
	var hbTimer interface{ Stop() bool }
	armHeartbeat := func() {
		if heartbeat <= 0 {
			return
		}
		if hbTimer != nil {
			hbTimer.Stop()
		}
		t := eng.clock.NewTimer(time.Duration(heartbeat) * time.Second)
		hbTimer, hbC = t, t.C()
	}
	armHeartbeat()
	defer func() {
		if hbTimer != nil {
			hbTimer.Stop()
		}
	}()
	for {
		select {
		case r := <-tw.ch:
			if r.err != nil {
				return nil, r.err
			}
			return r.output, nil
		case <-tw.heartbeat:
			armHeartbeat()
		case <-hbC:
			eng.finishToken(req.TaskToken, true)
			return nil, newFailure(aslerr.HeartbeatTimeout, "")
		case <-timeoutC:
			eng.finishToken(req.TaskToken, true)
			return nil, newFailure(aslerr.Timeout, "")
		case <-x.ctx.Done():
			eng.finishToken(req.TaskToken, false)
			return nil, &failure{err: "States.Aborted"}
		}
	}
}

// wrapLambdaInvoke wraps a function result the way the lambda:invoke
// integration returns it.
func wrapLambdaInvoke(payload any, requestID string) any {
	headers := map[string]any{
		"Connection":                     "keep-alive",
		"Content-Type":                   "application/json",
		"X-Amz-Executed-Version":         "$LATEST",
		"x-amzn-Remapped-Content-Length": "0",
		"x-amzn-RequestId":               requestID,
	}
	return map[string]any{
		"ExecutedVersion": "$LATEST",
		"Payload":         payload,
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": map[string]any{},
			"HttpHeaders":    headers,
			"HttpStatusCode": jsonvalue.NumberFromInt(200),
		},
		"SdkResponseMetadata": map[string]any{"RequestId": requestID},
		"StatusCode":          jsonvalue.NumberFromInt(200),
	}
}
