package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/bench"
	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/asl/conformance"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
	"github.com/logiwaflow/logiwaflow/pkg/asl/mock"
	"github.com/logiwaflow/logiwaflow/pkg/asl/validate"
	"github.com/logiwaflow/logiwaflow/pkg/refdata"
)

func init() {
	register(func(root *cobra.Command) {
		c := &cobra.Command{
			Use:   "asl",
			Short: "Run, validate, measure and benchmark Amazon States Language state machines",
		}
		c.AddCommand(aslRunCmd(), aslValidateCmd(), aslConformanceCmd(), aslBenchCmd())
		root.AddCommand(c)
	})
}

// usageErr is a bad invocation: exit status 2.
func usageErr(format string, args ...any) error {
	return &ExitError{Code: 2, Err: fmt.Errorf(format, args...)}
}

func aslRunCmd() *cobra.Command {
	var (
		defPath, inputPath, mockPath, testCase, machine, name string
		history, realTime                                     bool
		timeout                                               time.Duration
	)
	c := &cobra.Command{
		Use:   "run --definition FILE [--input FILE|-] [--mock-config FILE --test-case NAME] [--history]",
		Short: "Run a state machine locally and print its output (or its error) as JSON",
		Long: `Run a state machine on the local engine and print its output as JSON, or
{"status","error","cause"} when it does not succeed; with --history print the
execution's event history instead, shaped like AWS's GetExecutionHistory.

Task states are served by a Step Functions Local mock configuration
(--mock-config and --test-case). Waits and retry back-offs take no real time
unless --real-time is given.

Exit status: 0 SUCCEEDED, 1 FAILED, TIMED_OUT or ABORTED, 2 bad usage or an
invalid definition.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if defPath == "" {
				return usageErr("asl run: --definition is required")
			}
			if (mockPath == "") != (testCase == "") {
				return usageErr("asl run: --mock-config and --test-case go together")
			}
			def, err := os.ReadFile(defPath)
			if err != nil {
				return usageErr("asl run: %w", err)
			}
			smName := machine
			if smName == "" {
				smName = strings.TrimSuffix(strings.TrimSuffix(filepath.Base(defPath), ".json"), ".asl")
			}
			sm, err := asl.NewStateMachine(smName, def)
			if err != nil {
				return usageErr("asl run: %s: %w", defPath, err)
			}
			input, err := readInput(cmd.InOrStdin(), inputPath)
			if err != nil {
				return usageErr("asl run: input: %w", err)
			}
			opts := []asl.Option{}
			if !realTime {
				opts = append(opts, asl.WithClock(clock.NewFake(time.Now().UTC())))
			}
			var runner *mock.Runner
			if mockPath != "" {
				cfg, err := mock.LoadFile(mockPath)
				if err != nil {
					return usageErr("asl run: %w", err)
				}
				mockMachine := machine
				if mockMachine == "" && len(cfg.StateMachines) == 1 {
					for k := range cfg.StateMachines {
						mockMachine = k
					}
				}
				if mockMachine == "" {
					return usageErr("asl run: %s has several state machines; choose one with --state-machine", mockPath)
				}
				runner, err = cfg.Runner(mockMachine, testCase)
				if err != nil {
					return usageErr("asl run: %w", err)
				}
				opts = append(opts, asl.WithTasks(runner))
			}
			ctx := cmd.Context()
			if timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, timeout)
				defer cancel()
			}
			eng := asl.NewEngine(opts...)
			if runner != nil {
				runner.AnswerTokens(eng)
			}
			x, err := eng.Start(ctx, sm, input, asl.StartOptions{Name: name})
			if err != nil {
				return usageErr("asl run: %w", err)
			}
			res, err := x.Wait(ctx)
			if err != nil {
				x.Stop("", "")
				res, _ = x.Wait(context.Background())
			}
			if runner != nil {
				for _, s := range runner.Unmocked() {
					fmt.Fprintf(cmd.ErrOrStderr(), "warning: state %q ran without a mocked response in test case %q\n", s, testCase)
				}
			}
			out := cmd.OutOrStdout()
			if history {
				err = writeJSON(out, map[string]any{"events": x.History()})
			} else if res.Status == asl.StatusSucceeded {
				err = writeJSON(out, res.Output)
			} else {
				err = writeJSON(out, map[string]any{"status": res.Status, "error": res.Error, "cause": res.Cause})
			}
			if err != nil {
				return err
			}
			if res.Status != asl.StatusSucceeded {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&defPath, "definition", "", "state machine definition (ASL JSON) `file`")
	f.StringVar(&inputPath, "input", "", "execution input JSON `file`, or - for standard input (default {})")
	f.StringVar(&mockPath, "mock-config", "", "Step Functions Local mock configuration `file` serving the Task states")
	f.StringVar(&testCase, "test-case", "", "test case of the mock configuration to run")
	f.StringVar(&machine, "state-machine", "", "state machine name (default: the definition file's name; in the mock configuration, its only state machine)")
	f.StringVar(&name, "name", "", "execution name (default: a generated UUID)")
	f.BoolVar(&history, "history", false, "print the execution history (GetExecutionHistory shape) instead of the output")
	f.BoolVar(&realTime, "real-time", false, "let Waits and retry intervals take real time")
	f.DurationVar(&timeout, "timeout", 0, "stop the execution after this long (0 = no limit)")
	return c
}

// readInput reads the execution input: a file, "-" for stdin, or {} when no
// file is given.
func readInput(stdin io.Reader, path string) (any, error) {
	var data []byte
	var err error
	switch path {
	case "":
		return map[string]any{}, nil
	case "-":
		data, err = io.ReadAll(stdin)
	default:
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	return jsonvalue.Decode(data)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func aslValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check state machine definitions as CreateStateMachine does",
		Long: `Check each definition statically and print every diagnostic with its file,
code, message and location. Exit status 1 when any definition has an error
(warnings alone do not fail), 2 when a file cannot be read.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			faults := 0
			for _, path := range args {
				def, err := os.ReadFile(path)
				if err != nil {
					return usageErr("asl validate: %w", err)
				}
				diags := validate.Definition(def)
				if len(diags) == 0 {
					fmt.Fprintf(out, "%s: ok\n", path)
				}
				for _, d := range diags {
					if d.Severity != validate.SeverityWarning {
						faults++
					}
					fmt.Fprintf(out, "%s: %s %s\n", path, d.Severity, d)
				}
			}
			if faults > 0 {
				return &ExitError{Code: 1, Err: fmt.Errorf("%d error(s) in %d file(s)", faults, len(args))}
			}
			return nil
		},
	}
}

