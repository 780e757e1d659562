package localrun

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/logiwaflow/logiwaflow/pkg/functions"
	"github.com/logiwaflow/logiwaflow/pkg/gate"
	"github.com/logiwaflow/logiwaflow/pkg/localaws"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/records"
	"github.com/logiwaflow/logiwaflow/pkg/sfnlocal"
	"github.com/logiwaflow/logiwaflow/statemachines"
)

// The event source mappings as Terraform deploys them (terraform/modules/
// flow and gate): visibility timeouts are six times the function timeouts
// (30 s trigger, 60 s gate worker), in seconds of the runtime's clock; the
// gate takes one message per batch so paced calls are shared fairly.
const (
	inboundVisibility = 6 * 30
	gateVisibility    = 6 * 60
	inboundBatchSize  = 10
	gateBatchSize     = 1
)

// FunctionARN is the local ARN of a task function (e.g. "validate").
func FunctionARN(task string) string {
	return "arn:aws:lambda:" + localaws.Region + ":" + sfnlocal.Account + ":function:" + Prefix + task
}

// createResources makes the queues (each with its DLQ and redrive policy)
// and the tables, as Terraform declares them; existing ones are kept.
func (r *Runtime) createResources(ctx context.Context) error {
	r.queues = map[string]string{}
	for _, key := range QueueKeys {
		dlq, err := r.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(Prefix + key + "-dlq"),
			Attributes: map[string]string{"MessageRetentionPeriod": "1209600"}})
		if err != nil {
			return fmt.Errorf("localrun: create queue %s-dlq: %w", key, err)
		}
		visibility := inboundVisibility
		if key == "gate" {
			visibility = gateVisibility
		}
		redrive := fmt.Sprintf(`{"deadLetterTargetArn":"arn:aws:sqs:%s:%s:%s%s-dlq","maxReceiveCount":%d}`,
			localaws.Region, sfnlocal.Account, Prefix, key, MaxReceiveCount)
		q, err := r.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(Prefix + key)})
		if err != nil {
			return fmt.Errorf("localrun: create queue %s: %w", key, err)
		}
		// Set, not create, the attributes: a queue kept from an earlier run
		// takes the current settings.
		if _, err := r.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: q.QueueUrl, Attributes: map[string]string{
			string(sqstypes.QueueAttributeNameVisibilityTimeout): strconv.Itoa(visibility),
			string(sqstypes.QueueAttributeNameRedrivePolicy):     redrive,
		}}); err != nil {
			return fmt.Errorf("localrun: configure queue %s: %w", key, err)
		}
		r.queues[key] = aws.ToString(q.QueueUrl)
		r.queues[key+"-dlq"] = aws.ToString(dlq.QueueUrl)
	}
	if err := records.CreateTables(ctx, dynamodb.NewFromConfig(r.awsCfg), RecordsTable, JobsTable); err != nil {
		return fmt.Errorf("localrun: %w", err)
	}
	return nil
}

// values are the placeholder values of one definition.
func (r *Runtime) values(name string) map[string]string {
	v := map[string]string{
		"flow":                   name,
		"gate_queue_url":         r.queues["gate"],
		"gate_timeout_seconds":   "3600",
		"latency_threshold_ms":   "2000",
		"park_function_arn":      FunctionARN("park"),
		"redrive_function_arn":   FunctionARN("redrive"),
		"sync_function_arn":      FunctionARN("sync"),
		"update_db_function_arn": FunctionARN("update-db"),
		"validate_function_arn":  FunctionARN("validate"),
	}
	for k, x := range r.cfg.Values {
		v[k] = x
	}
	return v
}

// registerMachines renders and registers every definition under its own
// name; it returns definition name -> ARN.
func (r *Runtime) registerMachines() (map[string]string, error) {
	out := map[string]string{}
	for _, name := range statemachines.Names() {
		def, err := statemachines.Render(name, r.values(name))
		if err != nil {
			return nil, fmt.Errorf("localrun: %w", err)
		}
		arn, err := r.sfn.Register(name, def)
		if err != nil {
			return nil, fmt.Errorf("localrun: %w", err)
		}
		out[name] = arn
	}
	return out, nil
}

// fnConfig is what the task functions share, as Terraform sets it for the
// deployed ones.
func (r *Runtime) fnConfig() functions.Config {
	return functions.Config{
		AWS: r.awsCfg, RecordsTable: RecordsTable, JobsTable: JobsTable, ParkedBucket: ParkedBucket,
		Queues: map[message.Flow]string{
			message.FlowInventory: r.queues["inventory"],
			message.FlowOrders:    r.queues["orders"],
			message.FlowRefunds:   r.queues["refunds"],
		},
		Now: r.clock.Now, Logger: r.log,
	}
}

