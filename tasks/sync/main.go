// Command sync is the sync workflows' lease, page-write and cursor task (see
// pkg/syncjob).
package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/logiwaflow/logiwaflow/pkg/lambdarun"
	"github.com/logiwaflow/logiwaflow/pkg/records"
	"github.com/logiwaflow/logiwaflow/pkg/syncjob"
)

func main() {
	cfg := lambdarun.AWSConfig(context.Background())
	h := &syncjob.Handler{Store: &records.Store{
		DB:          dynamodb.NewFromConfig(cfg),
		RecordTable: lambdarun.MustEnv("RECORDS_TABLE"),
		JobTable:    lambdarun.MustEnv("JOBS_TABLE"),
	}}
	lambdarun.Start(h.Handle)
}
