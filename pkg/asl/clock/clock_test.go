package clock

import (
	"context"
	"testing"
	"time"
)

func TestFakeSleepAdvancesAndFiresTimers(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFake(start)
	t1 := f.NewTimer(10 * time.Second)
	t2 := f.NewTimer(30 * time.Second)
	if err := f.Sleep(context.Background(), 15*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := f.Now(); !got.Equal(start.Add(15 * time.Second)) {
		t.Fatalf("now %v, want +15s", got)
	}
	select {
	case at := <-t1.C():
		if !at.Equal(start.Add(15 * time.Second)) {
			t.Fatalf("timer fired at %v", at)
		}
	default:
		t.Fatal("10s timer did not fire after a 15s sleep")
	}
	select {
	case <-t2.C():
		t.Fatal("30s timer fired early")
	default:
	}
	if !t2.Stop() {
		t.Fatal("Stop of a pending timer reported false")
	}
	f.Advance(time.Hour)
	select {
	case <-t2.C():
		t.Fatal("stopped timer fired")
	default:
	}
	if got := f.Sleeps(); len(got) != 1 || got[0] != 15*time.Second {
		t.Fatalf("sleeps %v", got)
	}
}

func TestSleepHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, c := range map[string]Clock{"real": Real(), "fake": NewFake(time.Unix(0, 0))} {
		if err := c.Sleep(ctx, time.Hour); err == nil {
			t.Fatalf("%s: Sleep on a cancelled context returned nil", name)
		}
	}
}
