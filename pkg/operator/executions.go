package operator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// Execution is one execution as the verbs show it.
type Execution struct {
	Name       string          `json:"name"`
	ARN        string          `json:"arn"`
	Machine    string          `json:"machine"`
	MachineARN string          `json:"machineArn"`
	Status     string          `json:"status"`
	StartDate  time.Time       `json:"startDate"`
	StopDate   *time.Time      `json:"stopDate,omitempty"`
	Input      json.RawMessage `json:"input,omitempty"`
	Output     json.RawMessage `json:"output,omitempty"`
	Error      string          `json:"error,omitempty"`
	Cause      string          `json:"cause,omitempty"`
}

// Running reports whether the execution has not ended.
func (e Execution) Running() bool { return e.Status == string(types.ExecutionStatusRunning) }

// ListFilter selects executions.
type ListFilter struct {
	Machine      string    // definition name or ARN; "" means every machine of the target
	Status       string    // RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE (any case)
	NameContains string    // substring of the execution name (an order number, a SKU)
	Since        time.Time // started at or after
	Limit        int       // at most this many, newest first; 0 means 100
}

var statuses = []string{"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"}

// ListExecutions lists executions newest first across the selected machines.
func (o *Operator) ListExecutions(ctx context.Context, f ListFilter) ([]Execution, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	status := strings.ToUpper(f.Status)
	if status != "" && !slices.Contains(statuses, status) {
		return nil, usagef("unknown status %q (want one of %s)", f.Status, strings.Join(statuses, ", "))
	}
	machines := o.MachineNames()
	if f.Machine != "" {
		arn, err := o.MachineARN(f.Machine)
		if err != nil {
			return nil, err
		}
		machines = []string{o.machineName(arn)}
		if _, ok := o.Target.StateMachines[machines[0]]; !ok {
			machines = []string{arn}
		}
	}
	var all []Execution
	for _, m := range machines {
		arn, err := o.MachineARN(m)
		if err != nil {
			return nil, err
		}
		got, err := o.listMachine(ctx, arn, status, f.NameContains, f.Since, limit)
		if err != nil {
			return nil, err
		}
		all = append(all, got...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].StartDate.After(all[j].StartDate) })
	if len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

