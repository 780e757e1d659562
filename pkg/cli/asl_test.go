package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/refdata"
)

// runCLI runs the CLI and returns its exit status and output.
func aslCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func aslWriteFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	passDef = `{"StartAt":"Hello","States":{"Hello":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('hello {}', $.name)"},"End":true}}}`
	failDef = `{"StartAt":"Boom","States":{"Boom":{"Type":"Fail","Error":"Broken","Cause":"it broke"}}}`
	taskDef = `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f",
		"Retry":[{"ErrorEquals":["Lambda.TooManyRequestsException"],"IntervalSeconds":30,"MaxAttempts":3}],
		"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],"End":true},
		"Caught":{"Type":"Pass","Result":"caught","End":true}}}`
	mockCfg = `{"StateMachines":{"Orders":{"TestCases":{
		"Happy":{"Call":"Ok"},
		"Throttled":{"Call":"ThrottledThenOk"},
		"Down":{"Call":"Down"}}}},
	"MockedResponses":{
		"Ok":{"0":{"Return":{"ok":true}}},
		"ThrottledThenOk":{"0-1":{"Throw":{"Error":"Lambda.TooManyRequestsException","Cause":"slow down"}},"2":{"Return":{"ok":"finally"}}},
		"Down":{"0":{"Throw":{"Error":"Lambda.ServiceException","Cause":"down"}}}}}`
)

func TestASLRun(t *testing.T) {
	dir := t.TempDir()
	pass := aslWriteFile(t, dir, "pass.asl.json", passDef)
	fail := aslWriteFile(t, dir, "fail.asl.json", failDef)
	task := aslWriteFile(t, dir, "orders.asl.json", taskDef)
	input := aslWriteFile(t, dir, "input.json", `{"name":"file"}`)
	mocks := aslWriteFile(t, dir, "mocks.json", mockCfg)
	bad := aslWriteFile(t, dir, "bad.asl.json", `{"StartAt":"Nowhere","States":{"A":{"Type":"Pass","End":true}}}`)

	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantOut  string // JSON compared structurally, or a substring when wantSub
		wantSub  bool
		wantErr  string // substring of stderr
	}{
		{name: "input from stdin", stdin: `{"name":"stdin"}`, args: []string{"--definition", pass, "--input", "-"}, wantOut: `{"greeting":"hello stdin"}`},
		{name: "input from a file", args: []string{"--definition", pass, "--input", input}, wantOut: `{"greeting":"hello file"}`},
		{name: "failure prints error and exits 1", args: []string{"--definition", fail}, wantCode: 1,
			wantOut: `{"status":"FAILED","error":"Broken","cause":"it broke"}`},
		{name: "mocked task", args: []string{"--definition", task, "--mock-config", mocks, "--test-case", "Happy"}, wantOut: `{"ok":true}`},
		{name: "mocked throttling retried", args: []string{"--definition", task, "--mock-config", mocks, "--test-case", "Throttled"}, wantOut: `{"ok":"finally"}`},
		{name: "mocked failure caught", args: []string{"--definition", task, "--mock-config", mocks, "--test-case", "Down"}, wantOut: `"caught"`},
		{name: "history", args: []string{"--definition", fail, "--history"}, wantCode: 1, wantSub: true, wantOut: `"type": "ExecutionFailed"`},
		{name: "missing definition flag", args: []string{}, wantCode: 2, wantErr: "--definition is required"},
		{name: "mock config without test case", args: []string{"--definition", task, "--mock-config", mocks}, wantCode: 2, wantErr: "go together"},
		{name: "unknown test case", args: []string{"--definition", task, "--mock-config", mocks, "--test-case", "Nope"}, wantCode: 2, wantErr: `no test case "Nope"`},
		{name: "invalid definition", args: []string{"--definition", bad}, wantCode: 2, wantErr: "Nowhere"},
		{name: "bad input", stdin: `{`, args: []string{"--definition", pass, "--input", "-"}, wantCode: 2, wantErr: "input"},
		{name: "unknown flag", args: []string{"--definition", pass, "--nope"}, wantCode: 2, wantErr: "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := aslCLI(t, tt.stdin, append([]string{"asl", "run"}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stdout %s stderr %s", code, tt.wantCode, out, errOut)
			}
			if tt.wantErr != "" && !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("stderr %q does not contain %q", errOut, tt.wantErr)
			}
			if tt.wantOut == "" {
				return
			}
			if tt.wantSub {
				if !strings.Contains(out, tt.wantOut) {
					t.Fatalf("stdout %s does not contain %s", out, tt.wantOut)
				}
				return
			}
			var got, want any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, out)
			}
			_ = json.Unmarshal([]byte(tt.wantOut), &want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("stdout %s, want %s", out, tt.wantOut)
			}
		})
	}
}

