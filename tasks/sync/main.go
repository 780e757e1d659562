// Command sync is the sync workflows' lease, page-write and cursor task (see
// pkg/syncjob).
package main

import (
	"context"

	"github.com/logiwaflow/logiwaflow/pkg/functions"
	"github.com/logiwaflow/logiwaflow/pkg/lambdarun"
)

func main() {
	cfg := lambdarun.AWSConfig(context.Background())
	lambdarun.Start(functions.Sync(functions.Config{
		AWS:          cfg,
		RecordsTable: lambdarun.MustEnv("RECORDS_TABLE"),
		JobsTable:    lambdarun.MustEnv("JOBS_TABLE"),
	}))
}
