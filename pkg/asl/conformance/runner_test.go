package conformance

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const runnerCases = `[
 {"id":"ok","kind":"io_case","definition":{"StartAt":"S","States":{"S":{"Type":"Pass","End":true}}},"input":{"a":1},
  "expected":{"status":"SUCCEEDED","output":{"a":1}}},
 {"id":"wrong-output","kind":"io_case","definition":{"StartAt":"S","States":{"S":{"Type":"Pass","End":true}}},"input":{"a":1},
  "expected":{"status":"SUCCEEDED","output":{"a":2}}},
 {"id":"failed","kind":"io_case","definition":{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}},"input":{},
  "expected":{"status":"FAILED","error":"E","cause":"C"}},
 {"id":"failed-no-cause","kind":"io_case","definition":{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}},"input":{},
  "expected":{"status":"FAILED","error":"E"}},
 {"id":"never-ends","kind":"execution","definition":{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":99999999,"End":true}}},"input":"{\"x\": 1}",
  "expected":null,"history":[
   {"executionStartedEventDetails":{"input":{"x":1},"inputDetails":{"truncated":false},"roleArn":"snf_role_arn"},"id":1,"previousEventId":0,"timestamp":"timestamp","type":"ExecutionStarted"}]},
 {"id":"panics","kind":"io_case","definition":{"StartAt":"S","States":{"S":{"Type":"Pass","End":true}}},"input":{},"expected":{"status":"SUCCEEDED","output":{}}},
 {"id":"hangs","kind":"io_case","definition":{"StartAt":"S","States":{"S":{"Type":"Pass","End":true}}},"input":{},"expected":{"status":"SUCCEEDED","output":{}}}
]`

// fakeExecutor stands in for the engine: Pass echoes its input, Fail
// fails, Wait never ends; two ids misbehave on purpose.
func fakeExecutor(ctx context.Context, c *Case, env Env) (Outcome, error) {
	in, err := c.InputValue()
	if err != nil {
		return Outcome{}, err
	}
	def := string(c.Definition)
	switch {
	case c.ID == "panics":
		panic("boom")
	case c.ID == "hangs":
		<-ctx.Done()
		return Outcome{}, ctx.Err()
	case strings.Contains(def, `"Fail"`):
		out := Outcome{Status: "FAILED", Error: "E"}
		if strings.Contains(def, `"Cause"`) {
			out.Cause = "C"
		}
		return out, nil
	case strings.Contains(def, `"Wait"`):
		return Outcome{Status: "RUNNING", History: []any{map[string]any{
			"id": 1, "previousEventId": 0, "timestamp": env.Start.Format(time.RFC3339), "type": "ExecutionStarted",
			"executionStartedEventDetails": map[string]any{"input": `{"x":1}`, "inputDetails": map[string]any{"truncated": false}, "roleArn": env.RoleARN},
		}}}, nil
	}
	return Outcome{Status: "SUCCEEDED", Output: in}, nil
}

func TestRun(t *testing.T) {
	cases, err := Load([]byte(runnerCases))
	if err != nil {
		t.Fatal(err)
	}
	rep := Run(context.Background(), cases, Options{Executor: fakeExecutor, Timeout: 200 * time.Millisecond})
	want := map[string]Verdict{"ok": Pass, "wrong-output": Fail, "failed": Pass, "failed-no-cause": Pass, "never-ends": Pass, "panics": Error, "hangs": Error}
	for _, r := range rep.Results {
		if r.Verdict != want[r.ID] {
			t.Errorf("%s: verdict %s (%s), want %s", r.ID, r.Verdict, r.Diff, want[r.ID])
		}
	}
	if got := rep.Summary(); got != "4 passed, 3 failed" {
		t.Errorf("summary %q", got)
	}
	if rep.HistoryChecked != 1 || rep.HistoryMatched != 1 {
		t.Errorf("history %d of %d, want 1 of 1", rep.HistoryMatched, rep.HistoryChecked)
	}
	byID := map[string]CaseResult{}
	for _, r := range rep.Results {
		byID[r.ID] = r
	}
	if d := byID["wrong-output"].Diff; d != "output.a: want 2, got 1" {
		t.Errorf("wrong-output diff %q", d)
	}
	if d := byID["panics"].Diff; !strings.Contains(d, "engine panicked: boom") {
		t.Errorf("panics diff %q", d)
	}
	if d := byID["hangs"].Diff; !strings.Contains(d, "timed out") {
		t.Errorf("hangs diff %q", d)
	}
}

