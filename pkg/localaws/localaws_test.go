package localaws

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

type clients struct {
	s3  *s3.Client
	sqs *sqs.Client
	ddb *dynamodb.Client
}

func startStack(t *testing.T, dir string) (*Stack, clients) {
	t.Helper()
	st, err := Start(context.Background(), Config{Dir: dir, Buckets: []string{"exports"}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	cfg := st.AWSConfig(context.Background())
	return st, clients{s3: s3.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg), ddb: dynamodb.NewFromConfig(cfg)}
}

// write puts one thing in each service.
func write(t *testing.T, c clients) {
	t.Helper()
	ctx := context.Background()
	// An unseekable body: only works because AWSConfig sends unsigned payloads.
	if _, err := c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("exports"), Key: aws.String("a/b.json"),
		Body: io.NopCloser(bytes.NewReader([]byte(`{"x":1}`))), ContentLength: aws.Int64(7),
		Metadata: map[string]string{"kind": "export"}}); err != nil {
		t.Fatalf("s3 put: %v", err)
	}
	q, err := c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("events")})
	if err != nil {
		t.Fatalf("sqs create: %v", err)
	}
	if _, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("hello")}); err != nil {
		t.Fatalf("sqs send: %v", err)
	}
	if _, err := c.ddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("state"), BillingMode: dtypes.BillingModePayPerRequest,
		AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: dtypes.ScalarAttributeTypeS}},
		KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: dtypes.KeyTypeHash}}}); err != nil {
		t.Fatalf("ddb create: %v", err)
	}
	if _, err := c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("state"),
		Item: map[string]dtypes.AttributeValue{"id": &dtypes.AttributeValueMemberS{Value: "cursor"}, "at": &dtypes.AttributeValueMemberN{Value: "42"}}}); err != nil {
		t.Fatalf("ddb put: %v", err)
	}
}

// check reads back what write stored.
func check(t *testing.T, c clients) {
	t.Helper()
	ctx := context.Background()
	obj, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("exports"), Key: aws.String("a/b.json")})
	if err != nil {
		t.Fatalf("s3 get: %v", err)
	}
	body, _ := io.ReadAll(obj.Body)
	_ = obj.Body.Close()
	if string(body) != `{"x":1}` || obj.Metadata["kind"] != "export" {
		t.Fatalf("s3 object %q %v", body, obj.Metadata)
	}
	q, err := c.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("events")})
	if err != nil {
		t.Fatalf("sqs get url: %v", err)
	}
	msgs, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl})
	if err != nil || len(msgs.Messages) != 1 || aws.ToString(msgs.Messages[0].Body) != "hello" {
		t.Fatalf("sqs receive %+v, %v", msgs, err)
	}
	item, err := c.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("state"),
		Key: map[string]dtypes.AttributeValue{"id": &dtypes.AttributeValueMemberS{Value: "cursor"}}})
	if err != nil {
		t.Fatalf("ddb get: %v", err)
	}
	if at, ok := item.Item["at"].(*dtypes.AttributeValueMemberN); !ok || at.Value != "42" {
		t.Fatalf("ddb item %v", item.Item)
	}
}

func TestStackThroughSDKConfig(t *testing.T) {
	st, c := startStack(t, "")
	defer st.Close()
	for _, u := range []string{st.S3URL(), st.SQSURL(), st.DynamoDBURL()} {
		if !strings.HasPrefix(u, "http://127.0.0.1:") {
			t.Fatalf("endpoint %q not on loopback", u)
		}
	}
	write(t, c)
	check(t, c)
}

func TestRestartKeepsState(t *testing.T) {
	dir := t.TempDir()
	st, c := startStack(t, dir)
	write(t, c)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, c = startStack(t, dir)
	defer st.Close()
	check(t, c)
}

func TestStacksAreIndependent(t *testing.T) {
	a, ca := startStack(t, "")
	defer a.Close()
	b, cb := startStack(t, "")
	defer b.Close()
	write(t, ca)
	_, err := cb.sqs.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String("events")})
	if err == nil {
		t.Fatal("queue created in one stack is visible in another")
	}
}

func TestCloseReleasesLongPoll(t *testing.T) {
	st, c := startStack(t, "")
	q, err := c.sqs.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("idle")})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = c.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 20})
	}()
	time.Sleep(200 * time.Millisecond) // let the poll reach the server
	began := time.Now()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	<-done
	if el := time.Since(began); el > 3*time.Second {
		t.Fatalf("Close took %v with a long poll waiting", el)
	}
}

// A state directory from before the pebble store (DynamoDB as dynamodb.json)
// keeps its DynamoDB data: the snapshot is imported once into dynamodb/.
func TestUpgradeImportsDynamoDBSnapshot(t *testing.T) {
	dir := t.TempDir()
	snap := `{"version":1,"tables":[{"name":"state","create":{"TableName":"state","BillingMode":"PAY_PER_REQUEST",
	  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]},
	  "items":[{"id":{"S":"cursor"},"at":{"N":"42"}}]}]}`
	if err := os.WriteFile(filepath.Join(dir, "dynamodb.json"), []byte(snap), 0o644); err != nil {
		t.Fatal(err)
	}
	st, c := startStack(t, dir)
	defer st.Close()
	item, err := c.ddb.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("state"),
		Key: map[string]dtypes.AttributeValue{"id": &dtypes.AttributeValueMemberS{Value: "cursor"}}})
	if err != nil {
		t.Fatalf("ddb get: %v", err)
	}
	if at, ok := item.Item["at"].(*dtypes.AttributeValueMemberN); !ok || at.Value != "42" {
		t.Fatalf("imported item %v", item.Item)
	}
	for name, want := range map[string]bool{"dynamodb": true, "dynamodb.json.imported": true, "dynamodb.json": false} {
		_, err := os.Stat(filepath.Join(dir, name))
		if got := err == nil; got != want {
			t.Errorf("%s exists = %v, want %v", name, got, want)
		}
	}
}
