// Command call-logiwa is the gate worker: every Logiwa request in the system
// passes through it, paced to the account's rate limit (see pkg/gate).
package main

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/logiwaflow/logiwaflow/pkg/gate"
	"github.com/logiwaflow/logiwaflow/pkg/lambdarun"
	"github.com/logiwaflow/logiwaflow/pkg/logiwa"
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
	client, err := logiwa.New(logiwa.Config{
		BaseURL:  lambdarun.MustEnv("LOGIWA_BASE_URL"),
		Email:    creds.Email,
		Password: creds.Password,
		Pacer:    gate.NewPacer(rate, workers, nil),
		Logger:   lambdarun.Logger(),
	})
	if err != nil {
		panic(err)
	}
	w := &gate.Worker{
		SFN: sfn.NewFromConfig(cfg),
		Operations: gate.Operations(client, gate.Account{
			ClientIdentifier:    lambdarun.MustEnv("LOGIWA_CLIENT_ID"),
			WarehouseIdentifier: lambdarun.MustEnv("LOGIWA_WAREHOUSE_ID"),
			OrderType:           lambdarun.MustEnv("LOGIWA_ORDER_TYPE"),
			CancelReason:        "Customer request",
		}),
		Logger: lambdarun.Logger(),
	}
	lambdarun.Start(w.Handle)
}
