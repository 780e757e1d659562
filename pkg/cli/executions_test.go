package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/operator"
)

// TestExecutionsListDescribeHistory traces an order and a parked message
// through list (filters), describe (by name, part of a name, ARN) and
// history.
func TestExecutionsListDescribeHistory(t *testing.T) {
	e := startLocal(t)
	must(t, 0, orderMsg, "send", "orders", "-")
	e.sendRaw(t, message.FlowInventory, badInventoryMsg)
	e.idle(t)

	all := decodeJSON[[]operator.Execution](t, must(t, 0, "", "executions", "list", "--json"))
	if len(all) != 2 {
		t.Fatalf("executions: %+v", all)
	}
	tests := []struct {
		name string
		args []string
		want []string // execution name prefixes, in order
	}{
		{"machine", []string{"--machine", "orders"}, []string{"orders-CLI-1001-"}},
		{"status", []string{"--status", "failed"}, []string{"inventory-CLI-BAD-"}},
		{"name", []string{"--name-contains", "cli-1001"}, []string{"orders-CLI-1001-"}},
		{"since past", []string{"--since", "1h"}, nil},
		{"since future", []string{"--since", time.Now().Add(240 * time.Hour).Format(time.RFC3339)}, []string{}},
		{"no match", []string{"--machine", "refunds"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeJSON[[]operator.Execution](t, must(t, 0, "", append([]string{"executions", "list", "--json"}, tt.args...)...))
			if tt.want == nil {
				if len(got) != 2 {
					t.Fatalf("got %d executions, want both", len(got))
				}
				return
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %v", got, tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i].Name, w) {
					t.Errorf("execution %d is %s, want %s...", i, got[i].Name, w)
				}
			}
		})
	}
	must(t, 2, "", "executions", "list", "--status", "DONE")
	must(t, 2, "", "executions", "list", "--machine", "payments")
	must(t, 2, "", "executions", "list", "--since", "yesterday")

	table := must(t, 0, "", "executions", "list").stdout
	if !strings.Contains(table, "NAME") || !strings.Contains(table, "orders-CLI-1001-") || !strings.Contains(table, "FAILED") {
		t.Errorf("table:\n%s", table)
	}

	var order operator.Execution
	for _, x := range all {
		if x.Machine == "orders" {
			order = x
		}
	}
	// The same execution by full name, by the order number, and by ARN.
	for _, ref := range []string{order.Name, "CLI-1001", order.ARN} {
		got := decodeJSON[operator.Execution](t, must(t, 0, "", "executions", "describe", ref, "--json"))
		if got.ARN != order.ARN || got.Status != "SUCCEEDED" || !strings.Contains(string(got.Input), "CLI-1001") || len(got.Output) == 0 {
			t.Errorf("describe %s: %+v", ref, got)
		}
	}
	human := must(t, 0, "", "executions", "describe", "CLI-BAD").stdout
	for _, want := range []string{"Status:", "FAILED", "Error:", "Parked.invalid", "Message:", `"sku": "CLI-BAD"`} {
		if !strings.Contains(human, want) {
			t.Errorf("describe output lacks %q:\n%s", want, human)
		}
	}
	must(t, 1, "", "executions", "describe", "NO-SUCH-ORDER")
	// "CLI-" is in both names: ambiguous.
	if res := must(t, 2, "", "executions", "describe", "CLI-"); !strings.Contains(res.stderr, "matches 2 executions") {
		t.Errorf("ambiguous name: %s", res.stderr)
	}

	h := decodeJSON[struct {
		Execution operator.Execution `json:"execution"`
		Events    []operator.Event   `json:"events"`
	}](t, must(t, 0, "", "executions", "history", order.Name, "--json"))
	if h.Execution.ARN != order.ARN || len(h.Events) < 10 {
		t.Fatalf("history: %d events for %s", len(h.Events), h.Execution.Name)
	}
	if h.Events[0].Type != "ExecutionStarted" || h.Events[len(h.Events)-1].Type != "ExecutionSucceeded" {
		t.Errorf("history from %s to %s", h.Events[0].Type, h.Events[len(h.Events)-1].Type)
	}
	states := map[string]bool{}
	for _, ev := range h.Events {
		states[ev.State] = true
		if ev.Type == "TaskScheduled" && ev.State == "" {
			t.Errorf("event %d (TaskScheduled) not attributed to a state", ev.ID)
		}
	}
	for _, s := range []string{"Validate", "CallLogiwa", "UpdateDB"} {
		if !states[s] {
			t.Errorf("history has no %s state; states: %v", s, states)
		}
	}
	human = must(t, 0, "", "executions", "history", "CLI-BAD", "--data").stdout
	for _, want := range []string{"ExecutionFailed", "Parked.invalid", "TaskScheduled", "lambda"} {
		if !strings.Contains(human, want) {
			t.Errorf("history table lacks %q:\n%s", want, human)
		}
	}
}

