package dynamolocal

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestRestartKeepsGuardsAndSchemas(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dynamodb")
	c, _, stop := start(t, dir)
	createTables(t, c)
	ctx := context.Background()
	claim := &dynamodb.PutItemInput{TableName: aws.String("locks"), Item: map[string]av{"id": s("run-1"), "v": n("3")},
		ConditionExpression: aws.String("attribute_not_exists(id)")}
	if _, err := c.PutItem(ctx, claim); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders"),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("status"), AttributeType: types.ScalarAttributeTypeS},
		}}); err != nil {
		t.Fatal(err)
	}
	stop()

	c, srv, stop := start(t, dir)
	defer stop()
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"the guard still refuses a second claim", func(t *testing.T) {
			if _, err := c.PutItem(ctx, claim); !isCCF(err) {
				t.Fatalf("second claim after restart: err = %v, want ConditionalCheckFailedException", err)
			}
		}},
		{"a version guard still compares with the stored version", func(t *testing.T) {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("locks"), Key: map[string]av{"id": s("run-1")},
				UpdateExpression: aws.String("SET v = :v"), ConditionExpression: aws.String("v < :v"),
				ExpressionAttributeValues: map[string]av{":v": n("2")}})
			if !isCCF(err) {
				t.Fatalf("older version after restart: err = %v", err)
			}
		}},
		{"the table update was replayed", func(t *testing.T) {
			var def tableDef
			if tb := srv.tables["orders"]; tb != nil {
				def = tb.def
			}
			if len(def.Updates) != 1 {
				t.Fatalf("orders has %d recorded updates, want 1", len(def.Updates))
			}
		}},
		{"item counts survive", func(t *testing.T) {
			out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("locks")})
			if err != nil || aws.ToInt64(out.Table.ItemCount) != 1 {
				t.Fatalf("locks ItemCount %v, %v", out, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

// An old dynamodb.json (the previous design's snapshot) is imported once
// into a new store and renamed, and its data is served.
func TestImportOldSnapshot(t *testing.T) {
	state := t.TempDir()
	old := filepath.Join(state, "dynamodb.json")
	snap := `{"version":1,"tables":[
	 {"name":"locks","create":{"TableName":"locks","BillingMode":"PAY_PER_REQUEST",
	   "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
	   "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]},
	  "items":[{"id":{"S":"a"},"v":{"N":"7"},"xs":{"L":[]}},{"id":{"S":"b"}}]},
	 {"name":"empty","create":{"TableName":"empty","BillingMode":"PAY_PER_REQUEST",
	   "AttributeDefinitions":[{"AttributeName":"k","AttributeType":"N"}],
	   "KeySchema":[{"AttributeName":"k","KeyType":"HASH"}]},"items":[]}]}`
	if err := os.WriteFile(old, []byte(snap), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(state, "dynamodb")
	open := func() *Server {
		t.Helper()
		srv, err := Open(Options{Dir: dir, ImportSnapshot: old, Logger: discard})
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	srv := open()
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("snapshot not moved away: %v", err)
	}
	if _, err := os.Stat(old + ".imported"); err != nil {
		t.Fatalf("renamed snapshot: %v", err)
	}
	if _, err := os.Stat(dir + ".importing"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("import work dir left behind: %v", err)
	}
	got := mustCall(t, srv, "GetItem", map[string]any{"TableName": "locks", "Key": map[string]any{"id": map[string]any{"S": "a"}}})
	want := map[string]any{"id": map[string]any{"S": "a"}, "v": map[string]any{"N": "7"}, "xs": map[string]any{"L": []any{}}}
	if !reflect.DeepEqual(got["Item"], want) {
		t.Fatalf("imported item %v, want %v", got["Item"], want)
	}
	if out := mustCall(t, srv, "ListTables", map[string]any{}); !reflect.DeepEqual(out["TableNames"], []any{"empty", "locks"}) {
		t.Fatalf("tables %v", out["TableNames"])
	}
	mustCall(t, srv, "DeleteItem", map[string]any{"TableName": "locks", "Key": map[string]any{"id": map[string]any{"S": "b"}}})
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	// A snapshot that reappears is not imported over the store.
	if err := os.WriteFile(old, []byte(snap), 0o644); err != nil {
		t.Fatal(err)
	}
	srv = open()
	defer srv.Close()
	code, out := call(t, srv, "GetItem", map[string]any{"TableName": "locks", "Key": map[string]any{"id": map[string]any{"S": "b"}}})
	if code != http.StatusOK || out["Item"] != nil {
		t.Fatalf("deleted item came back from a second import: %v", out)
	}
	d := mustCall(t, srv, "DescribeTable", map[string]any{"TableName": "locks"})
	if n := d["Table"].(map[string]any)["ItemCount"]; n != 1.0 {
		t.Fatalf("ItemCount %v, want 1", n)
	}
}

func TestScanPages(t *testing.T) {
	srv := openServer(t, t.TempDir())
	defer srv.Close()
	createHashTable(t, srv, "records")
	const total = 2500
	putMany(t, srv, "records", total, 40)

	tests := []struct {
		name      string
		limit     int
		filter    bool
		wantItems int
		wantPages int
	}{
		{"limit 100", 100, false, total, total / 100},
		{"limit 100 with a filter", 100, true, total / 10, total / 100},
		{"default page size", 0, false, total, 1},
		{"limit 7", 7, false, total, (total + 6) / 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[string]int{}
			var start map[string]any
			pages := 0
			for {
				req := map[string]any{"TableName": "records"}
				if tt.limit > 0 {
					req["Limit"] = tt.limit
				}
				if start != nil {
					req["ExclusiveStartKey"] = start
				}
				if tt.filter {
					req["FilterExpression"] = "g = :zero"
					req["ExpressionAttributeValues"] = map[string]any{":zero": map[string]any{"N": "0"}}
				}
				out := mustCall(t, srv, "Scan", req)
				pages++
				items, _ := out["Items"].([]any)
				if tt.limit > 0 && len(items) > tt.limit {
					t.Fatalf("page of %d items with Limit %d", len(items), tt.limit)
				}
				for _, it := range items {
					item := it.(map[string]any)
					if tt.filter && item["g"].(map[string]any)["N"] != "0" {
						t.Fatalf("filter let through %v", item["g"])
					}
					seen[item["id"].(map[string]any)["S"].(string)]++
				}
				lek, _ := out["LastEvaluatedKey"].(map[string]any)
				if lek == nil {
					break
				}
				if len(lek) != 1 || lek["id"] == nil {
					t.Fatalf("LastEvaluatedKey %v is not the key", lek)
				}
				start = lek
				if pages > total+1 {
					t.Fatal("scan does not end")
				}
			}
			if len(seen) != tt.wantItems {
				t.Fatalf("%d distinct items, want %d", len(seen), tt.wantItems)
			}
			for id, n := range seen {
				if n != 1 {
					t.Fatalf("item %s returned %d times", id, n)
				}
			}
			// The last page may be full; one more empty page is allowed then.
			if pages < tt.wantPages || pages > tt.wantPages+1 {
				t.Fatalf("%d pages, want %d", pages, tt.wantPages)
			}
		})
	}

	t.Run("parallel segments partition the table", func(t *testing.T) {
		seen := map[string]int{}
		for seg := range 3 {
			var start map[string]any
			for {
				req := map[string]any{"TableName": "records", "Segment": seg, "TotalSegments": 3, "Limit": 500}
				if start != nil {
					req["ExclusiveStartKey"] = start
				}
				out := mustCall(t, srv, "Scan", req)
				items, _ := out["Items"].([]any)
				for _, it := range items {
					seen[it.(map[string]any)["id"].(map[string]any)["S"].(string)]++
				}
				if start, _ = out["LastEvaluatedKey"].(map[string]any); start == nil {
					break
				}
			}
		}
		if len(seen) != total {
			t.Fatalf("segments returned %d distinct items, want %d", len(seen), total)
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("item %s in %d segments", id, n)
			}
		}
	})
}

// putMany writes n items id-00000... with g = i % 10 and a payload of size
// bytes, 25 to a BatchWriteItem.
func putMany(t testing.TB, srv *Server, table string, n, size int) {
	t.Helper()
	putRange(t, srv, table, 0, n, size)
}

func putRange(t testing.TB, srv *Server, table string, from, to, size int) {
	t.Helper()
	payload := make([]byte, size)
	for i := range payload {
		payload[i] = 'a' + byte(i%26)
	}
	for i := from; i < to; i += 25 {
		var reqs []any
		for j := i; j < min(i+25, to); j++ {
			reqs = append(reqs, map[string]any{"PutRequest": map[string]any{"Item": map[string]any{
				"id":      map[string]any{"S": fmt.Sprintf("id-%05d", j)},
				"g":       map[string]any{"N": fmt.Sprint(j % 10)},
				"payload": map[string]any{"S": string(payload)},
			}}})
		}
		mustCall(t, srv, "BatchWriteItem", map[string]any{"RequestItems": map[string]any{table: reqs}})
	}
}

func TestFailedWritesChangeNothingInTheStore(t *testing.T) {
	srv := openServer(t, t.TempDir())
	defer srv.Close()
	createHashTable(t, srv, "locks")
	createHashTable(t, srv, "records")
	mustCall(t, srv, "PutItem", map[string]any{"TableName": "locks", "Item": map[string]any{"id": map[string]any{"S": "held"}}})
	mustCall(t, srv, "PutItem", map[string]any{"TableName": "locks", "Item": map[string]any{"id": map[string]any{"S": "other"}}})
	mustCall(t, srv, "PutItem", map[string]any{"TableName": "records", "Item": map[string]any{
		"id": map[string]any{"S": "r1"}, "v": map[string]any{"N": "1"}, "lease": map[string]any{"S": "w"}}})

	tests := []struct {
		name    string
		op      string
		body    map[string]any
		errType string
	}{
		{"cancelled transaction", "TransactWriteItems", map[string]any{"TransactItems": []any{
			map[string]any{"Put": map[string]any{"TableName": "records", "Item": map[string]any{"id": map[string]any{"S": "new"}}}},
			map[string]any{"Update": map[string]any{"TableName": "records", "Key": map[string]any{"id": map[string]any{"S": "r1"}},
				"UpdateExpression": "SET v = :two REMOVE lease", "ExpressionAttributeValues": map[string]any{":two": map[string]any{"N": "2"}}}},
			map[string]any{"Delete": map[string]any{"TableName": "locks", "Key": map[string]any{"id": map[string]any{"S": "other"}}}},
			map[string]any{"Put": map[string]any{"TableName": "locks", "Item": map[string]any{"id": map[string]any{"S": "held"}},
				"ConditionExpression": "attribute_not_exists(id)"}},
		}}, "TransactionCanceledException"},
		{"cancelled by a condition check", "TransactWriteItems", map[string]any{"TransactItems": []any{
			map[string]any{"Put": map[string]any{"TableName": "records", "Item": map[string]any{"id": map[string]any{"S": "new"}}}},
			map[string]any{"ConditionCheck": map[string]any{"TableName": "locks", "Key": map[string]any{"id": map[string]any{"S": "held"}},
				"ConditionExpression": "attribute_not_exists(id)"}},
		}}, "TransactionCanceledException"},
		{"failed conditional update with REMOVE", "UpdateItem", map[string]any{"TableName": "records",
			"Key": map[string]any{"id": map[string]any{"S": "r1"}}, "UpdateExpression": "REMOVE lease",
			"ConditionExpression": "v = :two", "ExpressionAttributeValues": map[string]any{":two": map[string]any{"N": "2"}}},
			"ConditionalCheckFailedException"},
		{"failed conditional delete", "DeleteItem", map[string]any{"TableName": "records",
			"Key": map[string]any{"id": map[string]any{"S": "r1"}}, "ConditionExpression": "attribute_not_exists(id)"},
			"ConditionalCheckFailedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := storeDump(t, srv)
			code, out := call(t, srv, tt.op, tt.body)
			if code != http.StatusBadRequest || out["__type"] != "com.amazonaws.dynamodb.v20120810#"+tt.errType {
				t.Fatalf("status %d %v, want %s", code, out, tt.errType)
			}
			if after := storeDump(t, srv); !maps.Equal(before, after) {
				t.Fatalf("the store changed: %d keys before, %d after", len(before), len(after))
			}
			// Nothing lingers in the scratch tables either.
			got := mustCall(t, srv, "GetItem", map[string]any{"TableName": "records", "Key": map[string]any{"id": map[string]any{"S": "new"}}})
			if got["Item"] != nil {
				t.Fatal("a cancelled put is visible")
			}
		})
	}
}

