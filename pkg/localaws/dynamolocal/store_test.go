package dynamolocal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/cockroachdb/pebble/v2"
	"github.com/truora/minidyn/server"
)

// call sends one request straight to the handler (no network, no SDK) and
// decodes the JSON answer; a non-200 answer fails the test unless wantErr.
func call(t testing.TB, srv *Server, op string, body any) (int, map[string]any) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(raw))
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s: decode %q: %v", op, rec.Body.String(), err)
	}
	return rec.Code, out
}

func mustCall(t testing.TB, srv *Server, op string, body any) map[string]any {
	t.Helper()
	code, out := call(t, srv, op, body)
	if code != http.StatusOK {
		t.Fatalf("%s: status %d: %v", op, code, out)
	}
	return out
}

func openServer(t testing.TB, dir string) *Server {
	t.Helper()
	srv, err := Open(Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// createHashTable creates a table keyed by the string attribute id.
func createHashTable(t testing.TB, srv *Server, name string) {
	t.Helper()
	mustCall(t, srv, "CreateTable", map[string]any{
		"TableName": name, "BillingMode": "PAY_PER_REQUEST",
		"AttributeDefinitions": []any{map[string]any{"AttributeName": "id", "AttributeType": "S"}},
		"KeySchema":            []any{map[string]any{"AttributeName": "id", "KeyType": "HASH"}},
	})
}

// storeDump is every key and value in pebble, for before/after comparisons.
func storeDump(t testing.TB, srv *Server) map[string]string {
	t.Helper()
	it, err := srv.db.NewIter(&pebble.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	out := map[string]string{}
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			t.Fatal(err)
		}
		out[string(it.Key())] = string(v)
	}
	return out
}

func TestKeyEncoding(t *testing.T) {
	str := func(v string) *server.AttributeValue { return &server.AttributeValue{S: aws.String(v)} }
	num := func(v string) *server.AttributeValue { return &server.AttributeValue{N: aws.String(v)} }
	hashS := &table{name: "t", keys: []string{"pk"}, types: map[string]string{"pk": "S"}}
	hashRange := &table{name: "t", keys: []string{"pk", "sk"}, types: map[string]string{"pk": "S", "sk": "S"}}
	hashN := &table{name: "t", keys: []string{"n"}, types: map[string]string{"n": "N"}}
	other := &table{name: "t2", keys: []string{"pk"}, types: map[string]string{"pk": "S"}}
	key := func(tb *table, item map[string]*server.AttributeValue) string {
		k, err := tb.itemKey(item)
		if err != nil {
			t.Fatalf("itemKey(%v): %v", item, err)
		}
		return string(k)
	}
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"split point of hash and range matters",
			key(hashRange, map[string]*server.AttributeValue{"pk": str("a.b"), "sk": str("c")}),
			key(hashRange, map[string]*server.AttributeValue{"pk": str("a"), "sk": str("b.c")}), false},
		{"other attributes do not enter the key",
			key(hashS, map[string]*server.AttributeValue{"pk": str("x"), "v": num("1")}),
			key(hashS, map[string]*server.AttributeValue{"pk": str("x")}), true},
		{"numbers are canonical",
			key(hashN, map[string]*server.AttributeValue{"n": num("1.50")}),
			key(hashN, map[string]*server.AttributeValue{"n": num("15e-1")}), true},
		{"different numbers differ",
			key(hashN, map[string]*server.AttributeValue{"n": num("1")}),
			key(hashN, map[string]*server.AttributeValue{"n": num("10")}), false},
		{"tables differ",
			key(hashS, map[string]*server.AttributeValue{"pk": str("x")}),
			key(other, map[string]*server.AttributeValue{"pk": str("x")}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if (tt.a == tt.b) != tt.same {
				t.Fatalf("keys %q and %q: same = %v, want %v", tt.a, tt.b, tt.a == tt.b, tt.same)
			}
		})
	}

	t.Run("a table's keys are contiguous", func(t *testing.T) {
		// "t" and "t2" share a name prefix; the length prefix keeps every
		// key of one inside its own range.
		lo := tablePrefix("t")
		hi := prefixEnd(lo)
		for _, v := range []string{"", "a", "\xff\xff", strings.Repeat("z", 300)} {
			k := []byte(key(hashS, map[string]*server.AttributeValue{"pk": str(v)}))
			if bytes.Compare(k, lo) < 0 || bytes.Compare(k, hi) >= 0 {
				t.Errorf("key of %q outside its table's range", v)
			}
			k2 := []byte(key(other, map[string]*server.AttributeValue{"pk": str(v)}))
			if bytes.Compare(k2, lo) >= 0 && bytes.Compare(k2, hi) < 0 {
				t.Errorf("key of %q in table t2 falls inside table t's range", v)
			}
		}
	})

	t.Run("bad keys are refused", func(t *testing.T) {
		for _, item := range []map[string]*server.AttributeValue{
			{},
			{"pk": num("1")},
			{"sk": str("x")},
		} {
			if _, err := hashS.itemKey(item); err == nil {
				t.Errorf("itemKey(%v) succeeded", item)
			}
		}
		if _, err := hashN.itemKey(map[string]*server.AttributeValue{"n": num("one")}); err == nil {
			t.Error("a non-number N key was accepted")
		}
	})
}

