// Command redrive lists parked messages and re-publishes them to their
// queues (see pkg/parking).
package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/logiwaflow/logiwaflow/pkg/lambdarun"
	"github.com/logiwaflow/logiwaflow/pkg/parking"
)

func main() {
	cfg := lambdarun.AWSConfig(context.Background())
	s := &parking.Service{
		S3:     s3.NewFromConfig(cfg),
		Bucket: lambdarun.MustEnv("PARKED_BUCKET"),
		SQS:    sqs.NewFromConfig(cfg),
		Queues: map[string]string{
			"inventory": lambdarun.MustEnv("INVENTORY_QUEUE_URL"),
			"orders":    lambdarun.MustEnv("ORDERS_QUEUE_URL"),
			"refunds":   lambdarun.MustEnv("REFUNDS_QUEUE_URL"),
		},
	}
	lambdarun.Start(s.Redrive)
}
