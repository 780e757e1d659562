// Package localrun is the embedded local runtime: one process runs the whole
// system with no AWS account. The same state machine files run on our ASL
// engine behind a local Step Functions endpoint (sfnlocal); S3, SQS and
// DynamoDB are the in-process stand-ins of localaws; the task handlers run
// in-process, invoked by the engine (lambda:invoke) or by SQS event source
// mappings run here the way Lambda runs them; schedules fire on the same
// clock; the Logiwa simulator plays the warehouse unless a real Logiwa is
// configured. Every handler talks to the local services through the real
// aws-sdk-go-v2 clients: only endpoints differ from AWS.
package localrun

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/gate"
	"github.com/logiwaflow/logiwaflow/pkg/localaws"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/sfnlocal"
	"github.com/logiwaflow/logiwaflow/pkg/target"
)

// Resource names, as Terraform names them.
const (
	Prefix       = "logiwaflow-"
	ParkedBucket = Prefix + "parked"
	RecordsTable = Prefix + "records"
	JobsTable    = Prefix + "jobs"
	// MaxReceiveCount is the redrive policy of every queue.
	MaxReceiveCount = 5
)

// DefaultMaxRunning is Config.MaxRunning's default. The gate passes at most
// 6 requests a second (Premium), so 300 executions waiting for it are
// about a minute of work even there: more running would only hold more
// memory, not move messages faster.
const DefaultMaxRunning = 300

// QueueKeys are the Target.Queues keys of the main queues; each also has a
// "<key>-dlq".
var QueueKeys = []string{"inventory", "orders", "refunds", "gate"}

// Config configures Start. The zero value runs in memory with the simulator.
type Config struct {
	// Dir is the state directory; "" keeps everything in memory (tests).
	Dir string
	// Addr is the listen address of the runtime's HTTP server (the Step
	// Functions API plus routes added with Handle); default "127.0.0.1:0".
	Addr string
	// LogiwaBaseURL "" starts the in-process simulator.
	LogiwaBaseURL               string
	LogiwaEmail, LogiwaPassword string
	// Account names the Logiwa client, warehouse and order type; with the
	// simulator, zero fields take the seeded ones.
	Account gate.Account
	// Simulator configures the in-process simulator; its Now and Sleep
	// default to Clock.
	Simulator logiwasim.Options
	// SimulatorAddr is where the simulator listens (default "127.0.0.1:0").
	SimulatorAddr string
	// RateLimit is the account's Logiwa requests per second (default 2).
	RateLimit float64
	// GateConcurrency is the gate mapping's maximum concurrency (default 2).
	GateConcurrency int
	// TriggerConcurrency is each inbound mapping's maximum concurrency
	// (default 5, as deployed).
	TriggerConcurrency int
	// Clock drives everything time-based (default the wall clock).
	Clock clock.Clock
	// Schedules fires schedule.Defaults on Clock.
	Schedules bool
	// ScheduleExpressions overrides expressions by schedule name (e.g.
	// "inventory_sync": "rate(5 minutes)"), as the Terraform variables
	// <name>_schedule do.
	ScheduleExpressions map[string]string
	// Values override the placeholder values of the definitions.
	Values map[string]string
	// MaxRunning holds off the inbound mappings (the triggers) while that
	// many executions run (default DefaultMaxRunning; negative: no limit). A burst then
	// waits in SQS, about a kilobyte a message, rather than as running
	// executions waiting for the gate, tens of kilobytes each here: memory
	// stays flat as work grows. AWS has no such limit (waiting executions
	// cost nothing there); the gate, the bottleneck, sets the pace either
	// way. The gate mapping is never held off.
	MaxRunning int
	// KeepExecutions bounds the finished executions sfnlocal keeps per
	// state machine (0: sfnlocal's default, 1000).
	KeepExecutions int
	// OnExecutionEnd, when set, is called with every execution as it ends,
	// history included, before KeepExecutions may drop it (see
	// sfnlocal.WithEndHook).
	OnExecutionEnd func(sfnlocal.ExecutionInfo)
	Logger         *slog.Logger

	// wrapHandler lets tests replace a mapping's function (by queue key).
	wrapHandler func(queue string, h batchHandler) batchHandler
}

