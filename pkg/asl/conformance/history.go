package conformance

import (
	"fmt"
	"sort"
	"strings"
)

// CompareHistory returns the first difference between a recorded execution
// history and the engine's (both as decoded GetExecutionHistory events), or
// nil.
//
// Events are aligned by id, not by position. The recordings replaced the ids
// of events inside Parallel branches with an array placeholder ([0]) and
// listed them in an order of their own, because branches interleave
// differently on every run; they also left out some events (their ids are
// missing). So an event with a numeric id is compared with the engine's event
// of that id, including previousEventId; a run of placeholder-id events is
// matched, in any order, against the engine's events whose ids lie between
// the numbered events around the run, and engine events there that the
// recording does not list are accepted. Event timestamps are not compared.
func (m *Matcher) CompareHistory(want, got []any) *Diff { return m.compareHistory(want, got, false) }

// CompareHistoryPrefix is CompareHistory for an execution the recording
// left running: the recorded events are a snapshot taken while it ran, so
// the engine may have recorded more events since, as long as none of them
// ends the execution.
func (m *Matcher) CompareHistoryPrefix(want, got []any) *Diff {
	return m.compareHistory(want, got, true)
}

func (m *Matcher) compareHistory(want, got []any, prefix bool) *Diff {
	byID := make(map[int64]map[string]any, len(got))
	var maxGot int64
	for i, e := range got {
		ev, ok := e.(map[string]any)
		if !ok {
			return &Diff{Path: fmt.Sprintf("history(engine)[%d]", i), Reason: "engine event is not an object"}
		}
		id, ok := eventID(ev)
		if !ok {
			return &Diff{Path: fmt.Sprintf("history(engine)[%d]", i), Reason: fmt.Sprintf("engine event has no numeric id: %s", show(ev))}
		}
		if _, dup := byID[id]; dup {
			return &Diff{Path: fmt.Sprintf("history(engine)[%d]", i), Reason: fmt.Sprintf("engine repeats event id %d", id)}
		}
		byID[id] = ev
		if id > maxGot {
			maxGot = id
		}
	}

	var lastAnchor int64
	for i := 0; i < len(want); {
		we, ok := want[i].(map[string]any)
		if !ok {
			return &Diff{Path: fmt.Sprintf("history[%d]", i), Reason: "recorded event is not an object"}
		}
		if id, numbered := eventID(we); numbered {
			path := fmt.Sprintf("history[%d]", i)
			ge, ok := byID[id]
			if !ok {
				return &Diff{Path: path, Reason: fmt.Sprintf("missing event id %d (%v); the engine's history has %d events%s", id, we["type"], len(got), lastEvents(got))}
			}
			if d := m.compareEvent(path, we, ge, true); d != nil {
				return d
			}
			lastAnchor = id
			i++
			continue
		}
		// A run of placeholder-id events, up to the next numbered event.
		j := i
		for j < len(want) {
			e, _ := want[j].(map[string]any)
			if _, numbered := eventID(e); numbered {
				break
			}
			j++
		}
		hi := maxGot + 1
		if j < len(want) {
			e, _ := want[j].(map[string]any)
			hi, _ = eventID(e)
		}
		if d := m.matchUnordered(want, i, j, byID, lastAnchor, hi); d != nil {
			return d
		}
		i = j
	}

	// Events after the last recorded one are extra.
	var lastWant int64
	for _, e := range want {
		if ev, ok := e.(map[string]any); ok {
			if id, ok := eventID(ev); ok && id > lastWant {
				lastWant = id
			}
		}
	}
	if maxGot > lastWant {
		ids := make([]int64, 0)
		for id := range byID {
			if id > lastWant {
				ids = append(ids, id)
			}
		}
		sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
		if prefix {
			for _, id := range ids {
				if typ, _ := byID[id]["type"].(string); strings.HasPrefix(typ, "Execution") {
					return &Diff{Path: fmt.Sprintf("history[%d]", len(want)), Reason: fmt.Sprintf("the recorded execution was still running, but the engine's ended with event id %d (%s): %s", id, typ, show(byID[id]))}
				}
			}
			return nil
		}
		ev := byID[ids[0]]
		return &Diff{Path: fmt.Sprintf("history[%d]", len(want)), Reason: fmt.Sprintf("unexpected event id %d (%v) after the recorded history ends at id %d: %s", ids[0], ev["type"], lastWant, show(ev))}
	}
	return nil
}

