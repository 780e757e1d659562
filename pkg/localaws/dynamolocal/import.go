package dynamolocal

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/cockroachdb/pebble/v2"
	"github.com/truora/minidyn/server"

	"github.com/logiwaflow/logiwaflow/pkg/localaws/snapshot"
)

// snapshotFile is the JSON snapshot the previous design of this package
// wrote: one entry per table, items in wire JSON. It is read once, to import.
type snapshotFile struct {
	Version int             `json:"version"`
	Tables  []tableSnapshot `json:"tables"`
}

type tableSnapshot struct {
	Name string `json:"name"`
	tableDef
	Items []map[string]*server.AttributeValue `json:"items"`
}

const snapshotVersion = 1

// importBatchItems bounds the memory one import batch holds.
const importBatchItems = 1000

// importSnapshotOnce builds a store at dir from the old snapshot when the
// snapshot exists and dir does not. The store is built beside dir and renamed
// into place, so a crash mid-import leaves no half store that a restart would
// take for a finished one; then the snapshot is renamed to <path>.imported.
func importSnapshotOnce(dir, path string, log *slog.Logger) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("dynamolocal: stat store: %w", err)
	}
	raw, ok, err := snapshot.Read(path)
	if err != nil || !ok {
		return err
	}
	var snap snapshotFile
	if err := json.Unmarshal(raw, &snap); err != nil {
		return fmt.Errorf("dynamolocal: decode snapshot %s: %w", path, err)
	}
	if snap.Version != snapshotVersion {
		return fmt.Errorf("dynamolocal: snapshot %s has version %d, want %d", path, snap.Version, snapshotVersion)
	}
	tmp := dir + ".importing"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("dynamolocal: clear %s: %w", tmp, err)
	}
	db, err := openPebble(tmp, log)
	if err != nil {
		return err
	}
	items, err := writeSnapshot(db, &snap)
	if err == nil {
		err = db.Flush()
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("dynamolocal: import snapshot %s: %w", path, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("dynamolocal: import snapshot: %w", err)
	}
	if err := os.Rename(path, path+".imported"); err != nil {
		return fmt.Errorf("dynamolocal: import snapshot: %w", err)
	}
	log.Info("dynamolocal: imported the old JSON snapshot", "from", path, "into", dir,
		"tables", len(snap.Tables), "items", items)
	return nil
}

func writeSnapshot(db *pebble.DB, snap *snapshotFile) (int, error) {
	total := 0
	for _, ts := range snap.Tables {
		t, err := newTable(ts.Name, ts.tableDef)
		if err != nil {
			return total, err
		}
		b := db.NewBatch()
		if err := putDef(b, t); err != nil {
			_ = b.Close()
			return total, err
		}
		n := int64(0)
		for _, item := range ts.Items {
			k, err := t.itemKey(item)
			if err != nil {
				_ = b.Close()
				return total, fmt.Errorf("table %s: %w", ts.Name, err)
			}
			v, err := encodeItem(item)
			if err != nil {
				_ = b.Close()
				return total, err
			}
			if err := b.Set(k, v, nil); err != nil {
				_ = b.Close()
				return total, err
			}
			n++
			if b.Count() >= importBatchItems {
				if err := b.Commit(pebble.NoSync); err != nil {
					_ = b.Close()
					return total, err
				}
				_ = b.Close()
				b = db.NewBatch()
			}
		}
		if err := b.Set(countKey(ts.Name), encodeCount(n), nil); err != nil {
			_ = b.Close()
			return total, err
		}
		err = b.Commit(pebble.NoSync)
		_ = b.Close()
		if err != nil {
			return total, err
		}
		total += int(n)
	}
	return total, nil
}
