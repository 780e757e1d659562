// Command update-db records what Logiwa now holds, conditional on version
// (see pkg/inbound).
package main

import (
	"context"

	"github.com/logiwaflow/logiwaflow/pkg/functions"
	"github.com/logiwaflow/logiwaflow/pkg/lambdarun"
)

func main() {
	cfg := lambdarun.AWSConfig(context.Background())
	lambdarun.Start(functions.UpdateDB(functions.Config{AWS: cfg, RecordsTable: lambdarun.MustEnv("RECORDS_TABLE")}))
}
