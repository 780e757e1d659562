// Command update-db records what Logiwa now holds, conditional on version
// (see pkg/inbound).
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
	lambdarun.Start(h.Record)
}
