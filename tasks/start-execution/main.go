// Command start-execution is the SQS trigger of one inbound flow: it starts
// a workflow execution per message (see pkg/trigger).
package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/logiwaflow/logiwaflow/pkg/lambdarun"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/trigger"
)

func main() {
	cfg := lambdarun.AWSConfig(context.Background())
	t := &trigger.Trigger{
		SFN:             sfn.NewFromConfig(cfg),
		Flow:            message.Flow(lambdarun.MustEnv("FLOW")),
		StateMachineARN: lambdarun.MustEnv("STATE_MACHINE_ARN"),
		Logger:          lambdarun.Logger(),
	}
	lambdarun.Start(t.Handle)
}
