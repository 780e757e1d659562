// Package snapshot is how the local stand-ins that hold state in memory
// (DynamoDB, SQS) keep it across restarts: a debounced background flush, so
// a burst of writes costs one snapshot, and an atomic file replace, so a
// crash mid-write never leaves a torn snapshot.
package snapshot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Flusher calls flush interval after the first Request of a burst.
type Flusher struct {
	req  chan struct{}
	stop chan struct{}
	done chan struct{}
}

// StartFlusher runs flush in the background; failures go to onErr.
func StartFlusher(interval time.Duration, flush func() error, onErr func(error)) *Flusher {
	f := &Flusher{req: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go f.loop(interval, flush, onErr)
	return f
}

func (f *Flusher) loop(interval time.Duration, flush func() error, onErr func(error)) {
	defer close(f.done)
	for {
		select {
		case <-f.stop:
			return
		case <-f.req:
		}
		select {
		case <-f.stop:
			return
		case <-time.After(interval):
		}
		if err := flush(); err != nil {
			onErr(err)
		}
	}
}

// Request schedules a flush; it never blocks, so callers may hold locks.
func (f *Flusher) Request() {
	select {
	case f.req <- struct{}{}:
	default:
	}
}

// Stop ends the background loop and waits for it. Call it once, after the
// final flush.
func (f *Flusher) Stop() {
	close(f.stop)
	<-f.done
}

// Read returns a snapshot file's bytes; ok is false when there is none yet.
func Read(path string) (data []byte, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read snapshot %s: %w", path, err)
	}
	return b, true, nil
}

// WriteAtomic replaces path with data through a synced temporary file and a
// rename.
func WriteAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("sync snapshot %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close snapshot %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("install snapshot %s: %w", path, err)
	}
	return nil
}
