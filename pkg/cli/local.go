package cli

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"

	"github.com/logiwaflow/logiwaflow/pkg/gate"
	"github.com/logiwaflow/logiwaflow/pkg/localrun"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/memlimit"
	"github.com/logiwaflow/logiwaflow/pkg/target"
)

func init() {
	register(func(root *cobra.Command) { root.AddCommand(localCmd()) })
}

// LocalMounts are extra pieces mounted into `logiwaflow local` once the
// runtime is up (the console, the traffic generator). Each gets the running
// runtime and the command's output; it returns what to stop at shutdown
// (nil if nothing). Files of this package append to it in init.
var LocalMounts []func(cmd *cobra.Command, r *localrun.Runtime) (stop func(), err error)

func localCmd() *cobra.Command {
	var (
		dir         string
		addr        string
		simAddr     string
		rate        float64
		seed        uint64
		concurrency int
		maxRunning  int
		noSchedules bool
		verbose     bool
	)
	c := &cobra.Command{
		Use:   "local [--dir .logiwaflow/local] [--addr 127.0.0.1:8080] [--rate 2] [--seed N] [--no-schedules]",
		Short: "Run the whole system on this machine until interrupted",
		Long: `Run logiwaflow with no AWS account: the same state machines on the local ASL
engine behind a Step Functions endpoint, local S3, SQS and DynamoDB, the task
handlers in-process (SQS triggers and the gate as event source mappings), the
sync and redrive schedules, and the Logiwa simulator (or the Logiwa at
LOGIWA_BASE_URL, with LOGIWA_EMAIL and LOGIWA_PASSWORD, and LOGIWA_CLIENT_ID,
LOGIWA_WAREHOUSE_ID, LOGIWA_ORDER_TYPE naming the account's client, warehouse
and order type).

State (queues, tables, parked messages, running executions) lives in --dir and
survives a restart. The address book is written to the local target file, so
the operator verbs (send, executions, parked, redrive) reach this runtime.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			memlimit.Apply(localMemoryLimit)
			out := cmd.OutOrStdout()
			if dir == "" {
				dir = filepath.Join(target.Dir(), "local")
			}
			level := slog.LevelInfo
			if verbose {
				level = slog.LevelDebug
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			cfg := localrun.Config{
				Dir: dir, Addr: addr, SimulatorAddr: simAddr, RateLimit: rate, GateConcurrency: concurrency,
				Simulator: logiwasim.Options{Seed: seed, Rate: rate},
				Schedules: !noSchedules, MaxRunning: maxRunning, Logger: log,
				LogiwaBaseURL:  os.Getenv("LOGIWA_BASE_URL"),
				LogiwaEmail:    os.Getenv("LOGIWA_EMAIL"),
				LogiwaPassword: os.Getenv("LOGIWA_PASSWORD"),
				Account: gate.Account{
					ClientIdentifier:    os.Getenv("LOGIWA_CLIENT_ID"),
					WarehouseIdentifier: os.Getenv("LOGIWA_WAREHOUSE_ID"),
					OrderType:           os.Getenv("LOGIWA_ORDER_TYPE"),
				},
			}
			if cfg.LogiwaBaseURL != "" {
				if cfg.LogiwaEmail == "" || cfg.LogiwaPassword == "" {
					return usageErr("local: LOGIWA_BASE_URL is set but LOGIWA_EMAIL or LOGIWA_PASSWORD is not")
				}
				if cfg.Account.ClientIdentifier == "" || cfg.Account.WarehouseIdentifier == "" || cfg.Account.OrderType == "" {
					return usageErr("local: with LOGIWA_BASE_URL, set LOGIWA_CLIENT_ID, LOGIWA_WAREHOUSE_ID and LOGIWA_ORDER_TYPE")
				}
			}
			r, err := localrun.Start(cmd.Context(), cfg)
			if err != nil {
				return fmt.Errorf("local: %w", err)
			}
			var stops []func()
			shutdown := func() error {
				for i := len(stops) - 1; i >= 0; i-- {
					stops[i]()
				}
				return r.Close()
			}
			path := target.Path(target.Local)
			if err := r.Target().Save(path); err != nil {
				_ = shutdown()
				return fmt.Errorf("local: %w", err)
			}
			// The console and the traffic generator mount here.
			for _, mount := range LocalMounts {
				stop, err := mount(cmd, r)
				if err != nil {
					_ = shutdown()
					return fmt.Errorf("local: %w", err)
				}
				if stop != nil {
					stops = append(stops, stop)
				}
			}
			printLocal(out, r.Target(), path, dir, r.Simulator() != nil)
			<-cmd.Context().Done()
			fmt.Fprintln(out, "stopping...")
			if err := shutdown(); err != nil {
				return fmt.Errorf("local: %w", err)
			}
			fmt.Fprintln(out, "stopped; state kept in", dir)
			return nil
		},
	}
	fl := c.Flags()
	fl.StringVar(&dir, "dir", "", "state directory (queues, tables, parked messages, running executions; default $LOGIWAFLOW_HOME/local, or .logiwaflow/local)")
	fl.StringVar(&addr, "addr", "127.0.0.1:8080", "address of the Step Functions API and the console")
	fl.StringVar(&simAddr, "sim-addr", "127.0.0.1:8089", "address of the Logiwa simulator and its /_sim/ control API (port 0: any)")
	fl.Float64Var(&rate, "rate", 2, "Logiwa requests per second (Basic 2, Premium 6); also the simulator's limit")
	fl.IntVar(&concurrency, "gate-concurrency", 2, "gate workers (the mapping's maximum concurrency)")
	fl.Uint64Var(&seed, "seed", 1, "simulator seed")
	fl.IntVar(&maxRunning, "max-running", localrun.DefaultMaxRunning, "hold off the SQS triggers while this many executions run (negative: no limit)")
	fl.BoolVar(&noSchedules, "no-schedules", false, "do not fire the sync and redrive schedules")
	fl.BoolVar(&verbose, "verbose", false, "debug logs (every task call)")
	fl.Bool(flagTraffic, false, "also run the sale-day traffic generator (orders, inventory, refunds, duplicates, bad messages)")
	return c
}

func printLocal(w io.Writer, t target.Target, path, dir string, sim bool) {
	fmt.Fprintf(w, "logiwaflow local is running (state in %s)\n", dir)
	fmt.Fprintf(w, "  console / Step Functions API  %s\n", t.ConsoleURL)
	fmt.Fprintf(w, "  Logiwa                        %s (%g requests/s)\n", t.LogiwaURL, t.RateLimit)
	for _, id := range []string{target.ServiceS3, target.ServiceSQS, target.ServiceDynamoDB} {
		fmt.Fprintf(w, "  %-29s %s\n", id, t.Endpoints[id])
	}
	keys := make([]string, 0, len(t.Queues))
	for k := range t.Queues {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  queue %-23s %s\n", k, t.Queues[k])
	}
	fmt.Fprintf(w, "  target file                   %s\n", path)
	if sim {
		fmt.Fprintf(w, "  simulator login %s / %s, control API %s/_sim/state\n",
			logiwasim.DefaultEmail, logiwasim.DefaultPassword, t.LogiwaURL)
	}
	fmt.Fprintln(w, "Ctrl-C stops it; state survives a restart.")
}

// localMemoryLimit is the Go runtime's soft memory limit for `logiwaflow
// local` unless GOMEMLIMIT is set (see pkg/memlimit): twice the demo's,
// because a runtime left running for days keeps a small index entry for
// every settled order and every execution it ran.
const localMemoryLimit = 256 << 20