// functions builds the task functions the state machines invoke, as the
// tasks/* mains build them, keyed by ARN and by name.
func (r *Runtime) functions() map[string]function {
	c := r.fnConfig()
	byTask := map[string]function{
		"validate":  lambdaFunc(functions.Validate(c)),
		"update-db": lambdaFunc(functions.UpdateDB(c)),
		"park":      lambdaFunc(functions.Park(c)),
		"redrive":   lambdaFunc(functions.Redrive(c)),
		"sync":      lambdaFunc(functions.Sync(c)),
	}
	out := map[string]function{}
	for task, fn := range byTask {
		out[FunctionARN(task)] = fn
		out[Prefix+task] = fn
	}
	return out
}

// account fills the Logiwa account from the simulator's seed where the
// configuration leaves it empty.
func (r *Runtime) account() gate.Account {
	acct := r.cfg.Account
	if acct.CancelReason == "" {
		acct.CancelReason = "Customer request"
	}
	if r.sim == nil {
		return acct
	}
	snap := r.sim.Snapshot()
	if acct.ClientIdentifier == "" {
		for _, c := range snap.Clients {
			if c.DisplayName == logiwasim.SeedClient {
				acct.ClientIdentifier = c.Identifier
			}
		}
	}
	if acct.WarehouseIdentifier == "" {
		for _, w := range snap.Warehouses {
			if w.Code == logiwasim.SeedWarehouse {
				acct.WarehouseIdentifier = w.Identifier
			}
		}
	}
	if acct.OrderType == "" {
		acct.OrderType = logiwasim.SeedOrderType
	}
	return acct
}

// startMappings starts the event source mappings: the three triggers and
// the gate worker (one Logiwa client and pacer per concurrent slot, each
// owning its share of the pacing slots, as on Lambda).
func (r *Runtime) startMappings(logiwaURL string) error {
	c := r.fnConfig()
	for _, f := range message.Flows {
		h := functions.Trigger(c, f, r.tgt.StateMachines[string(f)])
		hs := make([]batchHandler, r.cfg.TriggerConcurrency)
		for i := range hs {
			hs[i] = h
		}
		r.addMapping(string(f), inboundBatchSize, hs)
		if r.cfg.MaxRunning > 0 {
			r.mappings[string(f)].throttle = func() bool { return r.sfn.Running() >= r.cfg.MaxRunning }
		}
	}
	g := functions.Gate{
		BaseURL: logiwaURL, Email: r.cfg.LogiwaEmail, Password: r.cfg.LogiwaPassword, Account: r.account(),
		RateLimit: r.cfg.RateLimit, Workers: r.cfg.GateConcurrency, Clock: r.clock, Meter: r.meter,
	}
	if r.sim != nil {
		// The embedded simulator is reached in-process: in accelerated time
		// a loopback hop's scheduling delay is scaled up with the clock and
		// can carry a request into the next second (see Server.Transport).
		// The listener still serves everyone else.
		g.Transport = r.sim.Transport()
	}
	hs := make([]batchHandler, r.cfg.GateConcurrency)
	for i := range hs {
		g.Index = i
		h, err := functions.GateWorker(c, g)
		if err != nil {
			return fmt.Errorf("localrun: %w", err)
		}
		hs[i] = h
	}
	r.addMapping("gate", gateBatchSize, hs)
	for _, m := range r.mappings {
		m.run(r.ctx, r.stop, &r.recv, &r.wg)
	}
	return nil
}

func (r *Runtime) addMapping(key string, batchSize int32, hs []batchHandler) {
	if r.cfg.wrapHandler != nil {
		for i, h := range hs {
			hs[i] = r.cfg.wrapHandler(key, h)
		}
	}
	r.mappings[key] = &esm{
		name: key, queueURL: r.queues[key], queueARN: "arn:aws:sqs:" + localaws.Region + ":" + sfnlocal.Account + ":" + Prefix + key,
		sqs: r.sqs, handlers: hs, batchSize: batchSize, wait: 20, log: r.log, inflight: &r.inflight,
	}
}

// resume starts again, under the same names, the executions the journal
// says were running when the last run stopped.
func (r *Runtime) resume(ctx context.Context, unfinished []journalEntry) error {
	for _, e := range unfinished {
		arn, ok := r.tgt.StateMachines[e.Machine]
		if !ok {
			r.log.Warn("journal: unknown state machine; execution not resumed", "stateMachine", e.Machine, "execution", e.Name)
			continue
		}
		if _, err := r.sfnc.StartExecution(ctx, &sfn.StartExecutionInput{
			StateMachineArn: aws.String(arn), Name: aws.String(e.Name), Input: aws.String(e.Input),
		}); err != nil {
			return fmt.Errorf("localrun: resume %s %s: %w", e.Machine, e.Name, err)
		}
		r.log.Info("execution resumed after restart", "stateMachine", e.Machine, "execution", e.Name)
	}
	return nil
}
