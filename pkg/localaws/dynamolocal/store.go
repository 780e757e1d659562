package dynamolocal

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/truora/minidyn/server"
)

// Pebble key layout. Every key starts with a namespace byte:
//
//	'd' name                      -> tableDef JSON
//	'n' name                      -> item count, 8 bytes big-endian
//	'i' uvarint(len) name attrs   -> item in DynamoDB wire JSON
//
// where attrs is the table's key attributes in schema order (hash, then
// range), each as a type tag ('S', 'N', 'B'), a uvarint length and the bytes.
// The length prefixes make keys unique and keep one table's items (and one
// partition's items) contiguous, so a table is one key range.
const (
	nsDef   = 'd'
	nsCount = 'n'
	nsItem  = 'i'
)

// Pebble's block cache and memtables are resident memory that fills up to
// its size as the store is used, so they are kept small: the files' pages
// are in the OS page cache anyway, and the local load is tens of requests a
// second. At 8 MB and 4 MB they were a visible part of the demo's growth
// from 1x to 10x the messages.
const (
	blockCacheSize = 2 << 20
	memTableSize   = 2 << 20
)

// openPebble opens (or creates) the store in dir, or in memory when dir is "".
func openPebble(dir string, log *slog.Logger) (*pebble.DB, error) {
	cache := pebble.NewCache(blockCacheSize)
	// The DB keeps its own reference; dropping ours lets Close free the cache.
	defer cache.Unref()
	opts := &pebble.Options{
		Cache:        cache,
		MemTableSize: memTableSize,
		Logger:       pebbleLogger{log},
	}
	if dir == "" {
		opts.FS = vfs.NewMem()
	}
	db, err := pebble.Open(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("dynamolocal: open store %q: %w", dir, err)
	}
	return db, nil
}

// pebbleLogger routes pebble's chatter ("Found 0 WALs", compactions) to our
// logger at debug level; only its errors are worth an operator's attention.
type pebbleLogger struct{ log *slog.Logger }

func (l pebbleLogger) Infof(format string, args ...any) {
	l.log.Debug("dynamolocal: pebble: " + fmt.Sprintf(format, args...))
}

func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.Error("dynamolocal: pebble: " + fmt.Sprintf(format, args...))
}

func (l pebbleLogger) Fatalf(format string, args ...any) {
	// pebble expects Fatalf not to return.
	panic(fmt.Sprintf("dynamolocal: pebble: "+format, args...))
}

func defKey(name string) []byte   { return append([]byte{nsDef}, name...) }
func countKey(name string) []byte { return append([]byte{nsCount}, name...) }

// tablePrefix is the first part of every item key of the table.
func tablePrefix(name string) []byte {
	b := []byte{nsItem}
	b = binary.AppendUvarint(b, uint64(len(name)))
	return append(b, name...)
}

// prefixEnd is the smallest key greater than every key starting with p.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil // p is all 0xff: no upper bound
}

// table is what the server keeps in memory per table: its definition (for
// restarts), its key attributes and their types, and its item count.
type table struct {
	name  string
	def   tableDef
	keys  []string          // hash, then range if any
	types map[string]string // key attribute -> "S", "N" or "B"
	count int64
}

// newTable parses the key schema out of the CreateTable request.
func newTable(name string, def tableDef) (*table, error) {
	var ct struct {
		KeySchema []struct {
			AttributeName string
			KeyType       string
		}
		AttributeDefinitions []struct {
			AttributeName string
			AttributeType string
		}
	}
	if err := json.Unmarshal(def.Create, &ct); err != nil {
		return nil, fmt.Errorf("dynamolocal: table %s definition: %w", name, err)
	}
	t := &table{name: name, def: def, types: map[string]string{}}
	var hash, rng string
	for _, k := range ct.KeySchema {
		switch k.KeyType {
		case "HASH":
			hash = k.AttributeName
		case "RANGE":
			rng = k.AttributeName
		}
	}
	if hash == "" {
		return nil, fmt.Errorf("dynamolocal: table %s definition has no HASH key", name)
	}
	t.keys = []string{hash}
	if rng != "" {
		t.keys = append(t.keys, rng)
	}
	for _, a := range ct.AttributeDefinitions {
		t.types[a.AttributeName] = a.AttributeType
	}
	for _, k := range t.keys {
		if t.types[k] == "" {
			return nil, fmt.Errorf("dynamolocal: table %s: key attribute %s has no definition", name, k)
		}
	}
	return t, nil
}

