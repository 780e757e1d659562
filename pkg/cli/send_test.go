package cli

import (
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/operator"
)

// TestSendValidatesThenPublishes: a file with an invalid message sends
// nothing and names the message and field; a valid file is sent and each
// message's execution runs under the name the report gave.
func TestSendValidatesThenPublishes(t *testing.T) {
	e := startLocal(t)

	// JSON lines, the second one invalid (quantity 0), the third not JSON.
	bad := strings.Replace(orderMsg, `"quantity":2`, `"quantity":0`, 1)
	lines := orderMsg + "\n\n" + bad + "\n{oops\n"
	res := must(t, 1, "", "send", "orders", writeFile(t, "orders.jsonl", lines), "--json")
	rep := decodeJSON[operator.SendReport](t, res)
	if len(rep.Sent) != 0 || len(rep.Invalid) != 2 {
		t.Fatalf("report %+v: want 2 invalid and nothing sent", rep)
	}
	if iv := rep.Invalid[0]; iv.Index != 1 || iv.Line != 3 || iv.Field != "/lines/0/quantity" {
		t.Errorf("first invalid %+v: want index 1, line 3, field /lines/0/quantity", iv)
	}
	if iv := rep.Invalid[1]; iv.Index != 2 || iv.Line != 4 || !strings.Contains(iv.Reason, "malformed JSON") {
		t.Errorf("second invalid %+v", iv)
	}
	e.idle(t)
	if res := must(t, 0, "", "executions", "list", "--json"); strings.TrimSpace(res.stdout) != "[]" {
		t.Fatalf("an invalid file started executions: %s", res.stdout)
	}

	// The human table names the index and field too.
	res = must(t, 1, "["+bad+"]", "send", "orders", "-")
	if !strings.Contains(res.stdout, "/lines/0/quantity") || !strings.Contains(res.stdout, "0 sent to the orders queue, 1 invalid") {
		t.Errorf("human report:\n%s", res.stdout)
	}
	// A message of another flow is invalid on this one.
	res = must(t, 1, "", "send", "inventory", writeFile(t, "order.json", orderMsg), "--json")
	if rep := decodeJSON[operator.SendReport](t, res); len(rep.Invalid) != 1 || rep.Invalid[0].Field != "/schema" {
		t.Errorf("order on the inventory flow: %+v", rep)
	}

	// --skip-invalid sends the valid one and still fails.
	res = must(t, 1, "["+orderMsg+",\n"+bad+"]", "send", "orders", "-", "--skip-invalid", "--json")
	rep = decodeJSON[operator.SendReport](t, res)
	if len(rep.Sent) != 1 || len(rep.Invalid) != 1 || rep.Sent[0].Key != "CLI-1001" || rep.Sent[0].MessageID == "" {
		t.Fatalf("skip-invalid report %+v", rep)
	}
	// One pretty-printed message from standard input, human output.
	res = must(t, 0, strings.ReplaceAll(inventoryMsg, ",", ",\n  "), "send", "inventory", "-")
	if !strings.Contains(res.stdout, "CLI-MUG") || !strings.Contains(res.stdout, "1 sent to the inventory queue, 0 invalid") {
		t.Errorf("human report:\n%s", res.stdout)
	}
	e.idle(t)
	// The execution the report named ran and succeeded.
	res = must(t, 0, "", "executions", "describe", rep.Sent[0].Execution, "--json")
	if ex := decodeJSON[operator.Execution](t, res); ex.Status != "SUCCEEDED" || ex.Machine != "orders" {
		t.Errorf("execution of the sent order: %+v", ex)
	}

	must(t, 2, "", "send", "payments", "-")
	must(t, 2, "", "send", "orders", "/no/such/file.json")
	must(t, 2, "", "send", "orders")
}