// listMachine pages through one machine's executions (newest first) until
// it has limit matches or reaches executions older than since.
func (o *Operator) listMachine(ctx context.Context, machineARN, status, nameContains string, since time.Time, limit int) ([]Execution, error) {
	in := &sfn.ListExecutionsInput{StateMachineArn: aws.String(machineARN), MaxResults: 100}
	if status != "" {
		in.StatusFilter = types.ExecutionStatus(status)
	}
	var out []Execution
	for {
		page, err := o.SFN.ListExecutions(ctx, in)
		if err != nil {
			var nf *types.StateMachineDoesNotExist
			if errors.As(err, &nf) {
				return nil, failedf("state machine %s does not exist on the target", machineARN)
			}
			return nil, fmt.Errorf("list executions of %s: %w", machineARN, err)
		}
		for _, it := range page.Executions {
			start := aws.ToTime(it.StartDate).UTC()
			if !since.IsZero() && start.Before(since) {
				return out, nil
			}
			name := aws.ToString(it.Name)
			if nameContains != "" && !strings.Contains(strings.ToLower(name), strings.ToLower(nameContains)) {
				continue
			}
			e := Execution{
				Name: name, ARN: aws.ToString(it.ExecutionArn), MachineARN: machineARN,
				Machine: o.machineName(machineARN), Status: string(it.Status), StartDate: start,
			}
			if it.StopDate != nil {
				t := it.StopDate.UTC()
				e.StopDate = &t
			}
			out = append(out, e)
			if len(out) >= limit {
				return out, nil
			}
		}
		if page.NextToken == nil {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

// Resolve finds an execution by ARN, by exact name on any of the target's
// machines, or failing that by a name fragment that matches exactly one
// execution.
func (o *Operator) Resolve(ctx context.Context, nameOrARN string) (string, error) {
	if nameOrARN == "" {
		return "", usagef("no execution name or ARN given")
	}
	if strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN, nil
	}
	for _, m := range o.MachineNames() {
		arn := executionARN(o.Target.StateMachines[m], nameOrARN)
		_, err := o.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err == nil {
			return arn, nil
		}
		var nf *types.ExecutionDoesNotExist
		var inv *types.InvalidArn
		if !errors.As(err, &nf) && !errors.As(err, &inv) {
			return "", fmt.Errorf("look up execution %s: %w", nameOrARN, err)
		}
	}
	found, err := o.ListExecutions(ctx, ListFilter{NameContains: nameOrARN, Limit: 11})
	if err != nil {
		return "", err
	}
	switch len(found) {
	case 0:
		return "", failedf("no execution named %q (or with that in its name) on any of %s", nameOrARN, strings.Join(o.MachineNames(), ", "))
	case 1:
		return found[0].ARN, nil
	}
	names := make([]string, 0, len(found))
	for _, e := range found {
		names = append(names, e.Name)
	}
	more := ""
	if len(found) > 10 {
		names, more = names[:10], ", ..."
	}
	return "", usagef("%q matches %d executions (%s%s): give the full name or ARN", nameOrARN, len(found), strings.Join(names, ", "), more)
}

// Describe returns an execution with its input, output and error.
func (o *Operator) Describe(ctx context.Context, nameOrARN string) (Execution, error) {
	arn, err := o.Resolve(ctx, nameOrARN)
	if err != nil {
		return Execution{}, err
	}
	return o.describeARN(ctx, arn)
}

func (o *Operator) describeARN(ctx context.Context, arn string) (Execution, error) {
	d, err := o.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		var nf *types.ExecutionDoesNotExist
		if errors.As(err, &nf) {
			return Execution{}, failedf("execution %s does not exist", arn)
		}
		return Execution{}, fmt.Errorf("describe execution %s: %w", arn, err)
	}
	e := Execution{
		Name: aws.ToString(d.Name), ARN: aws.ToString(d.ExecutionArn),
		MachineARN: aws.ToString(d.StateMachineArn), Status: string(d.Status),
		StartDate: aws.ToTime(d.StartDate).UTC(),
		Input:     rawJSON(d.Input), Output: rawJSON(d.Output),
		Error: aws.ToString(d.Error), Cause: aws.ToString(d.Cause),
	}
	e.Machine = o.machineName(e.MachineARN)
	if d.StopDate != nil {
		t := d.StopDate.UTC()
		e.StopDate = &t
	}
	return e, nil
}

// rawJSON keeps a JSON document as is, or quotes text that is not JSON.
func rawJSON(s *string) json.RawMessage {
	if s == nil {
		return nil
	}
	if json.Valid([]byte(*s)) {
		return json.RawMessage(*s)
	}
	b, _ := json.Marshal(*s)
	return b
}

// Event is one history event, flattened: the details every event type
// carries under its own field are lifted to the top, and each event is
// attributed to the state it belongs to.
type Event struct {
	ID         int64           `json:"id"`
	PreviousID int64           `json:"previousEventId,omitempty"`
	Timestamp  time.Time       `json:"timestamp"`
	Type       string          `json:"type"`
	State      string          `json:"state,omitempty"`
	Resource   string          `json:"resource,omitempty"`
	Index      *int32          `json:"index,omitempty"`
	Error      string          `json:"error,omitempty"`
	Cause      string          `json:"cause,omitempty"`
	Input      json.RawMessage `json:"input,omitempty"`
	Output     json.RawMessage `json:"output,omitempty"`
	Parameters json.RawMessage `json:"parameters,omitempty"`
}

// History returns an execution's events, oldest first.
func (o *Operator) History(ctx context.Context, nameOrARN string) (Execution, []Event, error) {
	arn, err := o.Resolve(ctx, nameOrARN)
	if err != nil {
		return Execution{}, nil, err
	}
	e, err := o.describeARN(ctx, arn)
	if err != nil {
		return Execution{}, nil, err
	}
	events, err := o.history(ctx, arn)
	return e, events, err
}

func (o *Operator) history(ctx context.Context, arn string) ([]Event, error) {
	in := &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 1000, IncludeExecutionData: aws.Bool(true)}
	var events []Event
	states := map[int64]string{}
	for {
		page, err := o.SFN.GetExecutionHistory(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("execution history of %s: %w", arn, err)
		}
		for _, h := range page.Events {
			ev := flatten(h)
			// Execution-level events belong to no state; the others inherit
			// the state of the event they follow.
			if ev.State == "" && !strings.HasPrefix(ev.Type, "Execution") {
				ev.State = states[ev.PreviousID]
			}
			states[ev.ID] = ev.State
			events = append(events, ev)
		}
		if page.NextToken == nil {
			return events, nil
		}
		in.NextToken = page.NextToken
	}
}

// flatten lifts the fields of whichever *EventDetails the event carries;
// reflection keeps this working for every one of the SDK's ~40 detail types.
func flatten(h types.HistoryEvent) Event {
	ev := Event{ID: h.Id, PreviousID: h.PreviousEventId, Timestamp: aws.ToTime(h.Timestamp).UTC(), Type: string(h.Type)}
	v := reflect.ValueOf(h)
	for i := range v.NumField() {
		f := v.Field(i)
		if !strings.HasSuffix(v.Type().Field(i).Name, "EventDetails") || f.Kind() != reflect.Pointer || f.IsNil() {
			continue
		}
		d := f.Elem()
		str := func(name string) string {
			x := d.FieldByName(name)
			if x.IsValid() && x.Type() == reflect.TypeFor[*string]() && !x.IsNil() {
				return x.Elem().String()
			}
			return ""
		}
		if t := string(h.Type); strings.HasSuffix(t, "StateEntered") || strings.HasSuffix(t, "StateExited") {
			ev.State = str("Name")
		}
		ev.Resource = str("Resource")
		if rt := str("ResourceType"); rt != "" && ev.Resource != "" {
			ev.Resource = rt + ":" + ev.Resource
		}
		ev.Error, ev.Cause = str("Error"), str("Cause")
		ev.Input = rawJSONString(str("Input"))
		ev.Output = rawJSONString(str("Output"))
		ev.Parameters = rawJSONString(str("Parameters"))
		if x := d.FieldByName("Index"); x.IsValid() && x.Kind() == reflect.Pointer && !x.IsNil() {
			if n, ok := x.Interface().(*int32); ok {
				ev.Index = n
			}
		} else if x.IsValid() && x.Kind() == reflect.Int32 {
			n := int32(x.Int())
			ev.Index = &n
		}
	}
	return ev
}

