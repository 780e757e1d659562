package statemachines

import (
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/asl/validate"
)

// sample stands in for what Terraform and the local runtime supply.
var sample = map[string]string{
	"flow":                   "orders",
	"gate_queue_url":         "https://sqs.us-east-1.amazonaws.com/123456789012/logiwaflow-gate",
	"gate_timeout_seconds":   "3600",
	"latency_threshold_ms":   "2000",
	"park_function_arn":      "arn:aws:lambda:us-east-1:123456789012:function:logiwaflow-park",
	"redrive_function_arn":   "arn:aws:lambda:us-east-1:123456789012:function:logiwaflow-redrive",
	"sync_function_arn":      "arn:aws:lambda:us-east-1:123456789012:function:logiwaflow-sync",
	"update_db_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:logiwaflow-update-db",
	"validate_function_arn":  "arn:aws:lambda:us-east-1:123456789012:function:logiwaflow-validate",
}

func TestEveryDefinitionRendersAndValidates(t *testing.T) {
	names := Names()
	if len(names) != 6 {
		t.Fatalf("definitions %v", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			def, err := Render(name, sample)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(def), "${") {
				t.Fatalf("unrendered placeholder left in %s", name)
			}
			if err := validate.Error(validate.Definition(def)); err != nil {
				t.Fatalf("%s does not validate: %v", name, err)
			}
		})
	}
}

func TestRenderNamesMissingPlaceholders(t *testing.T) {
	_, err := Render("orders", map[string]string{"flow": "orders"})
	if err == nil || !strings.Contains(err.Error(), "gate_queue_url") || !strings.Contains(err.Error(), "latency_threshold_ms") {
		t.Fatalf("err = %v", err)
	}
	ph, err := Placeholders("redrive")
	if err != nil || strings.Join(ph, ",") != "redrive_function_arn" {
		t.Fatalf("placeholders %v %v", ph, err)
	}
}
