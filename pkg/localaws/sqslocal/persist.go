package sqslocal

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/logiwaflow/logiwaflow/pkg/localaws/snapshot"
)

// snapshotFile is the on-disk form: every queue with its attributes and messages,
// including in-flight state (visibility deadlines, receive counts, receipt
// handles), so a restart resumes delivery where it was.
type snapshotFile struct {
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
	s.flusher.Request()
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
	snap := snapshotFile{Version: snapshotVersion}
	for _, q := range s.queues {
		snap.Queues = append(snap.Queues, q)
	}
	sort.Slice(snap.Queues, func(i, j int) bool { return snap.Queues[i].Name < snap.Queues[j].Name })
	b, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("sqslocal: encode snapshot: %w", err)
	}
	if err := snapshot.WriteAtomic(s.opts.Path, b); err != nil {
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
	s.flusher.Stop()
	return err
}

func (s *Server) load() error {
	b, ok, err := snapshot.Read(s.opts.Path)
	if err != nil || !ok {
		return err
	}
	var snap snapshotFile
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
