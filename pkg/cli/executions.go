package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/logiwaflow/logiwaflow/pkg/operator"
)

func init() {
	register(func(root *cobra.Command) {
		c := &cobra.Command{
			Use:   "executions",
			Short: "Find executions and trace what they did (list, describe, history)",
			Long: `Find executions across the target's state machines and trace them.
An execution is named by its ARN or its name; a name is looked up on every
state machine, and a part of a name (an order number, a SKU) is enough when
it matches a single execution.
` + targetHelp,
		}
		c.AddCommand(executionsListCmd(), executionsDescribeCmd(), executionsHistoryCmd())
		root.AddCommand(operatorCommand(c))
	})
}

func executionsListCmd() *cobra.Command {
	var (
		f     operator.ListFilter
		since string
	)
	c := &cobra.Command{
		Use:   "list [--machine M] [--status S] [--name-contains X] [--since T]",
		Short: "List executions, newest first",
		Long: `List executions newest first, across every state machine of the target or
one (--machine orders, inventory-sync, ...), by status (RUNNING, SUCCEEDED,
FAILED, TIMED_OUT, ABORTED), by a part of the name (the order number, SKU or
RMA is in every message execution's name) and by start time (--since takes
RFC 3339, a date, or a duration back from now such as 2h or 3d).
` + targetHelp,
		Example: `  logiwaflow executions list --status FAILED --since 24h
  logiwaflow executions list --machine orders --name-contains SO-2001
  logiwaflow executions list --target aws --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			op, err := loadOperator(cmd)
			if err != nil {
				return err
			}
			if f.Since, err = operator.ParseSince(since, time.Now()); err != nil {
				return opErr(err)
			}
			list, err := op.ListExecutions(cmd.Context(), f)
			if err != nil {
				return opErr(err)
			}
			out := cmd.OutOrStdout()
			if jsonOutput(cmd) {
				if list == nil {
					list = []operator.Execution{}
				}
				return printJSON(out, list)
			}
			if len(list) == 0 {
				fmt.Fprintln(out, "no executions match")
				return nil
			}
			t := newTable(out, "NAME", "MACHINE", "STATUS", "STARTED", "DURATION")
			for _, e := range list {
				t.row(e.Name, e.Machine, e.Status, fmtTime(e.StartDate), duration(e))
			}
			if len(list) == f.Limit {
				fmt.Fprintf(cmd.ErrOrStderr(), "showing the newest %d; there may be more (--limit, --since)\n", f.Limit)
			}
			return t.flush()
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.Machine, "machine", "", "only this state machine (definition name or ARN)")
	fl.StringVar(&f.Status, "status", "", "only executions with this status")
	fl.StringVar(&f.NameContains, "name-contains", "", "only executions whose name contains this (case-insensitive)")
	fl.StringVar(&since, "since", "", "only executions started at or after this time (RFC 3339, date, or 2h/3d ago)")
	fl.IntVar(&f.Limit, "limit", 100, "at most this many executions")
	return c
}

// duration is how long an execution ran, or has been running.
func duration(e operator.Execution) string {
	if e.StopDate == nil {
		return "running"
	}
	return e.StopDate.Sub(e.StartDate).Round(time.Millisecond).String()
}

func executionsDescribeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "describe NAME|ARN",
		Short: "Show an execution's status, input, output and error",
		Long: `Show an execution: its state machine, status, times, input, output, and
the error and cause when it failed (a parked message fails as
Parked.<reason>; see ` + "`logiwaflow parked show NAME`" + `).
` + targetHelp,
		Example: `  logiwaflow executions describe orders-SO-2001-3f2a9c1b7e
  logiwaflow executions describe SO-2001
  logiwaflow executions describe arn:aws:states:eu-west-1:123456789012:execution:logiwaflow-orders:orders-SO-2001-3f2a9c1b7e --target aws`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			op, err := loadOperator(cmd)
			if err != nil {
				return err
			}
			e, err := op.Describe(cmd.Context(), args[0])
			if err != nil {
				return opErr(err)
			}
			out := cmd.OutOrStdout()
			if jsonOutput(cmd) {
				return printJSON(out, e)
			}
			return writeExecution(out, e)
		},
	}
}

// writeExecution prints an execution as labelled lines and indented JSON.
func writeExecution(w io.Writer, e operator.Execution) error {
	t := newTable(w, "Name:", e.Name)
	t.row("ARN:", e.ARN)
	t.row("Machine:", e.Machine)
	t.row("Status:", e.Status)
	t.row("Started:", fmtTime(e.StartDate))
	if e.StopDate != nil {
		t.row("Stopped:", fmtTime(*e.StopDate)+" ("+duration(e)+")")
	}
	if e.Error != "" {
		t.row("Error:", e.Error)
	}
	if e.Cause != "" {
		t.row("Cause:", operator.CauseText(e.Cause))
	}
	if err := t.flush(); err != nil {
		return err
	}
	// An inbound execution's input is the message as an escaped string plus
	// delivery details: show the message itself (--json has the rest).
	input, label := e.Input, "Input"
	if msg := operator.MessageBody(e.Input); msg != nil {
		input, label = msg, "Message"
	}
	for _, part := range []struct {
		label string
		doc   json.RawMessage
	}{{label, input}, {"Output", e.Output}} {
		if len(part.doc) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s:\n%s\n", part.label, indentJSON(part.doc, "  "))
	}
	return nil
}

// indentJSON pretty-prints a JSON document with every line prefixed.
func indentJSON(doc json.RawMessage, prefix string) string {
	var b bytes.Buffer
	if err := json.Indent(&b, doc, prefix, "  "); err != nil {
		return prefix + string(doc)
	}
	return prefix + b.String()
}

func executionsHistoryCmd() *cobra.Command {
	var data bool
	c := &cobra.Command{
		Use:   "history NAME|ARN",
		Short: "Show an execution's events: each state, task, retry and error",
		Long: `Show an execution's event history, oldest first: the time since the start,
the event type, the state it belongs to, and the task resource or the error.
--data adds each event's input and output; --json prints every field.
` + targetHelp,
		Example: `  logiwaflow executions history orders-SO-2001-3f2a9c1b7e
  logiwaflow executions history SO-2001 --data
  logiwaflow executions history SO-2001 --json | jq '.events[] | select(.error)'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			op, err := loadOperator(cmd)
			if err != nil {
				return err
			}
			e, events, err := op.History(cmd.Context(), args[0])
			if err != nil {
				return opErr(err)
			}
			out := cmd.OutOrStdout()
			if jsonOutput(cmd) {
				if events == nil {
					events = []operator.Event{}
				}
				return printJSON(out, map[string]any{"execution": e, "events": events})
			}
			fmt.Fprintf(out, "%s  %s  %s\n", e.Name, e.Machine, e.Status)
			t := newTable(out, "ID", "AT", "TYPE", "STATE", "DETAIL")
			for _, ev := range events {
				t.row(strconv.FormatInt(ev.ID, 10), "+"+ev.Timestamp.Sub(e.StartDate).Round(time.Millisecond).String(),
					ev.Type, ev.State, eventDetail(ev))
				if data {
					for _, d := range []json.RawMessage{ev.Input, ev.Output} {
						if len(d) > 0 {
							t.row("", "", "", "", clip(string(d), 200))
						}
					}
				}
			}
			return t.flush()
		},
	}
	c.Flags().BoolVar(&data, "data", false, "also show each event's input and output (clipped)")
	return c
}

// eventDetail is the one thing worth knowing about an event.
func eventDetail(ev operator.Event) string {
	switch {
	case ev.Error != "" || ev.Cause != "":
		return clip(ev.Error+": "+operator.CauseText(ev.Cause), 120)
	case ev.Resource != "":
		return ev.Resource
	case ev.Index != nil:
		return "item " + strconv.Itoa(int(*ev.Index))
	}
	return ""
}