// itemKey is the pebble key of the item (or key map) in this table.
func (t *table) itemKey(item map[string]*server.AttributeValue) ([]byte, error) {
	k := tablePrefix(t.name)
	for _, name := range t.keys {
		var err error
		if k, err = appendKeyAttr(k, t.types[name], name, item[name]); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// keyOf returns only the key attributes of an item (a LastEvaluatedKey).
func (t *table) keyOf(item map[string]*server.AttributeValue) map[string]*server.AttributeValue {
	out := make(map[string]*server.AttributeValue, len(t.keys))
	for _, name := range t.keys {
		out[name] = item[name]
	}
	return out
}

var errKey = errors.New("invalid key")

func appendKeyAttr(b []byte, typ, name string, av *server.AttributeValue) ([]byte, error) {
	var raw []byte
	switch {
	case av == nil:
		return nil, fmt.Errorf("%w: missing key attribute %s", errKey, name)
	case typ == "S" && av.S != nil:
		raw = []byte(*av.S)
	case typ == "N" && av.N != nil:
		n, ok := canonicalNumber(*av.N)
		if !ok {
			return nil, fmt.Errorf("%w: key attribute %s: bad number %q", errKey, name, *av.N)
		}
		raw = []byte(n)
	case typ == "B" && av.B != nil:
		raw = av.B
	default:
		return nil, fmt.Errorf("%w: key attribute %s is not of type %s", errKey, name, typ)
	}
	b = append(b, typ[0])
	b = binary.AppendUvarint(b, uint64(len(raw)))
	return append(b, raw...), nil
}

// canonicalNumber spells a DynamoDB number one way, so "1", "1.0" and "1e0"
// are the same key (as they are to DynamoDB and to minidyn).
func canonicalNumber(s string) (string, bool) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok {
		return "", false
	}
	return r.String(), true
}

// encodeItem is the stored form of an item: DynamoDB wire JSON. Map keys are
// sorted by encoding/json, so an unchanged item encodes to the same bytes.
func encodeItem(item map[string]*server.AttributeValue) ([]byte, error) {
	m := make(map[string]any, len(item))
	for k, v := range item {
		m[k] = avWire(v)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("dynamolocal: encode item: %w", err)
	}
	return b, nil
}

func decodeItem(b []byte) (map[string]*server.AttributeValue, error) {
	var item map[string]*server.AttributeValue
	if err := json.Unmarshal(b, &item); err != nil {
		return nil, fmt.Errorf("dynamolocal: decode stored item: %w", err)
	}
	return item, nil
}

func encodeCount(n int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(n)) }

// getValue returns a copy of the value at key, or nil when absent.
func getValue(db *pebble.DB, key []byte) ([]byte, error) {
	v, closer, err := db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dynamolocal: read store: %w", err)
	}
	out := append([]byte(nil), v...)
	if err := closer.Close(); err != nil {
		return nil, fmt.Errorf("dynamolocal: read store: %w", err)
	}
	return out, nil
}

// loadTables reads every table definition and count from the store.
func loadTables(db *pebble.DB) (map[string]*table, error) {
	tables := map[string]*table{}
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: []byte{nsDef}, UpperBound: []byte{nsDef + 1}})
	if err != nil {
		return nil, fmt.Errorf("dynamolocal: list tables: %w", err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		name := string(it.Key()[1:])
		var def tableDef
		raw, err := it.ValueAndErr()
		if err == nil {
			err = json.Unmarshal(raw, &def)
		}
		if err != nil {
			_ = it.Close()
			return nil, fmt.Errorf("dynamolocal: table %s definition: %w", name, err)
		}
		t, err := newTable(name, def)
		if err != nil {
			_ = it.Close()
			return nil, err
		}
		tables[name] = t
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("dynamolocal: list tables: %w", err)
	}
	for name, t := range tables {
		v, err := getValue(db, countKey(name))
		if err != nil {
			return nil, err
		}
		if len(v) == 8 {
			t.count = int64(binary.BigEndian.Uint64(v))
		}
	}
	return tables, nil
}
