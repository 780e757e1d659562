package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/logiwaflow/logiwaflow/pkg/operator"
	"github.com/logiwaflow/logiwaflow/pkg/parking"
)

func init() {
	register(func(root *cobra.Command) {
		c := &cobra.Command{
			Use:   "parked",
			Short: "Look at the messages the workflows parked (list, show)",
			Long: `Look at parked messages: the ones a workflow could not apply, kept in the
parked bucket under parked/<reason>/<flow>/<date>/<execution>.json with the
original message, the error and the history of earlier parks. Reasons:
outage, threshold_exceeded, order_not_found, rejected, invalid, unauthorized.
Send them back with ` + "`logiwaflow redrive`" + `.
` + targetHelp,
		}
		c.AddCommand(parkedListCmd(), parkedShowCmd())
		root.AddCommand(operatorCommand(c))
	})
}

func parkedListCmd() *cobra.Command {
	var f operator.ParkedFilter
	c := &cobra.Command{
		Use:   "list [--reason R] [--flow F]",
		Short: "List parked messages by reason and flow",
		Long: `List parked messages, by reason and flow, with the error each parked with,
its replay count, and whether it is exhausted (past its replay budget, so a
redrive leaves it parked).
` + targetHelp,
		Example: `  logiwaflow parked list
  logiwaflow parked list --reason outage --flow orders
  logiwaflow parked list --reason invalid --json --target aws`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			op, err := loadOperator(cmd)
			if err != nil {
				return err
			}
			items, err := op.ListParked(cmd.Context(), f)
			if err != nil {
				return opErr(err)
			}
			out := cmd.OutOrStdout()
			if jsonOutput(cmd) {
				if items == nil {
					items = []operator.ParkedItem{}
				}
				return printJSON(out, items)
			}
			if len(items) == 0 {
				fmt.Fprintln(out, "no parked messages match")
				return nil
			}
			t := newTable(out, "REASON", "FLOW", "PARKED", "EXECUTION", "REPLAY", "ERROR")
			for _, it := range items {
				replay := strconv.Itoa(it.Replay)
				if it.Exhausted {
					replay += " exhausted"
				}
				t.row(it.Reason, it.Flow, fmtTime(it.ParkedAt), it.Execution, replay, clip(it.Error+": "+operator.CauseText(it.Cause), 80))
			}
			if err := t.flush(); err != nil {
				return err
			}
			fmt.Fprintf(out, "%d parked message(s)\n", len(items))
			return nil
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.Reason, "reason", "", "only this reason (outage, threshold_exceeded, order_not_found, rejected, invalid, unauthorized)")
	fl.StringVar(&f.Flow, "flow", "", "only this flow (inventory, orders, refunds)")
	fl.IntVar(&f.Limit, "limit", 100, "at most this many messages")
	return c
}

func parkedShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show KEY|EXECUTION-NAME",
		Short: "Show one parked message: its error, body and history",
		Long: `Show one parked message, by its object key or by the name of the execution
that parked it: reason, error and cause, replay count, the original message,
and each earlier time it parked. A message already redriven is found under
redriven/ with when it went back.
` + targetHelp,
		Example: `  logiwaflow parked show orders-SO-2001-3f2a9c1b7e
  logiwaflow parked show parked/outage/orders/2026/11/24/orders-SO-2001-3f2a9c1b7e.json --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			op, err := loadOperator(cmd)
			if err != nil {
				return err
			}
			p, err := op.ShowParked(cmd.Context(), args[0])
			if err != nil {
				return opErr(err)
			}
			out := cmd.OutOrStdout()
			if jsonOutput(cmd) {
				return printJSON(out, p)
			}
			return writeParked(cmd, p)
		},
	}
}

func writeParked(cmd *cobra.Command, p parking.Parked) error {
	out := cmd.OutOrStdout()
	t := newTable(out, "Key:", p.Key)
	t.row("Reason:", p.Reason)
	t.row("Flow:", p.Flow)
	t.row("Execution:", p.Execution)
	t.row("Parked at:", p.ParkedAt)
	t.row("Error:", p.Error)
	t.row("Cause:", operator.CauseText(p.Cause))
	replay := strconv.Itoa(p.Replay)
	if p.Exhausted {
		replay += " (exhausted: redrive leaves it parked)"
	}
	t.row("Replay:", replay)
	if p.Redriven != nil {
		t.row("Redriven:", fmt.Sprintf("%s as replay %d", p.Redriven.At, p.Redriven.Replay))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "Message:\n%s\n", indentJSON([]byte(p.Body), "  "))
	if len(p.History) > 0 {
		fmt.Fprintln(out, "Earlier parks:")
		h := newTable(out, "  PARKED", "REASON", "REPLAY", "EXECUTION", "ERROR")
		for _, e := range p.History {
			h.row("  "+e.ParkedAt, e.Reason, strconv.Itoa(e.Replay), e.Execution, clip(e.Error+": "+operator.CauseText(e.Cause), 80))
		}
		return h.flush()
	}
	return nil
}
