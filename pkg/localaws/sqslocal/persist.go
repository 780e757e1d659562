package sqslocal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// snapshot is the on-disk form: every queue with its attributes and messages,
// including in-flight state (visibility deadlines, receive counts, receipt
// handles), so a restart resumes delivery where it was.
type snapshot struct {
	Version int      `json:"version"`
	Queues  []*queue `json:"queues"`
}

const snapshotVersion = 1

// markDirty schedules a snapshot; called with s.mu held.
func (s *Server) markDirty() {
	if s.opts.Path == "" {
		return
	}
	s.dirty = true
	select {
	case s.flushReq <- struct{}{}:
	default:
	}
}

func (s *Server) flusher() {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		case <-s.flushReq:
		}
		select {
		case <-s.stop:
			return
		case <-time.After(s.opts.FlushInterval):
		}
		if err := s.Flush(); err != nil {
			s.log.Error("sqslocal: snapshot failed", "path", s.opts.Path, "err", err)
		}
	}
}

// Flush writes the snapshot now if anything changed since the last one.
func (s *Server) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flushLocked()
}

func (s *Server) flushLocked() error {
	if s.opts.Path == "" || !s.dirty {
		return nil
	}
	snap := snapshot{Version: snapshotVersion}
	for _, q := range s.queues {
		snap.Queues = append(snap.Queues, q)
	}
	sort.Slice(snap.Queues, func(i, j int) bool { return snap.Queues[i].Name < snap.Queues[j].Name })
	b, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("sqslocal: encode snapshot: %w", err)
	}
	if err := writeFileAtomic(s.opts.Path, b); err != nil {
		return err
	}
	s.dirty = false
	return nil
}

// Close writes a final snapshot and stops the background flusher; waiting
// long polls return empty.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.flushLocked()
	s.notifyLocked()
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	return err
}

func (s *Server) load() error {
	b, err := os.ReadFile(s.opts.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqslocal: read snapshot: %w", err)
	}
	var snap snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		return fmt.Errorf("sqslocal: decode snapshot %s: %w", s.opts.Path, err)
	}
	if snap.Version != snapshotVersion {
		return fmt.Errorf("sqslocal: snapshot %s has version %d, want %d", s.opts.Path, snap.Version, snapshotVersion)
	}
	for _, q := range snap.Queues {
		if q.Attrs == nil {
			q.Attrs = defaultAttrs()
		}
		s.queues[q.Name] = q
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("sqslocal: create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("sqslocal: write snapshot: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("sqslocal: write snapshot: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("sqslocal: sync snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("sqslocal: close snapshot: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("sqslocal: install snapshot: %w", err)
	}
	return nil
}
