// Package localaws starts the in-process AWS stand-ins used by the embedded
// local runtime: S3 (s3local, on gofakes3 with a bolt file), SQS (sqslocal,
// our own JSON-protocol server) and DynamoDB (dynamolocal, minidyn over pebble), each on
// its own loopback HTTP endpoint, so task code runs unchanged against the real
// aws-sdk-go-v2 clients built from Stack.AWSConfig.
//
// With Config.Dir set, state survives a restart: S3 buckets and objects (bolt,
// written synchronously), SQS queues with their attributes and messages
// including in-flight state (a JSON snapshot written shortly after each change
// and on Close), and DynamoDB tables with their definitions and items (a
// pebble store in <Dir>/dynamodb, written on each change; a dynamodb.json
// snapshot left by an older version is imported once).
package localaws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/logiwaflow/logiwaflow/pkg/localaws/dynamolocal"
	"github.com/logiwaflow/logiwaflow/pkg/localaws/s3local"
	"github.com/logiwaflow/logiwaflow/pkg/localaws/sqslocal"
	"github.com/logiwaflow/logiwaflow/pkg/target"
)

// Service IDs as the SDK names them (the ServiceID constant of each client
// package); they key Stack endpoints.
const (
	ServiceS3       = "S3"
	ServiceSQS      = "SQS"
	ServiceDynamoDB = "DynamoDB"
)

// Region is the region of the local stack.
const Region = "us-east-1"

// Config configures Start.
type Config struct {
	// Dir holds persistent state; empty keeps everything in memory.
	Dir string
	// Listen addresses; empty means "127.0.0.1:0" (a free loopback port).
	S3Addr, SQSAddr, DynamoDBAddr string
	// Buckets are created at start if missing (Terraform creates them in AWS).
	Buckets []string
	// SQSClock drives SQS visibility timeouts and delays; nil is the wall clock.
	SQSClock sqslocal.Clock
	// S3Clock stamps S3 objects (LastModified); nil is the wall clock.
	S3Clock func() time.Time
	Logger  *slog.Logger
}

// Stack is a running set of local services.
type Stack struct {
	S3       *s3local.Server
	SQS      *sqslocal.Server
	DynamoDB *dynamolocal.Server

	mu        sync.Mutex
	endpoints map[string]string
	servers   []*http.Server
	closed    bool
}

// Start starts every service. On error, whatever was started is stopped.
func Start(ctx context.Context, cfg Config) (st *Stack, err error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	path := func(name string) string {
		if cfg.Dir == "" {
			return ""
		}
		return filepath.Join(cfg.Dir, name)
	}
	if cfg.Dir != "" {
		if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("localaws: create state dir: %w", err)
		}
	}
	st = &Stack{endpoints: map[string]string{}}
	defer func() {
		if err != nil {
			_ = st.Close()
		}
	}()

	if st.S3, err = s3local.OpenClock(path("s3.bolt"), cfg.Logger, cfg.S3Clock); err != nil {
		return nil, err
	}
	for _, b := range cfg.Buckets {
		if err = st.S3.CreateBucket(b); err != nil {
			return nil, err
		}
	}
	if st.SQS, err = sqslocal.Open(sqslocal.Options{Path: path("sqs.json"), Clock: cfg.SQSClock, Logger: cfg.Logger}); err != nil {
		return nil, err
	}
	if st.DynamoDB, err = dynamolocal.Open(dynamolocal.Options{
		Dir: path("dynamodb"), ImportSnapshot: path("dynamodb.json"), Logger: cfg.Logger,
	}); err != nil {
		return nil, err
	}
	for _, svc := range []struct {
		id, addr string
		h        http.Handler
	}{
		{ServiceS3, cfg.S3Addr, st.S3},
		{ServiceSQS, cfg.SQSAddr, st.SQS},
		{ServiceDynamoDB, cfg.DynamoDBAddr, st.DynamoDB},
	} {
		url, err := st.serve(ctx, svc.addr, svc.h)
		if err != nil {
			return nil, fmt.Errorf("localaws: start %s: %w", svc.id, err)
		}
		st.endpoints[svc.id] = url
		cfg.Logger.Debug("localaws: service listening", "service", svc.id, "url", url)
	}
	return st, nil
}

func (st *Stack) serve(ctx context.Context, addr string, h http.Handler) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	st.mu.Lock()
	st.servers = append(st.servers, srv)
	st.mu.Unlock()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("localaws: server stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	return "http://" + ln.Addr().String(), nil
}

// Endpoint returns the base URL of a service by SDK service ID, or "".
func (st *Stack) Endpoint(serviceID string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.endpoints[serviceID]
}

// S3URL, SQSURL and DynamoDBURL are the services' base URLs.
func (st *Stack) S3URL() string       { return st.Endpoint(ServiceS3) }
func (st *Stack) SQSURL() string      { return st.Endpoint(ServiceSQS) }
func (st *Stack) DynamoDBURL() string { return st.Endpoint(ServiceDynamoDB) }

// SetEndpoint registers another local service (e.g. the Step Functions
// stand-in under "SFN") so AWSConfig points its client there too.
func (st *Stack) SetEndpoint(serviceID, url string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.endpoints[serviceID] = url
}

// AWSConfig returns an SDK configuration for the stack: static dummy
// credentials, region us-east-1, and per-service BaseEndpoint applied through
// ServiceOptions, so s3.NewFromConfig, sqs.NewFromConfig and
// dynamodb.NewFromConfig reach the local services. S3 clients also get
// path-style addressing and unsigned payloads (the SDK refuses to stream an
// unseekable body over plain HTTP otherwise).
func (st *Stack) AWSConfig(_ context.Context) aws.Config {
	st.mu.Lock()
	endpoints := make(map[string]string, len(st.endpoints))
	for k, v := range st.endpoints {
		endpoints[k] = v
	}
	st.mu.Unlock()
	cfg := aws.Config{
		Region:      Region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("local", "local", "")),
		// Checksums only when an operation requires them: no aws-chunked
		// trailers over plain HTTP.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		ServiceOptions: []func(string, any){func(_ string, opts any) {
			if o, ok := opts.(*s3.Options); ok {
				o.UsePathStyle = true
				o.APIOptions = append(o.APIOptions, unsignedPayload)
			}
		}},
	}
	target.OverrideEndpoints(&cfg, endpoints)
	return cfg
}

// unsignedPayload swaps payload hashing for UNSIGNED-PAYLOAD where the stack
// has the hashing step; the local services do not check signatures.
func unsignedPayload(stack *middleware.Stack) error {
	if _, ok := stack.Finalize.Get("ComputePayloadHash"); !ok {
		return nil
	}
	return v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware(stack)
}

// Close stops the HTTP servers and closes every service, writing the final
// snapshots. It is safe to call more than once.
func (st *Stack) Close() error {
	st.mu.Lock()
	if st.closed {
		st.mu.Unlock()
		return nil
	}
	st.closed = true
	servers := st.servers
	st.mu.Unlock()

	var errs []error
	// SQS first: it releases waiting long polls, which would otherwise hold
	// Shutdown for up to 20s, and rejects anything that arrives afterwards.
	if st.SQS != nil {
		errs = append(errs, st.SQS.Close())
	}
	for _, srv := range servers {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("localaws: shutdown: %w", err), srv.Close())
		}
		cancel()
	}
	if st.DynamoDB != nil {
		errs = append(errs, st.DynamoDB.Close())
	}
	if st.S3 != nil {
		errs = append(errs, st.S3.Close())
	}
	return errors.Join(errs...)
}
