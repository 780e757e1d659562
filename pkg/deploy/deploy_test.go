package deploy

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/logiwaflow/logiwaflow/pkg/target"
)

// terraformBin finds the terraform that .ci/run installs; missing, the test
// fails unless LOGIWAFLOW_NO_TERRAFORM=1.
func terraformBin(t *testing.T) string {
	t.Helper()
	if os.Getenv("LOGIWAFLOW_NO_TERRAFORM") == "1" {
		t.Skip("LOGIWAFLOW_NO_TERRAFORM=1: skipping the terraform-exec flow")
	}
	bin, err := FindTool("terraform")
	if err != nil {
		t.Fatalf("%v\n%v", err, ErrNoTools)
	}
	return bin
}

// copyModule copies testdata/module (and extra files) into a fresh
// directory, so .terraform and the state stay out of the repository.
func copyModule(t *testing.T, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	files := append([]string{"module/main.tf"}, extra...)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// The whole flow against a real Terraform: init, validate, plan with a
// summary, apply, output, target saved; then a plan with changes declined,
// approved, and a plan without changes.
func TestDeployFlowAgainstRealTerraform(t *testing.T) {
	bin := terraformBin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tf, err := tfexec.NewTerraform(t.TempDir(), bin)
	if err != nil {
		t.Fatal(err)
	}
	if v, _, err := tf.Version(ctx, true); err == nil {
		t.Logf("terraform %s at %s", v, bin)
		if v.String() != TerraformVersion {
			t.Logf("note: .ci/run pins terraform %s", TerraformVersion)
		}
	}

	dir := copyModule(t)
	targetPath := filepath.Join(t.TempDir(), "aws.json")
	packaged := 0
	var out bytes.Buffer
	d := &Deployer{
		Dir: dir, Terraform: bin, AutoApprove: true, TargetPath: targetPath, Out: &out,
		Package: func(context.Context) error { packaged++; return nil },
	}

	// First deployment: everything is created.
	res, err := d.Run(ctx)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if packaged != 1 || !res.Applied {
		t.Fatalf("packaged %d times, applied %v", packaged, res.Applied)
	}
	if len(res.Summary.Create) != 15 || res.Summary.Changes() && len(res.Summary.Update)+len(res.Summary.Delete)+len(res.Summary.Replace) != 0 {
		t.Fatalf("first plan: %+v", res.Summary)
	}
	for _, want := range []string{"==> terraform init", "==> terraform validate", "==> terraform plan", `  +   terraform_data.queue["gate-dlq"]`, "Plan: 15 to add, 0 to change, 0 to destroy", "==> terraform apply", "Saved the AWS target"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	saved, err := target.Load(targetPath)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Name != target.AWS || saved.Region != "eu-west-1" || saved.RecordsTable != "logiwaflow-records" || saved.JobsTable != "logiwaflow-jobs" ||
		saved.ParkedBucket != "logiwaflow-parked-123456789012-eu-west-1" || saved.RateLimit != 2 || saved.LogiwaURL != "https://myapisandbox.logiwa.com" ||
		saved.StateMachines["orders-sync"] != "arn:aws:states:eu-west-1:123456789012:stateMachine:logiwaflow-orders-sync" ||
		saved.Queues["refunds-dlq"] != "https://sqs.eu-west-1.amazonaws.com/123456789012/logiwaflow-refunds-dlq" ||
		len(saved.StateMachines) != 6 || len(saved.Queues) != 8 || len(saved.Endpoints) != 0 {
		t.Fatalf("saved target %+v", saved)
	}

	// A var file changes every name: without --auto-approve a "no" keeps
	// the deployed system and the saved target as they were.
	stage, err := filepath.Abs("testdata/staging.tfvars")
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	d.AutoApprove, d.VarFiles, d.In = false, []string{stage}, strings.NewReader("no\n")
	res, err = d.Run(ctx)
	if !errors.Is(err, ErrDeclined) || res.Applied {
		t.Fatalf("declined run: %v applied=%v\n%s", err, res.Applied, out.String())
	}
	if len(res.Summary.Update) != 15 || !strings.Contains(out.String(), "Plan: 0 to add, 15 to change, 0 to destroy") || !strings.Contains(out.String(), "Apply this plan?") {
		t.Fatalf("second plan: %+v\n%s", res.Summary, out.String())
	}
	if again, _ := target.Load(targetPath); again.RecordsTable != "logiwaflow-records" {
		t.Fatalf("declined plan changed the target: %+v", again)
	}

	// "yes" applies it.
	out.Reset()
	d.In = strings.NewReader("yes\n")
	if res, err = d.Run(ctx); err != nil || !res.Applied {
		t.Fatalf("approved run: %v\n%s", err, out.String())
	}
	if saved, _ = target.Load(targetPath); saved.RecordsTable != "logiwaflow-staging-records" {
		t.Fatalf("target after the staging apply: %+v", saved)
	}

	// Nothing left to do: no prompt, no apply, the target still saved.
	out.Reset()
	d.In = nil
	if res, err = d.Run(ctx); err != nil || res.Applied || res.Summary.Changes() {
		t.Fatalf("no-op run: %v %+v\n%s", err, res, out.String())
	}
	if !strings.Contains(out.String(), "No changes") {
		t.Fatalf("no-op output:\n%s", out.String())
	}
}

func TestDeployStopsOnInvalidConfiguration(t *testing.T) {
	bin := terraformBin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := copyModule(t, "broken.tf.txt")
	targetPath := filepath.Join(t.TempDir(), "aws.json")
	d := &Deployer{Dir: dir, Terraform: bin, AutoApprove: true, TargetPath: targetPath}
	_, err := d.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "terraform validate") || !strings.Contains(err.Error(), "does_not_exist") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(targetPath); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed deployment saved a target: %v", err)
	}
}

func TestPackageFailureStopsBeforeTerraform(t *testing.T) {
	d := &Deployer{Dir: t.TempDir(), Terraform: "/nonexistent/terraform", Package: func(context.Context) error { return errors.New("go build failed") }}
	if _, err := d.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "package: go build failed") {
		t.Fatalf("err = %v", err)
	}
}

func TestTargetFromOutputs(t *testing.T) {
	raw := func(s string) tfexec.OutputMeta { return tfexec.OutputMeta{Value: []byte(s)} }
	full := map[string]tfexec.OutputMeta{
		"region":             raw(`"us-east-1"`),
		"state_machine_arns": raw(`{"orders":"arn:aws:states:us-east-1:1:stateMachine:o"}`),
		"queue_urls":         raw(`{"orders":"https://sqs/1/o","orders-dlq":"https://sqs/1/o-dlq"}`),
		"parked_bucket":      raw(`"b"`),
		"records_table":      raw(`"r"`),
		"jobs_table":         raw(`"j"`),
	}
	tg, err := TargetFromOutputs(full)
	if err != nil || tg.Name != target.AWS || tg.Queues["orders-dlq"] != "https://sqs/1/o-dlq" || tg.RateLimit != 0 {
		t.Fatalf("%+v %v", tg, err)
	}
	tests := []struct {
		name, drop, bad, want string
	}{
		{"missing output", "jobs_table", "", `output "jobs_table" is missing`},
		{"wrong shape", "", "queue_urls", `output "queue_urls"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := map[string]tfexec.OutputMeta{}
			for k, v := range full {
				o[k] = v
			}
			delete(o, tt.drop)
			if tt.bad != "" {
				o[tt.bad] = raw(`"not a map"`)
			}
			if _, err := TargetFromOutputs(o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
