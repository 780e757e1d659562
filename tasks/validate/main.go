// Command validate checks an inbound message and guards against stale
// versions (see pkg/inbound).
package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/logiwaflow/logiwaflow/pkg/inbound"
	"github.com/logiwaflow/logiwaflow/pkg/lambdarun"
	"github.com/logiwaflow/logiwaflow/pkg/records"
)

func main() {
	cfg := lambdarun.AWSConfig(context.Background())
	h := &inbound.Handlers{Store: &records.Store{DB: dynamodb.NewFromConfig(cfg), RecordTable: lambdarun.MustEnv("RECORDS_TABLE")}}
	lambdarun.Start(h.Validate)
}
