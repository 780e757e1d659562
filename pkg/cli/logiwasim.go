package cli

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
)

func init() {
	register(func(root *cobra.Command) { root.AddCommand(logiwaSimCmd()) })
}

func logiwaSimCmd() *cobra.Command {
	var (
		addr, statePath                     string
		rate                                float64
		burst                               int
		seed                                uint64
		tokenTTL                            time.Duration
		partial                             float64
		tl                                  logiwasim.Timeline
		outageAt, outageFor                 time.Duration
		latency, latencyEndpoint            string
		errorRate, resetRate, malformedRate float64
		errorStatus                         int
		refuse, verbose                     bool
	)
	c := &cobra.Command{
		Use:   "logiwa-sim [--addr 127.0.0.1:8089] [--rate N] [--seed N] [--state FILE] [fault flags]",
		Short: "Run the Logiwa WMS simulator alone until interrupted",
		Long: `Serve a simulated Logiwa IO Open API (v3.1, plus the v3.2/v3.3 endpoints the
flows use) with seed data: clients, two warehouses (WH-EAST, WH-WEST), a few
products with stock. Orders move through the warehouse on the simulator's clock.

Log in with POST /v3.1/Authorize/token {"email","password"}; the credentials are
printed at start. The control API under /_sim/ shows and changes the simulator
while it runs: GET /_sim/state, GET|DELETE /_sim/stats, GET|PUT /_sim/faults,
POST /_sim/outage {"for":"30s"}, POST /_sim/advance {"by":"5m"},
POST /_sim/tokens/expire, PUT /_sim/rate {"rate":6,"burst":6}.

With --state FILE the warehouse (products, stock, orders, returns, the clock
offset of /_sim/advance) is loaded from FILE when it exists and written back
after changes (at most every 5 s) and at exit, so a restart carries on where
it stopped; a FILE that cannot be read is an error. Settled orders and returns
move to a store in the directory FILE.archive, so the file and the memory
stay small however many orders there are. Tokens are not kept: log in again.

--latency takes fixed:200ms, uniform:50ms-300ms or normal:200ms,50ms (mean,
standard deviation); --latency-endpoint limits it to paths with that prefix.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := logiwasim.Options{
				Seed: seed, Rate: rate, Burst: burst, TokenTTL: tokenTTL, PartialRate: partial, Timeline: tl,
				StatePath: statePath,
			}
			if verbose {
				opts.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelDebug}))
			}
			f := logiwasim.Faults{RefuseConnections: refuse}
			if latency != "" {
				rule, err := parseLatency(latency)
				if err != nil {
					return usageErr("--latency: %v", err)
				}
				rule.Endpoint = latencyEndpoint
				f.Latency = append(f.Latency, rule)
			}
			if errorRate > 0 {
				f.Errors = append(f.Errors, logiwasim.RateRule{Rate: errorRate, Status: errorStatus})
			}
			if resetRate > 0 {
				f.Resets = append(f.Resets, logiwasim.RateRule{Rate: resetRate})
			}
			if malformedRate > 0 {
				f.Malformed = append(f.Malformed, logiwasim.RateRule{Rate: malformedRate})
			}
			if outageFor > 0 {
				start := time.Now().UTC().Add(outageAt)
				f.Outages = append(f.Outages, logiwasim.Outage{Start: start, End: start.Add(outageFor)})
			}
			if err := f.Validate(); err != nil {
				return usageErr("faults: %v", err)
			}
			opts.Faults = f
			sim, err := logiwasim.Open(opts)
			if err != nil {
				return fmt.Errorf("logiwa-sim: %w", err)
			}
			url, err := sim.Start(addr)
			if err != nil {
				_ = sim.Close()
				return fmt.Errorf("logiwa-sim: %w", err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "logiwa-sim listening on %s\n", url)
			fmt.Fprintf(out, "credentials: email %s password %s\n", logiwasim.DefaultEmail, logiwasim.DefaultPassword)
			fmt.Fprintf(out, "control API: %s/_sim/state\n", url)
			if statePath != "" {
				fmt.Fprintf(out, "warehouse state: %s\n", statePath)
			}
			<-cmd.Context().Done()
			if err := sim.Close(); err != nil {
				return fmt.Errorf("logiwa-sim: %w", err)
			}
			fmt.Fprintln(out, "logiwa-sim stopped")
			return nil
		},
	}
	fl := c.Flags()
	fl.StringVar(&addr, "addr", "127.0.0.1:8089", "address to listen on (port 0: any free port)")
	fl.Float64Var(&rate, "rate", logiwasim.DefaultRate, "requests per second per account (Basic 2, Premium 6; negative: no limit)")
	fl.IntVar(&burst, "burst", 0, "token bucket size (default: the rate rounded up)")
	fl.StringVar(&statePath, "state", "", "keep the warehouse in this file across restarts (default: memory only)")
	fl.Uint64Var(&seed, "seed", 1, "seed for identifiers, tracking numbers, partial shipments and fault draws")
	fl.DurationVar(&tokenTTL, "token-ttl", logiwasim.DefaultTokenTTL, "bearer token lifetime (negative: forever)")
	fl.Float64Var(&partial, "partial-rate", logiwasim.DefaultPartialRate, "share of orders short-picked and shipped partially (negative: none)")
	fl.DurationVar(&tl.Pick, "pick-after", logiwasim.DefaultTimeline.Pick, "time from Open to Picking Started")
	fl.DurationVar(&tl.Pack, "pack-after", logiwasim.DefaultTimeline.Pack, "time from Picking Started to Ready to Pack")
	fl.DurationVar(&tl.Ship, "ship-after", logiwasim.DefaultTimeline.Ship, "time from Ready to Pack to Shipped")
	fl.DurationVar(&tl.Return, "receive-return-after", logiwasim.DefaultTimeline.Return, "time from return order created to received")
	fl.DurationVar(&outageAt, "outage-at", 0, "start of a maintenance window, from now")
	fl.DurationVar(&outageFor, "outage-for", 0, "length of the maintenance window (0: none)")
	fl.StringVar(&latency, "latency", "", "added latency: fixed:D, uniform:MIN-MAX or normal:MEAN,STDDEV")
	fl.StringVar(&latencyEndpoint, "latency-endpoint", "", "apply --latency only to paths with this prefix")
	fl.Float64Var(&errorRate, "error-rate", 0, "share of requests answered with a 5xx")
	fl.IntVar(&errorStatus, "error-status", 500, "status of injected errors")
	fl.Float64Var(&resetRate, "reset-rate", 0, "share of connections reset without an answer")
	fl.Float64Var(&malformedRate, "malformed-rate", 0, "share of successful bodies truncated")
	fl.BoolVar(&refuse, "refuse", false, "start refusing connections (clear with PUT /_sim/faults)")
	fl.BoolVar(&verbose, "verbose", false, "log every request to stderr")
	return c
}

// parseLatency reads fixed:200ms, uniform:50ms-300ms or normal:200ms,50ms.
func parseLatency(s string) (logiwasim.LatencyRule, error) {
	dist, arg, ok := strings.Cut(s, ":")
	if !ok {
		return logiwasim.LatencyRule{}, fmt.Errorf("want DIST:ARGS, got %q", s)
	}
	durs := func(sep string, n int) ([]logiwasim.Duration, error) {
		parts := strings.Split(arg, sep)
		if len(parts) != n {
			return nil, fmt.Errorf("%s wants %d durations separated by %q", dist, n, sep)
		}
		out := make([]logiwasim.Duration, n)
		for i, p := range parts {
			d, err := time.ParseDuration(strings.TrimSpace(p))
			if err != nil {
				// A bare number is milliseconds.
				ms, err2 := strconv.ParseFloat(strings.TrimSpace(p), 64)
				if err2 != nil {
					return nil, err
				}
				d = time.Duration(ms * float64(time.Millisecond))
			}
			out[i] = logiwasim.Duration(d)
		}
		return out, nil
	}
	r := logiwasim.LatencyRule{Dist: dist}
	switch dist {
	case "fixed":
		d, err := durs(",", 1)
		if err != nil {
			return r, err
		}
		r.Fixed = d[0]
	case "uniform":
		d, err := durs("-", 2)
		if err != nil {
			return r, err
		}
		r.Min, r.Max = d[0], d[1]
	case "normal":
		d, err := durs(",", 2)
		if err != nil {
			return r, err
		}
		r.Mean, r.StdDev = d[0], d[1]
	default:
		return r, fmt.Errorf("unknown distribution %q (fixed, uniform, normal)", dist)
	}
	return r, nil
}
