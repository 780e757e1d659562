// Package target describes one running logiwaflow system, local or on AWS:
// where its APIs are and what its resources are called. `logiwaflow local`
// writes the local description when it starts and `logiwaflow deploy` writes
// the AWS one from Terraform's outputs; every operator verb and the console
// read one of them, so the AWS target differs from the local one only in where
// it gets its endpoints.
package target

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Names of the two kinds of target.
const (
	Local = "local"
	AWS   = "aws"
)

// Service IDs as the SDK names them (the keys of Endpoints).
const (
	ServiceSFN      = "SFN"
	ServiceS3       = "S3"
	ServiceSQS      = "SQS"
	ServiceDynamoDB = "DynamoDB"
)

// DefaultDir is where the target files live, relative to the working
// directory, unless LOGIWAFLOW_HOME says otherwise.
const DefaultDir = ".logiwaflow"

// Target is a system's address book. The JSON shape is the file format.
type Target struct {
	// Name is Local or AWS.
	Name   string `json:"name"`
	Region string `json:"region"`
	// Endpoints maps an SDK service ID to a base URL; empty on AWS (the SDK's
	// own resolution applies).
	Endpoints map[string]string `json:"endpoints,omitempty"`
	// StateMachines maps a definition name (statemachines.Names(): inventory,
	// orders, refunds, inventory-sync, orders-sync, redrive) to its ARN.
	StateMachines map[string]string `json:"state_machines"`
	// Queues maps inventory, orders, refunds and gate (and "<name>-dlq" for
	// each dead-letter queue) to a queue URL.
	Queues       map[string]string `json:"queues"`
	ParkedBucket string            `json:"parked_bucket"`
	RecordsTable string            `json:"records_table"`
	JobsTable    string            `json:"jobs_table"`
	// ConsoleURL is the local console; empty on AWS.
	ConsoleURL string `json:"console_url,omitempty"`
	// LogiwaURL is the Logiwa API the gate calls (the simulator locally).
	LogiwaURL string `json:"logiwa_url,omitempty"`
	// RateLimit is the gate's Logiwa requests per second.
	RateLimit float64 `json:"rate_limit,omitempty"`
}

// Dir returns the directory holding target files.
func Dir() string {
	if d := os.Getenv("LOGIWAFLOW_HOME"); d != "" {
		return d
	}
	return DefaultDir
}

// Path returns the file of the named target in Dir.
func Path(name string) string { return filepath.Join(Dir(), name+".json") }

// Load reads a target file.
func Load(path string) (Target, error) {
	var t Target
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return t, fmt.Errorf("target file %s does not exist: start `logiwaflow local` or run `logiwaflow deploy` first", path)
	}
	if err != nil {
		return t, fmt.Errorf("read target: %w", err)
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return t, fmt.Errorf("target file %s: %w", path, err)
	}
	if err := t.Validate(); err != nil {
		return t, fmt.Errorf("target file %s: %w", path, err)
	}
	return t, nil
}

// Save writes the target file atomically, creating its directory.
func (t Target) Save(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("save target: %w", err)
	}
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return fmt.Errorf("save target: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("save target: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save target: %w", err)
	}
	return nil
}

// Validate names the first missing piece.
func (t Target) Validate() error {
	switch {
	case t.Name != Local && t.Name != AWS:
		return fmt.Errorf("name %q is neither %q nor %q", t.Name, Local, AWS)
	case t.Region == "":
		return errors.New("region is empty")
	case len(t.StateMachines) == 0:
		return errors.New("no state machines")
	case len(t.Queues) == 0:
		return errors.New("no queues")
	case t.ParkedBucket == "":
		return errors.New("parked_bucket is empty")
	case t.RecordsTable == "" || t.JobsTable == "":
		return errors.New("records_table or jobs_table is empty")
	}
	return nil
}

// AWSConfig returns an SDK configuration for the target. Locally: static
// dummy credentials and each service's endpoint (S3 path-style, since the
// local S3 serves one host). On AWS: the default chain (environment,
// profile, role) with the target's region.
func (t Target) AWSConfig(ctx context.Context) (aws.Config, error) {
	if len(t.Endpoints) == 0 {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(t.Region))
		if err != nil {
			return cfg, fmt.Errorf("load AWS configuration: %w", err)
		}
		return cfg, nil
	}
	cfg := aws.Config{
		Region:                     t.Region,
		Credentials:                aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("local", "local", "")),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		ServiceOptions: []func(string, any){func(_ string, opts any) {
			if o, ok := opts.(*s3.Options); ok {
				o.UsePathStyle = true
			}
		}},
	}
	OverrideEndpoints(&cfg, t.Endpoints)
	return cfg, nil
}

// OverrideEndpoints points the clients built from cfg at other endpoints,
// by SDK service ID (SFN, S3, SQS, DynamoDB). It is appended after cfg's
// own service options, so it wins.
func OverrideEndpoints(cfg *aws.Config, endpoints map[string]string) {
	if len(endpoints) == 0 {
		return
	}
	cfg.ServiceOptions = append(cfg.ServiceOptions, func(id string, opts any) {
		if url, ok := endpoints[id]; ok {
			setBaseEndpoint(opts, url)
		}
	})
}

// setBaseEndpoint sets the BaseEndpoint field every generated client's
// Options struct has, whatever service packages the caller links.
func setBaseEndpoint(opts any, url string) {
	v := reflect.ValueOf(opts)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	f := v.Elem().FieldByName("BaseEndpoint")
	if f.IsValid() && f.CanSet() && f.Type() == reflect.TypeFor[*string]() {
		f.Set(reflect.ValueOf(aws.String(url)))
	}
}
