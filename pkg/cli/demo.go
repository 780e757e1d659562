package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/logiwaflow/logiwaflow/pkg/demo"
	"github.com/logiwaflow/logiwaflow/pkg/memlimit"
)

func init() {
	register(func(root *cobra.Command) { root.AddCommand(newDemoCmd()) })
}

func newDemoCmd() *cobra.Command {
	var (
		asJSON   bool
		seed     uint64
		factor   float64
		scale    float64
		rate     float64
		verbose  bool
		stateDir string
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the sale-day scenario in accelerated time and report what happened",
		Long: `Runs the whole system in this process (the local runtime with the Logiwa
simulator, its state on disk in a temporary directory unless --state-dir
names one to keep) through a sale day in accelerated time: about
2,000 orders, 500 inventory updates with repeats and late versions, 100
refunds, duplicate deliveries and bad messages, a 10-minute Logiwa outage and
a slow spell, then the redrive and a final sync. Progress goes to stderr;
the report (a table, or one JSON object with --json) to stdout.

Every figure is counted from what happened: executions and their
histories, parked objects in S3, records in DynamoDB, the simulator's state
and counters. The exit status is 1 when a must-show number is off (each is
named): reconciliation differences, lost messages, orders or returns created
twice, stale overwrites, outage-parked messages not delivered after the
redrive, more than 6 transitions for a happy-path message, or more Logiwa
requests in a second than the limit.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			memlimit.Apply(demo.DefaultMemoryLimit)
			opts := demo.Options{
				Seed: seed, Factor: factor, Scale: scale, RateLimit: rate,
				Progress: cmd.ErrOrStderr(), Dir: stateDir,
			}
			if verbose {
				opts.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))
			}
			if scale > 0 && scale < 0.01 {
				return errors.New("--scale must be at least 0.01")
			}
			began := time.Now()
			rep, err := demo.Run(cmd.Context(), opts)
			if err != nil {
				return err
			}
			if asJSON {
				err = rep.WriteJSON(cmd.OutOrStdout())
			} else {
				err = rep.WriteText(cmd.OutOrStdout())
			}
			if err != nil {
				return fmt.Errorf("write the report: %w", err)
			}
			if len(rep.Violations) > 0 {
				for _, v := range rep.Violations {
					fmt.Fprintln(cmd.ErrOrStderr(), "must-show violated:", v)
				}
				return &ExitError{Code: 1}
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "demo finished in %s; every must-show number holds\n", time.Since(began).Round(time.Second))
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print the report as one JSON object")
	f.Uint64Var(&seed, "seed", 1, "seed of the traffic and of the simulator")
	f.Float64Var(&factor, "factor", demo.DefaultFactor, "virtual seconds per wall second during the sale")
	f.Float64Var(&scale, "scale", 1, "multiply the message counts (0.1: a quick run; 10: the memory check)")
	f.Float64Var(&rate, "rate", 2, "Logiwa requests per second allowed (2 Basic, 6 Premium)")
	f.BoolVar(&verbose, "verbose", false, "log the runtime to stderr")
	f.StringVar(&stateDir, "state-dir", "", "keep the run's state (S3, SQS, DynamoDB, warehouse) in this directory (default: a temporary one, removed)")
	return cmd
}
