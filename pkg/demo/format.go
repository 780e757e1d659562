package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes the report as one JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report as a table, then each reconciliation
// difference, each traced problem and each violated must-show number.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name string, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t%s\n", name, fmt.Sprintf(format, args...))
	}
	fmt.Fprintf(tw, "logiwaflow demo: seed %d, scale %g, %gx time (%s to %s virtual, %.1f s wall)\n\n",
		r.Seed, r.Scale, r.Factor, r.VirtualStart.Format("2006-01-02 15:04"), r.VirtualEnd.Format("15:04"), r.WallSeconds)
	row("messages in", "%d (%s)", r.MessagesIn, kv(r.SentByKind))
	row("refused at send", "%d (over SQS's 256 KiB)", r.RefusedAtSend)
	row("distinct messages", "%d", r.Distinct)
	row("applied", "%d", r.Applied)
	row("parked (during the run)", "%s", kv(r.Parked))
	row("still parked", "%s", kv(r.StillParked))
	row("redriven", "%d", r.Redriven)
	row("outage-parked delivered", "%d of %d", r.OutageDelivered, r.OutageParked)
	row("duplicates suppressed", "%d", r.DuplicatesSuppressed)
	row("stale skipped", "%d", r.StaleSkipped)
	row("lost", "%d (dead-lettered: %s)", r.Lost, kv(r.DeadLettered))
	row("duplicates created", "%d", r.DuplicatesCreated)
	row("stale overwrites", "%d", r.StaleOverwrites)
	row("Logiwa requests", "%d (%d answered 429)", r.LogiwaRequests, r.Logiwa429)
	row("peak requests/s", "%d at Logiwa, %d sent by the gate (limit %g; %d pacing slots missed by late wake-ups)", r.PeakRPS, r.GatePeakRPS, r.RateLimit, r.GateMissedSlots)
	row("transitions/message", "mean %.2f, happy-path max %d, max %d (%d executions)", r.Transitions.Mean, r.Transitions.HappyPathMax, r.Transitions.Max, r.Transitions.Executions)
	row("reconciliation", "%d differences", r.ReconciliationDifferences)
	row("peak RSS", "%.0f MB (at most %d executions running at once; Go soft memory limit %.0f MB)", r.PeakRSSMB, r.PeakRunning, r.MemoryLimitMB)
	if err := tw.Flush(); err != nil {
		return err
	}
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s:\n", title)
		for _, l := range lines {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
	section("Reconciliation differences", r.Differences)
	section("Problems", r.Problems)
	if len(r.Violations) == 0 {
		_, err := fmt.Fprintln(w, "\nEvery must-show number holds.")
		return err
	}
	section("MUST-SHOW VIOLATIONS", r.Violations)
	return nil
}

func kv(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
