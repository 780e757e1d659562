// Package lambdarun is the edge between AWS Lambda and our plain handlers:
// it starts a handler with aws-lambda-go, logs JSON with log/slog, and makes
// a typed error's workflow name (ErrorName, e.g. Logiwa.Unavailable) the
// Lambda error type Step Functions matches in Retry and Catch. Without it,
// aws-lambda-go would report the Go type name (UnavailableError).
package lambdarun

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Named is an error that carries the name a workflow matches on.
type Named interface{ ErrorName() string }

// WorkflowError converts err for Lambda's error response.
func WorkflowError(err error) error {
	if err == nil {
		return nil
	}
	var n Named
	if errors.As(err, &n) {
		return messages.InvokeResponse_Error{Type: n.ErrorName(), Message: err.Error()}
	}
	return err
}

// Logger is the JSON logger Lambda functions use; CloudWatch indexes it.
func Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// Start runs a typed handler as the Lambda function.
func Start[In, Out any](h func(context.Context, In) (Out, error)) {
	slog.SetDefault(Logger())
	lambda.Start(func(ctx context.Context, in In) (Out, error) {
		out, err := h(ctx, in)
		return out, WorkflowError(err)
	})
}

// MustEnv reads a required environment variable, ending the cold start with
// a clear message when Terraform did not set it.
func MustEnv(name string) string {
	v := os.Getenv(name)
	if v == "" {
		slog.Error("missing environment variable; check the function's Terraform configuration", "name", name)
		os.Exit(1)
	}
	return v
}

// AWSConfig loads the function's AWS configuration.
func AWSConfig(ctx context.Context) aws.Config {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		slog.Error("load AWS configuration", "err", err)
		os.Exit(1)
	}
	return cfg
}
