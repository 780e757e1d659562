package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/logiwaflow/logiwaflow/pkg/operator"
)

func init() {
	register(func(root *cobra.Command) { root.AddCommand(operatorCommand(resyncCmd())) })
}

func resyncCmd() *cobra.Command {
	var (
		since, name string
		skus        []string
		wait        bool
	)
	c := &cobra.Command{
		Use:   "resync inventory|orders [--since T] [--sku S...] [--wait]",
		Short: "Run the inventory or orders sync now, from a time or for some SKUs",
		Long: `Start the inventory-sync or orders-sync state machine by hand with
{"since": T, "skus": [...]}: --since (RFC 3339, a date, or a duration back
from now such as 6h) re-reads Logiwa from that time instead of the job's
cursor; --sku (repeatable, inventory only) syncs just those SKUs and never
moves the cursor. A run that finds another one holding the job's lease ends
without doing anything: with --wait that is reported and the exit status is 1.
` + targetHelp,
		Example: `  logiwaflow resync inventory --sku MUG-BLUE --sku MUG-RED --wait
  logiwaflow resync orders --since 2026-11-24T00:00:00Z
  logiwaflow resync inventory --since 6h --target aws --json`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"inventory", "orders"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := operator.ResyncMachine(args[0]); err != nil {
				return opErr(err)
			}
			at, err := operator.ParseSince(since, time.Now())
			if err != nil {
				return opErr(err)
			}
			op, err := loadOperator(cmd)
			if err != nil {
				return err
			}
			e, err := op.Resync(cmd.Context(), operator.ResyncRequest{Job: args[0], Since: at, SKUs: skus, Name: name})
			if err != nil {
				return opErr(err)
			}
			final, err := finishRun(cmd, op, e, wait)
			if err != nil {
				return err
			}
			if wait {
				if operator.SyncOutcome(final) {
					return &ExitError{Code: 1, Err: fmt.Errorf("%s did nothing: another %s sync holds the lease; try again when it ends", final.Name, args[0])}
				}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&since, "since", "", "sync from this time (RFC 3339, date, or 6h/3d ago) instead of the cursor")
	f.StringArrayVar(&skus, "sku", nil, "sync only this SKU (repeatable; inventory only)")
	f.StringVar(&name, "name", "", "execution name (default resync-<job>-<time>-<random>)")
	f.BoolVar(&wait, "wait", false, "wait until the sync ends; exit 1 unless it SUCCEEDED and did its work")
	return c
}
