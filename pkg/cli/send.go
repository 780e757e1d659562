package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/logiwaflow/logiwaflow/pkg/operator"
)

func init() {
	register(func(root *cobra.Command) { root.AddCommand(operatorCommand(sendCmd())) })
}

func sendCmd() *cobra.Command {
	var skipInvalid bool
	c := &cobra.Command{
		Use:   "send FLOW FILE|-",
		Short: "Publish shop messages to a flow's queue (inventory, orders, refunds)",
		Long: `Publish messages to the queue of FLOW (inventory, orders or refunds), as the
shop does. FILE (or - for standard input) holds one JSON message, a JSON array
of messages, or JSON lines. Every message is first checked against the flow's
schema (pkg/message); if any is invalid, each invalid one is reported by index
(0-based; and line, for JSON lines) with the offending field, and nothing is
sent, unless --skip-invalid sends the valid ones. For each message sent the
report names the execution the trigger will start, to follow it with
` + "`logiwaflow executions describe NAME`" + `.
` + targetHelp,
		Example: `  logiwaflow send orders order.json
  logiwaflow send inventory products.jsonl --json
  cat refunds.json | logiwaflow send refunds - --target aws`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := readFileArg(cmd.InOrStdin(), args[1])
			if err != nil {
				return usageErr("send: %w", err)
			}
			op, err := loadOperator(cmd)
			if err != nil {
				return err
			}
			rep, sendErr := op.Send(cmd.Context(), args[0], data, operator.SendOptions{SkipInvalid: skipInvalid})
			if operator.Classify(sendErr) == operator.KindUsage {
				return opErr(sendErr)
			}
			out := cmd.OutOrStdout()
			if jsonOutput(cmd) {
				if err := printJSON(out, rep); err != nil {
					return err
				}
				return opErr(sendErr)
			}
			if len(rep.Invalid) > 0 {
				t := newTable(out, "INVALID", "LINE", "FIELD", "REASON")
				for _, iv := range rep.Invalid {
					field := iv.Field
					if field == "" {
						field = "(message)"
					}
					t.row(strconv.Itoa(iv.Index), lineCol(iv.Line), field, iv.Reason)
				}
				if err := t.flush(); err != nil {
					return err
				}
			}
			if len(rep.Sent) > 0 {
				if len(rep.Invalid) > 0 {
					fmt.Fprintln(out)
				}
				t := newTable(out, "SENT", "KEY", "MESSAGE ID", "EXECUTION")
				for _, s := range rep.Sent {
					t.row(strconv.Itoa(s.Index), s.Key, s.MessageID, s.Execution)
				}
				if err := t.flush(); err != nil {
					return err
				}
			}
			fmt.Fprintf(out, "%d sent to the %s queue, %d invalid\n", len(rep.Sent), rep.Flow, len(rep.Invalid))
			return opErr(sendErr)
		},
	}
	c.Flags().BoolVar(&skipInvalid, "skip-invalid", false, "send the valid messages even when some are invalid (the exit status is still 1)")
	return c
}

func lineCol(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

// readFileArg reads a file argument, or standard input for "-".
func readFileArg(stdin io.Reader, path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(path)
}
