package target

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func sample() Target {
	return Target{
		Name:          Local,
		Region:        "us-east-1",
		Endpoints:     map[string]string{ServiceSQS: "http://127.0.0.1:1234"},
		StateMachines: map[string]string{"orders": "arn:aws:states:us-east-1:000000000000:stateMachine:orders"},
		Queues:        map[string]string{"orders": "http://127.0.0.1:1234/000000000000/orders"},
		ParkedBucket:  "parked",
		RecordsTable:  "records",
		JobsTable:     "jobs",
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "local.json")
	want := sample()
	if err := want.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Queues["orders"] != want.Queues["orders"] || got.StateMachines["orders"] != want.StateMachines["orders"] || got.Endpoints[ServiceSQS] != want.Endpoints[ServiceSQS] {
		t.Fatalf("round trip: got %+v, want %+v", got, want)
	}
}

func TestLoadErrorsNameTheProblem(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "logiwaflow local") {
		t.Fatalf("missing file: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*Target)
		want   string
	}{
		{"bad name", func(t *Target) { t.Name = "prod" }, `"prod"`},
		{"no region", func(t *Target) { t.Region = "" }, "region"},
		{"no machines", func(t *Target) { t.StateMachines = nil }, "state machines"},
		{"no queues", func(t *Target) { t.Queues = nil }, "queues"},
		{"no bucket", func(t *Target) { t.ParkedBucket = "" }, "parked_bucket"},
		{"no table", func(t *Target) { t.JobsTable = "" }, "jobs_table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := sample()
			tt.mutate(&tg)
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".json")
			if err := tg.Save(path); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestAWSConfigPointsClientsAtLocalEndpoints(t *testing.T) {
	cfg, err := sample().AWSConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := sqs.NewFromConfig(cfg)
	if got := c.Options().BaseEndpoint; got == nil || *got != "http://127.0.0.1:1234" {
		t.Fatalf("SQS endpoint = %v", got)
	}
}

func TestPathHonoursHome(t *testing.T) {
	t.Setenv("LOGIWAFLOW_HOME", "/tmp/x")
	if got := Path(AWS); got != "/tmp/x/aws.json" {
		t.Fatalf("Path = %s", got)
	}
}
