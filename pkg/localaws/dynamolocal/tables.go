package dynamolocal

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/cockroachdb/pebble/v2"
	"github.com/truora/minidyn/server"
)

// Table operations run on the scratch client (which validates them and
// answers with minidyn's descriptions); a successful one is recorded in
// pebble so Open can replay it.

func (s *Server) createTable(ctx context.Context, body []byte) (any, error) {
	in, err := decode[server.CreateTableInput](body)
	if err != nil {
		return nil, err
	}
	name := aws.ToString(in.TableName)
	out, err := s.scratch.CreateTable(ctx, in)
	if err != nil {
		return nil, err
	}
	t, err := newTable(name, tableDef{Create: append(json.RawMessage(nil), body...)})
	if err != nil {
		_, _ = s.scratch.DeleteTable(ctx, &server.DeleteTableInput{TableName: in.TableName})
		return nil, &apiError{status: http.StatusBadRequest, typ: "ValidationException", msg: err.Error()}
	}
	b := s.db.NewBatch()
	defer b.Close()
	if err := putDef(b, t); err != nil {
		return nil, err
	}
	if err := b.Set(countKey(name), encodeCount(0), nil); err != nil {
		return nil, fmt.Errorf("dynamolocal: create table %s: %w", name, err)
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		_, _ = s.scratch.DeleteTable(ctx, &server.DeleteTableInput{TableName: in.TableName})
		return nil, fmt.Errorf("dynamolocal: create table %s: %w", name, err)
	}
	s.tables[name] = t
	s.written()
	return out, nil
}

func putDef(b *pebble.Batch, t *table) error {
	raw, err := json.Marshal(t.def)
	if err != nil {
		return fmt.Errorf("dynamolocal: encode table %s definition: %w", t.name, err)
	}
	if err := b.Set(defKey(t.name), raw, nil); err != nil {
		return fmt.Errorf("dynamolocal: store table %s definition: %w", t.name, err)
	}
	return nil
}

func (s *Server) updateTable(ctx context.Context, body []byte) (any, error) {
	in, err := decode[server.UpdateTableInput](body)
	if err != nil {
		return nil, err
	}
	out, err := s.scratch.UpdateTable(ctx, in)
	if err != nil {
		return nil, err
	}
	t := s.tables[aws.ToString(in.TableName)]
	if t == nil {
		return out, nil // minidyn knows a table we do not: cannot happen
	}
	next := *t
	next.def.Updates = append(append([]json.RawMessage(nil), t.def.Updates...), append(json.RawMessage(nil), body...))
	b := s.db.NewBatch()
	defer b.Close()
	if err := putDef(b, &next); err != nil {
		return nil, err
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		return nil, fmt.Errorf("dynamolocal: update table %s: %w", t.name, err)
	}
	t.def = next.def
	s.written()
	return out, nil
}

func (s *Server) deleteTable(ctx context.Context, body []byte) (any, error) {
	in, err := decode[server.DeleteTableInput](body)
	if err != nil {
		return nil, err
	}
	name := aws.ToString(in.TableName)
	t := s.tables[name]
	out, err := s.scratch.DeleteTable(ctx, in)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return out, nil
	}
	setItemCount(out.TableDescription, t.count)
	prefix := tablePrefix(name)
	b := s.db.NewBatch()
	defer b.Close()
	err = b.DeleteRange(prefix, prefixEnd(prefix), nil)
	if err == nil {
		err = b.Delete(defKey(name), nil)
	}
	if err == nil {
		err = b.Delete(countKey(name), nil)
	}
	if err == nil {
		err = b.Commit(pebble.NoSync)
	}
	if err != nil {
		// The scratch table is gone but the store still has it: put the
		// schema back so both agree.
		_ = s.replaySchema(ctx, t.def)
		return nil, fmt.Errorf("dynamolocal: delete table %s: %w", name, err)
	}
	delete(s.tables, name)
	s.written()
	return out, nil
}

// describeTable reports the real item count: the scratch table is empty
// between requests.
func (s *Server) describeTable(ctx context.Context, body []byte) (any, error) {
	in, err := decode[server.DescribeTableInput](body)
	if err != nil {
		return nil, err
	}
	out, err := s.scratch.DescribeTable(ctx, in)
	if err != nil {
		return nil, err
	}
	if t := s.tables[aws.ToString(in.TableName)]; t != nil {
		setItemCount(out.Table, t.count)
	}
	return out, nil
}

func setItemCount(desc any, n int64) {
	if d, ok := desc.(*ddbtypes.TableDescription); ok && d != nil {
		d.ItemCount = aws.Int64(n)
	}
}

type listTablesOutput struct {
	TableNames             []string
	LastEvaluatedTableName *string `json:",omitempty"`
}

// listTables is ours: minidyn has no ListTables.
func (s *Server) listTables(_ context.Context, body []byte) (any, error) {
	in, err := decode[struct {
		ExclusiveStartTableName string
		Limit                   int
	}](body)
	if err != nil {
		return nil, err
	}
	if in.Limit <= 0 || in.Limit > 100 {
		in.Limit = 100
	}
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		if n > in.ExclusiveStartTableName {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := &listTablesOutput{TableNames: names}
	if len(names) > in.Limit {
		out.TableNames = names[:in.Limit]
		out.LastEvaluatedTableName = &names[in.Limit-1]
	}
	return out, nil
}
