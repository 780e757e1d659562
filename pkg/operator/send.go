package operator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/logiwaflow/logiwaflow/pkg/message"
)

// Item is one message read from a send file.
type Item struct {
	Index int    // 0-based position in the file
	Line  int    // 1-based line for JSON lines input; 0 otherwise
	Body  []byte // the message as written
}

// SplitMessages reads a file holding one JSON message, a JSON array of
// messages, or JSON lines (one message per line, blank lines skipped). A line
// that is not JSON is still an item, so validation reports it by index.
func SplitMessages(data []byte) ([]Item, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, usagef("no messages: the input is empty")
	}
	if trimmed[0] == '[' {
		var arr []json.RawMessage
		if err := json.Unmarshal(trimmed, &arr); err != nil {
			return nil, usagef("the input starts with [ but is not a JSON array: %w", err)
		}
		items := make([]Item, len(arr))
		for i, raw := range arr {
			items[i] = Item{Index: i, Body: raw}
		}
		if len(items) == 0 {
			return nil, usagef("no messages: the array is empty")
		}
		return items, nil
	}
	if json.Valid(trimmed) {
		return []Item{{Index: 0, Body: trimmed}}, nil
	}
	var items []Item
	for n, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		items = append(items, Item{Index: len(items), Line: n + 1, Body: line})
	}
	return items, nil
}

// Sent is a message that went to the queue.
type Sent struct {
	Index     int    `json:"index"`
	Line      int    `json:"line,omitempty"`
	Key       string `json:"key"`
	MessageID string `json:"messageId"`
	// Execution is the name the trigger will give the message's execution,
	// so an operator can follow it with `executions describe`.
	Execution string `json:"execution"`
}

// Invalid is a message that failed validation and was not sent.
type Invalid struct {
	Index  int    `json:"index"`
	Line   int    `json:"line,omitempty"`
	Field  string `json:"field"` // JSON pointer; "" for the whole message
	Reason string `json:"reason"`
}

// SendReport says what happened to each message.
type SendReport struct {
	Flow    string    `json:"flow"`
	Sent    []Sent    `json:"sent"`
	Invalid []Invalid `json:"invalid"`
}

// SendOptions tunes Send.
type SendOptions struct {
	// SkipInvalid sends the valid messages even when some are invalid; by
	// default one invalid message stops the whole file, so a fixed file can be
	// sent again without duplicates to reason about.
	SkipInvalid bool
}

// Send validates every message of data against the flow's schema and, when
// all are valid (or SkipInvalid), publishes them to the flow's queue in
// order. Invalid messages make it return a KindFailed error after the report
// is filled in.
func (o *Operator) Send(ctx context.Context, flowName string, data []byte, opt SendOptions) (SendReport, error) {
	flow, err := message.ParseFlow(flowName)
	if err != nil {
		return SendReport{}, usagef("%w", err)
	}
	rep := SendReport{Flow: string(flow), Sent: []Sent{}, Invalid: []Invalid{}}
	items, err := SplitMessages(data)
	if err != nil {
		return rep, err
	}
	url, ok := o.Target.Queues[string(flow)]
	if !ok {
		return rep, usagef("the target has no %s queue", flow)
	}
	type valid struct {
		item Item
		msg  message.Message
	}
	var ok2 []valid
	for _, it := range items {
		m, err := message.Parse(flow, it.Body)
		var ie *message.InvalidError
		switch {
		case errors.As(err, &ie):
			rep.Invalid = append(rep.Invalid, Invalid{Index: it.Index, Line: it.Line, Field: ie.Field, Reason: ie.Reason})
		case err != nil:
			return rep, fmt.Errorf("validate message %d: %w", it.Index, err)
		default:
			ok2 = append(ok2, valid{it, m})
		}
	}
	if len(rep.Invalid) > 0 && !opt.SkipInvalid {
		return rep, failedf("%d of %d messages are invalid; nothing was sent", len(rep.Invalid), len(items))
	}
	pub := message.Publisher{SQS: o.SQS, Queues: map[message.Flow]string{flow: url}}
	for _, v := range ok2 {
		id, err := pub.PublishRaw(ctx, flow, v.item.Body)
		if err != nil {
			return rep, fmt.Errorf("message %d (%s): %w", v.item.Index, v.msg.Key(), err)
		}
		rep.Sent = append(rep.Sent, Sent{
			Index: v.item.Index, Line: v.item.Line, Key: v.msg.Key(), MessageID: id,
			Execution: message.ExecutionName(flow, v.msg.Key(), v.item.Body, v.msg.Head().Replay),
		})
	}
	if len(rep.Invalid) > 0 {
		return rep, failedf("%d of %d messages are invalid and were not sent", len(rep.Invalid), len(items))
	}
	return rep, nil
}
