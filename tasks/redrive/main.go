// Command redrive lists parked messages and re-publishes them to their
// queues (see pkg/parking).
package main

import (
	"context"

	"github.com/logiwaflow/logiwaflow/pkg/functions"
	"github.com/logiwaflow/logiwaflow/pkg/lambdarun"
	"github.com/logiwaflow/logiwaflow/pkg/message"
)

func main() {
	cfg := lambdarun.AWSConfig(context.Background())
	lambdarun.Start(functions.Redrive(functions.Config{
		AWS:          cfg,
		ParkedBucket: lambdarun.MustEnv("PARKED_BUCKET"),
		Queues: map[message.Flow]string{
			message.FlowInventory: lambdarun.MustEnv("INVENTORY_QUEUE_URL"),
			message.FlowOrders:    lambdarun.MustEnv("ORDERS_QUEUE_URL"),
			message.FlowRefunds:   lambdarun.MustEnv("REFUNDS_QUEUE_URL"),
		},
	}))
}
