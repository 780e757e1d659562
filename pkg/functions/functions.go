// Package functions builds every task function of logiwaflow from an SDK
// configuration and its settings, so the Lambda mains (tasks/*) and the
// embedded local runtime (pkg/localrun) construct the handlers the same way:
// only where the settings come from differs (environment variables set by
// Terraform, or the runtime's own resources).
package functions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/gate"
	"github.com/logiwaflow/logiwaflow/pkg/inbound"
	"github.com/logiwaflow/logiwaflow/pkg/logiwa"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/parking"
	"github.com/logiwaflow/logiwaflow/pkg/records"
	"github.com/logiwaflow/logiwaflow/pkg/syncjob"
	"github.com/logiwaflow/logiwaflow/pkg/trigger"
)

// Config is what the functions share. A function uses only the fields it
// needs (validate: RecordsTable; park: ParkedBucket; ...).
type Config struct {
	AWS          aws.Config
	RecordsTable string
	JobsTable    string
	ParkedBucket string
	// Queues are the inbound queue URLs by flow (the redrive's targets).
	Queues map[message.Flow]string
	// Now is the clock of records, parks and syncs (nil: the wall clock).
	Now    func() time.Time
	Logger *slog.Logger
}

func (c Config) store() *records.Store {
	return &records.Store{DB: dynamodb.NewFromConfig(c.AWS), RecordTable: c.RecordsTable, JobTable: c.JobsTable, Now: c.Now}
}

func (c Config) parking() *parking.Service {
	queues := make(map[string]string, len(c.Queues))
	for f, url := range c.Queues {
		queues[string(f)] = url
	}
	return &parking.Service{S3: s3.NewFromConfig(c.AWS), Bucket: c.ParkedBucket, SQS: sqs.NewFromConfig(c.AWS), Queues: queues, Now: c.Now}
}

// Validate is the validate task (schema and stale guard).
func Validate(c Config) func(context.Context, inbound.ValidateInput) (inbound.ValidateOutput, error) {
	return (&inbound.Handlers{Store: c.store()}).Validate
}

// UpdateDB is the update-db task (conditional on version).
func UpdateDB(c Config) func(context.Context, inbound.RecordInput) (inbound.RecordOutput, error) {
	return (&inbound.Handlers{Store: c.store()}).Record
}

// Park is the park task.
func Park(c Config) func(context.Context, parking.ParkInput) (parking.ParkOutput, error) {
	return c.parking().Park
}

// Redrive is the redrive task (list and republish).
func Redrive(c Config) func(context.Context, parking.RedriveInput) (any, error) {
	return c.parking().Redrive
}

// Sync is the sync task (lease, page writes, cursor).
func Sync(c Config) func(context.Context, syncjob.Input) (syncjob.Output, error) {
	return (&syncjob.Handler{Store: c.store(), Now: c.Now}).Handle
}

// Trigger is the start-execution task of one flow.
func Trigger(c Config, flow message.Flow, stateMachineARN string) func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
	return (&trigger.Trigger{
		SFN: sfn.NewFromConfig(c.AWS), Flow: flow, StateMachineARN: stateMachineARN, Logger: c.Logger,
		Claims: s3.NewFromConfig(c.AWS), Bucket: c.ParkedBucket, Now: c.Now,
	}).Handle
}

// Gate configures the call-logiwa worker.
type Gate struct {
	BaseURL, Email, Password string
	Account                  gate.Account
	// RateLimit is the account's requests per second, shared by Workers
	// concurrent workers (the mapping's maximum concurrency): each worker
	// sends in RateLimit/Workers of the pacing slots a second.
	RateLimit float64
	Workers   int
	// Index is which of the Workers this one is (0..Workers-1), so each
	// paces in its own slots. Negative when it cannot know, as on Lambda:
	// one is picked at random, and Workers must then divide the limit (see
	// gate.RandomIndex).
	Index int
	// Clock paces and times the calls (nil: the wall clock).
	Clock clock.Clock
	// Meter, when set, counts every HTTP request to Logiwa and every call.
	Meter *gate.Meter
	// Transport carries the requests (nil: http.DefaultTransport). The
	// embedded runtime passes the simulator's in-process one.
	Transport http.RoundTripper
}

// GateWorker builds one worker: its own Logiwa client (login, token, lookup
// cache) and pacer, as one Lambda instance has.
func GateWorker(c Config, g Gate) (func(context.Context, events.SQSEvent) (events.SQSEventResponse, error), error) {
	if g.RateLimit <= 0 || g.Workers < 1 {
		return nil, errors.New("functions: gate: RateLimit and Workers must be positive")
	}
	clk := g.Clock
	if clk == nil {
		clk = clock.Real()
	}
	index := g.Index
	if index < 0 {
		if perSecond := int(g.RateLimit); g.RateLimit >= 1 && perSecond%g.Workers != 0 {
			return nil, fmt.Errorf("functions: gate: %d workers do not divide the limit of %d requests a second: "+
				"workers that cannot know their index may share slots, and would then exceed it", g.Workers, perSecond)
		}
		index = gate.RandomIndex(g.Workers)
	}
	pacer, err := gate.NewPacer(g.RateLimit, g.Workers, index, clk)
	if err != nil {
		return nil, fmt.Errorf("functions: %w", err)
	}
	if g.Meter != nil {
		pacer.OnMiss = g.Meter.MissedSlot
	}
	lc := logiwa.Config{
		BaseURL: g.BaseURL, Email: g.Email, Password: g.Password,
		Logger: c.Logger,
		Pacer:  pacer,
		Now:    clk.Now,
	}
	rt := g.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	if g.Meter != nil {
		rt = gate.Metered(rt, g.Meter)
	}
	lc.HTTPClient = &http.Client{Transport: rt}
	client, err := logiwa.New(lc)
	if err != nil {
		return nil, fmt.Errorf("functions: gate: %w", err)
	}
	w := &gate.Worker{SFN: sfn.NewFromConfig(c.AWS), Operations: gate.Operations(client, g.Account), Logger: c.Logger, Meter: g.Meter, Claims: c.store()}
	return w.Handle, nil
}
