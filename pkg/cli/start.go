package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/logiwaflow/logiwaflow/pkg/operator"
)

func init() {
	register(func(root *cobra.Command) { root.AddCommand(operatorCommand(startCmd())) })
}

func startCmd() *cobra.Command {
	var (
		input, name string
		wait        bool
	)
	c := &cobra.Command{
		Use:   "start MACHINE [--input JSON|@file] [--name N] [--wait]",
		Short: "Start an execution of a state machine by hand",
		Long: `Start an execution of MACHINE (a definition name: inventory, orders,
refunds, inventory-sync, orders-sync, redrive; or a state machine ARN) with
--input (JSON text, @FILE, or @- for standard input; default {}). With
--wait, follow it until it ends (progress on standard error) and exit 1
unless it SUCCEEDED. For syncs and redrives, ` + "`logiwaflow resync`" + ` and
` + "`logiwaflow redrive`" + ` build the input for you.
` + targetHelp,
		Example: `  logiwaflow start inventory-sync --input '{"skus":["MUG-BLUE"]}' --wait
  logiwaflow start orders --input @execution-input.json --name orders-SO-2001-manual
  logiwaflow start redrive --input '{"reason":"outage","dryRun":true}' --target aws`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body, err := inputArg(cmd, input)
			if err != nil {
				return err
			}
			op, err := loadOperator(cmd)
			if err != nil {
				return err
			}
			e, err := op.Start(cmd.Context(), operator.StartRequest{Machine: args[0], Input: body, Name: name})
			if err != nil {
				return opErr(err)
			}
			_, err = finishRun(cmd, op, e, wait)
			return err
		},
	}
	f := c.Flags()
	f.StringVar(&input, "input", "", "execution input: JSON text, @FILE, or @- for standard input (default {})")
	f.StringVar(&name, "name", "", "execution name (default: a UUID)")
	f.BoolVar(&wait, "wait", false, "wait until the execution ends; exit 1 unless it SUCCEEDED")
	return c
}

// inputArg reads --input: JSON text, @FILE or @-.
func inputArg(cmd *cobra.Command, v string) ([]byte, error) {
	path, ok := strings.CutPrefix(v, "@")
	if !ok {
		return []byte(v), nil
	}
	b, err := readFileArg(cmd.InOrStdin(), path)
	if err != nil {
		return nil, usageErr("--input: %w", err)
	}
	return b, nil
}

// finishRun prints a started execution, or waits for it first.
func finishRun(cmd *cobra.Command, op *operator.Operator, e operator.Execution, wait bool) (operator.Execution, error) {
	out := cmd.OutOrStdout()
	if wait {
		fmt.Fprintf(cmd.ErrOrStderr(), "started %s; waiting\n", e.Name)
		var err error
		e, err = op.Wait(cmd.Context(), e.ARN, progressPrinter(cmd, func(p operator.Progress) string {
			return fmt.Sprintf("%s: running %s, in state %s", p.Execution, p.Elapsed.Truncate(10*time.Second), orDash(p.State))
		}))
		if err != nil {
			return e, opErr(err)
		}
	}
	if jsonOutput(cmd) {
		if err := printJSON(out, e); err != nil {
			return e, err
		}
	} else if err := writeExecution(out, e); err != nil {
		return e, err
	}
	if wait && e.Status != "SUCCEEDED" {
		return e, &ExitError{Code: 1, Err: fmt.Errorf("%s ended %s: %s", e.Name, e.Status, e.Error)}
	}
	return e, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
