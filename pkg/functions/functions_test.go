package functions

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/logiwaflow/logiwaflow/pkg/inbound"
	"github.com/logiwaflow/logiwaflow/pkg/localaws"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/parking"
	"github.com/logiwaflow/logiwaflow/pkg/records"
)

const msg = `{"schema":"inventory.v1","messageId":"m-1","sku":"FN-1","version":4,"occurredAt":"2026-11-24T09:00:00Z","product":{"name":"Fn"}}`

// TestFunctionsOverLocalServices builds the functions as a Lambda main does
// and runs them against the local stand-ins: each reaches the resource its
// settings name.
func TestFunctionsOverLocalServices(t *testing.T) {
	ctx := context.Background()
	st, err := localaws.Start(ctx, localaws.Config{Buckets: []string{"parked"}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cfg := st.AWSConfig(ctx)
	if err := records.CreateTables(ctx, dynamodb.NewFromConfig(cfg), "records", "jobs"); err != nil {
		t.Fatal(err)
	}
	q, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("inventory")})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	c := Config{
		AWS: cfg, RecordsTable: "records", JobsTable: "jobs", ParkedBucket: "parked",
		Queues: map[message.Flow]string{message.FlowInventory: aws.ToString(q.QueueUrl)},
		Now:    func() time.Time { return at },
	}

	_, err = Validate(c)(ctx, inbound.ValidateInput{Flow: "inventory", Body: `{"schema":"inventory.v1"}`})
	var invalid *message.InvalidError
	if !errors.As(err, &invalid) {
		t.Fatalf("invalid message: err = %v", err)
	}
	v, err := Validate(c)(ctx, inbound.ValidateInput{Flow: "inventory", Body: msg})
	if err != nil || v.Key != "FN-1" || v.Version != 4 || v.Stale {
		t.Fatalf("validate: %+v %v", v, err)
	}
	rec, err := UpdateDB(c)(ctx, inbound.RecordInput{Flow: "inventory", Execution: "x", Key: "FN-1", Version: 4, Result: json.RawMessage(`{"id":"L-1","outcome":"created"}`)})
	if err != nil || rec.Outcome != "applied" {
		t.Fatalf("update-db: %+v %v", rec, err)
	}
	if v, err := Validate(c)(ctx, inbound.ValidateInput{Flow: "inventory", Body: msg}); err != nil || !v.Stale {
		t.Fatalf("after update-db the same version is stale: %+v %v", v, err)
	}

	orig, _ := json.Marshal(map[string]any{"body": msg, "replay": 0})
	p, err := Park(c)(ctx, parking.ParkInput{Flow: "inventory", Execution: "inventory-FN-1-abc", Reason: "outage",
		Failure: json.RawMessage(`{"Error":"Logiwa.Unavailable","Cause":"down"}`), Original: orig})
	if err != nil || p.Key != "parked/outage/inventory/2026/11/25/inventory-FN-1-abc.json" {
		t.Fatalf("park: %+v %v", p, err)
	}
	list, err := Redrive(c)(ctx, parking.RedriveInput{Action: "list", Request: json.RawMessage(`{"reason":"outage"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := list.(parking.ListOutput); !ok || len(l.Items) != 1 || l.Items[0] != p.Key {
		t.Fatalf("redrive list: %+v", list)
	}
	if _, err := Redrive(c)(ctx, parking.RedriveInput{Action: "republish", Key: p.Key}); err != nil {
		t.Fatal(err)
	}
	got, err := sqs.NewFromConfig(cfg).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 1})
	if err != nil || len(got.Messages) != 1 || !strings.Contains(aws.ToString(got.Messages[0].Body), `"replay":1`) {
		t.Fatalf("republished: %+v %v", got, err)
	}
}

func TestGateWorkerNeedsARateAndWorkers(t *testing.T) {
	for _, g := range []Gate{
		{BaseURL: "http://127.0.0.1:1", Email: "e", Password: "p", RateLimit: 0, Workers: 1},
		{BaseURL: "http://127.0.0.1:1", Email: "e", Password: "p", RateLimit: 2, Workers: 0},
		{BaseURL: "not a url", Email: "e", Password: "p", RateLimit: 2, Workers: 1},
		{BaseURL: "http://127.0.0.1:1", Email: "e", Password: "p", RateLimit: 2, Workers: 2, Index: 2},
		// Instances that cannot know their index may share slots: 3 of them
		// on 2 slots a second could send 3 in one second.
		{BaseURL: "http://127.0.0.1:1", Email: "e", Password: "p", RateLimit: 2, Workers: 3, Index: -1},
	} {
		if _, err := GateWorker(Config{}, g); err == nil {
			t.Errorf("%+v: no error", g)
		}
	}
	for _, g := range []Gate{
		{BaseURL: "http://127.0.0.1:1", Email: "e", Password: "p", RateLimit: 2, Workers: 2, Index: 1},
		{BaseURL: "http://127.0.0.1:1", Email: "e", Password: "p", RateLimit: 6, Workers: 3, Index: -1},
		{BaseURL: "http://127.0.0.1:1", Email: "e", Password: "p", RateLimit: 2, Workers: 3, Index: 2},
	} {
		if _, err := GateWorker(Config{}, g); err != nil {
			t.Errorf("%+v: %v", g, err)
		}
	}
}
