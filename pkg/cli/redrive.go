package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/logiwaflow/logiwaflow/pkg/operator"
)

func init() {
	register(func(root *cobra.Command) { root.AddCommand(operatorCommand(redriveCmd())) })
}

func redriveCmd() *cobra.Command {
	var req operator.RedriveRequest
	c := &cobra.Command{
		Use:   "redrive [--reason R] [--flow F] [--dry-run]",
		Short: "Send parked messages back to their queues through the redrive workflow",
		Long: `Start the redrive state machine with {"reason", "flow", "dryRun"}: every
parked message of that reason and flow (all of them when not given) goes back
to its queue with its replay count raised, and moves to redriven/. A message
past its replay budget stays parked, marked exhausted. --dry-run counts what
would go without sending anything. Progress (messages handled of those
listed) goes to standard error; the tally (redriven, exhausted, failed,
dry run) to standard output. Exit status 1 if the run fails or any message
could not be republished.
` + targetHelp,
		Example: `  logiwaflow redrive --reason outage --dry-run
  logiwaflow redrive --reason outage --flow orders
  logiwaflow redrive --reason rejected --target aws --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			op, err := loadOperator(cmd)
			if err != nil {
				return err
			}
			e, err := op.StartRedrive(cmd.Context(), req)
			if err != nil {
				return opErr(err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "started %s\n", e.Name)
			res, runErr := op.WaitRedrive(cmd.Context(), e.ARN, progressPrinter(cmd, func(p operator.Progress) string {
				return fmt.Sprintf("%s: %d of %d message(s) listed so far handled, %s (in %s)", p.Execution, p.Done, p.Total, p.Elapsed.Truncate(10*time.Second), orDash(p.State))
			}))
			if res.Execution.Running() {
				return opErr(runErr) // stopped waiting: there is no tally yet
			}
			out := cmd.OutOrStdout()
			if jsonOutput(cmd) {
				if err := printJSON(out, res); err != nil {
					return err
				}
				return opErr(runErr)
			}
			tl := res.Tally
			t := newTable(out, "EXECUTION", "STATUS", "REDRIVEN", "EXHAUSTED", "FAILED", "DRY RUN")
			t.row(res.Execution.Name, res.Execution.Status, fmt.Sprint(tl.Redriven), fmt.Sprint(tl.Exhausted), fmt.Sprint(tl.Failed), fmt.Sprint(tl.DryRun))
			if err := t.flush(); err != nil {
				return err
			}
			return opErr(runErr)
		},
	}
	f := c.Flags()
	f.StringVar(&req.Reason, "reason", "", "only this reason (outage, threshold_exceeded, order_not_found, rejected, invalid, unauthorized)")
	f.StringVar(&req.Flow, "flow", "", "only this flow (inventory, orders, refunds)")
	f.BoolVar(&req.DryRun, "dry-run", false, "count what would be redriven; send nothing")
	f.StringVar(&req.Name, "name", "", "execution name (default redrive-<time>-<random>)")
	return c
}
