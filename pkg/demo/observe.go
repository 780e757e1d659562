package demo

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/sfnlocal"
	"github.com/logiwaflow/logiwaflow/pkg/traffic"
)

// sentMessage is what the demo remembers of one distinct message it sent
// (duplicates fold into the first delivery): small, so memory stays flat
// as the counts grow.
type sentMessage struct {
	flow       message.Flow
	kind       traffic.Kind
	key        string
	version    int64
	valid      bool
	deliveries int
	order      string // a refund's order number
}

// ledger is what was sent, by execution base name (the name the trigger
// gives a message's first execution; redriven copies add "-r<n>").
type ledger struct {
	mu       sync.Mutex
	msgs     map[string]*sentMessage
	order    []string // base names in first-sent order
	in       int      // deliveries SQS accepted
	refused  int      // deliveries SQS refused
	byKind   map[traffic.Kind]int
	refusals map[traffic.Kind]int
}

func newLedger() *ledger {
	return &ledger{msgs: map[string]*sentMessage{}, byKind: map[traffic.Kind]int{}, refusals: map[traffic.Kind]int{}}
}

// add records one delivery; err is the Sender's answer.
func (l *ledger) add(m traffic.Message, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.refused++
		l.refusals[m.Kind]++
		return
	}
	l.in++
	l.byKind[m.Kind]++
	name := baseName(m.Flow, m.Body)
	if s, ok := l.msgs[name]; ok {
		s.deliveries++
		return
	}
	kind := m.Kind
	if kind == traffic.KindDuplicate {
		kind = m.Original
	}
	s := &sentMessage{flow: m.Flow, kind: kind, key: m.Key, version: m.Version, valid: m.Valid, deliveries: 1}
	if m.Flow == message.FlowRefunds && m.Valid {
		var r struct {
			OrderNumber string `json:"orderNumber"`
		}
		if json.Unmarshal(m.Body, &r) == nil {
			s.order = r.OrderNumber
		}
	}
	l.msgs[name] = s
	l.order = append(l.order, name)
}

func (l *ledger) counts() (in, refused int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.in, l.refused
}

// baseName is the execution name the trigger gives a first delivery: it
// reads the business key leniently, exactly as pkg/trigger does.
func baseName(f message.Flow, body []byte) string {
	var head struct {
		SKU         string `json:"sku"`
		OrderNumber string `json:"orderNumber"`
		RMA         string `json:"rma"`
	}
	key := ""
	if err := json.Unmarshal(body, &head); err == nil {
		switch f {
		case message.FlowInventory:
			key = head.SKU
		case message.FlowOrders:
			key = head.OrderNumber
		case message.FlowRefunds:
			key = head.RMA
		}
	}
	if key == "" {
		key = "invalid"
	}
	return message.ExecutionName(f, key, body, 0)
}

// splitReplay splits "<base>-r<n>" into base and n (0 without a suffix).
func splitReplay(name string) (string, int) {
	i := strings.LastIndex(name, "-r")
	if i < 0 {
		return name, 0
	}
	n, err := strconv.Atoi(name[i+2:])
	if err != nil || n <= 0 {
		return name, 0
	}
	return name[:i], n
}

// execSummary is what the report needs of one finished execution.
type execSummary struct {
	machine     string
	name        string
	status      asl.Status
	errName     string
	cause       string // first 300 bytes of the failure cause
	outcome     string // output "outcome" of an inbound flow: applied, stale
	lastState   string // the last state entered
	transitions int    // as AWS bills them: the start, each state entered, each retry
	retries     int
}

// collector keeps a summary of every finished execution. The runtime calls
// ended as each execution ends (localrun.Config.OnExecutionEnd), before
// sfnlocal's retention bound can drop it, so none is missed however fast
// executions finish.
type collector struct {
	mu sync.Mutex
	// done holds one summary per execution, by value: the hook fires once
	// for each, and a slice costs a fraction of a map of pointers keyed by
	// ARN at tens of thousands of executions.
	done []execSummary
}

func newCollector() *collector { return &collector{} }

// ended records one finished execution.
func (c *collector) ended(x sfnlocal.ExecutionInfo) {
	s := summarize(strings.TrimPrefix(x.StateMachineARN, sfnlocal.StateMachineARN("")), x)
	c.mu.Lock()
	c.done = append(c.done, *s)
	c.mu.Unlock()
}

// snapshot returns every summary so far. The pointers stay valid: a later
// append copies the slice and leaves these elements where they are.
func (c *collector) snapshot() []*execSummary {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*execSummary, len(c.done))
	for i := range c.done {
		out[i] = &c.done[i]
	}
	return out
}

func summarize(machine string, x sfnlocal.ExecutionInfo) *execSummary {
	s := &execSummary{machine: machine, name: x.Name, status: x.Status, errName: x.Error, cause: x.Cause, transitions: 1}
	if len(s.cause) > 300 {
		s.cause = s.cause[:300]
	}
	if out, ok := x.Output.(map[string]any); ok {
		s.outcome, _ = out["outcome"].(string)
	}
	scheduled := 0
	entered := map[string]int{}
	for _, ev := range x.History() {
		switch {
		case strings.HasSuffix(ev.Type, "StateEntered"):
			s.transitions++
			if ev.Details != nil {
				s.lastState = ev.Details.Name
				entered[ev.Details.Name]++
			}
		case ev.Type == "TaskScheduled" || ev.Type == "LambdaFunctionScheduled":
			scheduled++
		}
	}
	// A retry schedules the task again without entering the state again;
	// Step Functions bills it as a transition.
	tasks := 0
	for _, ev := range x.History() {
		if ev.Type == "TaskStateEntered" {
			tasks++
		}
	}
	s.retries = max(scheduled-tasks, 0)
	s.transitions += s.retries
	return s
}

func isInbound(machine string) bool {
	_, err := message.ParseFlow(machine)
	return err == nil
}