// Runtime is a running local system.
type Runtime struct {
	cfg   Config
	log   *slog.Logger
	clock clock.Clock

	stack     *localaws.Stack
	sim       *logiwasim.Server
	eng       *asl.Engine
	sfn       *sfnlocal.Server
	meter     *gate.Meter
	awsCfg    aws.Config
	transport *http.Transport
	jrnl      *journal

	url    string
	mux    *http.ServeMux
	srv    *http.Server
	tgt    target.Target
	queues map[string]string // key -> URL
	sqs    *sqs.Client
	sfnc   *sfn.Client

	mappings map[string]*esm
	inflight atomic.Int64

	ctx    context.Context
	cancel context.CancelFunc
	stop   chan struct{} // closed by Close: the mappings stop receiving
	recv   sync.RWMutex  // read-held around each receive (see esm.run)
	wg     sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

// Start builds and starts the runtime. On error, whatever started is
// stopped. ctx bounds only the start; Close stops the runtime.
func Start(ctx context.Context, cfg Config) (_ *Runtime, err error) {
	cfg = withDefaults(cfg)
	r := &Runtime{cfg: cfg, log: cfg.Logger, clock: cfg.Clock, mux: http.NewServeMux(), mappings: map[string]*esm{}}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.stop = make(chan struct{})
	defer func() {
		if err != nil {
			_ = r.Close()
		}
	}()
	if cfg.Dir != "" {
		if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("localrun: state dir: %w", err)
		}
	}
	r.stack, err = localaws.Start(ctx, localaws.Config{
		Dir: subdir(cfg.Dir, "aws"), Buckets: []string{ParkedBucket}, SQSClock: cfg.Clock, S3Clock: cfg.Clock.Now, Logger: cfg.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("localrun: %w", err)
	}
	logiwaURL := cfg.LogiwaBaseURL
	if logiwaURL == "" {
		opts := cfg.Simulator
		if opts.Now == nil {
			opts.Now = cfg.Clock.Now
		}
		if opts.Sleep == nil {
			opts.Sleep = cfg.Clock.Sleep
		}
		// The warehouse survives a restart like the AWS stand-ins do.
		if opts.StatePath == "" && cfg.Dir != "" {
			opts.StatePath = filepath.Join(cfg.Dir, "logiwa-sim.json")
		}
		if r.sim, err = logiwasim.Open(opts); err != nil {
			return nil, fmt.Errorf("localrun: %w", err)
		}
		if logiwaURL, err = r.sim.Start(cfg.SimulatorAddr); err != nil {
			return nil, fmt.Errorf("localrun: %w", err)
		}
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("localrun: listen %s: %w", cfg.Addr, err)
	}
	r.url = "http://" + ln.Addr().String()
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	r.stack.SetEndpoint(target.ServiceSFN, r.url)
	r.awsCfg = r.stack.AWSConfig(ctx)
	// One transport for every local call: more idle connections per host
	// than the default two (hundreds of executions talk to the same few
	// loopback servers), and Close can drop them, since a pooled
	// connection that never carried a request holds http.Server.Shutdown
	// for five seconds.
	r.transport = http.DefaultTransport.(*http.Transport).Clone()
	r.transport.MaxIdleConnsPerHost = 64
	r.awsCfg.HTTPClient = &http.Client{Transport: r.transport}
	r.sqs = sqs.NewFromConfig(r.awsCfg)
	r.sfnc = sfn.NewFromConfig(r.awsCfg)

	if err := r.createResources(ctx); err != nil {
		_ = ln.Close()
		return nil, err
	}
	r.meter = &gate.Meter{RateLimit: cfg.RateLimit, Now: cfg.Clock.Now}
	runner := &taskRunner{functions: r.functions(), sqs: r.sqs, log: cfg.Logger}
	r.eng = asl.NewEngine(asl.WithClock(cfg.Clock), asl.WithTasks(runner), asl.WithLogger(cfg.Logger))
	sfnOpts := []sfnlocal.Option{sfnlocal.WithClock(cfg.Clock), sfnlocal.WithLogger(cfg.Logger)}
	if cfg.KeepExecutions > 0 {
		sfnOpts = append(sfnOpts, sfnlocal.WithKeep(cfg.KeepExecutions))
	}
	if cfg.OnExecutionEnd != nil {
		sfnOpts = append(sfnOpts, sfnlocal.WithEndHook(cfg.OnExecutionEnd))
	}
	var unfinished []journalEntry
	if cfg.Dir != "" {
		if r.jrnl, unfinished, err = openJournal(filepath.Join(cfg.Dir, "executions.journal"), cfg.Logger); err != nil {
			_ = ln.Close()
			return nil, fmt.Errorf("localrun: %w", err)
		}
		sfnOpts = append(sfnOpts, sfnlocal.WithObserver(r.jrnl))
	}
	r.sfn = sfnlocal.New(r.eng, sfnOpts...)
	machines, err := r.registerMachines()
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	go func() {
		if err := r.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.log.Error("localrun: HTTP server stopped", "err", err)
		}
	}()

	r.tgt = target.Target{
		Name: target.Local, Region: localaws.Region,
		Endpoints: map[string]string{
			target.ServiceSFN: r.url, target.ServiceS3: r.stack.S3URL(),
			target.ServiceSQS: r.stack.SQSURL(), target.ServiceDynamoDB: r.stack.DynamoDBURL(),
		},
		StateMachines: machines, Queues: r.queues, ParkedBucket: ParkedBucket,
		RecordsTable: RecordsTable, JobsTable: JobsTable, ConsoleURL: r.url, LogiwaURL: logiwaURL,
		RateLimit: cfg.RateLimit,
	}
	if err := r.resume(ctx, unfinished); err != nil {
		return nil, err
	}
	if err := r.startMappings(logiwaURL); err != nil {
		return nil, err
	}
	if cfg.Schedules {
		if err := r.startSchedules(); err != nil {
			return nil, err
		}
	}
	r.log.Info("local runtime started", "url", r.url, "logiwa", logiwaURL, "dir", cfg.Dir, "rateLimit", cfg.RateLimit)
	return r, nil
}

