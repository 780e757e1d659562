package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
	"github.com/logiwaflow/logiwaflow/pkg/refdata"
)

// confCase is one recorded case of the conformance file.
type confCase struct {
	ID         string          `json:"id"`
	Kind       string          `json:"kind"`
	Definition json.RawMessage `json:"definition"`
	Input      json.RawMessage `json:"input"`
	Expected   *struct {
		Status string          `json:"status"`
		Output json.RawMessage `json:"output"`
		Error  *string         `json:"error"`
		Cause  *string         `json:"cause"`
	} `json:"expected"`
	History []map[string]any `json:"history"`
}

func loadConformance(t *testing.T) []confCase {
	t.Helper()
	p := refdata.Path(t, "conformance", "localstack-sfn-cases.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read conformance cases: %v", err)
	}
	var cases []confCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatalf("decode conformance cases: %v", err)
	}
	return cases
}

var placeholderRE = regexp.MustCompile(`<[^<>]+>`)

// matchString compares a recorded string with placeholders to an actual one.
func matchString(exp, act string) bool {
	if exp == act {
		return true
	}
	if !placeholderRE.MatchString(exp) {
		return false
	}
	parts := placeholderRE.Split(exp, -1)
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	re, err := regexp.Compile("^(?s)" + strings.Join(parts, ".*") + "$")
	return err == nil && re.MatchString(act)
}

// matchValue compares a recorded value to an actual one structurally;
// strings holding JSON on one side are decoded.
func matchValue(exp, act any) bool {
	switch e := exp.(type) {
	case string:
		if a, ok := act.(string); ok {
			if matchString(e, a) {
				return true
			}
			if dv, err := jsonvalue.DecodeString(a); err == nil {
				if _, isStr := dv.(string); !isStr {
					return matchValue(exp, dv)
				}
			}
		}
		if dv, err := jsonvalue.DecodeString(e); err == nil {
			if _, isStr := dv.(string); !isStr || act == nil {
				return matchValue(dv, act)
			}
			if s, ok := dv.(string); ok {
				a, ok := act.(string)
				return ok && matchString(s, a)
			}
		}
		return false
	case map[string]any:
		a, ok := act.(map[string]any)
		if !ok {
			if s, isStr := act.(string); isStr {
				if dv, err := jsonvalue.DecodeString(s); err == nil {
					return matchValue(exp, dv)
				}
			}
			return false
		}
		if len(a) != len(e) {
			return false
		}
		for k, v := range e {
			av, ok := a[k]
			if !ok || !matchValue(v, av) {
				return false
			}
		}
		return true
	case []any:
		a, ok := act.([]any)
		if !ok {
			if s, isStr := act.(string); isStr {
				if dv, err := jsonvalue.DecodeString(s); err == nil {
					return matchValue(exp, dv)
				}
			}
			return false
		}
		if len(a) != len(e) {
			return false
		}
		for i := range e {
			if !matchValue(e[i], a[i]) {
				return false
			}
		}
		return true
	}
	if s, ok := act.(string); ok {
		if dv, err := jsonvalue.DecodeString(s); err == nil {
			return jsonvalue.Equal(exp, dv)
		}
	}
	return jsonvalue.Equal(exp, act)
}

// runCase runs one case with a fake clock and deterministic ids.
func runCase(c confCase) (Result, []HistoryEvent, error) {
	input, err := jsonvalue.Decode(c.Input)
	if err != nil {
		return Result{}, nil, err
	}
	var n atomic.Int64
	ids := func() string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n.Add(1)) }
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return Run(ctx, c.Definition, input, WithClock(clock.NewFake(time.Now())), WithIDs(ids),
		WithTasks(TaskRunnerFunc(func(context.Context, TaskRequest) (any, error) {
			return nil, fmt.Errorf("no tasks in conformance cases")
		})))
}

// checkResult compares the execution result with the expectation.
func checkResult(c confCase, res Result) string {
	exp := c.Expected
	if string(res.Status) != exp.Status {
		return fmt.Sprintf("status %s, want %s (error %q cause %q)", res.Status, exp.Status, res.Error, res.Cause)
	}
	switch exp.Status {
	case "SUCCEEDED":
		want, err := jsonvalue.Decode(exp.Output)
		if err != nil {
			return "bad expected output"
		}
		if !matchValue(want, res.Output) {
			return fmt.Sprintf("output %s, want %s", jsonvalue.String(res.Output), string(exp.Output))
		}
	case "FAILED":
		wantErr, wantCause := "", ""
		if exp.Error != nil {
			wantErr = *exp.Error
		}
		if exp.Cause != nil {
			wantCause = *exp.Cause
		}
		if res.Error != wantErr {
			return fmt.Sprintf("error %q, want %q", res.Error, wantErr)
		}
		if !matchValue(wantCause, res.Cause) {
			return fmt.Sprintf("cause %q, want %q", res.Cause, wantCause)
		}
	}
	return ""
}

