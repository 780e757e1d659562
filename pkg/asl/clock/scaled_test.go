package clock

import (
	"context"
	"testing"
	"time"
)

func TestScaledRunsFaster(t *testing.T) {
	start := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	c := NewScaled(start, 1000)
	wall := time.Now()
	if err := c.Sleep(context.Background(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(wall); el < 9*time.Millisecond {
		t.Fatalf("10 virtual seconds took %v of wall time, want about 10ms", el)
	}
	if got := c.Now().Sub(start); got < 10*time.Second {
		t.Fatalf("virtual time advanced %v, want at least 10s", got)
	}
	tm := c.NewTimer(5 * time.Second)
	fired := <-tm.C()
	if fired.Sub(start) < 15*time.Second {
		t.Fatalf("timer fired at +%v, want at least +15s", fired.Sub(start))
	}
	if tm.Stop() {
		t.Fatal("Stop after firing reported it stopped the timer")
	}
}

func TestScaledSleepCancels(t *testing.T) {
	c := NewScaled(time.Now(), 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Hour); err == nil {
		t.Fatal("cancelled sleep returned nil")
	}
}