func TestHashEquality(t *testing.T) {
	p := &server.AttributeValue{S: aws.String("P")}
	tests := []struct {
		name string
		in   server.QueryInput
		want *server.AttributeValue
	}{
		{"plain", server.QueryInput{KeyConditionExpression: aws.String("pk = :p")}, p},
		{"alias and range condition", server.QueryInput{KeyConditionExpression: aws.String("#k=:p AND sk BETWEEN :a AND :b"),
			ExpressionAttributeNames: map[string]string{"#k": "pk"}}, p},
		{"value first", server.QueryInput{KeyConditionExpression: aws.String("sk >= :a and :p = pk")}, p},
		{"only the range key", server.QueryInput{KeyConditionExpression: aws.String("sk = :p")}, nil},
		{"a value named like the key is not the key", server.QueryInput{KeyConditionExpression: aws.String(":pk = :p")}, nil},
		{"legacy KeyConditions", server.QueryInput{KeyConditions: map[string]server.Condition{
			"pk": {ComparisonOperator: "EQ", AttributeValueList: []*server.AttributeValue{p}}}}, p},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.KeyConditionExpression != nil {
				in.ExpressionAttributeValues = map[string]*server.AttributeValue{":p": p, ":pk": p}
			}
			if got := hashEquality(&in, "pk"); got != tt.want {
				t.Fatalf("hashEquality = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDescribeTableCountsItems(t *testing.T) {
	srv := openServer(t, t.TempDir())
	defer srv.Close()
	createHashTable(t, srv, "jobs")
	count := func() float64 {
		out := mustCall(t, srv, "DescribeTable", map[string]any{"TableName": "jobs"})
		return out["Table"].(map[string]any)["ItemCount"].(float64)
	}
	steps := []struct {
		name string
		op   string
		body map[string]any
		want float64
	}{
		{"put new", "PutItem", map[string]any{"TableName": "jobs", "Item": map[string]any{"id": map[string]any{"S": "a"}}}, 1},
		{"put over", "PutItem", map[string]any{"TableName": "jobs", "Item": map[string]any{"id": map[string]any{"S": "a"}, "x": map[string]any{"N": "1"}}}, 1},
		{"update creates", "UpdateItem", map[string]any{"TableName": "jobs", "Key": map[string]any{"id": map[string]any{"S": "b"}},
			"UpdateExpression": "SET x = :one", "ExpressionAttributeValues": map[string]any{":one": map[string]any{"N": "1"}}}, 2},
		{"batch", "BatchWriteItem", map[string]any{"RequestItems": map[string]any{"jobs": []any{
			map[string]any{"PutRequest": map[string]any{"Item": map[string]any{"id": map[string]any{"S": "c"}}}},
			map[string]any{"DeleteRequest": map[string]any{"Key": map[string]any{"id": map[string]any{"S": "a"}}}},
			map[string]any{"DeleteRequest": map[string]any{"Key": map[string]any{"id": map[string]any{"S": "never"}}}},
		}}}, 2},
		{"delete", "DeleteItem", map[string]any{"TableName": "jobs", "Key": map[string]any{"id": map[string]any{"S": "b"}}}, 1},
	}
	for _, st := range steps {
		mustCall(t, srv, st.op, st.body)
		if got := count(); got != st.want {
			t.Fatalf("after %s: ItemCount %v, want %v", st.name, got, st.want)
		}
	}
	mustCall(t, srv, "DeleteTable", map[string]any{"TableName": "jobs"})
	createHashTable(t, srv, "jobs")
	if got := count(); got != 0 {
		t.Fatalf("recreated table has ItemCount %v", got)
	}
	code, out := call(t, srv, "GetItem", map[string]any{"TableName": "jobs", "Key": map[string]any{"id": map[string]any{"S": "c"}}})
	if code != http.StatusOK || out["Item"] != nil {
		t.Fatalf("item of the deleted table survived: %d %v", code, out)
	}
}

func TestQueryLoadsOnlyThePartition(t *testing.T) {
	srv := openServer(t, "")
	defer srv.Close()
	mustCall(t, srv, "CreateTable", map[string]any{
		"TableName": "orders", "BillingMode": "PAY_PER_REQUEST",
		"AttributeDefinitions": []any{map[string]any{"AttributeName": "pk", "AttributeType": "S"},
			map[string]any{"AttributeName": "sk", "AttributeType": "N"}},
		"KeySchema": []any{map[string]any{"AttributeName": "pk", "KeyType": "HASH"},
			map[string]any{"AttributeName": "sk", "KeyType": "RANGE"}},
	})
	for _, pk := range []string{"a", "ab", "b"} {
		for sk := range 5 {
			mustCall(t, srv, "PutItem", map[string]any{"TableName": "orders", "Item": map[string]any{
				"pk": map[string]any{"S": pk}, "sk": map[string]any{"N": fmt.Sprint(sk)}}})
		}
	}
	before := srv.loads
	out := mustCall(t, srv, "Query", map[string]any{"TableName": "orders",
		"KeyConditionExpression":    "pk = :p AND sk >= :two",
		"ExpressionAttributeValues": map[string]any{":p": map[string]any{"S": "a"}, ":two": map[string]any{"N": "2"}}})
	var got []string
	for _, it := range out["Items"].([]any) {
		item := it.(map[string]any)
		got = append(got, item["pk"].(map[string]any)["S"].(string)+"/"+item["sk"].(map[string]any)["N"].(string))
	}
	slices.Sort(got)
	if want := []string{"a/2", "a/3", "a/4"}; !slices.Equal(got, want) {
		t.Fatalf("query returned %v, want %v", got, want)
	}
	if n := srv.loads - before; n != 5 {
		t.Fatalf("query loaded %d items, want the 5 of partition a", n)
	}
}

var discard = slog.New(slog.DiscardHandler)

func TestFlushAndClose(t *testing.T) {
	for _, dir := range []string{"", t.TempDir()} {
		srv := openServer(t, dir)
		createHashTable(t, srv, "jobs")
		if err := srv.Flush(); err != nil {
			t.Fatalf("flush (dir %q): %v", dir, err)
		}
		if err := srv.Close(); err != nil {
			t.Fatalf("close (dir %q): %v", dir, err)
		}
		if err := srv.Close(); err != nil {
			t.Fatalf("second close: %v", err)
		}
		if err := srv.Flush(); err != nil {
			t.Fatalf("flush after close: %v", err)
		}
		code, out := call(t, srv, "ListTables", map[string]any{})
		if code != http.StatusServiceUnavailable {
			t.Fatalf("request after close: %d %v", code, out)
		}
	}
}
