package asl

import (
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// HistoryEvent is one event of an execution's history. It marshals to exactly
// the shape of an event in AWS's GetExecutionHistory response. Values are
// kept as values; they are encoded to the JSON strings AWS puts on the wire
// only when the event is marshalled.
type HistoryEvent struct {
	ID              int64
	PreviousEventID int64
	Timestamp       time.Time
	Type            string
	// Details holds the event's detail fields (nil for events without any).
	Details *EventDetails
}

// EventDetails is the union of the detail fields of all event types; which
// of them appear on the wire depends on the event type.
type EventDetails struct {
	Name              string
	Input             any // state/execution input or Lambda input
	Output            any
	AssignedVariables map[string]any // nil = no assignment
	RoleARN           string
	Error, Cause      string
	HasError          bool // Error was given (even empty)
	HasCause          bool
	Location, State   string
	Length            int
	Index             int
	Resource          string
	ResourceType      string
	Region            string
	Parameters        any
	TimeoutInSeconds  int64
	HeartbeatSeconds  int64
	HasCredentials    bool
}

// detailsKey is the wire name of the details object for an event type.
func detailsKey(typ string) string {
	switch {
	case strings.HasSuffix(typ, "StateEntered"):
		return "stateEnteredEventDetails"
	case strings.HasSuffix(typ, "StateExited"):
		return "stateExitedEventDetails"
	}
	return strings.ToLower(typ[:1]) + typ[1:] + "EventDetails"
}

var truncatedFalse = map[string]any{"truncated": false}

// wireDetails renders the details as AWS does for the event type.
func (e *HistoryEvent) wireDetails() map[string]any {
	d := e.Details
	if d == nil {
		switch e.Type {
		case "ExecutionAborted", "ExecutionTimedOut":
			return map[string]any{}
		}
		return nil
	}
	m := map[string]any{}
	errCause := func() {
		if d.Error != "" || d.HasError {
			m["error"] = d.Error
		}
		if d.Cause != "" || d.HasCause {
			m["cause"] = d.Cause
		}
	}
	resource := func() {
		m["resourceType"] = d.ResourceType
		m["resource"] = d.Resource
	}
	switch t := e.Type; {
	case t == "ExecutionStarted":
		m["input"] = encodeData(d.Input)
		m["inputDetails"] = truncatedFalse
		m["roleArn"] = d.RoleARN
	case t == "ExecutionSucceeded" || t == "LambdaFunctionSucceeded":
		m["output"] = encodeData(d.Output)
		m["outputDetails"] = truncatedFalse
	case strings.HasSuffix(t, "StateEntered"):
		m["name"] = d.Name
		m["input"] = encodeData(d.Input)
		m["inputDetails"] = truncatedFalse
	case strings.HasSuffix(t, "StateExited"):
		m["name"] = d.Name
		m["output"] = encodeData(d.Output)
		m["outputDetails"] = truncatedFalse
		if d.AssignedVariables != nil {
			av := make(map[string]any, len(d.AssignedVariables))
			for k, v := range d.AssignedVariables {
				av[k] = encodeData(v)
			}
			m["assignedVariables"] = av
			m["assignedVariablesDetails"] = truncatedFalse
		}
	case t == "MapStateStarted":
		m["length"] = d.Length
	case strings.HasPrefix(t, "MapIteration"):
		m["name"] = d.Name
		m["index"] = d.Index
	case t == "EvaluationFailed":
		errCause()
		if d.Location != "" {
			m["location"] = d.Location
		}
		m["state"] = d.State
	case t == "TaskScheduled":
		resource()
		m["region"] = d.Region
		m["parameters"] = encodeData(d.Parameters)
		if d.TimeoutInSeconds > 0 {
			m["timeoutInSeconds"] = d.TimeoutInSeconds
		}
		if d.HeartbeatSeconds > 0 {
			m["heartbeatInSeconds"] = d.HeartbeatSeconds
		}
	case t == "TaskStarted":
		resource()
	case t == "TaskSubmitted" || t == "TaskSucceeded":
		resource()
		m["output"] = encodeData(d.Output)
		m["outputDetails"] = truncatedFalse
	case t == "TaskFailed" || t == "TaskTimedOut" || t == "TaskStartFailed" || t == "TaskSubmitFailed":
		resource()
		errCause()
	case t == "LambdaFunctionScheduled":
		m["resource"] = d.Resource
		m["input"] = encodeData(d.Input)
		m["inputDetails"] = truncatedFalse
		if d.TimeoutInSeconds > 0 {
			m["timeoutInSeconds"] = d.TimeoutInSeconds
		}
	default:
		errCause()
	}
	return m
}

// encodeData renders a payload the way AWS carries it: as a JSON string.
func encodeData(v any) string { return jsonvalue.String(v) }

// MarshalJSON renders the event in AWS's wire shape.
func (e HistoryEvent) MarshalJSON() ([]byte, error) {
	m := map[string]any{
		"id":              e.ID,
		"previousEventId": e.PreviousEventID,
		"timestamp":       e.Timestamp,
		"type":            e.Type,
	}
	if d := e.wireDetails(); d != nil {
		m[detailsKey(e.Type)] = d
	}
	return json.Marshal(m)
}

// history numbers and stores the events of one execution. It is the one
// place events are created; every state reports to it.
//
// Events are kept in a compact form (see event) in one slice, without an
// allocation per event; the HistoryEvent values with their EventDetails are
// built only when the history is read. Payloads are kept as values and
// encoded only when an event is marshalled.
type history struct {
	mu     sync.Mutex
	events []rec
	// loc is the location of the execution's start time, which the
	// timestamps are rendered in (they are stored as Unix nanoseconds).
	loc    *time.Location
	now    func() time.Time
	record bool
	// closed is set once the execution has ended; events reported later (by
	// a branch still unwinding after Stop) are dropped.
	closed bool
}

// eventKind says which fields of an event hold its details.
type eventKind uint8

const (
	kindNone         eventKind = iota // no details
	kindFull                          // d
	kindStateEntered                  // Name: name, Input: v
	kindStateExited                   // Name: name, Output: v, AssignedVariables: assigned
	kindLambdaSched                   // Resource: name, Input: v, TimeoutInSeconds: n
	kindOutput                        // Output: v
	kindIteration                     // Name: name, Index: n
	kindLength                        // Length: n
	kindExecStarted                   // Input: v, RoleARN: name
)

// evType is an interned event type name ("PassStateEntered", ...): two
// bytes in each stored event instead of a string header.
type evType uint16

var evTypes struct {
	mu    sync.RWMutex
	ids   map[string]evType
	names []string
}

// evt interns an event type name.
func evt(name string) evType {
	evTypes.mu.RLock()
	id, ok := evTypes.ids[name]
	evTypes.mu.RUnlock()
	if ok {
		return id
	}
	evTypes.mu.Lock()
	defer evTypes.mu.Unlock()
	if id, ok := evTypes.ids[name]; ok {
		return id
	}
	if evTypes.ids == nil {
		evTypes.ids = map[string]evType{}
	}
	if len(evTypes.names) > 0xFFFF {
		panic("asl: too many event types")
	}
	id = evType(len(evTypes.names))
	evTypes.ids[name] = id
	evTypes.names = append(evTypes.names, name)
	return id
}

// The event types the hot paths record.
var (
	evExecutionStarted        = evt("ExecutionStarted")
	evMapStateStarted         = evt("MapStateStarted")
	evMapStateSucceeded       = evt("MapStateSucceeded")
	evMapIterationStarted     = evt("MapIterationStarted")
	evMapIterationSucceeded   = evt("MapIterationSucceeded")
	evMapIterationFailed      = evt("MapIterationFailed")
	evMapIterationAborted     = evt("MapIterationAborted")
	evLambdaFunctionScheduled = evt("LambdaFunctionScheduled")
	evLambdaFunctionStarted   = evt("LambdaFunctionStarted")
	evLambdaFunctionSucceeded = evt("LambdaFunctionSucceeded")
)

// event is an event as a state reports it. The common events (state
// entered/exited, Lambda calls, Map iterations) carry their few detail
// fields inline; the others point to their EventDetails.
type event struct {
	ts       time.Time
	typ      evType
	kind     eventKind
	name     string
	v        any
	n        int64
	assigned map[string]any
	d        *EventDetails
}

// rec is an event as the history stores it: 64 bytes, without its id
// (its index + 1); every execution keeps about a hundred of them.
type rec struct {
	ns   int64 // timestamp, Unix nanoseconds
	prev int32
	n    int32
	typ  evType
	kind eventKind
	name string
	v    any
	d    *EventDetails
}

// fill stores e in r, every field (r may be a slot grow did not clear); details
// that do not fit the compact form (assigned variables, a number beyond
// int32) go to an EventDetails.
func (e *event) fill(r *rec, prev int64) {
	r.ns, r.prev, r.n, r.typ, r.kind = e.ts.UnixNano(), int32(prev), int32(e.n), e.typ, e.kind
	r.name, r.v, r.d = e.name, e.v, e.d
	if e.assigned != nil || int64(r.n) != e.n {
		d := r.details()
		switch e.kind {
		case kindStateExited:
			d.AssignedVariables = e.assigned
		case kindLambdaSched:
			d.TimeoutInSeconds = e.n
		case kindIteration:
			d.Index = int(e.n)
		case kindLength:
			d.Length = int(e.n)
		}
		r.kind, r.d = kindFull, d
	}
}

// details builds the event's EventDetails.
func (e *rec) details() *EventDetails {
	switch e.kind {
	case kindFull:
		return e.d
	case kindStateEntered:
		return &EventDetails{Name: e.name, Input: e.v}
	case kindStateExited:
		return &EventDetails{Name: e.name, Output: e.v}
	case kindLambdaSched:
		return &EventDetails{Resource: e.name, Input: e.v, TimeoutInSeconds: int64(e.n)}
	case kindOutput:
		return &EventDetails{Output: e.v}
	case kindIteration:
		return &EventDetails{Name: e.name, Index: int(e.n)}
	case kindLength:
		return &EventDetails{Length: int(e.n)}
	case kindExecStarted:
		return &EventDetails{Input: e.v, RoleARN: e.name}
	}
	return nil
}

// histCtx is one thread of evaluation's view of the history: the id new
// events name as their previous event, and the last id it published. Map
// iterations and Parallel branches each get their own, folded back into the
// parent when they end (as AWS does).
type histCtx struct {
	source int64
	last   int64
}

func (c *histCtx) child() *histCtx { return &histCtx{source: c.source, last: c.source} }

// integrate folds a finished child context back into c.
func (c *histCtx) integrate(o *histCtx) {
	if o.source > c.source {
		c.source = o.source
	}
	if o.last > c.last {
		c.last = o.last
	}
}

// add appends an event stamped with the clock's time and returns its id.
// When advance is false the event does not become the source of the
// thread's next event.
func (h *history) add(c *histCtx, typ string, d *EventDetails, advance bool) int64 {
	e := event{ts: h.now(), typ: evt(typ), d: d}
	if d != nil {
		e.kind = kindFull
	}
	return h.put(c, &e, advance)
}

// put appends e (its id and previous id are filled in here) and returns its
// id. The hot paths build e themselves with a timestamp the thread already
// read (see frame.now).
func (h *history) put(c *histCtx, e *event, advance bool) int64 {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return c.source
	}
	id := int64(len(h.events) + 1)
	h.grow()
	e.fill(&h.events[id-1], c.source)
	h.mu.Unlock()
	c.last = id
	if advance {
		c.source = id
	}
	return id
}

