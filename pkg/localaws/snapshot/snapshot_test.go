package snapshot

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

func TestFlusherDebounces(t *testing.T) {
	var calls atomic.Int32
	f := StartFlusher(30*time.Millisecond, func() error { calls.Add(1); return nil }, func(err error) { t.Error(err) })
	for range 20 {
		f.Request()
	}
	deadline := time.Now().Add(2 * time.Second)
	for calls.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	f.Stop()
	if got := calls.Load(); got != 1 {
		t.Fatalf("a burst of 20 requests flushed %d times, want 1", got)
	}
}

func TestWriteAtomicAndRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "state.json")
	if _, ok, err := Read(path); ok || err != nil {
		t.Fatalf("missing file: ok=%v err=%v", ok, err)
	}
	for _, data := range []string{"first", "second"} {
		if err := WriteAtomic(path, []byte(data)); err != nil {
			t.Fatal(err)
		}
		got, ok, err := Read(path)
		if err != nil || !ok || string(got) != data {
			t.Fatalf("read %q %v %v, want %q", got, ok, err, data)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}