func aslConformanceCmd() *cobra.Command {
	var (
		showHistory bool
		timeout     time.Duration
	)
	c := &cobra.Command{
		Use:   "conformance FILE",
		Short: "Run recorded AWS Step Functions cases and report the differences",
		Long: `Run a conformance case file (the format of shared/conformance) on the local
engine. Print one line per failing case with its first difference, and end
with the line "N passed, M failed". With --history, also print cases whose
event history differs. The exit status is 0 however many cases fail.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cases, err := conformance.LoadFile(args[0])
			if err != nil {
				return usageErr("asl conformance: %w", err)
			}
			rep := conformance.Run(cmd.Context(), cases, conformance.Options{Executor: conformance.ASLExecutor(), Timeout: timeout})
			out := cmd.OutOrStdout()
			for _, r := range rep.Results {
				switch {
				case r.Verdict != conformance.Pass:
					fmt.Fprintf(out, "%s %s: %s\n", strings.ToUpper(string(r.Verdict)), r.ID, r.Diff)
				case showHistory && r.HistoryChecked && !r.HistoryMatched:
					fmt.Fprintf(out, "HISTORY %s: %s\n", r.ID, r.HistoryDiff)
				}
			}
			fmt.Fprintln(out, rep.HistorySummary())
			fmt.Fprintln(out, rep.Summary())
			return nil
		},
	}
	c.Flags().BoolVar(&showHistory, "history", false, "also list passing cases whose event history differs")
	c.Flags().DurationVar(&timeout, "timeout", 10*time.Second, "time limit per case")
	return c
}

func aslBenchCmd() *cobra.Command {
	var (
		concurrency        int
		duration, warmup   time.Duration
		defPath, inputPath string
	)
	c := &cobra.Command{
		Use:   "bench [--concurrency N] [--duration D]",
		Short: "Measure engine executions per second on the benchmark definition",
		Long: `Run the benchmark definition (shared/bench/order-pipeline.asl.json) with its
two in-process handlers and print executions per second and allocations per
execution, after a warm-up. Without --concurrency it measures one execution
at a time and then 64 at once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := benchConfig(cmd.InOrStdin(), defPath, inputPath)
			if err != nil {
				return usageErr("asl bench: %w", err)
			}
			levels := []int{1, 64}
			if concurrency > 0 {
				levels = []int{concurrency}
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "order-pipeline on %d CPUs, %s per figure after %s warm-up\n", runtime.NumCPU(), duration, warmup)
			for _, n := range levels {
				cfg.Concurrency, cfg.Duration, cfg.Warmup = n, duration, warmup
				r, err := bench.Measure(cmd.Context(), cfg)
				if err != nil {
					return &ExitError{Code: 1, Err: fmt.Errorf("asl bench: %w", err)}
				}
				fmt.Fprintln(out, r)
			}
			return nil
		},
	}
	f := c.Flags()
	f.IntVar(&concurrency, "concurrency", 0, "executions at once (default: 1, then 64)")
	f.DurationVar(&duration, "duration", 3*time.Second, "how long to measure each figure")
	f.DurationVar(&warmup, "warmup", time.Second, "warm-up before each figure")
	f.StringVar(&defPath, "definition", "", "benchmark definition `file` (default: shared/bench/order-pipeline.asl.json)")
	f.StringVar(&inputPath, "input", "", "benchmark input `file` (default: shared/bench/order-pipeline.input.json)")
	return c
}

// benchConfig reads the benchmark definition and input, by default from the
// shared reference directory. The output is checked against the README's
// only for the default files.
func benchConfig(stdin io.Reader, defPath, inputPath string) (bench.Config, error) {
	var cfg bench.Config
	if defPath == "" || inputPath == "" {
		dir, err := refdata.Dir()
		if err != nil {
			return cfg, fmt.Errorf("find the benchmark files (give --definition and --input, or set %s): %w", refdata.EnvVar, err)
		}
		if defPath == "" {
			defPath = filepath.Join(dir, "bench", "order-pipeline.asl.json")
			cfg.WantOutput = bench.ExpectedOutput
		}
		if inputPath == "" {
			inputPath = filepath.Join(dir, "bench", "order-pipeline.input.json")
		} else {
			cfg.WantOutput = nil
		}
	}
	def, err := os.ReadFile(defPath)
	if err != nil {
		return cfg, err
	}
	in, err := readInput(stdin, inputPath)
	if err != nil {
		return cfg, err
	}
	cfg.Definition, cfg.Input = def, in
	return cfg, nil
}
