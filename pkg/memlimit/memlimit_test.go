package memlimit

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestApply(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	for _, tc := range []struct {
		name    string
		env     string
		bytes   int64
		want    int64
		fromEnv bool
	}{
		{"default applied", "", 128 << 20, 128 << 20, false},
		{"GOMEMLIMIT wins", "300MiB", 128 << 20, 300 << 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetMemoryLimit(math.MaxInt64)
			t.Setenv("GOMEMLIMIT", tc.env)
			if tc.env != "" {
				// The runtime reads GOMEMLIMIT at start; a test sets what
				// it would have set.
				debug.SetMemoryLimit(tc.want)
			}
			got, fromEnv := Apply(tc.bytes)
			if got != tc.want || fromEnv != tc.fromEnv || Current() != tc.want {
				t.Fatalf("Apply = %d, %v; Current = %d; want %d, %v", got, fromEnv, Current(), tc.want, tc.fromEnv)
			}
		})
	}
}
