package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/logiwaflow/logiwaflow/pkg/console"
	"github.com/logiwaflow/logiwaflow/pkg/localrun"
)

func init() {
	// The local runtime serves the console at its root, beside the Step
	// Functions API (which answers only requests carrying X-Amz-Target).
	LocalMounts = append(LocalMounts, func(_ *cobra.Command, r *localrun.Runtime) (func(), error) {
		h, err := console.New(console.Config{Target: r.Target(), AWS: r.AWSConfig(), Gate: r.GateMeter(), Now: r.Clock().Now})
		if err != nil {
			return nil, fmt.Errorf("console: %w", err)
		}
		r.Handle("/", h)
		return nil, nil
	})
	register(func(root *cobra.Command) { root.AddCommand(consoleCmd()) })
}

// consoleCmd serves the console for any target, e.g. the deployed system:
// the same pages, reaching Step Functions, S3 and SQS through the SDK.
func consoleCmd() *cobra.Command {
	var addr string
	c := operatorCommand(&cobra.Command{
		Use:   "console [--target local|aws] [--addr 127.0.0.1:8081]",
		Short: "Serve the operators' console for a target (the local runtime serves its own)",
		Long: `Serve the operators' console (executions and their graphs, parked messages
and redrive, the gate, start by hand) against a target. ` + "`logiwaflow local`" + ` already
serves it at its own address; this verb is for the AWS target, where the gate
page shows queue depths only (request rates live in CloudWatch there).` + targetHelp,
		Example: `  logiwaflow console --target aws --addr 127.0.0.1:8081`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, cfg, err := loadTarget(cmd)
			if err != nil {
				return err
			}
			h, err := console.New(console.Config{Target: t, AWS: cfg, Logger: slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))})
			if err != nil {
				return fmt.Errorf("console: %w", err)
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return usageErr("console: --addr %s: %v", addr, err)
			}
			srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
			fmt.Fprintf(cmd.OutOrStdout(), "console for the %s target at http://%s/ (Ctrl-C stops it)\n", t.Name, ln.Addr())
			go func() {
				<-cmd.Context().Done()
				_ = srv.Close()
			}()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("console: %w", err)
			}
			return nil
		},
	})
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:8081", "listen address")
	return c
}
