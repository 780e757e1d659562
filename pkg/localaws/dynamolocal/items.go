package dynamolocal

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/cockroachdb/pebble/v2"
	"github.com/truora/minidyn/server"
)

// scanPageBytes is the default size of a Scan page when the request sets no
// Limit, like DynamoDB's 1 MB.
const scanPageBytes = 1 << 20

// session is one request's use of the scratch tables: the items it loaded
// from pebble, keyed by table and pebble key, with their stored bytes (nil
// for an item that did not exist).
type session struct {
	s      *Server
	ctx    context.Context
	loaded map[string]map[string][]byte
}

func (s *Server) newSession(ctx context.Context) *session {
	return &session{s: s, ctx: ctx, loaded: map[string]map[string][]byte{}}
}

// touch marks a table as used, so clear empties its scratch copy.
func (ss *session) touch(name string) map[string][]byte {
	m := ss.loaded[name]
	if m == nil {
		m = map[string][]byte{}
		ss.loaded[name] = m
	}
	return m
}

// load copies the stored item with item's key (item may be just the key, or
// a whole item to be put) into the scratch table. A missing table or a bad
// key is left for minidyn to report with its usual error.
func (ss *session) load(name string, item map[string]*server.AttributeValue) error {
	t := ss.s.tables[name]
	if t == nil {
		return nil
	}
	k, err := t.itemKey(item)
	if err != nil {
		return nil
	}
	m := ss.touch(name)
	if _, ok := m[string(k)]; ok {
		return nil
	}
	v, err := getValue(ss.s.db, k)
	if err != nil {
		return err
	}
	m[string(k)] = v
	if v == nil {
		return nil
	}
	return ss.put(name, v)
}

// put adds a stored item to the scratch table.
func (ss *session) put(name string, stored []byte) error {
	item, err := decodeItem(stored)
	if err != nil {
		return err
	}
	if _, err := ss.s.scratch.PutItem(ss.ctx, &server.PutItemInput{TableName: &name, Item: item}); err != nil {
		return fmt.Errorf("dynamolocal: load item into %s: %w", name, err)
	}
	ss.s.loads++
	return nil
}

// loadRange copies every stored item with a key in [lo, hi) into the
// scratch table.
func (ss *session) loadRange(name string, lo, hi []byte) error {
	m := ss.touch(name)
	it, err := ss.s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return fmt.Errorf("dynamolocal: read %s: %w", name, err)
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		raw, err := it.ValueAndErr()
		if err != nil {
			return fmt.Errorf("dynamolocal: read %s: %w", name, err)
		}
		v := append([]byte(nil), raw...)
		m[string(it.Key())] = v
		if err := ss.put(name, v); err != nil {
			return err
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("dynamolocal: read %s: %w", name, err)
	}
	return nil
}

// clear empties the scratch tables the request used.
func (ss *session) clear() {
	for name := range ss.loaded {
		_ = ss.s.scratch.ClearTable(name)
	}
}

