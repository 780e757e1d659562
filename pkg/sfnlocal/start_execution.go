package sfnlocal

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

type startExecutionInput struct {
	StateMachineARN string  `json:"stateMachineArn"`
	Name            string  `json:"name"`
	Input           *string `json:"input"`
	TraceHeader     string  `json:"traceHeader"`
}

type startExecutionOutput struct {
	ExecutionARN string `json:"executionArn"`
	StartDate    epoch  `json:"startDate"`
}

// startExecution starts an execution. As on AWS, repeating a call with the
// name and input of a running execution returns that execution; a name in
// use otherwise is ExecutionAlreadyExists. Inputs are compared as JSON
// values, so whitespace and key order do not matter.
func (s *Server) startExecution(_ *http.Request, body []byte) (any, error) {
	var in startExecutionInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.Name == "" {
		in.Name = newUUID()
	}
	if err := checkName(in.Name); err != nil {
		return nil, err
	}
	text := "{}"
	if in.Input != nil {
		text = *in.Input
	}
	input, err := jsonvalue.DecodeString(text)
	if err != nil {
		return nil, errorf("InvalidExecutionInput", "Invalid State Machine Execution Input: '%v'", err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.machineLocked(in.StateMachineARN)
	if err != nil {
		return nil, err
	}
	arn := ExecutionARN(m.name, in.Name)
	if old, ok := s.execs[arn]; ok {
		if !isDone(old.x) && jsonvalue.Equal(old.input, input) {
			return startExecutionOutput{ExecutionARN: arn, StartDate: epoch(old.startDate())}, nil
		}
		return nil, errorf("ExecutionAlreadyExists", "Execution Already Exists: '%s'", arn)
	}
	if _, ok := s.pruned[s.prunedKey(arn)]; ok {
		return nil, errorf("ExecutionAlreadyExists", "Execution Already Exists: '%s'", arn)
	}
	start := s.clock.Now()
	x, err := s.eng.Start(s.ctx, m.sm, input, asl.StartOptions{
		Name: in.Name, StateMachineARN: m.arn, ExecutionARN: arn, RoleARN: m.roleARN, StartTime: start,
	})
	if err != nil {
		return nil, fmt.Errorf("start execution %s: %w", arn, err)
	}
	s.running.Add(1)
	if s.observer != nil {
		s.observer.ExecutionStarted(m.name, in.Name, text)
	}
	s.seq++
	e := &execution{x: x, machine: m, inputText: text, input: input, seq: s.seq, start: start}
	s.execs[arn] = e
	m.execs = append(m.execs, e)
	log := s.log.With("stateMachine", m.name, "execution", in.Name)
	log.Info("sfnlocal: execution started")
	go s.watch(e, log)
	return startExecutionOutput{ExecutionARN: arn, StartDate: epoch(e.startDate())}, nil
}

// watch logs how an execution ended and applies the retention bound.
func (s *Server) watch(e *execution, log *slog.Logger) {
	<-e.x.Done()
	in := e.info()
	if s.observer != nil {
		s.observer.ExecutionEnded(e.machine.name, in.Name, in.Status)
	}
	if s.onEnd != nil {
		s.onEnd(in)
	}
	// Counted as ended only once both have heard of it: whoever waits for
	// Running to reach 0 then finds every end recorded.
	s.running.Add(-1)
	log.Info("sfnlocal: execution ended", "status", in.Status, "error", in.Error)
	s.mu.Lock()
	s.pruneLocked(e.machine)
	s.mu.Unlock()
}

// newUUID returns a random version-4 UUID, the name AWS gives an unnamed
// execution.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
