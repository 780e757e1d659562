package deploy

import (
	"fmt"
	"io"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// Summary is what a plan will do, by resource address.
type Summary struct {
	Create  []string
	Update  []string
	Replace []string
	Delete  []string
	// Outputs whose value changes.
	Outputs []string
}

// Summarize reads a plan's resource changes. Data source reads and no-ops
// are left out: they change nothing.
func Summarize(p *tfjson.Plan) Summary {
	var s Summary
	if p == nil {
		return s
	}
	for _, rc := range p.ResourceChanges {
		if rc.Change == nil || rc.Mode == tfjson.DataResourceMode {
			continue
		}
		a := rc.Change.Actions
		switch {
		case a.Replace():
			s.Replace = append(s.Replace, rc.Address)
		case a.Create():
			s.Create = append(s.Create, rc.Address)
		case a.Update():
			s.Update = append(s.Update, rc.Address)
		case a.Delete():
			s.Delete = append(s.Delete, rc.Address)
		}
	}
	for name, oc := range p.OutputChanges {
		if oc != nil && !oc.Actions.NoOp() {
			s.Outputs = append(s.Outputs, name)
		}
	}
	for _, l := range [][]string{s.Create, s.Update, s.Replace, s.Delete, s.Outputs} {
		sort.Strings(l)
	}
	return s
}

// Changes reports whether applying would change any resource.
func (s Summary) Changes() bool {
	return len(s.Create)+len(s.Update)+len(s.Replace)+len(s.Delete) > 0
}

// Write prints the summary as Terraform's symbols, one resource a line,
// then the totals.
func (s Summary) Write(w io.Writer) error {
	var b strings.Builder
	if !s.Changes() {
		b.WriteString("No changes: the deployed system matches the configuration.\n")
		if len(s.Outputs) > 0 {
			fmt.Fprintf(&b, "Outputs that change: %s\n", strings.Join(s.Outputs, ", "))
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	for _, g := range []struct {
		sym   string
		title string
		addrs []string
	}{
		{"+", "create", s.Create},
		{"~", "update in place", s.Update},
		{"-/+", "replace", s.Replace},
		{"-", "destroy", s.Delete},
	} {
		if len(g.addrs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s (%d):\n", g.title, len(g.addrs))
		for _, a := range g.addrs {
			fmt.Fprintf(&b, "  %-3s %s\n", g.sym, a)
		}
	}
	b.WriteString(byType(s))
	fmt.Fprintf(&b, "Plan: %d to add, %d to change, %d to destroy (%d of them replaced).\n",
		len(s.Create)+len(s.Replace), len(s.Update), len(s.Delete)+len(s.Replace), len(s.Replace))
	if len(s.Outputs) > 0 {
		fmt.Fprintf(&b, "Outputs that change: %s\n", strings.Join(s.Outputs, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// byType counts the changes per resource type, the view that reads best
// when a plan touches a hundred resources.
func byType(s Summary) string {
	type counts struct{ create, update, replace, destroy int }
	per := map[string]*counts{}
	add := func(addrs []string, f func(*counts)) {
		for _, a := range addrs {
			typ := resourceType(a)
			if per[typ] == nil {
				per[typ] = &counts{}
			}
			f(per[typ])
		}
	}
	add(s.Create, func(c *counts) { c.create++ })
	add(s.Update, func(c *counts) { c.update++ })
	add(s.Replace, func(c *counts) { c.replace++ })
	add(s.Delete, func(c *counts) { c.destroy++ })
	types := make([]string, 0, len(per))
	for t := range per {
		types = append(types, t)
	}
	sort.Strings(types)
	var b strings.Builder
	b.WriteString("by resource type:\n")
	for _, t := range types {
		c := per[t]
		var parts []string
		for _, p := range []struct {
			n    int
			verb string
		}{{c.create, "create"}, {c.update, "update"}, {c.replace, "replace"}, {c.destroy, "destroy"}} {
			if p.n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", p.n, p.verb))
			}
		}
		fmt.Fprintf(&b, "  %-40s %s\n", t, strings.Join(parts, ", "))
	}
	return b.String()
}

// resourceType is the type in an address such as
// module.orders.module.queue.aws_sqs_queue.this["x"].
func resourceType(addr string) string {
	parts := strings.Split(addr, ".")
	for i := 0; i < len(parts); i++ {
		switch parts[i] {
		case "module":
			i++ // skip the module name
			continue
		case "data":
			if i+1 < len(parts) {
				return "data." + parts[i+1]
			}
		}
		return parts[i]
	}
	return addr
}