func TestRunStatusMismatchExplains(t *testing.T) {
	cases, err := Load([]byte(`[{"id":"x","kind":"io_case","definition":{"StartAt":"S","States":{"S":{"Type":"Pass","End":true}}},"input":{},"expected":{"status":"SUCCEEDED","output":{}}}]`))
	if err != nil {
		t.Fatal(err)
	}
	exec := func(ctx context.Context, c *Case, env Env) (Outcome, error) {
		return Outcome{Status: "FAILED", Error: "States.Runtime", Cause: "bad"}, nil
	}
	r := RunCase(context.Background(), &cases[0], 0, Options{Executor: exec})
	if r.Verdict != Fail || r.Diff != `status: want SUCCEEDED, got FAILED (error "States.Runtime", cause "bad")` {
		t.Fatalf("got %s %q", r.Verdict, r.Diff)
	}
}

func TestEnvFor(t *testing.T) {
	c := Case{ID: "x", LastValidated: "2024-11-04T11:02:29+00:00"}
	env := EnvFor(&c, 7, Options{})
	if env.ExecutionARN != "arn:aws:states:us-east-1:111111111111:execution:conformance_sm_7:conformance_exec_7" {
		t.Errorf("execution ARN %s", env.ExecutionARN)
	}
	if env.MachineARN != "arn:aws:states:us-east-1:111111111111:stateMachine:conformance_sm_7" {
		t.Errorf("machine ARN %s", env.MachineARN)
	}
	if !env.Start.Equal(time.Date(2024, 11, 4, 11, 2, 29, 0, time.UTC)) {
		t.Errorf("start %s", env.Start)
	}
	c.LastValidated = ""
	if env := EnvFor(&c, 0, Options{}); env.Start.IsZero() {
		t.Error("a case without last_validated needs the default start")
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	for name, data := range map[string]string{
		"not an array":  `{}`,
		"missing id":    `[{"definition":{}}]`,
		"duplicate id":  `[{"id":"a","definition":{}},{"id":"a","definition":{}}]`,
		"no definition": `[{"id":"a"}]`,
		"no status":     `[{"id":"a","definition":{},"expected":{}}]`,
		"bad history":   `[{"id":"a","definition":{},"history":{}}]`,
	} {
		if _, err := Load([]byte(data)); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestLoadDefinitionAsString(t *testing.T) {
	cases, err := Load([]byte(`[{"id":"a","definition":"{\"StartAt\":\"S\"}","expected":{"status":"SUCCEEDED"}}]`))
	if err != nil {
		t.Fatal(err)
	}
	if string(cases[0].Definition) != `{"StartAt":"S"}` {
		t.Fatalf("definition %s", cases[0].Definition)
	}
}

func TestInputValue(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1}`:           `{"a":1}`,
		`"[[1, 2], [3]]"`:   `[[1,2],[3]]`,
		`"plain text"`:      `"plain text"`,
		`["Hello","World"]`: `["Hello","World"]`,
	} {
		c := Case{ID: "x", Input: []byte(in)}
		v, err := c.InputValue()
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if d := NewMatcher(nil).Compare("", mustDecode(t, want), v); d != nil {
			t.Errorf("%s: %s", in, d)
		}
	}
}

func TestGaps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "known-gaps.md")
	if err := os.WriteFile(path, []byte("# Gaps\n\nprose\n- `a[1]`: hand-written reason\n- `gone`: listed but no longer a case\n- `passes`\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := ReadGaps(path)
	if err != nil {
		t.Fatal(err)
	}
	if g["a[1]"] != "hand-written reason" || len(g) != 3 {
		t.Fatalf("parsed %v", g)
	}
	rep := &Report{Results: []CaseResult{
		{ID: "a[1]", Verdict: Fail, Diff: "output: want 1, got 2"},
		{ID: "b", Verdict: Error, Diff: "timed out"},
		{ID: "passes", Verdict: Pass},
	}}
	unlisted, nowPassing, unknown := CheckGaps(g, rep)
	if strings.Join(unlisted, "|") != "b: timed out" || strings.Join(nowPassing, "|") != "passes" || strings.Join(unknown, "|") != "gone" {
		t.Fatalf("unlisted %v, now passing %v, unknown %v", unlisted, nowPassing, unknown)
	}
	regen := RegenerateGaps(g, rep)
	g2, err := ParseGaps(regen)
	if err != nil {
		t.Fatal(err)
	}
	if len(g2) != 2 || g2["a[1]"] != "hand-written reason" || g2["b"] != "error: timed out" {
		t.Fatalf("regenerated %v from\n%s", g2, regen)
	}
	if _, err := ParseGaps([]byte("- `a` b\n")); err == nil {
		t.Error("a malformed entry must be an error")
	}
}

func TestFloorRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "floor.json")
	f, err := ReadFloor(path)
	if err != nil || f != (Floor{}) {
		t.Fatalf("missing floor: %v %v", f, err)
	}
	if err := WriteFloor(path, Floor{CasesPassed: 5, HistoryMatched: 3}); err != nil {
		t.Fatal(err)
	}
	f, err = ReadFloor(path)
	if err != nil || f != (Floor{CasesPassed: 5, HistoryMatched: 3}) {
		t.Fatalf("read back %v %v", f, err)
	}
}
