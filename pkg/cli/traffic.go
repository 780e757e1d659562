package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/logiwaflow/logiwaflow/pkg/localrun"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/traffic"
)

// flagTraffic turns on the sale-day traffic generator in `logiwaflow local`
// (what `make run` shows).
const flagTraffic = "traffic"

func init() {
	LocalMounts = append(LocalMounts, func(cmd *cobra.Command, r *localrun.Runtime) (func(), error) {
		if on, _ := cmd.Flags().GetBool(flagTraffic); !on {
			return nil, nil
		}
		seed, _ := cmd.Flags().GetUint64("seed")
		p := traffic.DefaultProfile()
		p.Config.Seed = seed
		// Fresh keys per run: the state dir keeps what earlier runs applied,
		// and the same keys again would only be stale or duplicates.
		p.Config.Prefix = fmt.Sprintf("R%d-", time.Now().Unix()%1_000_000)
		p.Clock = r.Clock()
		p.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil)).With("component", "traffic")
		if sim := r.Simulator(); sim != nil {
			// New products need stock in the simulated warehouse, or every
			// order waits in Shortage.
			p.Catalogued = func(ctx context.Context, skus []string) error {
				if err := r.Idle(ctx); err != nil {
					return err
				}
				for _, sku := range skus {
					if err := sim.SetStock(logiwasim.SeedWarehouse, sku, 1_000_000); err != nil {
						return fmt.Errorf("stock %s: %w", sku, err)
					}
				}
				return nil
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			st, err := traffic.Run(ctx, r, p)
			if err != nil {
				p.Logger.Error("traffic generator stopped", "err", err)
			}
			p.Logger.Info("traffic generator done", "sent", st.Sent, "refused", st.Refused)
		}()
		fmt.Fprintf(cmd.OutOrStdout(), "  traffic                       sale-day profile: %.1f msg/s, bursts of %.0f msg/s for %s every %s\n",
			p.Quiet, p.Burst, p.BurstFor, p.QuietFor+p.BurstFor)
		return func() { cancel(); <-done }, nil
	})
}
