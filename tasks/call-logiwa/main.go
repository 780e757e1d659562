// Command call-logiwa is the gate worker: every Logiwa request in the system
// passes through it, paced to the account's rate limit (see pkg/gate).
package main

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/logiwaflow/logiwaflow/pkg/functions"
	"github.com/logiwaflow/logiwaflow/pkg/gate"
	"github.com/logiwaflow/logiwaflow/pkg/lambdarun"
)

func main() {
	ctx := context.Background()
	cfg := lambdarun.AWSConfig(ctx)
	rate, err := strconv.ParseFloat(lambdarun.MustEnv("LOGIWA_RATE_LIMIT"), 64)
	if err != nil {
		panic("LOGIWA_RATE_LIMIT: " + err.Error())
	}
	workers, err := strconv.Atoi(lambdarun.MustEnv("GATE_MAX_CONCURRENCY"))
	if err != nil {
		panic("GATE_MAX_CONCURRENCY: " + err.Error())
	}
	// Read once per cold start; the value is set outside Terraform.
	creds, err := gate.LoadCredentials(ctx, secretsmanager.NewFromConfig(cfg), lambdarun.MustEnv("LOGIWA_SECRET_ARN"))
	if err != nil {
		panic(err)
	}
	h, err := functions.GateWorker(functions.Config{AWS: cfg, JobsTable: lambdarun.MustEnv("JOBS_TABLE"), Logger: lambdarun.Logger()}, functions.Gate{
		BaseURL: lambdarun.MustEnv("LOGIWA_BASE_URL"), Email: creds.Email, Password: creds.Password,
		Account: gate.Account{
			ClientIdentifier:    lambdarun.MustEnv("LOGIWA_CLIENT_ID"),
			WarehouseIdentifier: lambdarun.MustEnv("LOGIWA_WAREHOUSE_ID"),
			OrderType:           lambdarun.MustEnv("LOGIWA_ORDER_TYPE"),
			CancelReason:        "Customer request",
		},
		RateLimit: rate, Workers: workers, Index: -1, // an instance cannot know which it is
	})
	if err != nil {
		panic(err)
	}
	lambdarun.Start(h)
}
