// Command start-execution is the SQS trigger of one inbound flow: it starts
// a workflow execution per message (see pkg/trigger).
package main

import (
	"context"

	"github.com/logiwaflow/logiwaflow/pkg/functions"
	"github.com/logiwaflow/logiwaflow/pkg/lambdarun"
	"github.com/logiwaflow/logiwaflow/pkg/message"
)

func main() {
	cfg := lambdarun.AWSConfig(context.Background())
	c := functions.Config{AWS: cfg, ParkedBucket: lambdarun.MustEnv("PARKED_BUCKET"), Logger: lambdarun.Logger()}
	lambdarun.Start(functions.Trigger(c, message.Flow(lambdarun.MustEnv("FLOW")), lambdarun.MustEnv("STATE_MACHINE_ARN")))
}