// TestStartAndResync starts executions by hand, waits for them, and checks
// the exit status follows the execution's.
func TestStartAndResync(t *testing.T) {
	e := startLocal(t)

	res := must(t, 0, "", "start", "inventory-sync", "--input", `{"skus":["MUG-BLUE"]}`, "--name", "by-hand-1", "--wait", "--json")
	ex := decodeJSON[operator.Execution](t, res)
	if ex.Name != "by-hand-1" || ex.Status != "SUCCEEDED" || ex.Machine != "inventory-sync" {
		t.Fatalf("start --wait: %+v", ex)
	}
	if !strings.Contains(res.stderr, "started by-hand-1") {
		t.Errorf("no progress on stderr: %q", res.stderr)
	}

	// Without --wait: returns at once with the running (or finished) execution.
	ex = decodeJSON[operator.Execution](t, must(t, 0, "", "start", "redrive", "--input", "@"+writeFile(t, "in.json", `{"reason":"outage","dryRun":true}`), "--json"))
	if ex.Machine != "redrive" || !strings.HasPrefix(ex.ARN, "arn:aws:states:") {
		t.Fatalf("start: %+v", ex)
	}
	// A failing execution: orders with an input it cannot use ends FAILED.
	res = must(t, 1, "", "start", "orders", "--input", "@-", "--wait")
	if !strings.Contains(res.stdout, "FAILED") {
		t.Errorf("failed execution output:\n%s", res.stdout)
	}
	must(t, 2, "", "start", "payments")
	must(t, 2, "", "start", "orders", "--input", "{not json")
	must(t, 2, "", "start", "orders", "--input", "@/no/such/file")

	res = must(t, 0, "", "resync", "inventory", "--sku", "MUG-BLUE", "--sku", "MUG-RED", "--wait", "--json")
	ex = decodeJSON[operator.Execution](t, res)
	if ex.Status != "SUCCEEDED" || !strings.HasPrefix(ex.Name, "resync-inventory-") || compactJSON(ex.Input) != `{"skus":["MUG-BLUE","MUG-RED"]}` {
		t.Fatalf("resync inventory: %+v (input %s)", ex, ex.Input)
	}
	res = must(t, 0, "", "resync", "orders", "--since", "2026-11-20T00:00:00Z", "--wait")
	if !strings.Contains(res.stdout, "SUCCEEDED") || !strings.Contains(res.stdout, `"since": "2026-11-20T00:00:00Z"`) {
		t.Errorf("resync orders:\n%s", res.stdout)
	}
	must(t, 2, "", "resync", "refunds")
	must(t, 2, "", "resync", "orders", "--sku", "X")
	must(t, 2, "", "resync", "inventory", "--since", "last tuesday")
	e.idle(t)
}

// TestLongWaitShowsProgress: while a waited-for execution runs, standard
// error says which state it is in. Logiwa answers slowly (20 s on the
// runtime's clock, 100 ms real), so the sync sits in FetchPage for a while.
func TestLongWaitShowsProgress(t *testing.T) {
	e := startLocal(t)
	slow := logiwasim.Faults{Latency: []logiwasim.LatencyRule{{Dist: "fixed", Fixed: logiwasim.Duration(20 * time.Second)}}}
	if err := e.r.Simulator().SetFaults(slow); err != nil {
		t.Fatal(err)
	}
	res := must(t, 0, "", "resync", "inventory", "--sku", "MUG-BLUE", "--name", "progress-1", "--wait")
	if !strings.Contains(res.stderr, "started progress-1; waiting") || !strings.Contains(res.stderr, "progress-1: running 0s, in state FetchPage") {
		t.Errorf("progress on stderr:\n%s", res.stderr)
	}
	if strings.Contains(res.stdout, "running") {
		t.Errorf("progress leaked into stdout:\n%s", res.stdout)
	}

	// While one sync holds the lease, a second does nothing, and says so.
	must(t, 0, "", "start", "inventory-sync", "--name", "holder")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		h := must(t, 0, "", "executions", "history", "holder", "--json").stdout
		if strings.Contains(h, `"state": "FetchPage"`) {
			break // past AcquireLease: it holds the lease
		}
		if time.Now().After(deadline) {
			t.Fatalf("holder never reached FetchPage:\n%s", h)
		}
	}
	res = must(t, 1, "", "resync", "inventory", "--wait")
	if !strings.Contains(res.stderr, "holds the lease") {
		t.Errorf("lease held: stderr %s", res.stderr)
	}
	e.idle(t)
}

// TestEveryVerbHasHelpWithExamples walks the operator verbs.
func TestEveryVerbHasHelpWithExamples(t *testing.T) {
	root := NewRoot()
	verbs := [][]string{{"send"}, {"executions", "list"}, {"executions", "describe"}, {"executions", "history"},
		{"start"}, {"resync"}, {"parked", "list"}, {"parked", "show"}, {"redrive"}}
	for _, v := range verbs {
		c, _, err := root.Find(v)
		if err != nil || c.Name() != v[len(v)-1] {
			t.Fatalf("%v: %v", v, err)
		}
		if c.Example == "" || !strings.Contains(c.Long, "Exit status") {
			t.Errorf("%v: help without examples or exit statuses", v)
		}
		res := must(t, 0, "", append(v, "--help")...)
		if !strings.Contains(res.stdout, "Examples:") || !strings.Contains(res.stdout, "--target") {
			t.Errorf("%v --help:\n%s", v, res.stdout)
		}
	}
}
