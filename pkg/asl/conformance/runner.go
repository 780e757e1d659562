package conformance

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// Names the runs use, shaped like AWS's so that context-object values and
// ARNs look as they did when recorded.
const (
	Region  = "us-east-1"
	Account = "111111111111"
	RoleARN = "arn:aws:iam::111111111111:role/conformance-role"
)

// Env is what one case runs with.
type Env struct {
	MachineName, ExecutionName string
	MachineARN, ExecutionARN   string
	RoleARN                    string
	// Start is the execution's start time on the fake clock.
	Start time.Time
	// Settle is how long to let an execution that never ends run before its
	// history is read (Case.NeverEnds), or before it is stopped when the
	// recording ends ABORTED.
	Settle time.Duration
}

// Outcome is how the engine ended an execution.
type Outcome struct {
	// Status is an AWS execution status: SUCCEEDED, FAILED, TIMED_OUT,
	// ABORTED, or RUNNING when it had not finished.
	Status       string
	Output       any
	Error, Cause string
	// History holds the engine's events as decoded GetExecutionHistory JSON.
	History []any
}

// Executor runs one case; an error means the case could not be run at all
// (a definition the engine rejected is a FAILED outcome when AWS reports it
// that way at run time, but an error otherwise).
type Executor func(ctx context.Context, c *Case, env Env) (Outcome, error)

// Verdict is a case's result.
type Verdict string

// The verdicts.
const (
	Pass  Verdict = "pass"
	Fail  Verdict = "fail"
	Error Verdict = "error"
)

// CaseResult is the outcome of one case.
type CaseResult struct {
	ID      string
	Kind    string
	Verdict Verdict
	// Diff is the first difference in the result (status, output, error,
	// cause), or what went wrong for Error.
	Diff string
	// HistoryChecked is set when the case records a history; HistoryMatched
	// when the engine's matched it, HistoryDiff its first difference if not.
	HistoryChecked, HistoryMatched bool
	HistoryDiff                    string
	Elapsed                        time.Duration
}

// Report sums up a run.
type Report struct {
	Results                        []CaseResult
	Passed, Failed, Errored        int
	HistoryChecked, HistoryMatched int
}

// Summary is the line "N passed, M failed" (errors count as failed).
func (r *Report) Summary() string {
	return fmt.Sprintf("%d passed, %d failed", r.Passed, r.Failed+r.Errored)
}

// HistorySummary is the history figure, e.g. "history: 200 of 262 matched".
func (r *Report) HistorySummary() string {
	return fmt.Sprintf("history: %d of %d matched", r.HistoryMatched, r.HistoryChecked)
}

// Failing returns the results that did not pass.
func (r *Report) Failing() []CaseResult {
	var out []CaseResult
	for _, c := range r.Results {
		if c.Verdict != Pass {
			out = append(out, c)
		}
	}
	return out
}

// Options tunes a run.
type Options struct {
	// Executor runs the cases; required.
	Executor Executor
	// Timeout bounds each case (default 10s).
	Timeout time.Duration
	// Settle is Env.Settle (default 200ms).
	Settle time.Duration
	// Parallel is how many cases run at once (default GOMAXPROCS).
	Parallel int
	// DefaultStart is the clock's start for cases without last_validated.
	// The default, 2026-11-25T11:45:00Z, is a little before the base time
	// from which the recorded Wait cases computed their timestamps, so
	// limits relative to "now" (how far ahead a Wait may be) hold as they
	// did when recorded.
	DefaultStart time.Time
}

func (o *Options) fill() {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Settle <= 0 {
		o.Settle = 200 * time.Millisecond
	}
	if o.Parallel <= 0 {
		o.Parallel = runtime.GOMAXPROCS(0)
	}
	if o.DefaultStart.IsZero() {
		o.DefaultStart = time.Date(2026, 11, 25, 11, 45, 0, 0, time.UTC)
	}
}

// Run runs every case and compares each with its recording.
func Run(ctx context.Context, cases []Case, opts Options) *Report {
	opts.fill()
	results := make([]CaseResult, len(cases))
	sem := make(chan struct{}, opts.Parallel)
	var wg sync.WaitGroup
	for i := range cases {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = RunCase(ctx, &cases[i], i, opts)
		}(i)
	}
	wg.Wait()
	rep := &Report{Results: results}
	for _, r := range results {
		switch r.Verdict {
		case Pass:
			rep.Passed++
		case Fail:
			rep.Failed++
		default:
			rep.Errored++
		}
		if r.HistoryChecked {
			rep.HistoryChecked++
			if r.HistoryMatched {
				rep.HistoryMatched++
			}
		}
	}
	return rep
}

// EnvFor builds the names and start time case number n runs with.
func EnvFor(c *Case, n int, opts Options) Env {
	opts.fill()
	// No '-' in the names: recorded cases split $$.StateMachine.Name on '-'
	// and expect the whole name back, as AWS's generated names had none.
	machine := fmt.Sprintf("conformance_sm_%d", n)
	exec := fmt.Sprintf("conformance_exec_%d", n)
	start := opts.DefaultStart
	if c.LastValidated != "" {
		if t, err := time.Parse(time.RFC3339, c.LastValidated); err == nil {
			start = t.UTC()
		}
	}
	return Env{
		MachineName:   machine,
		ExecutionName: exec,
		MachineARN:    fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", Region, Account, machine),
		ExecutionARN:  fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", Region, Account, machine, exec),
		RoleARN:       RoleARN,
		Start:         start,
		Settle:        opts.Settle,
	}
}

