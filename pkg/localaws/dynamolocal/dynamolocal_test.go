package dynamolocal

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

type av = types.AttributeValue

func s(v string) av        { return &types.AttributeValueMemberS{Value: v} }
func n(v string) av        { return &types.AttributeValueMemberN{Value: v} }
func l(v ...av) av         { return &types.AttributeValueMemberL{Value: append([]av{}, v...)} }
func m(v map[string]av) av { return &types.AttributeValueMemberM{Value: v} }

// start serves a Server (persisting to the directory dir unless empty) and returns an SDK
// client plus a stop function.
func start(t *testing.T, dir string) (*dynamodb.Client, *Server, func()) {
	t.Helper()
	srv, err := Open(Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	c := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(hs.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	stopped := false
	return c, srv, func() {
		if stopped {
			return
		}
		stopped = true
		hs.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}
}

func createTables(t *testing.T, c *dynamodb.Client) {
	t.Helper()
	ctx := context.Background()
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String("orders"),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("locks"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func key(pk, sk string) map[string]av { return map[string]av{"pk": s(pk), "sk": s(sk)} }

func getItem(t *testing.T, c *dynamodb.Client, table string, k map[string]av) map[string]av {
	t.Helper()
	out, err := c.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: k, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	return out.Item
}

func putItem(t *testing.T, c *dynamodb.Client, table string, item map[string]av) {
	t.Helper()
	if _, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("put: %v", err)
	}
}

func isCCF(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

func sortedKeys(item map[string]av) []string {
	var ks []string
	for k := range item {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestOperations(t *testing.T) {
	c, _, stop := start(t, "")
	defer stop()
	createTables(t, c)
	ctx := context.Background()

	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"put and get keep empty list and map", func(t *testing.T) {
			item := map[string]av{"pk": s("o#1"), "sk": s("meta"), "lines": l(), "attrs": m(map[string]av{}),
				"nested": m(map[string]av{"xs": l(n("1"), s("a"))}), "flag": &types.AttributeValueMemberBOOL{Value: true}}
			putItem(t, c, "orders", item)
			got := getItem(t, c, "orders", key("o#1", "meta"))
			if !reflect.DeepEqual(got, item) {
				t.Fatalf("got %#v\nwant %#v", got, item)
			}
		}},
		{"attribute_not_exists put fails the second time", func(t *testing.T) {
			in := &dynamodb.PutItemInput{TableName: aws.String("locks"), Item: map[string]av{"id": s("run-1")},
				ConditionExpression: aws.String("attribute_not_exists(id)")}
			if _, err := c.PutItem(ctx, in); err != nil {
				t.Fatalf("first put: %v", err)
			}
			_, err := c.PutItem(ctx, in)
			if !isCCF(err) {
				t.Fatalf("second put err = %v, want ConditionalCheckFailedException", err)
			}
		}},
		{"version guard #v < :v", func(t *testing.T) {
			putItem(t, c, "locks", map[string]av{"id": s("ver"), "v": n("5")})
			upd := func(v string) error {
				_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("locks"), Key: map[string]av{"id": s("ver")},
					UpdateExpression:          aws.String("SET #v = :v"),
					ConditionExpression:       aws.String("attribute_not_exists(#v) OR #v < :v"),
					ExpressionAttributeNames:  map[string]string{"#v": "v"},
					ExpressionAttributeValues: map[string]av{":v": n(v)}})
				return err
			}
			if err := upd("4"); !isCCF(err) {
				t.Fatalf("older version: err = %v, want ConditionalCheckFailedException", err)
			}
			if err := upd("6"); err != nil {
				t.Fatalf("newer version: %v", err)
			}
			if got := getItem(t, c, "locks", map[string]av{"id": s("ver")})["v"]; !reflect.DeepEqual(got, n("6")) {
				t.Fatalf("v = %#v", got)
			}
		}},
		{"update SET ADD REMOVE", func(t *testing.T) {
			putItem(t, c, "orders", map[string]av{"pk": s("o#2"), "sk": s("meta"), "status": s("new"), "retries": n("1"),
				"lease": s("worker-1"), "err": s("boom"), "info": m(map[string]av{"a": s("1"), "b": s("2")})})
			out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("orders"), Key: key("o#2", "meta"),
				UpdateExpression:          aws.String("SET #s = :s ADD retries :one REMOVE lease, #e, info.a"),
				ExpressionAttributeNames:  map[string]string{"#s": "status", "#e": "err"},
				ExpressionAttributeValues: map[string]av{":s": s("shipped"), ":one": n("1")},
				ReturnValues:              types.ReturnValueUpdatedOld})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]av{"pk": s("o#2"), "sk": s("meta"), "status": s("shipped"), "retries": n("2"),
				"info": m(map[string]av{"b": s("2")})}
			if got := getItem(t, c, "orders", key("o#2", "meta")); !reflect.DeepEqual(got, want) {
				t.Fatalf("item %v, want keys %v", sortedKeys(got), sortedKeys(want))
			}
			if got := sortedKeys(out.Attributes); !slices.Equal(got, []string{"err", "info", "lease", "retries", "status"}) {
				t.Fatalf("UPDATED_OLD keys %v", got)
			}
		}},
		{"REMOVE with a failing condition changes nothing", func(t *testing.T) {
			putItem(t, c, "orders", map[string]av{"pk": s("o#3"), "sk": s("meta"), "lease": s("w"), "v": n("1")})
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("orders"), Key: key("o#3", "meta"),
				UpdateExpression: aws.String("REMOVE lease"), ConditionExpression: aws.String("v = :two"),
				ExpressionAttributeValues: map[string]av{":two": n("2")}})
			if !isCCF(err) {
				t.Fatalf("err = %v, want ConditionalCheckFailedException", err)
			}
			if got := getItem(t, c, "orders", key("o#3", "meta")); got["lease"] == nil {
				t.Fatalf("lease removed despite failed condition: %v", sortedKeys(got))
			}
		}},
		{"REMOVE returns ALL_NEW without the attribute", func(t *testing.T) {
			putItem(t, c, "orders", map[string]av{"pk": s("o#4"), "sk": s("meta"), "tmp": s("x")})
			out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("orders"), Key: key("o#4", "meta"),
				UpdateExpression: aws.String("remove tmp"), ReturnValues: types.ReturnValueAllNew})
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedKeys(out.Attributes); !slices.Equal(got, []string{"pk", "sk"}) {
				t.Fatalf("ALL_NEW keys %v", got)
			}
		}},
		{"query on key with begins_with", func(t *testing.T) {
			for _, sk := range []string{"line#1", "line#2", "note#1"} {
				putItem(t, c, "orders", map[string]av{"pk": s("o#5"), "sk": s(sk)})
			}
			out, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("orders"),
				KeyConditionExpression:    aws.String("pk = :p AND begins_with(sk, :pre)"),
				ExpressionAttributeValues: map[string]av{":p": s("o#5"), ":pre": s("line#")}})
			if err != nil {
				t.Fatal(err)
			}
			var sks []string
			for _, it := range out.Items {
				sks = append(sks, it["sk"].(*types.AttributeValueMemberS).Value)
			}
			if !slices.Equal(sks, []string{"line#1", "line#2"}) || out.Count != 2 {
				t.Fatalf("query returned %v (count %d)", sks, out.Count)
			}
		}},
		{"batch write puts and deletes", func(t *testing.T) {
			putItem(t, c, "orders", map[string]av{"pk": s("o#6"), "sk": s("old")})
			out, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
				"orders": {
					{PutRequest: &types.PutRequest{Item: map[string]av{"pk": s("o#6"), "sk": s("a")}}},
					{PutRequest: &types.PutRequest{Item: map[string]av{"pk": s("o#6"), "sk": s("b")}}},
					{DeleteRequest: &types.DeleteRequest{Key: key("o#6", "old")}},
				}}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.UnprocessedItems) != 0 {
				t.Fatalf("unprocessed %v", out.UnprocessedItems)
			}
			if getItem(t, c, "orders", key("o#6", "old")) != nil || getItem(t, c, "orders", key("o#6", "b")) == nil {
				t.Fatal("batch not applied")
			}
		}},
		{"transaction applies all including REMOVE", func(t *testing.T) {
			putItem(t, c, "orders", map[string]av{"pk": s("o#7"), "sk": s("meta"), "lease": s("w")})
			_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: aws.String("locks"), Item: map[string]av{"id": s("tx-1")},
					ConditionExpression: aws.String("attribute_not_exists(id)")}},
				{Update: &types.Update{TableName: aws.String("orders"), Key: key("o#7", "meta"),
					UpdateExpression: aws.String("SET done = :t REMOVE lease"), ExpressionAttributeValues: map[string]av{":t": n("1")}}},
			}})
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedKeys(getItem(t, c, "orders", key("o#7", "meta"))); !slices.Equal(got, []string{"done", "pk", "sk"}) {
				t.Fatalf("item keys %v", got)
			}
		}},
		{"cancelled transaction applies nothing", func(t *testing.T) {
			_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: aws.String("orders"), Item: map[string]av{"pk": s("o#8"), "sk": s("meta")}}},
				{Put: &types.Put{TableName: aws.String("locks"), Item: map[string]av{"id": s("tx-1")},
					ConditionExpression: aws.String("attribute_not_exists(id)")}},
			}})
			var tce *types.TransactionCanceledException
			if !errors.As(err, &tce) {
				t.Fatalf("err = %v, want TransactionCanceledException", err)
			}
			if len(tce.CancellationReasons) != 2 || aws.ToString(tce.CancellationReasons[1].Code) != "ConditionalCheckFailed" {
				t.Fatalf("reasons %+v", tce.CancellationReasons)
			}
			if getItem(t, c, "orders", key("o#8", "meta")) != nil {
				t.Fatal("first put of a cancelled transaction was applied")
			}
		}},
		{"list tables", func(t *testing.T) {
			out, err := c.ListTables(ctx, &dynamodb.ListTablesInput{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(out.TableNames, []string{"locks", "orders"}) {
				t.Fatalf("tables %v", out.TableNames)
			}
		}},
		{"missing table is ResourceNotFoundException", func(t *testing.T) {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("nope"), Key: map[string]av{"id": s("x")}})
			var rnf *types.ResourceNotFoundException
			if !errors.As(err, &rnf) {
				t.Fatalf("err = %v", err)
			}
		}},
		{"unsupported operation is UnknownOperationException", func(t *testing.T) {
			_, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("orders")})
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != "UnknownOperationException" {
				t.Fatalf("err = %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func TestRestartKeepsTablesAndItems(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dynamodb")
	c, _, stop := start(t, dir)
	createTables(t, c)
	putItem(t, c, "orders", map[string]av{"pk": s("o#1"), "sk": s("meta"), "lines": l(), "n": n("3")})
	putItem(t, c, "locks", map[string]av{"id": s("l1")})
	stop()

	c, _, stop = start(t, dir)
	defer stop()
	want := map[string]av{"pk": s("o#1"), "sk": s("meta"), "lines": l(), "n": n("3")}
	if got := getItem(t, c, "orders", key("o#1", "meta")); !reflect.DeepEqual(got, want) {
		t.Fatalf("after restart got %#v", got)
	}
	if getItem(t, c, "locks", map[string]av{"id": s("l1")}) == nil {
		t.Fatal("item written just before Close was lost")
	}
	out, err := c.ListTables(context.Background(), &dynamodb.ListTablesInput{})
	if err != nil || !slices.Equal(out.TableNames, []string{"locks", "orders"}) {
		t.Fatalf("tables %v, %v", out, err)
	}
}

func TestTopLevelRemoves(t *testing.T) {
	names := map[string]string{"#l": "lease", "#s": "status"}
	tests := []struct {
		expr string
		want []string
	}{
		{"SET a = :a", nil},
		{"REMOVE a", []string{"a"}},
		{"remove a, b", []string{"a", "b"}},
		{"SET a = :a REMOVE #l, info.x, xs[0] ADD n :one", []string{"lease"}},
		{"SET a = if_not_exists(a, :z) REMOVE b DELETE s :s", []string{"b"}},
		{"REMOVE #missing", nil},
		{"SET #s = list_append(#s, :x) REMOVE #s", []string{"status"}},
	}
	for _, tt := range tests {
		if got := topLevelRemoves(tt.expr, names); !slices.Equal(got, tt.want) {
			t.Errorf("topLevelRemoves(%q) = %v, want %v", tt.expr, got, tt.want)
		}
	}
}
