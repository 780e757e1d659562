package localrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/logiwaflow/logiwaflow/pkg/lambdarun"
)

// function is an in-process Lambda function: JSON payload in, JSON result
// out, as Lambda hands them over the wire.
type function func(ctx context.Context, payload []byte) ([]byte, error)

// lambdaFunc adapts a typed handler the way aws-lambda-go does: the payload
// is decoded into In, the result encoded from Out, and an error becomes the
// function error a workflow sees (lambdarun.WorkflowError names it).
func lambdaFunc[In, Out any](h func(context.Context, In) (Out, error)) function {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var in In
		if err := json.Unmarshal(payload, &in); err != nil {
			return nil, &FunctionError{Type: errorType(err), Message: err.Error()}
		}
		out, err := h(ctx, in)
		if err != nil {
			return nil, functionError(err)
		}
		b, err := json.Marshal(out)
		if err != nil {
			return nil, &FunctionError{Type: errorType(err), Message: err.Error()}
		}
		return b, nil
	}
}

// FunctionError is a function's error as Lambda reports it: errorType and
// errorMessage.
type FunctionError struct {
	Type, Message string
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// functionError names err as the Lambda runtime would: a typed ErrorName()
// (through lambdarun.WorkflowError, as the deployed functions do), else the
// Go type name of the error.
func functionError(err error) *FunctionError {
	var ire messages.InvokeResponse_Error
	if errors.As(lambdarun.WorkflowError(err), &ire) {
		return &FunctionError{Type: ire.Type, Message: ire.Message}
	}
	return &FunctionError{Type: errorType(err), Message: err.Error()}
}

// errorType is aws-lambda-go's name for an error: its type without the
// pointer star or package.
func errorType(err error) string {
	t := reflect.TypeOf(err)
	if t == nil {
		return "error"
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Name() == "" {
		return fmt.Sprintf("%T", err)
	}
	return t.Name()
}
