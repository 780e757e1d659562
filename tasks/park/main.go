// Command park stores a message a workflow could not apply in S3, with its
// reason (see pkg/parking).
package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/logiwaflow/logiwaflow/pkg/lambdarun"
	"github.com/logiwaflow/logiwaflow/pkg/parking"
)

func main() {
	cfg := lambdarun.AWSConfig(context.Background())
	s := &parking.Service{S3: s3.NewFromConfig(cfg), Bucket: lambdarun.MustEnv("PARKED_BUCKET")}
	lambdarun.Start(s.Park)
}
