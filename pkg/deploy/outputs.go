package deploy

import (
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/logiwaflow/logiwaflow/pkg/target"
)

// TargetFromOutputs turns the root module's outputs (terraform/outputs.tf)
// into the AWS target every operator verb reads.
func TargetFromOutputs(outputs map[string]tfexec.OutputMeta) (target.Target, error) {
	t := target.Target{Name: target.AWS}
	fields := []struct {
		name     string
		dst      any
		required bool
	}{
		{"region", &t.Region, true},
		{"state_machine_arns", &t.StateMachines, true},
		{"queue_urls", &t.Queues, true},
		{"parked_bucket", &t.ParkedBucket, true},
		{"records_table", &t.RecordsTable, true},
		{"jobs_table", &t.JobsTable, true},
		{"logiwa_base_url", &t.LogiwaURL, false},
		{"logiwa_rate_limit", &t.RateLimit, false},
	}
	for _, f := range fields {
		o, ok := outputs[f.name]
		if !ok {
			if f.required {
				return t, fmt.Errorf("terraform output %q is missing", f.name)
			}
			continue
		}
		if err := json.Unmarshal(o.Value, f.dst); err != nil {
			return t, fmt.Errorf("terraform output %q: %w", f.name, err)
		}
	}
	if err := t.Validate(); err != nil {
		return t, fmt.Errorf("terraform outputs: %w", err)
	}
	return t, nil
}