// addWithPrev appends an event naming prev as its previous event, without
// touching any thread's context.
func (h *history) addWithPrev(prev int64, ts time.Time, typ string, d *EventDetails) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	id := int64(len(h.events) + 1)
	e := event{ts: ts, typ: evt(typ), d: d}
	if d != nil {
		e.kind = kindFull
	}
	h.grow()
	e.fill(&h.events[id-1], prev)
	return id
}

// grow adds one slot for fill to write. Within capacity it only reslices:
// appending a zero rec would clear the slot again (it is still zero from
// make) and, while the GC marks, pay a bulk write barrier for it.
func (h *history) grow() {
	if n := len(h.events); n < cap(h.events) {
		h.events = h.events[:n+1]
		return
	}
	h.events = append(h.events, rec{})
}

func (h *history) snapshot() []HistoryEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	loc := h.loc
	if loc == nil {
		loc = time.Local
	}
	evTypes.mu.RLock()
	names := evTypes.names
	evTypes.mu.RUnlock()
	out := make([]HistoryEvent, len(h.events))
	for i := range h.events {
		e := &h.events[i]
		out[i] = HistoryEvent{ID: int64(i + 1), PreviousEventID: int64(e.prev), Timestamp: time.Unix(0, e.ns).In(loc),
			Type: names[e.typ], Details: e.details()}
	}
	return out
}

func (h *history) len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.events)
}
