package cli

import (
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/operator"
	"github.com/logiwaflow/logiwaflow/pkg/parking"
)

// TestParkedAndRedrive parks a message, finds it with parked list/show,
// counts it with a dry run, redrives it (it parks again, one replay up, with
// its earlier park in its history), and checks the filters.
func TestParkedAndRedrive(t *testing.T) {
	e := startLocal(t)
	e.sendRaw(t, message.FlowInventory, badInventoryMsg)
	e.idle(t)

	items := decodeJSON[[]operator.ParkedItem](t, must(t, 0, "", "parked", "list", "--json"))
	if len(items) != 1 {
		t.Fatalf("parked: %+v", items)
	}
	it := items[0]
	if it.Reason != "invalid" || it.Flow != "inventory" || it.Replay != 0 || it.Error != "Message.Invalid" ||
		!strings.Contains(it.Cause, "version") || !strings.HasPrefix(it.Execution, "inventory-CLI-BAD-") || it.ParkedAt.IsZero() {
		t.Fatalf("parked item %+v", it)
	}
	filters := []struct {
		args []string
		want int
	}{
		{[]string{"--reason", "invalid"}, 1},
		{[]string{"--reason", "invalid", "--flow", "inventory"}, 1},
		{[]string{"--flow", "inventory"}, 1},
		{[]string{"--reason", "outage"}, 0},
		{[]string{"--flow", "orders"}, 0},
	}
	for _, f := range filters {
		got := decodeJSON[[]operator.ParkedItem](t, must(t, 0, "", append([]string{"parked", "list", "--json"}, f.args...)...))
		if len(got) != f.want {
			t.Errorf("parked list %v: %d, want %d", f.args, len(got), f.want)
		}
	}
	must(t, 2, "", "parked", "list", "--reason", "bored")
	must(t, 2, "", "parked", "list", "--flow", "payments")
	table := must(t, 0, "", "parked", "list").stdout
	if !strings.Contains(table, "REASON") || !strings.Contains(table, it.Execution) || !strings.Contains(table, "1 parked message(s)") {
		t.Errorf("parked table:\n%s", table)
	}
	if out := must(t, 0, "", "parked", "list", "--reason", "outage").stdout; !strings.Contains(out, "no parked messages") {
		t.Errorf("empty listing: %q", out)
	}

	// show by execution name and by key.
	for _, ref := range []string{it.Execution, it.Key} {
		p := decodeJSON[parking.Parked](t, must(t, 0, "", "parked", "show", ref, "--json"))
		if p.Key != it.Key || !strings.Contains(p.Body, "CLI-BAD") || p.Reason != "invalid" {
			t.Errorf("parked show %s: %+v", ref, p)
		}
	}
	// By a part of the execution name, as an operator knows it (the SKU).
	human := must(t, 0, "", "parked", "show", "CLI-BAD").stdout
	for _, want := range []string{"Reason:", "invalid", "Message:", `"sku": "CLI-BAD"`, "Cause:", "invalid message: /version: is required"} {
		if !strings.Contains(human, want) {
			t.Errorf("parked show lacks %q:\n%s", want, human)
		}
	}
	must(t, 1, "", "parked", "show", "inventory-NOPE-0000000000")

	// A dry run counts and sends nothing.
	res := must(t, 0, "", "redrive", "--reason", "invalid", "--dry-run", "--json")
	dry := decodeJSON[operator.RedriveResult](t, res)
	if dry.Tally != (operator.Tally{DryRun: 1}) || dry.Execution.Status != "SUCCEEDED" {
		t.Fatalf("dry run: %+v", dry)
	}
	if !strings.Contains(res.stderr, "started redrive-") {
		t.Errorf("no progress on stderr: %q", res.stderr)
	}
	e.idle(t)
	if got := decodeJSON[[]operator.ParkedItem](t, must(t, 0, "", "parked", "list", "--json")); len(got) != 1 || got[0].Key != it.Key {
		t.Fatalf("after a dry run: %+v", got)
	}

	// Nothing of another flow: the tally is all zero.
	if r := decodeJSON[operator.RedriveResult](t, must(t, 0, "", "redrive", "--flow", "orders", "--json")); r.Tally != (operator.Tally{}) {
		t.Errorf("redrive of nothing: %+v", r.Tally)
	}

	// The real redrive: the message goes back, fails validation again and
	// parks as replay 1 with its first park in its history.
	res = must(t, 0, "", "redrive", "--reason", "invalid", "--flow", "inventory")
	if !strings.Contains(res.stdout, "REDRIVEN") || !strings.Contains(res.stdout, "SUCCEEDED") {
		t.Errorf("redrive table:\n%s", res.stdout)
	}
	e.idle(t)
	got := decodeJSON[[]operator.ParkedItem](t, must(t, 0, "", "parked", "list", "--json"))
	if len(got) != 1 || got[0].Replay != 1 || got[0].Key == it.Key || !strings.HasSuffix(got[0].Execution, "-r1") {
		t.Fatalf("after redrive: %+v", got)
	}
	p := decodeJSON[parking.Parked](t, must(t, 0, "", "parked", "show", got[0].Execution, "--json"))
	if len(p.History) != 1 || p.History[0].Execution != it.Execution {
		t.Errorf("history of the re-parked message: %+v", p.History)
	}
	// The first copy is now under redriven/ and still found by its execution.
	old := decodeJSON[parking.Parked](t, must(t, 0, "", "parked", "show", it.Execution, "--json"))
	if !strings.HasPrefix(old.Key, parking.RedrivenPrefix) || old.Redriven == nil || old.Redriven.Replay != 1 {
		t.Errorf("redriven copy: %+v", old)
	}
	// Current parks come first: the fragment finds the new park, not the
	// redriven copy.
	if p := decodeJSON[parking.Parked](t, must(t, 0, "", "parked", "show", "CLI-BAD", "--json")); p.Key != got[0].Key {
		t.Errorf("show CLI-BAD after redrive found %s, want %s", p.Key, got[0].Key)
	}
	must(t, 2, "", "redrive", "--reason", "bored")
}