// checkHistory compares the events; events recorded with placeholder ids
// (inside concurrent branches) are compared as a multiset.
func checkHistory(c confCase, got []HistoryEvent) string {
	var act []map[string]any
	for _, e := range got {
		b, err := json.Marshal(e)
		if err != nil {
			return "marshal: " + err.Error()
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return "unmarshal: " + err.Error()
		}
		act = append(act, m)
	}
	expTypes := map[string]bool{}
	placeholders := false
	for _, e := range c.History {
		expTypes[e["type"].(string)] = true
		if _, ok := e["id"].(float64); !ok {
			placeholders = true
		}
	}
	if placeholders {
		// The recording drops the events of concurrent branches' ids and
		// some closing events; compare types as multisets and fixed-id
		// events in order.
		var filtered []map[string]any
		for _, a := range act {
			if expTypes[a["type"].(string)] {
				filtered = append(filtered, a)
			}
		}
		act = filtered
	}
	if len(act) != len(c.History) {
		return fmt.Sprintf("history has %d events, want %d: %s", len(act), len(c.History), typesOf(act))
	}
	if placeholders {
		var ea, aa []string
		for i, e := range c.History {
			ea = append(ea, e["type"].(string))
			aa = append(aa, act[i]["type"].(string))
		}
		sort.Strings(ea)
		sort.Strings(aa)
		if strings.Join(ea, ",") != strings.Join(aa, ",") {
			return "event types differ: " + typesOf(act)
		}
		return ""
	}
	for i, e := range c.History {
		a := act[i]
		if e["type"] != a["type"] {
			return fmt.Sprintf("event %d type %v, want %v; got %s", i+1, a["type"], e["type"], typesOf(act))
		}
		if !jsonvalue.Equal(e["id"], a["id"]) || !jsonvalue.Equal(e["previousEventId"], a["previousEventId"]) {
			return fmt.Sprintf("event %d (%v) ids %v/%v, want %v/%v", i+1, e["type"], a["id"], a["previousEventId"], e["id"], e["previousEventId"])
		}
		for k, v := range e {
			if !strings.HasSuffix(k, "Details") {
				continue
			}
			ad, _ := a[k].(map[string]any)
			ed, _ := v.(map[string]any)
			if ad == nil && len(ed) > 0 {
				return fmt.Sprintf("event %d (%v): missing %s", i+1, e["type"], k)
			}
			if _, ok := ed["roleArn"]; ok {
				ed = cloneWithout(ed, "roleArn")
				ad = cloneWithout(ad, "roleArn")
			}
			if !matchValue(ed, ad) {
				ab, _ := json.Marshal(ad)
				eb, _ := json.Marshal(ed)
				return fmt.Sprintf("event %d (%v) %s = %s, want %s", i+1, e["type"], k, ab, eb)
			}
		}
	}
	return ""
}

func cloneWithout(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func typesOf(evs []map[string]any) string {
	var s []string
	for _, e := range evs {
		s = append(s, fmt.Sprint(e["type"]))
	}
	return strings.Join(s, ",")
}

// TestConformance runs every recorded case and reports the pass rates; it
// fails when they drop below the targets (97% of results, 90% of
// histories).
func TestConformance(t *testing.T) {
	cases := loadConformance(t)
	var total, passed, histTotal, histPassed int
	var failures []string
	for _, c := range cases {
		if c.Expected == nil {
			continue
		}
		total++
		res, hist, err := runCase(c)
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s: run: %v", c.ID, err))
			if c.Kind == "execution" {
				histTotal++
			}
			continue
		}
		if msg := checkResult(c, res); msg != "" {
			failures = append(failures, c.ID+": "+msg)
		} else {
			passed++
		}
		if c.Kind == "execution" {
			histTotal++
			if msg := checkHistory(c, hist); msg != "" {
				failures = append(failures, c.ID+": history: "+msg)
			} else {
				histPassed++
			}
		}
	}
	for _, f := range failures {
		t.Log(f)
	}
	rate := float64(passed) / float64(total)
	hrate := float64(histPassed) / float64(histTotal)
	t.Logf("results: %d/%d (%.1f%%); histories: %d/%d (%.1f%%)", passed, total, 100*rate, histPassed, histTotal, 100*hrate)
	if rate < 0.97 || hrate < 0.90 {
		t.Errorf("conformance below target: results %.1f%% (want >= 97%%), histories %.1f%% (want >= 90%%)", 100*rate, 100*hrate)
	}
}
