package asl

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// retrier is one element of a Retry array.
type retrier struct {
	errorEquals []string
	interval    float64 // seconds
	maxAttempts int
	backoff     float64
	maxDelay    float64 // seconds; 0 = no cap
	jitterFull  bool
	attempts    int // per-state-visit counters live in retryState, not here
}

func (p *parser) retriers(v any) ([]*retrier, error) {
	arr, ok := v.([]any)
	if v == nil {
		return nil, nil
	}
	if !ok {
		return nil, fmt.Errorf("must be an array")
	}
	var out []*retrier
	for i, e := range arr {
		o, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("[%d]: not an object", i)
		}
		r := &retrier{interval: 1, maxAttempts: 3, backoff: 2}
		r.errorEquals = stringList(o["ErrorEquals"])
		if f, ok := jsonvalue.Float(o["IntervalSeconds"]); ok {
			r.interval = f
		}
		if n, ok := jsonvalue.Int(o["MaxAttempts"]); ok {
			r.maxAttempts = int(n)
		}
		if f, ok := jsonvalue.Float(o["BackoffRate"]); ok {
			r.backoff = f
		}
		if f, ok := jsonvalue.Float(o["MaxDelaySeconds"]); ok {
			r.maxDelay = f
		}
		r.jitterFull = str(o, "JitterStrategy") == "FULL"
		out = append(out, r)
	}
	return out, nil
}

func stringList(v any) []string {
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// errorMatches reports whether an ErrorEquals list matches the error name.
// States.ALL matches everything except... nothing in practice; AWS documents
// that States.ALL does not match States.DataLimitExceeded and
// States.Runtime.
func errorMatches(list []string, name string) bool {
	for _, e := range list {
		if e == name {
			return true
		}
		if e == "States.ALL" && name != "States.Runtime" && name != "States.DataLimitExceeded" {
			return true
		}
		if e == "States.TaskFailed" && name != "States.Timeout" && name != "States.Runtime" &&
			name != "States.HeartbeatTimeout" && name != "States.DataLimitExceeded" && isTaskFailureName(name) {
			return true
		}
	}
	return false
}

// isTaskFailureName reports whether States.TaskFailed covers the name: every
// error except the other predefined States.* errors.
func isTaskFailureName(name string) bool {
	switch name {
	case "States.BranchFailed", "States.NoChoiceMatched", "States.IntrinsicFailure",
		"States.QueryEvaluationError", "States.ExceedToleratedFailureThreshold",
		"States.ItemReaderFailed", "States.ResultWriterFailed", "States.ResultPathMatchFailure",
		"States.ParameterPathFailure", "States.Permissions":
		return false
	}
	return true
}

// retryState counts attempts per retrier for one visit of a state.
type retryState struct {
	counts []int
}

// next decides whether the error is retried and after how long. The delay of
// attempt n (0-based) is IntervalSeconds * BackoffRate^n, capped by
// MaxDelaySeconds, and with JitterStrategy FULL a uniform value in [0, delay).
func (rs *retryState) next(rules []*retrier, name string, rnd func() float64) (time.Duration, bool) {
	if rs.counts == nil {
		rs.counts = make([]int, len(rules))
	}
	for i, r := range rules {
		if !errorMatches(r.errorEquals, name) {
			continue
		}
		if rs.counts[i] >= r.maxAttempts {
			return 0, false
		}
		delay := r.interval * math.Pow(r.backoff, float64(rs.counts[i]))
		if r.maxDelay > 0 && delay > r.maxDelay {
			delay = r.maxDelay
		}
		if r.jitterFull {
			if rnd == nil {
				rnd = rand.Float64
			}
			delay *= rnd()
		}
		rs.counts[i]++
		return time.Duration(delay * float64(time.Second)), true
	}
	return 0, false
}
