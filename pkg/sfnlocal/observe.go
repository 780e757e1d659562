package sfnlocal

import "github.com/logiwaflow/logiwaflow/pkg/asl"

// Observer is told when an execution starts and when it ends. The local
// runtime journals these so a restart can resume what was running: sfnlocal
// keeps executions in memory only.
//
// ExecutionStarted is called synchronously inside StartExecution, before
// the caller gets its answer, so a caller that acts on the answer (the
// trigger deletes the SQS message) never acts on an execution the observer
// has not seen. Both methods must be fast and safe for concurrent use.
type Observer interface {
	ExecutionStarted(machine, name, input string)
	ExecutionEnded(machine, name string, status asl.Status)
}

// WithObserver sets the observer of executions.
func WithObserver(o Observer) Option { return func(s *Server) { s.observer = o } }

// Running returns how many executions are running now.
func (s *Server) Running() int { return int(s.running.Load()) }

// WithEndHook has fn called with every execution as it ends, history
// included, before the retention bound (WithKeep) may drop it: a reader
// that must see every execution (the demo's report) does not depend on
// polling faster than executions are pruned. fn runs on the execution's
// own goroutine and must be fast and safe for concurrent use.
func WithEndHook(fn func(ExecutionInfo)) Option { return func(s *Server) { s.onEnd = fn } }
