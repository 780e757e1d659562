// Package inbound holds the task handlers of the three message flows that
// touch our own records: Validate (schema and stale guard, before Logiwa is
// called) and Record (after Logiwa answered). Calling Logiwa is the gate's
// job (package gate); branching and retries are the state machine's.
package inbound

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/records"
)

// Operations the gate performs for the inbound flows.
const (
	OpUpsertProduct       = "upsertProduct"
	OpCreateShipmentOrder = "createShipmentOrder"
	OpCreateReturnOrder   = "createReturnOrder"
	OpCancelShipmentOrder = "cancelShipmentOrder"
)

// ValidateInput is what the state machine passes: the execution input (the
// raw message as it came off the queue) plus the flow.
type ValidateInput struct {
	Flow   string `json:"flow"`
	Body   string `json:"body"`
	Replay int    `json:"replay,omitempty"`
	// BodyRef and BodySize are set instead of Body when the message was too
	// large for an execution input and the trigger kept it in S3.
	BodyRef  string `json:"bodyRef,omitempty"`
	BodySize int    `json:"bodySize,omitempty"`
}

// ValidateOutput drives the rest of the workflow.
type ValidateOutput struct {
	Flow      string          `json:"flow"`
	Key       string          `json:"key"`
	Version   int64           `json:"version"`
	Stale     bool            `json:"stale"`
	Applied   int64           `json:"appliedVersion,omitempty"`
	Operation string          `json:"operation"`
	Message   json.RawMessage `json:"message"`
}

// Handlers holds what the handlers need.
type Handlers struct {
	Store *records.Store
}

// entityKind maps a flow to its record key prefix.
func entityKind(f message.Flow) string {
	switch f {
	case message.FlowInventory:
		return "product"
	case message.FlowOrders:
		return "order"
	default:
		return "refund"
	}
}

// Validate checks the message against its schema and against the version we
// already applied. A bad message fails with *message.InvalidError
// (Message.Invalid); an old one is reported stale, not failed.
func (h *Handlers) Validate(ctx context.Context, in ValidateInput) (ValidateOutput, error) {
	f, err := message.ParseFlow(in.Flow)
	if err != nil {
		return ValidateOutput{}, &message.InvalidError{Field: "flow", Reason: err.Error()}
	}
	if in.BodyRef != "" {
		return ValidateOutput{}, &message.InvalidError{Reason: fmt.Sprintf(
			"the message is %d bytes: with its envelope it is over the %d-byte (256 KiB) limit of a Step Functions execution input; the original is kept at %s",
			in.BodySize, message.MaxBytes, in.BodyRef)}
	}
	if in.Body == "" {
		return ValidateOutput{}, &message.InvalidError{Reason: "the execution input has no message body (want {\"body\": \"<message JSON>\"})"}
	}
	m, err := message.Parse(f, []byte(in.Body))
	if err != nil {
		return ValidateOutput{}, err
	}
	out := ValidateOutput{
		Flow:      string(f),
		Key:       m.Key(),
		Version:   m.Head().Version,
		Operation: operation(m),
		Message:   json.RawMessage(in.Body),
	}
	rec, ok, err := h.Store.Get(ctx, records.Key(entityKind(f), m.Key()))
	if err != nil {
		return ValidateOutput{}, fmt.Errorf("stale guard for %s %s: %w", f, m.Key(), err)
	}
	if ok {
		out.Applied = rec.Version
		out.Stale = rec.Version >= out.Version
	}
	return out, nil
}

func operation(m message.Message) string {
	switch v := m.(type) {
	case *message.Inventory:
		return OpUpsertProduct
	case *message.Order:
		return OpCreateShipmentOrder
	case *message.Refund:
		if v.Kind == message.RefundCancel {
			return OpCancelShipmentOrder
		}
		return OpCreateReturnOrder
	}
	return ""
}

// RecordInput is what UpdateDB receives.
type RecordInput struct {
	Flow      string          `json:"flow"`
	Execution string          `json:"execution"`
	Key       string          `json:"key"`
	Version   int64           `json:"version"`
	Result    json.RawMessage `json:"result"`
}

// RecordOutput says what happened.
type RecordOutput struct {
	Key      string `json:"key"`
	Version  int64  `json:"version"`
	Outcome  string `json:"outcome"` // "applied" or "stale"
	LogiwaID string `json:"logiwaId,omitempty"`
}

// gateResult is the part of the gate's answer a record keeps.
type gateResult struct {
	ID      string `json:"id"`
	Outcome string `json:"outcome"`
}

// Record writes what Logiwa now holds, conditional on the version: a record
// never goes back to an older version. Losing that race is not a failure
// (a newer message already applied); it is reported as "stale".
func (h *Handlers) Record(ctx context.Context, in RecordInput) (RecordOutput, error) {
	f, err := message.ParseFlow(in.Flow)
	if err != nil {
		return RecordOutput{}, err
	}
	var res gateResult
	if len(in.Result) > 0 {
		if err := json.Unmarshal(in.Result, &res); err != nil {
			return RecordOutput{}, fmt.Errorf("decode Logiwa result for %s %s: %w", f, in.Key, err)
		}
	}
	a := records.Applied{
		PK:        records.Key(entityKind(f), in.Key),
		Version:   in.Version,
		Flow:      string(f),
		LogiwaID:  res.ID,
		Outcome:   res.Outcome,
		Execution: in.Execution,
	}
	out := RecordOutput{Key: in.Key, Version: in.Version, Outcome: "applied", LogiwaID: res.ID}
	if err := h.Store.Apply(ctx, a); err != nil {
		if errors.Is(err, records.ErrStale) {
			out.Outcome = "stale"
			return out, nil
		}
		return RecordOutput{}, err
	}
	return out, nil
}