// crashDirEnv makes the test binary act as a process that writes and dies
// without Close (see TestWritesSurviveAProcessCrash).
const crashDirEnv = "DYNAMOLOCAL_CRASH_DIR"

const crashSyncDelay = 20 * time.Millisecond

func TestWritesSurviveAProcessCrash(t *testing.T) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		srv, err := Open(Options{Dir: dir, SyncDelay: crashSyncDelay, Logger: discard})
		if err != nil {
			t.Fatal(err)
		}
		createHashTable(t, srv, "jobs")
		putMany(t, srv, "jobs", 300, 100)
		// No Close, no Flush: only the background sync SyncDelay after the
		// writes puts the log's last block on disk.
		time.Sleep(crashSyncDelay * 5)
		os.Exit(0)
	}
	dir := filepath.Join(t.TempDir(), "dynamodb")
	cmd := exec.Command(os.Args[0], "-test.run=^TestWritesSurviveAProcessCrash$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("writer process: %v\n%s", err, out)
	}
	srv := openServer(t, dir)
	defer srv.Close()
	d := mustCall(t, srv, "DescribeTable", map[string]any{"TableName": "jobs"})
	if n := d["Table"].(map[string]any)["ItemCount"]; n != 300.0 {
		t.Fatalf("ItemCount after the crash %v, want 300", n)
	}
	got := mustCall(t, srv, "GetItem", map[string]any{"TableName": "jobs", "Key": map[string]any{"id": map[string]any{"S": "id-00299"}}})
	if got["Item"] == nil {
		t.Fatal("last item written before the crash is missing")
	}
}