// RunCase runs case c (the n-th of its file, which names its execution) and
// compares the outcome with the recording.
func RunCase(ctx context.Context, c *Case, n int, opts Options) CaseResult {
	opts.fill()
	res := CaseResult{ID: c.ID, Kind: c.Kind}
	if opts.Executor == nil {
		res.Verdict, res.Diff = Error, "no executor configured"
		return res
	}
	env := EnvFor(c, n, opts)
	begin := time.Now()
	out, err := execute(ctx, c, env, opts)
	res.Elapsed = time.Since(begin)
	if err != nil {
		res.Verdict, res.Diff = Error, oneLine(err.Error())
		return res
	}
	m := NewMatcher(map[string]string{
		"<ArnPart_0idx>":     env.MachineName,
		"<ExecArnPart_0idx>": env.ExecutionName,
	})
	m.SetLiterals(c.Definition, c.Input)
	if d := compareResult(m, c, out); d != nil {
		res.Verdict, res.Diff = Fail, oneLine(d.String())
	} else {
		res.Verdict = Pass
	}
	if len(c.History) > 0 {
		res.HistoryChecked = true
		compare := m.CompareHistory
		if c.NeverEnds() {
			compare = m.CompareHistoryPrefix
		}
		if d := compare(c.History, out.History); d != nil {
			res.HistoryDiff = oneLine(d.String())
		} else {
			res.HistoryMatched = true
		}
		// An execution that never ends has only its history to show for
		// itself: the case passes only when that matches too.
		if c.NeverEnds() && res.Verdict == Pass && !res.HistoryMatched {
			res.Verdict, res.Diff = Fail, res.HistoryDiff
		}
	}
	return res
}

// execute runs the executor under the case timeout, turning a panic or a
// hang into an error so one broken case cannot stop the run.
func execute(ctx context.Context, c *Case, env Env, opts Options) (Outcome, error) {
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	type ret struct {
		out Outcome
		err error
	}
	done := make(chan ret, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- ret{err: fmt.Errorf("engine panicked: %v\n%s", p, firstFrames(debug.Stack()))}
			}
		}()
		out, err := opts.Executor(ctx, c, env)
		done <- ret{out, err}
	}()
	select {
	case r := <-done:
		if r.err != nil && errors.Is(r.err, context.DeadlineExceeded) {
			return r.out, fmt.Errorf("timed out after %s: %w", opts.Timeout, r.err)
		}
		return r.out, r.err
	case <-ctx.Done():
		// Give the executor a moment to return on its own after the cancel.
		select {
		case r := <-done:
			if r.err == nil {
				return r.out, nil
			}
		case <-time.After(time.Second):
		}
		return Outcome{}, fmt.Errorf("timed out after %s", opts.Timeout)
	}
}

func compareResult(m *Matcher, c *Case, out Outcome) *Diff {
	if c.NeverEnds() {
		if out.Status != "RUNNING" {
			return &Diff{Path: "status", Reason: fmt.Sprintf("want RUNNING (the recorded execution never finished), got %s%s", out.Status, describeEnd(out))}
		}
		return nil
	}
	e := c.Expected
	if out.Status != e.Status {
		return &Diff{Path: "status", Reason: fmt.Sprintf("want %s, got %s%s", e.Status, out.Status, describeEnd(out))}
	}
	if e.HasOutput {
		if d := compareOutput(m, e.Output, out.Output); d != nil {
			return d
		}
	}
	if e.Status == "FAILED" || e.Status == "TIMED_OUT" {
		if d := compareOptional(m, "error", e.Error, e.HasError, out.Error); d != nil {
			return d
		}
		if d := compareOptional(m, "cause", e.Cause, e.HasCause, out.Cause); d != nil {
			return d
		}
	}
	return nil
}

// compareOutput compares the execution output. AWS returns it as JSON
// text, and the recording left some of it undecoded: a string output shows
// as its JSON text ("\"string literal\""), which is the engine's string
// output encoded.
func compareOutput(m *Matcher, want, got any) *Diff {
	saved := m.snapshot()
	d := m.Compare("output", want, got)
	if d == nil {
		return nil
	}
	if ws, ok := want.(string); ok {
		if gs, ok := got.(string); ok {
			m.restore(saved)
			if m.Compare("output", ws, jsonvalue.String(gs)) == nil {
				return nil
			}
		}
	}
	return d
}

// compareOptional compares an error or cause; a recording without one
// expects none, and a recorded null (a JSONata Fail whose Error is not
// given) is the engine's empty string.
func compareOptional(m *Matcher, path string, want any, has bool, got string) *Diff {
	if !has || want == nil {
		if got != "" {
			return &Diff{Path: path, Reason: fmt.Sprintf("want none, got %q", got)}
		}
		return nil
	}
	return m.Compare(path, want, got)
}

func describeEnd(out Outcome) string {
	switch out.Status {
	case "FAILED", "TIMED_OUT":
		return fmt.Sprintf(" (error %q, cause %q)", out.Error, out.Cause)
	case "SUCCEEDED":
		return fmt.Sprintf(" (output %s)", show(out.Output))
	}
	return ""
}

// oneLine keeps a message on one line for reports and the known-gaps file.
func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", "")
	return strings.ReplaceAll(s, "\n", "\\n")
}

// firstFrames trims a stack to the frames worth showing in a case result.
func firstFrames(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	if len(lines) > 16 {
		lines = lines[:16]
	}
	return strings.Join(lines, "\n")
}
