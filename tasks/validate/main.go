// Command validate checks an inbound message and guards against stale
// versions (see pkg/inbound).
package main

import (
	"context"

	"github.com/logiwaflow/logiwaflow/pkg/functions"
	"github.com/logiwaflow/logiwaflow/pkg/lambdarun"
)

func main() {
	cfg := lambdarun.AWSConfig(context.Background())
	lambdarun.Start(functions.Validate(functions.Config{AWS: cfg, RecordsTable: lambdarun.MustEnv("RECORDS_TABLE")}))
}
