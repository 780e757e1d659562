// Package cli implements the logiwaflow command line. Each verb lives in its
// own file and registers itself on the root command in init, so areas of the
// product add verbs without touching each other.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// ExitError carries a specific exit status out of a command.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// registrations are the verbs added by the files of this package.
var registrations []func(root *cobra.Command)

func register(f func(root *cobra.Command)) { registrations = append(registrations, f) }

// NewRoot builds the command tree.
func NewRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "logiwaflow",
		Short:         "The shop-to-Logiwa integration: workflows, local runtime and operator tools",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	for _, r := range registrations {
		r(root)
	}
	return root
}

// Main runs the CLI with the given arguments and streams, returning the exit
// status. Interrupts cancel the command's context.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	root := NewRoot()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		var ee *ExitError
		if errors.As(err, &ee) {
			if ee.Err != nil {
				fmt.Fprintln(stderr, "logiwaflow:", ee.Err)
			}
			return ee.Code
		}
		fmt.Fprintln(stderr, "logiwaflow:", err)
		return 2
	}
	return 0
}