func withDefaults(cfg Config) Config {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.SimulatorAddr == "" {
		cfg.SimulatorAddr = "127.0.0.1:0"
	}
	if cfg.RateLimit <= 0 {
		cfg.RateLimit = 2
	}
	if cfg.GateConcurrency <= 0 {
		cfg.GateConcurrency = 2
	}
	if cfg.MaxRunning == 0 {
		cfg.MaxRunning = DefaultMaxRunning
	}
	if cfg.TriggerConcurrency <= 0 {
		cfg.TriggerConcurrency = 5
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.LogiwaBaseURL == "" {
		if cfg.LogiwaEmail == "" {
			cfg.LogiwaEmail, cfg.LogiwaPassword = logiwasim.DefaultEmail, logiwasim.DefaultPassword
		}
	}
	return cfg
}

func subdir(dir, name string) string {
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, name)
}

// serveHTTP sends Step Functions API calls to sfnlocal and everything else
// to the routes added with Handle (the console mounts at "/").
func (r *Runtime) serveHTTP(w http.ResponseWriter, req *http.Request) {
	if strings.HasPrefix(req.Header.Get("X-Amz-Target"), "AWSStepFunctions.") {
		r.sfn.ServeHTTP(w, req)
		return
	}
	r.mux.ServeHTTP(w, req)
}

// Target is the address book of this runtime.
func (r *Runtime) Target() target.Target { return r.tgt }

// AWSConfig reaches every local service, Step Functions included.
func (r *Runtime) AWSConfig() aws.Config { return r.awsCfg }

// URL is the base URL of the runtime's HTTP server.
func (r *Runtime) URL() string { return r.url }

// Handle adds a route to the runtime's HTTP server (http.ServeMux patterns).
func (r *Runtime) Handle(pattern string, h http.Handler) { r.mux.Handle(pattern, h) }

// Simulator is the in-process Logiwa simulator; nil with an external Logiwa.
func (r *Runtime) Simulator() *logiwasim.Server { return r.sim }

// Engine is the ASL engine.
func (r *Runtime) Engine() *asl.Engine { return r.eng }

// SFN is the local Step Functions server.
func (r *Runtime) SFN() *sfnlocal.Server { return r.sfn }

// Stack is the local S3, SQS and DynamoDB.
func (r *Runtime) Stack() *localaws.Stack { return r.stack }

// GateMeter counts Logiwa HTTP requests and gate calls.
func (r *Runtime) GateMeter() *gate.Meter { return r.meter }

// Clock is the runtime's clock.
func (r *Runtime) Clock() clock.Clock { return r.clock }

// Send puts a raw message on a flow's queue, as the shop would, without
// checking it (message.Publisher checks; a bad message here is parked).
func (r *Runtime) Send(ctx context.Context, flow message.Flow, body []byte) (string, error) {
	if _, err := message.ParseFlow(string(flow)); err != nil {
		return "", fmt.Errorf("localrun: send: %w", err)
	}
	url := r.queues[string(flow)]
	out, err := r.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(string(body))})
	if err != nil {
		return "", fmt.Errorf("localrun: send %s message: %w", flow, err)
	}
	return aws.ToString(out.MessageId), nil
}

// Close stops the runtime: the journal first (so executions aborted by the
// shutdown stay unfinished and resume on the next start), then the
// mappings and schedules, the executions, the HTTP server, the stand-ins
// (writing their snapshots) and the simulator.
func (r *Runtime) Close() error {
	r.closeOnce.Do(func() {
		var errs []error
		if r.jrnl != nil {
			errs = append(errs, r.jrnl.Close())
		}
		// Stop receiving first and let every receive return, so no message
		// is taken for a poller that is gone; then interrupt the handlers
		// (the mappings hand their messages back).
		close(r.stop)
		if r.stack != nil {
			r.stack.SQS.StopReceives()
		}
		r.recv.Lock() // every receive has returned; none starts again
		r.recv.Unlock()
		r.cancel()
		r.wg.Wait()
		if r.sfn != nil {
			r.sfn.Close()
			// Let aborted executions wind down while the services they may
			// still be calling are up.
			for deadline := time.Now().Add(5 * time.Second); r.sfn.Running() > 0 && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
			}
		}
		if r.transport != nil {
			r.transport.CloseIdleConnections()
		}
		if r.srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := r.srv.Shutdown(ctx); err != nil {
				errs = append(errs, r.srv.Close())
			}
			cancel()
		}
		if r.stack != nil {
			errs = append(errs, r.stack.Close())
		}
		if r.sim != nil {
			errs = append(errs, r.sim.Close())
		}
		r.closeErr = errors.Join(errs...)
	})
	return r.closeErr
}
