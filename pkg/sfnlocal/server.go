// Package sfnlocal serves the AWS Step Functions API (JSON 1.0 protocol) over
// the in-process ASL engine, so the real aws-sdk-go-v2 sfn client, the CLI
// and task code talk to a local runtime exactly as they talk to AWS: only the
// endpoint differs.
//
// One file per operation holds its request/response shapes and handler;
// server.go holds the registry of state machines and executions, wire.go the
// protocol plumbing (dispatch, errors, timestamps, paging tokens).
package sfnlocal

import (
	"context"
	"fmt"
	"hash/maphash"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
)

// ARN prefixes of the local account; AWS SDK callers only see these strings.
const (
	Region           = "us-east-1"
	Account          = "000000000000"
	stateMachinePfx  = "arn:aws:states:" + Region + ":" + Account + ":stateMachine:"
	executionPfx     = "arn:aws:states:" + Region + ":" + Account + ":execution:"
	defaultKeep      = 1000
	defaultRoleARN   = "arn:aws:iam::" + Account + ":role/logiwaflow-local"
	typeStandard     = "STANDARD"
	typeExpress      = "EXPRESS"
	statusActive     = "ACTIVE"
	maxNameLen       = 80
	defaultPageSize  = 100
	maxPageSize      = 1000
	maxTaskTokenSize = 1024
)

// StateMachineARN returns the local ARN of the state machine called name.
func StateMachineARN(name string) string { return stateMachinePfx + name }

// ExecutionARN returns the local ARN of execution name of machine.
func ExecutionARN(machine, name string) string { return executionPfx + machine + ":" + name }

// Option configures a Server.
type Option func(*Server)

