// Package memlimit gives the long-running local processes (`logiwaflow
// local` and `logiwaflow demo`) a soft memory limit for the Go runtime,
// unless the operator set GOMEMLIMIT.
//
// Without a limit Go lets the heap grow to twice the data live at the last
// collection, and keeps the pages it took. The local runtime's live data is
// small and nearly flat (tens of MB), but its transient peaks (a burst of
// executions, a page of a sync, the simulator writing its state) land on
// top of that doubling, and over a longer run the highest of them sets the
// resident size. A soft limit makes the collector work harder near the limit
// instead; it is not a cap: live data above it is still allocated, with the
// collector's CPU share bounded by the runtime.
package memlimit

import (
	"os"
	"runtime/debug"
)

// Apply sets the soft memory limit to bytes unless GOMEMLIMIT is set (the
// runtime has then applied it already). It returns the limit in effect and
// whether it came from the environment.
func Apply(bytes int64) (limit int64, fromEnv bool) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1), true
	}
	debug.SetMemoryLimit(bytes)
	return bytes, false
}

// Current returns the soft memory limit in effect (math.MaxInt64: none).
func Current() int64 { return debug.SetMemoryLimit(-1) }
