package dynamolocal

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/truora/minidyn/server"

	"github.com/logiwaflow/logiwaflow/pkg/localaws/snapshot"
)

// snapshotFile is the on-disk form: one entry per table, items in wire JSON.
type snapshotFile struct {
	Version int             `json:"version"`
	Tables  []tableSnapshot `json:"tables"`
}

type tableSnapshot struct {
	Name string `json:"name"`
	tableDef
	Items []map[string]json.RawMessage `json:"items"`
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
	snap, err := s.snapshotLocked()
	if err != nil {
		return err
	}
	b, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("dynamolocal: encode snapshot: %w", err)
	}
	if err := snapshot.WriteAtomic(s.opts.Path, b); err != nil {
		return err
	}
	s.dirty = false
	return nil
}

// Close writes a final snapshot and stops the background flusher. Requests
// arriving afterwards fail with ServiceUnavailable.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.flushLocked()
	s.mu.Unlock()
	s.flusher.Stop()
	return err
}

func (s *Server) snapshotLocked() (*snapshotFile, error) {
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	snap := &snapshotFile{Version: snapshotVersion}
	for _, name := range names {
		items, err := s.scanAll(name)
		if err != nil {
			return nil, err
		}
		snap.Tables = append(snap.Tables, tableSnapshot{Name: name, tableDef: *s.tables[name], Items: items})
	}
	return snap, nil
}

func (s *Server) scanAll(table string) ([]map[string]json.RawMessage, error) {
	var (
		items []map[string]json.RawMessage
		start map[string]*server.AttributeValue
	)
	for {
		out, err := s.db.Scan(context.Background(), &server.ScanInput{TableName: &table, ExclusiveStartKey: start})
		if err != nil {
			return nil, fmt.Errorf("dynamolocal: snapshot table %s: %w", table, err)
		}
		for _, it := range out.Items {
			enc := make(map[string]json.RawMessage, len(it))
			for k, v := range it {
				b, err := json.Marshal(avWire(v))
				if err != nil {
					return nil, fmt.Errorf("dynamolocal: snapshot table %s: %w", table, err)
				}
				enc[k] = b
			}
			items = append(items, enc)
		}
		if len(out.LastEvaluatedKey) == 0 {
			return items, nil
		}
		start = out.LastEvaluatedKey
	}
}

// load recreates tables and items from the snapshot file, if present.
func (s *Server) load() error {
	b, ok, err := snapshot.Read(s.opts.Path)
	if err != nil || !ok {
		return err
	}
	var snap snapshotFile
	if err := json.Unmarshal(b, &snap); err != nil {
		return fmt.Errorf("dynamolocal: decode snapshot %s: %w", s.opts.Path, err)
	}
	if snap.Version != snapshotVersion {
		return fmt.Errorf("dynamolocal: snapshot %s has version %d, want %d", s.opts.Path, snap.Version, snapshotVersion)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx := context.Background()
	for _, t := range snap.Tables {
		if _, err := ops["CreateTable"](s, ctx, t.Create); err != nil {
			return fmt.Errorf("dynamolocal: restore table %s: %w", t.Name, err)
		}
		for _, u := range t.Updates {
			if _, err := ops["UpdateTable"](s, ctx, u); err != nil {
				return fmt.Errorf("dynamolocal: restore table %s update: %w", t.Name, err)
			}
		}
		def := t.tableDef
		s.tables[t.Name] = &def
		for _, raw := range t.Items {
			item := make(map[string]*server.AttributeValue, len(raw))
			for k, v := range raw {
				av := new(server.AttributeValue)
				if err := json.Unmarshal(v, av); err != nil {
					return fmt.Errorf("dynamolocal: restore item in %s: %w", t.Name, err)
				}
				item[k] = av
			}
			if _, err := s.db.PutItem(ctx, &server.PutItemInput{TableName: &t.Name, Item: item}); err != nil {
				return fmt.Errorf("dynamolocal: restore item in %s: %w", t.Name, err)
			}
		}
	}
	s.log.Debug("dynamolocal: snapshot loaded", "path", s.opts.Path, "tables", len(snap.Tables))
	return nil
}
