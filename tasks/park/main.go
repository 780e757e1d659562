// Command park stores a message a workflow could not apply in S3, with its
// reason (see pkg/parking).
package main

import (
	"context"

	"github.com/logiwaflow/logiwaflow/pkg/functions"
	"github.com/logiwaflow/logiwaflow/pkg/lambdarun"
)

func main() {
	cfg := lambdarun.AWSConfig(context.Background())
	lambdarun.Start(functions.Park(functions.Config{AWS: cfg, ParkedBucket: lambdarun.MustEnv("PARKED_BUCKET")}))
}
