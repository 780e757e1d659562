package logiwasim

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// The archive keeps settled shipment and return orders on disk, the way real
// Logiwa keeps them in a database, so the simulator's memory does not grow
// with the orders it has served. It is a Pebble store in StatePath+".archive":
// Pebble rather than a memory-mapped B-tree (bbolt) because its reads go
// through a bounded block cache, so reading old orders does not show up as
// resident memory.
//
// Keys are a kind byte and the creation sequence, big-endian, so a scan
// returns orders in creation order. Values are the state file's JSON forms
// (StateFileOrder, StateFileReturn): one format on disk for both.

// ArchiveSuffix is appended to Options.StatePath to name the archive directory.
const ArchiveSuffix = ".archive"

const (
	archiveOrderKind  = 'o'
	archiveReturnKind = 'r'

	// Small: resident memory that fills with use (see dynamolocal's store);
	// settled orders are read back a page of rows at a time.
	archiveCacheBytes    = 1 << 20
	archiveMemTableBytes = 1 << 20
)

type archive struct {
	db  *pebble.DB
	dir string
}

// openArchive opens (creating if needed) the archive directory. With fresh
// set, whatever an earlier warehouse left there is removed first: orders of a
// warehouse whose state file is gone point at products that no longer exist.
func openArchive(dir string, fresh bool, log *slog.Logger) (*archive, error) {
	if fresh {
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("archive %s: remove stale: %w", dir, err)
		}
	}
	cache := pebble.NewCache(archiveCacheBytes)
	defer cache.Unref() // the DB holds its own reference
	opts := &pebble.Options{
		Cache:        cache,
		MemTableSize: archiveMemTableBytes,
		Logger:       pebbleLogger{log},
		// An archive the state file names must be there: a new empty one
		// would hide the loss.
		ErrorIfNotExists: !fresh,
	}
	db, err := pebble.Open(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("archive %s: open: %w", dir, err)
	}
	return &archive{db: db, dir: dir}, nil
}

func archiveKey(kind byte, seq int) []byte {
	k := make([]byte, 9)
	k[0] = kind
	binary.BigEndian.PutUint64(k[1:], uint64(seq))
	return k
}

func (a *archive) put(kind byte, seq int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("archive: encode %c%d: %w", kind, seq, err)
	}
	// NoSync: Flush syncs the log before the state file that counts on these
	// writes is replaced.
	if err := a.db.Set(archiveKey(kind, seq), b, pebble.NoSync); err != nil {
		return fmt.Errorf("archive: write %c%d: %w", kind, seq, err)
	}
	return nil
}

func (a *archive) get(kind byte, seq int, v any) error {
	b, closer, err := a.db.Get(archiveKey(kind, seq))
	if err != nil {
		return fmt.Errorf("archive: read %c%d: %w", kind, seq, err)
	}
	defer closer.Close()
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("archive: decode %c%d: %w", kind, seq, err)
	}
	return nil
}

func (a *archive) order(seq int) (*order, error) {
	var f StateFileOrder
	if err := a.get(archiveOrderKind, seq, &f); err != nil {
		return nil, err
	}
	return f.order(), nil
}

func (a *archive) returnOrder(seq int) (*returnOrder, error) {
	var f StateFileReturn
	if err := a.get(archiveReturnKind, seq, &f); err != nil {
		return nil, err
	}
	return f.returnOrder(), nil
}

// scan calls fn with the sequence and value of every entry of a kind, in
// sequence order. The value is only valid during the call.
func (a *archive) scan(kind byte, fn func(seq int, v []byte) error) error {
	it, err := a.db.NewIter(&pebble.IterOptions{LowerBound: []byte{kind}, UpperBound: []byte{kind + 1}})
	if err != nil {
		return fmt.Errorf("archive: scan: %w", err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		if len(k) != 9 {
			_ = it.Close()
			return fmt.Errorf("archive: malformed key %q", k)
		}
		v, err := it.ValueAndErr()
		if err == nil {
			err = fn(int(binary.BigEndian.Uint64(k[1:])), v)
		}
		if err != nil {
			_ = it.Close()
			return err
		}
	}
	return errors.Join(it.Error(), it.Close())
}

func (a *archive) delete(kind byte, seq int) error {
	if err := a.db.Delete(archiveKey(kind, seq), pebble.NoSync); err != nil {
		return fmt.Errorf("archive: delete %c%d: %w", kind, seq, err)
	}
	return nil
}

// sync makes every write so far durable.
func (a *archive) sync() error {
	if err := a.db.LogData(nil, pebble.Sync); err != nil {
		return fmt.Errorf("archive: sync: %w", err)
	}
	return nil
}

func (a *archive) close() error {
	if err := a.sync(); err != nil {
		_ = a.db.Close()
		return err
	}
	if err := a.db.Close(); err != nil {
		return fmt.Errorf("archive: close: %w", err)
	}
	return nil
}

// pebbleLogger routes Pebble's own messages ("Found 0 WALs", compactions)
// to slog at debug level; errors stay errors.
type pebbleLogger struct{ log *slog.Logger }

func (l pebbleLogger) Infof(format string, args ...any) {
	l.log.Debug("logiwasim archive: " + fmt.Sprintf(format, args...))
}

func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.Error("logiwasim archive: " + fmt.Sprintf(format, args...))
}

// Fatalf is called by Pebble on corruption it cannot continue from; it must
// not return.
func (l pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.log.Error("logiwasim archive: fatal: " + msg)
	panic("logiwasim archive: " + msg)
}

// archiveStub is the part of an archived record a restart reads back into
// memory; decoding only these fields skips the lines and addresses.
type archiveStub struct {
	Seq               int       `json:"seq"`
	ID                string    `json:"id"`
	Code              string    `json:"code"`
	RMA               string    `json:"rma"`
	ClientID          string    `json:"clientId"`
	WarehouseID       string    `json:"warehouseId"`
	ShipmentOrderID   string    `json:"shipmentOrderId"`
	ShipmentOrderCode string    `json:"shipmentOrderCode"`
	Status            int       `json:"status"`
	Created           time.Time `json:"created"`
	Updated           time.Time `json:"updated"`
}