// matchUnordered matches recorded events want[i:j] against the engine's
// events with ids strictly between lo and hi.
func (m *Matcher) matchUnordered(want []any, i, j int, byID map[int64]map[string]any, lo, hi int64) *Diff {
	var cands []int64
	for id := range byID {
		if id > lo && id < hi {
			cands = append(cands, id)
		}
	}
	sort.Slice(cands, func(a, b int) bool { return cands[a] < cands[b] })
	used := make(map[int64]bool, len(cands))
	for k := i; k < j; k++ {
		we := want[k].(map[string]any)
		path := fmt.Sprintf("history[%d]", k)
		found := false
		for _, id := range cands {
			if used[id] {
				continue
			}
			saved := m.snapshot()
			if m.compareEvent(path, we, byID[id], false) == nil {
				used[id] = true
				found = true
				break
			}
			m.restore(saved)
		}
		if found {
			continue
		}
		// Explain with the closest unused candidate: same type and state name.
		for _, id := range cands {
			if used[id] || !sameKind(we, byID[id]) {
				continue
			}
			saved := m.snapshot()
			d := m.compareEvent(path, we, byID[id], false)
			m.restore(saved)
			d.Reason = fmt.Sprintf("(unordered branch event, closest is id %d) %s", id, d.plain())
			return d
		}
		return &Diff{Path: path, Reason: fmt.Sprintf("no engine event between ids %d and %d matches recorded branch event %s", lo, hi, show(we))}
	}
	return nil
}

// plain renders a Diff's message without its path.
func (d *Diff) plain() string {
	if d.Reason != "" {
		return d.Reason
	}
	return fmt.Sprintf("want %s, got %s", show(d.Want), show(d.Got))
}

// compareEvent compares one event: type first (the most telling
// difference), then ids when withIDs, then everything else except the
// timestamp, whose presence alone is required.
func (m *Matcher) compareEvent(path string, we, ge map[string]any, withIDs bool) *Diff {
	if d := m.Compare(join(path, "type"), we["type"], ge["type"]); d != nil {
		return d
	}
	skip := map[string]bool{"type": true, "timestamp": true}
	if withIDs {
		for _, k := range []string{"id", "previousEventId"} {
			if !isNumber(we[k]) {
				continue // a placeholder such as [0]
			}
			if d := m.Compare(join(path, k), we[k], ge[k]); d != nil {
				return d
			}
		}
	}
	skip["id"], skip["previousEventId"] = true, true
	if _, ok := we["timestamp"]; ok {
		if _, ok := ge["timestamp"]; !ok {
			return &Diff{Path: join(path, "timestamp"), Reason: "missing"}
		}
	}
	return m.compareObject(path, we, ge, skip)
}

// sameKind reports whether two events have the same type and, where they
// name a state, the same state.
func sameKind(a, b map[string]any) bool {
	if a["type"] != b["type"] {
		return false
	}
	return stateName(a) == stateName(b)
}

func stateName(ev map[string]any) string {
	for _, k := range []string{"stateEnteredEventDetails", "stateExitedEventDetails"} {
		if d, ok := ev[k].(map[string]any); ok {
			if n, ok := d["name"].(string); ok {
				return n
			}
		}
	}
	return ""
}

func eventID(ev map[string]any) (int64, bool) {
	if ev == nil {
		return 0, false
	}
	v, ok := ev["id"]
	if !ok || !isNumber(v) {
		return 0, false
	}
	r, ok := toRat(v)
	if !ok || !r.IsInt() {
		return 0, false
	}
	return r.Num().Int64(), true
}

// lastEvents summarises the end of the engine's history for a message about
// a missing event.
func lastEvents(got []any) string {
	if len(got) == 0 {
		return ""
	}
	from := len(got) - 3
	if from < 0 {
		from = 0
	}
	s := ", ending"
	for _, e := range got[from:] {
		if ev, ok := e.(map[string]any); ok {
			id, _ := eventID(ev)
			s += fmt.Sprintf(" %d:%v", id, ev["type"])
		}
	}
	return s
}