func TestASLRunHistoryShape(t *testing.T) {
	dir := t.TempDir()
	pass := aslWriteFile(t, dir, "pass.asl.json", passDef)
	code, out, errOut := aslCLI(t, `{"name":"x"}`, "asl", "run", "--definition", pass, "--input", "-", "--history")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var h struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range h.Events {
		types = append(types, e["type"].(string))
	}
	if got := strings.Join(types, ","); got != "ExecutionStarted,PassStateEntered,PassStateExited,ExecutionSucceeded" {
		t.Fatalf("event types %s", got)
	}
	exited := h.Events[2]["stateExitedEventDetails"].(map[string]any)
	if exited["output"] != `{"greeting":"hello x"}` {
		t.Fatalf("state output %v, want the JSON text AWS returns", exited["output"])
	}
}

func TestASLValidate(t *testing.T) {
	dir := t.TempDir()
	good := aslWriteFile(t, dir, "good.json", passDef)
	bad := aslWriteFile(t, dir, "bad.json", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Missing"}}}`)

	code, out, _ := aslCLI(t, "", "asl", "validate", good)
	if code != 0 || !strings.Contains(out, good+": ok") {
		t.Fatalf("good: exit %d, out %s", code, out)
	}
	code, out, errOut := aslCLI(t, "", "asl", "validate", good, bad)
	if code != 1 {
		t.Fatalf("bad: exit %d, want 1; %s %s", code, out, errOut)
	}
	if !strings.Contains(out, bad+": ERROR") || !strings.Contains(out, "/States/A/Next") {
		t.Fatalf("bad: the fault must name the file and location, got %s", out)
	}
	if code, _, _ := aslCLI(t, "", "asl", "validate", filepath.Join(dir, "none.json")); code != 2 {
		t.Fatalf("missing file: exit %d, want 2", code)
	}
	if code, _, _ := aslCLI(t, "", "asl", "validate"); code != 2 {
		t.Fatalf("no files: exit %d, want 2", code)
	}
}

func TestASLConformance(t *testing.T) {
	dir := t.TempDir()
	cases := aslWriteFile(t, dir, "cases.json", `[
 {"id":"passes","kind":"io_case","definition":`+passDef+`,"input":{"name":"a"},"expected":{"status":"SUCCEEDED","output":{"greeting":"hello a"}}},
 {"id":"wrong","kind":"io_case","definition":`+passDef+`,"input":{"name":"a"},"expected":{"status":"SUCCEEDED","output":{"greeting":"hi a"}}},
 {"id":"fails","kind":"io_case","definition":`+failDef+`,"input":{},"expected":{"status":"FAILED","error":"Broken","cause":"it broke"}}
]`)
	code, out, errOut := aslCLI(t, "", "asl", "conformance", cases)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if last := lines[len(lines)-1]; last != "2 passed, 1 failed" {
		t.Fatalf("last line %q, want the summary; output:\n%s", last, out)
	}
	if !strings.Contains(out, `FAIL wrong: output.greeting: want "hi a", got "hello a"`) {
		t.Fatalf("the failing case and its difference are missing:\n%s", out)
	}
	if strings.Contains(out, "passes:") {
		t.Fatalf("passing cases must not be listed:\n%s", out)
	}
	if code, _, _ := aslCLI(t, "", "asl", "conformance", filepath.Join(dir, "none.json")); code != 2 {
		t.Fatalf("missing file: exit %d, want 2", code)
	}
}

func TestASLConformanceSharedFile(t *testing.T) {
	path := refdata.Path(t, "conformance", "localstack-sfn-cases.json")
	code, out, errOut := aslCLI(t, "", "asl", "conformance", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var passed, failed int
	if _, err := fmt.Sscanf(lines[len(lines)-1], "%d passed, %d failed", &passed, &failed); err != nil || passed+failed != 610 {
		t.Fatalf("summary %q (%v)", lines[len(lines)-1], err)
	}
}

func TestASLBench(t *testing.T) {
	refdata.Path(t, "bench", "order-pipeline.asl.json")
	code, out, errOut := aslCLI(t, "", "asl", "bench", "--concurrency", "4", "--duration", "150ms", "--warmup", "20ms")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "4 at once:") || !strings.Contains(out, "execs/s") || !strings.Contains(out, "allocs/exec") {
		t.Fatalf("output lacks the figures:\n%s", out)
	}
	dir := t.TempDir()
	other := aslWriteFile(t, dir, "other.json", failDef)
	if code, _, errOut := aslCLI(t, "", "asl", "bench", "--definition", other, "--input", other, "--duration", "50ms", "--warmup", "10ms"); code != 1 || !strings.Contains(errOut, "FAILED") {
		t.Fatalf("a failing definition must fail the bench: exit %d, %s", code, errOut)
	}
}