// commit writes what the operation left in the scratch tables back to pebble
// in one batch: changed and new items are put, loaded items that are gone
// are deleted, and item counts follow.
func (ss *session) commit() error {
	db := ss.s.db
	b := db.NewBatch()
	defer b.Close()
	deltas := map[string]int64{}
	for name, loaded := range ss.loaded {
		t := ss.s.tables[name]
		if t == nil {
			continue
		}
		out, err := ss.s.scratch.Scan(ss.ctx, &server.ScanInput{TableName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("dynamolocal: read back %s: %w", name, err)
		}
		seen := make(map[string]bool, len(out.Items))
		for _, item := range out.Items {
			k, err := t.itemKey(item)
			if err != nil {
				return fmt.Errorf("dynamolocal: write back %s: %w", name, err)
			}
			seen[string(k)] = true
			v, err := encodeItem(item)
			if err != nil {
				return err
			}
			old, ok := loaded[string(k)]
			if !ok {
				// An item we did not load (its key did not parse for us but
				// did for minidyn): look it up for the count.
				ss.s.log.Warn("dynamolocal: item written that the request did not load", "table", name)
				if old, err = getValue(db, k); err != nil {
					return err
				}
			}
			if old != nil && bytes.Equal(old, v) {
				continue
			}
			if err := b.Set(k, v, nil); err != nil {
				return fmt.Errorf("dynamolocal: write %s: %w", name, err)
			}
			if old == nil {
				deltas[name]++
			}
		}
		for k, old := range loaded {
			if old == nil || seen[k] {
				continue
			}
			if err := b.Delete([]byte(k), nil); err != nil {
				return fmt.Errorf("dynamolocal: write %s: %w", name, err)
			}
			deltas[name]--
		}
	}
	if b.Empty() {
		return nil
	}
	for name, d := range deltas {
		if d != 0 {
			if err := b.Set(countKey(name), encodeCount(ss.s.tables[name].count+d), nil); err != nil {
				return fmt.Errorf("dynamolocal: write %s count: %w", name, err)
			}
		}
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("dynamolocal: commit: %w", err)
	}
	ss.s.written()
	for name, d := range deltas {
		ss.s.tables[name].count += d
	}
	return nil
}

// itemOp runs a minidyn operation over the items touch loads, writing the
// result back when writes is set and the operation succeeded.
func itemOp[In any, Out any](touch func(*session, *In) error, run func(*Server, context.Context, *In) (Out, error), writes bool) opFunc {
	return func(s *Server, ctx context.Context, body []byte) (any, error) {
		in, err := decode[In](body)
		if err != nil {
			return nil, err
		}
		ss := s.newSession(ctx)
		defer ss.clear()
		if err := touch(ss, in); err != nil {
			return nil, err
		}
		out, err := run(s, ctx, in)
		if err != nil {
			return nil, err
		}
		if writes {
			if err := ss.commit(); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
}

// onScratch runs a minidyn client method on the scratch client.
func onScratch[In any, Out any](fn func(*server.Client, context.Context, *In) (Out, error)) func(*Server, context.Context, *In) (Out, error) {
	return func(s *Server, ctx context.Context, in *In) (Out, error) { return fn(s.scratch, ctx, in) }
}

func touchPut(ss *session, in *server.PutItemInput) error {
	return ss.load(aws.ToString(in.TableName), in.Item)
}

func touchDelete(ss *session, in *server.DeleteItemInput) error {
	return ss.load(aws.ToString(in.TableName), in.Key)
}

func touchGet(ss *session, in *server.GetItemInput) error {
	return ss.load(aws.ToString(in.TableName), in.Key)
}

func touchUpdate(ss *session, in *server.UpdateItemInput) error {
	return ss.load(aws.ToString(in.TableName), in.Key)
}

func touchBatchGet(ss *session, in *server.BatchGetItemInput) error {
	for name, ka := range in.RequestItems {
		for _, k := range ka.Keys {
			if err := ss.load(name, k); err != nil {
				return err
			}
		}
	}
	return nil
}

func touchBatchWrite(ss *session, in *server.BatchWriteItemInput) error {
	for name, reqs := range in.RequestItems {
		for _, r := range reqs {
			var err error
			switch {
			case r.PutRequest != nil:
				err = ss.load(name, r.PutRequest.Item)
			case r.DeleteRequest != nil:
				err = ss.load(name, r.DeleteRequest.Key)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func touchTransactGet(ss *session, in *server.TransactGetItemsInput) error {
	for _, ti := range in.TransactItems {
		if g := ti.Get; g != nil {
			if err := ss.load(aws.ToString(g.TableName), g.Key); err != nil {
				return err
			}
		}
	}
	return nil
}

func touchTransactWrite(ss *session, in *server.TransactWriteItemsInput) error {
	for _, ti := range in.TransactItems {
		var err error
		switch {
		case ti.Put != nil:
			err = ss.load(aws.ToString(ti.Put.TableName), ti.Put.Item)
		case ti.Update != nil:
			err = ss.load(aws.ToString(ti.Update.TableName), ti.Update.Key)
		case ti.Delete != nil:
			err = ss.load(aws.ToString(ti.Delete.TableName), ti.Delete.Key)
		case ti.ConditionCheck != nil:
			err = ss.load(aws.ToString(ti.ConditionCheck.TableName), ti.ConditionCheck.Key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func validationError(msg string) error {
	return &apiError{status: http.StatusBadRequest, typ: "ValidationException", msg: msg}
}

// scan pages through pebble: it loads at most Limit items (or about 1 MB)
// after ExclusiveStartKey into the scratch table, lets minidyn apply the
// filter and projection to them, and returns the last loaded key as
// LastEvaluatedKey when the table has more.
func (s *Server) scan(ctx context.Context, body []byte) (any, error) {
	in, err := decode[server.ScanInput](body)
	if err != nil {
		return nil, err
	}
	name := aws.ToString(in.TableName)
	t := s.tables[name]
	if t == nil {
		return s.scratch.Scan(ctx, in) // minidyn words the missing table
	}
	limit := 0
	if in.Limit != nil {
		if *in.Limit < 1 {
			return nil, validationError("1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
		}
		limit = int(*in.Limit)
	}
	segment, segments := aws.ToInt32(in.Segment), aws.ToInt32(in.TotalSegments)
	if segments < 0 || segments > 0 && (segment < 0 || segment >= segments) {
		return nil, validationError("Segment must be at least 0 and less than TotalSegments")
	}
	ss := s.newSession(ctx)
	defer ss.clear()
	ss.touch(name)

	lo := tablePrefix(name)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: prefixEnd(lo)})
	if err != nil {
		return nil, fmt.Errorf("dynamolocal: scan %s: %w", name, err)
	}
	defer it.Close()
	ok := it.First()
	if len(in.ExclusiveStartKey) > 0 {
		after, err := t.itemKey(in.ExclusiveStartKey)
		if err != nil {
			return nil, validationError("The provided starting key is invalid: " + err.Error())
		}
		ok = it.SeekGE(after)
		if ok && bytes.Equal(it.Key(), after) {
			ok = it.Next()
		}
	}
	var (
		loaded, size int
		last         map[string]*server.AttributeValue
	)
	for ; ok; ok = it.Next() {
		if limit > 0 && loaded >= limit || limit == 0 && size >= scanPageBytes {
			break
		}
		if segments > 1 && !inSegment(it.Key(), segment, segments) {
			continue
		}
		raw, err := it.ValueAndErr()
		if err != nil {
			return nil, fmt.Errorf("dynamolocal: scan %s: %w", name, err)
		}
		item, err := decodeItem(raw)
		if err != nil {
			return nil, err
		}
		if _, err := s.scratch.PutItem(ctx, &server.PutItemInput{TableName: &name, Item: item}); err != nil {
			return nil, fmt.Errorf("dynamolocal: load item into %s: %w", name, err)
		}
		loaded++
		s.loads++
		size += len(raw)
		last = item
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("dynamolocal: scan %s: %w", name, err)
	}
	page := *in
	page.Limit, page.ExclusiveStartKey, page.Segment, page.TotalSegments = nil, nil, nil, nil
	out, err := s.scratch.Scan(ctx, &page)
	if err != nil {
		return nil, err
	}
	out.ScannedCount = int32(loaded)
	out.LastEvaluatedKey = nil
	if ok && last != nil {
		out.LastEvaluatedKey = t.keyOf(last)
	}
	return out, nil
}

// inSegment assigns items to parallel-scan segments by a hash of their key.
func inSegment(key []byte, segment, segments int32) bool {
	h := fnv.New32a()
	_, _ = h.Write(key)
	return int32(h.Sum32()%uint32(segments)) == segment
}

// query loads the partition the key condition names (its hash-key equality)
// and lets minidyn evaluate the query over it. An index query, or one whose
// hash key we cannot find, loads the whole table: O(table), acceptable
// because we deploy no indexes and do not query.
func (s *Server) query(ctx context.Context, body []byte) (any, error) {
	in, err := decode[server.QueryInput](body)
	if err != nil {
		return nil, err
	}
	name := aws.ToString(in.TableName)
	t := s.tables[name]
	if t == nil {
		return s.scratch.Query(ctx, in)
	}
	ss := s.newSession(ctx)
	defer ss.clear()
	lo := tablePrefix(name)
	load := true
	if aws.ToString(in.IndexName) == "" {
		if v := hashEquality(in, t.keys[0]); v != nil {
			p, err := appendKeyAttr(lo, t.types[t.keys[0]], t.keys[0], v)
			if err == nil {
				lo = p
			} else {
				load = false // the value has the wrong type: minidyn says so
			}
		}
	}
	if load {
		if err := ss.loadRange(name, lo, prefixEnd(lo)); err != nil {
			return nil, err
		}
	}
	out, err := s.scratch.Query(ctx, in)
	if err != nil {
		return nil, err
	}
	return out, nil
}

var (
	nameEqValue = regexp.MustCompile(`(?:^|[^:#A-Za-z0-9_])(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)`)
	valueEqName = regexp.MustCompile(`(:[A-Za-z0-9_]+)\s*=\s*(#?[A-Za-z0-9_]+)`)
)

// hashEquality finds the value the query's key condition requires of the
// hash key, in KeyConditionExpression or legacy KeyConditions.
func hashEquality(in *server.QueryInput, hash string) *server.AttributeValue {
	resolve := func(n string) string {
		if strings.HasPrefix(n, "#") {
			return in.ExpressionAttributeNames[n]
		}
		return n
	}
	expr := aws.ToString(in.KeyConditionExpression)
	for _, m := range nameEqValue.FindAllStringSubmatch(expr, -1) {
		if !strings.HasPrefix(m[1], ":") && resolve(m[1]) == hash {
			return in.ExpressionAttributeValues[m[2]]
		}
	}
	for _, m := range valueEqName.FindAllStringSubmatch(expr, -1) {
		if !strings.HasPrefix(m[2], ":") && resolve(m[2]) == hash {
			return in.ExpressionAttributeValues[m[1]]
		}
	}
	if c, ok := in.KeyConditions[hash]; ok && c.ComparisonOperator == ddbtypes.ComparisonOperatorEq && len(c.AttributeValueList) == 1 {
		return c.AttributeValueList[0]
	}
	return nil
}