func rawJSONString(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return rawJSON(&s)
}

// StartRequest starts an execution.
type StartRequest struct {
	Machine string // definition name or ARN
	Input   []byte // JSON; empty means {}
	Name    string // "" lets Step Functions pick a UUID
}

// Start starts an execution and returns it as described right after.
func (o *Operator) Start(ctx context.Context, req StartRequest) (Execution, error) {
	arn, err := o.MachineARN(req.Machine)
	if err != nil {
		return Execution{}, err
	}
	input := strings.TrimSpace(string(req.Input))
	if input == "" {
		input = "{}"
	}
	if !json.Valid([]byte(input)) {
		return Execution{}, usagef("input is not valid JSON: %.80s", input)
	}
	in := &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(input)}
	if req.Name != "" {
		in.Name = aws.String(req.Name)
	}
	out, err := o.SFN.StartExecution(ctx, in)
	if err != nil {
		var exists *types.ExecutionAlreadyExists
		var nf *types.StateMachineDoesNotExist
		var bad *types.InvalidName
		var badInput *types.InvalidExecutionInput
		switch {
		case errors.As(err, &exists):
			return Execution{}, failedf("an execution named %q already exists on %s with a different input", req.Name, o.machineName(arn))
		case errors.As(err, &nf):
			return Execution{}, failedf("state machine %s does not exist on the target", arn)
		case errors.As(err, &bad), errors.As(err, &badInput):
			return Execution{}, usagef("start %s: %w", o.machineName(arn), err)
		}
		return Execution{}, fmt.Errorf("start %s: %w", o.machineName(arn), err)
	}
	return o.describeARN(ctx, aws.ToString(out.ExecutionArn))
}

// Progress is what a waiting verb reports while an execution runs.
type Progress struct {
	Execution string        `json:"execution"`
	Elapsed   time.Duration `json:"elapsed"`
	State     string        `json:"state,omitempty"` // the state most recently entered
	Done      int           `json:"done,omitempty"`  // redrive: messages handled so far
	Total     int           `json:"total,omitempty"` // redrive: messages listed so far
}

// Wait polls an execution until it ends, calling progress (if not nil)
// after each look.
func (o *Operator) Wait(ctx context.Context, arn string, progress func(Progress)) (Execution, error) {
	return o.wait(ctx, arn, func(ctx context.Context, p *Progress) error {
		if progress == nil {
			return nil
		}
		state, err := o.currentState(ctx, arn)
		if err != nil {
			return err
		}
		p.State = state
		progress(*p)
		return nil
	})
}

func (o *Operator) wait(ctx context.Context, arn string, look func(context.Context, *Progress) error) (Execution, error) {
	began := time.Now()
	t := time.NewTicker(o.poll())
	defer t.Stop()
	for {
		e, err := o.describeARN(ctx, arn)
		if err != nil {
			return e, err
		}
		if !e.Running() {
			return e, nil
		}
		p := Progress{Execution: e.Name, Elapsed: time.Since(began).Round(time.Second)}
		if err := look(ctx, &p); err != nil {
			return e, err
		}
		select {
		case <-ctx.Done():
			return e, fmt.Errorf("stopped waiting for %s (it goes on running): %w", e.Name, ctx.Err())
		case <-t.C:
		}
	}
}

// currentState is the name of the state most recently entered.
func (o *Operator) currentState(ctx context.Context, arn string) (string, error) {
	out, err := o.SFN.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{
		ExecutionArn: aws.String(arn), ReverseOrder: true, MaxResults: 50, IncludeExecutionData: aws.Bool(false),
	})
	if err != nil {
		return "", fmt.Errorf("execution history of %s: %w", arn, err)
	}
	for _, h := range out.Events {
		if h.StateEnteredEventDetails != nil {
			return aws.ToString(h.StateEnteredEventDetails.Name), nil
		}
	}
	return "", nil
}

// CauseText makes a cause readable: Lambda errors carry
// {"errorMessage": ..., "errorType": ...} as their cause, of which the
// message is what a person wants to see.
func CauseText(cause string) string {
	var lambda struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if strings.HasPrefix(strings.TrimSpace(cause), "{") && json.Unmarshal([]byte(cause), &lambda) == nil && lambda.ErrorMessage != "" {
		return lambda.ErrorMessage
	}
	return cause
}

// MessageBody returns the shop message an inbound execution handles (its
// input's "body", itself JSON), or nil for other executions.
func MessageBody(input json.RawMessage) json.RawMessage {
	var in struct {
		Body string `json:"body"`
	}
	if json.Unmarshal(input, &in) != nil || in.Body == "" || !json.Valid([]byte(in.Body)) {
		return nil
	}
	return json.RawMessage(in.Body)
}