// WithClock sets the clock for creation dates; pass the engine's clock so
// dates agree with execution start and stop dates.
func WithClock(c clock.Clock) Option { return func(s *Server) { s.clock = c } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// WithKeep bounds memory: only the newest n finished executions of each
// state machine are kept (running ones are always kept). n < 1 means 1.
func WithKeep(n int) Option {
	return func(s *Server) { s.keep = max(n, 1) }
}

// Server is the local Step Functions endpoint. It is an http.Handler and is
// safe for concurrent use.
type Server struct {
	eng   *asl.Engine
	clock clock.Clock
	log   *slog.Logger
	keep  int

	observer Observer
	onEnd    func(ExecutionInfo)
	running  atomic.Int64

	// ctx outlives every request: executions are started under it so that a
	// finished HTTP request does not abort them; Close cancels it.
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	machines map[string]*machine   // by ARN
	execs    map[string]*execution // by ARN
	// pruned remembers the executions dropped by the retention bound: AWS
	// keeps an execution name taken for 90 days, so a duplicate start must
	// still be ExecutionAlreadyExists. It grows with every execution ever
	// run, so it holds a 64-bit hash of the ARN (16 bytes a name in the
	// map) rather than the ARN (over 100); a false "already exists" needs
	// a hash collision, about one in 10^10 after a million executions.
	pruned     map[uint64]struct{}
	prunedSeed maphash.Seed
	seq        int64 // orders machines and executions for listing and paging
}

// machine is one registered state machine.
type machine struct {
	arn, name  string
	typ        string
	roleARN    string
	definition string
	sm         *asl.StateMachine
	created    time.Time
	seq        int64
	execs      []*execution // oldest first
}

// execution is one execution the server started.
type execution struct {
	x         *asl.Execution
	machine   *machine
	inputText string
	input     any
	seq       int64
	// start is set before the engine runs: the ExecutionStarted event is
	// recorded asynchronously, so StartExecution cannot read it back.
	start time.Time
}

// New returns a server running executions on eng.
func New(eng *asl.Engine, opts ...Option) *Server {
	s := &Server{
		eng: eng, clock: clock.Real(), log: slog.Default(), keep: defaultKeep,
		machines: map[string]*machine{}, execs: map[string]*execution{}, pruned: map[uint64]struct{}{}, prunedSeed: maphash.MakeSeed(),
	}
	for _, o := range opts {
		o(s)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// Close aborts every running execution.
func (s *Server) Close() { s.cancel() }

// Register creates or replaces the state machine called name from Go (the
// local runtime deploys its definitions this way) and returns its ARN.
// Unlike CreateStateMachine, a changed definition replaces the old one, as a
// redeploy does; running executions keep the definition they started with.
func (s *Server) Register(name string, definition []byte) (string, error) {
	if err := checkName(name); err != nil {
		return "", fmt.Errorf("register state machine: %w", err)
	}
	sm, err := asl.NewStateMachine(name, definition)
	if err != nil {
		return "", fmt.Errorf("register state machine %s: %w", name, err)
	}
	arn := StateMachineARN(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.machines[arn]; ok {
		m.sm, m.definition = sm, string(definition)
		return arn, nil
	}
	s.addMachineLocked(name, typeStandard, defaultRoleARN, string(definition), sm)
	return arn, nil
}

func (s *Server) addMachineLocked(name, typ, roleARN, definition string, sm *asl.StateMachine) *machine {
	s.seq++
	m := &machine{
		arn: StateMachineARN(name), name: name, typ: typ, roleARN: roleARN,
		definition: definition, sm: sm, created: s.clock.Now(), seq: s.seq,
	}
	s.machines[m.arn] = m
	return m
}

// ExecutionInfo is a snapshot of one execution for the console.
type ExecutionInfo struct {
	ARN, Name       string
	StateMachineARN string
	Status          asl.Status
	Input           any
	Output          any // set when SUCCEEDED
	Error, Cause    string
	StartDate       time.Time
	StopDate        time.Time // zero while running
	// History returns the execution's events so far.
	History func() []asl.HistoryEvent
}

func (e *execution) info() ExecutionInfo {
	in := ExecutionInfo{
		ARN: e.x.ARN(), Name: e.x.Name(), StateMachineARN: e.machine.arn,
		Status: asl.StatusRunning, Input: e.input, History: e.x.History,
	}
	select {
	case <-e.x.Done():
		// Wait returns at once on a finished execution.
		res, _ := e.x.Wait(context.Background())
		in.Status, in.Output, in.Error, in.Cause = res.Status, res.Output, res.Error, res.Cause
		in.StartDate, in.StopDate = res.StartDate, res.StopDate
	default:
		in.StartDate = e.startDate()
	}
	return in
}

// startDate is the execution's start.
func (e *execution) startDate() time.Time { return e.start }

// Executions returns the kept executions of a state machine, newest first;
// nil for an unknown machine.
func (s *Server) Executions(machineARN string) []ExecutionInfo {
	s.mu.Lock()
	m, ok := s.machines[machineARN]
	var list []*execution
	if ok {
		list = append(list, m.execs...)
	}
	s.mu.Unlock()
	out := make([]ExecutionInfo, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		out = append(out, list[i].info())
	}
	return out
}

// Execution returns one execution by ARN.
func (s *Server) Execution(arn string) (ExecutionInfo, bool) {
	s.mu.Lock()
	e, ok := s.execs[arn]
	s.mu.Unlock()
	if !ok {
		return ExecutionInfo{}, false
	}
	return e.info(), true
}

// StateMachines returns the ARNs of all registered machines, oldest first.
func (s *Server) StateMachines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := s.sortedMachinesLocked()
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.arn
	}
	return out
}

func (s *Server) sortedMachinesLocked() []*machine {
	ms := make([]*machine, 0, len(s.machines))
	for _, m := range s.machines {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].seq < ms[j].seq })
	return ms
}

// pruneLocked drops the oldest finished executions of m beyond the bound.
func (s *Server) pruneLocked(m *machine) {
	finished := 0
	for _, e := range m.execs {
		if isDone(e.x) {
			finished++
		}
	}
	if finished <= s.keep {
		return
	}
	drop := finished - s.keep
	kept := m.execs[:0]
	for _, e := range m.execs {
		if drop > 0 && isDone(e.x) {
			drop--
			delete(s.execs, e.x.ARN())
			s.pruned[s.prunedKey(e.x.ARN())] = struct{}{}
			continue
		}
		kept = append(kept, e)
	}
	clear(m.execs[len(kept):])
	m.execs = kept
}

func (s *Server) prunedKey(arn string) uint64 { return maphash.String(s.prunedSeed, arn) }

func isDone(x *asl.Execution) bool {
	select {
	case <-x.Done():
		return true
	default:
		return false
	}
}
