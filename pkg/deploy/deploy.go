// Package deploy puts logiwaflow on AWS: it packages the task Lambdas as
// reproducible zips, then drives Terraform through terraform-exec (init,
// validate, plan with a readable summary, apply exactly that plan, outputs)
// and saves the outputs as the AWS target (pkg/target) the operator verbs
// read.
package deploy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/logiwaflow/logiwaflow/pkg/target"
)

// ErrDeclined is returned when the operator answers no to the plan.
var ErrDeclined = errors.New("deploy: plan not applied (declined)")

// Deployer runs one deployment.
type Deployer struct {
	// Dir is the Terraform root module.
	Dir string
	// Terraform is the terraform binary; empty: FindTool("terraform").
	Terraform string
	// VarFiles are passed to plan as -var-file, in order.
	VarFiles []string
	// AutoApprove applies without asking.
	AutoApprove bool
	// Package builds the Lambda zips before planning; nil skips it.
	Package func(ctx context.Context) error
	// TargetPath is where the AWS target is saved; empty:
	// target.Path(target.AWS).
	TargetPath string
	// Out receives the steps and the plan summary; In answers the prompt.
	Out io.Writer
	In  io.Reader
	// TerraformOutput, if set, receives Terraform's own output (init,
	// apply progress).
	TerraformOutput io.Writer
	Logger          *slog.Logger
}

// Result is what a deployment did.
type Result struct {
	Summary Summary
	Applied bool
	Target  target.Target
	// TargetPath is where Target was saved.
	TargetPath string
}

// Run packages, initialises, validates, plans, asks (unless AutoApprove),
// applies the plan it showed, and saves the outputs as the AWS target.
func (d *Deployer) Run(ctx context.Context) (Result, error) {
	var res Result
	out := d.Out
	if out == nil {
		out = io.Discard
	}
	step := func(format string, args ...any) { fmt.Fprintf(out, "==> "+format+"\n", args...) }

	if d.Package != nil {
		step("Packaging the task Lambdas")
		if err := d.Package(ctx); err != nil {
			return res, fmt.Errorf("deploy: package: %w", err)
		}
	}
	tf, err := d.terraform()
	if err != nil {
		return res, err
	}

	step("terraform init (%s)", d.Dir)
	if err := tf.Init(ctx, tfexec.Upgrade(false)); err != nil {
		return res, fmt.Errorf("deploy: terraform init: %w", err)
	}
	step("terraform validate")
	v, err := tf.Validate(ctx)
	if err != nil {
		return res, fmt.Errorf("deploy: terraform validate: %w", err)
	}
	if !v.Valid {
		var msgs []string
		for _, diag := range v.Diagnostics {
			msgs = append(msgs, fmt.Sprintf("%s: %s %s", diag.Severity, diag.Summary, diag.Detail))
		}
		return res, fmt.Errorf("deploy: terraform validate: %s", strings.Join(msgs, "; "))
	}

	work, err := os.MkdirTemp("", "logiwaflow-plan-")
	if err != nil {
		return res, fmt.Errorf("deploy: %w", err)
	}
	defer os.RemoveAll(work) //nolint:errcheck // the plan file is spent after apply
	planFile := filepath.Join(work, "deploy.tfplan")
	opts := []tfexec.PlanOption{tfexec.Out(planFile)}
	for _, f := range d.VarFiles {
		abs, err := filepath.Abs(f)
		if err != nil {
			return res, fmt.Errorf("deploy: var file %s: %w", f, err)
		}
		if _, err := os.Stat(abs); err != nil {
			return res, fmt.Errorf("deploy: var file: %w", err)
		}
		opts = append(opts, tfexec.VarFile(abs))
	}
	step("terraform plan")
	if _, err := tf.Plan(ctx, opts...); err != nil {
		return res, fmt.Errorf("deploy: terraform plan: %w", err)
	}
	plan, err := tf.ShowPlanFile(ctx, planFile)
	if err != nil {
		return res, fmt.Errorf("deploy: read plan: %w", err)
	}
	res.Summary = Summarize(plan)
	if err := res.Summary.Write(out); err != nil {
		return res, fmt.Errorf("deploy: %w", err)
	}

	if res.Summary.Changes() || len(res.Summary.Outputs) > 0 {
		if !d.AutoApprove && !d.confirm(out) {
			return res, ErrDeclined
		}
		step("terraform apply (the plan above)")
		if err := tf.Apply(ctx, tfexec.DirOrPlan(planFile)); err != nil {
			return res, fmt.Errorf("deploy: terraform apply: %w", err)
		}
		res.Applied = true
	}

	outputs, err := tf.Output(ctx)
	if err != nil {
		return res, fmt.Errorf("deploy: terraform output: %w", err)
	}
	res.Target, err = TargetFromOutputs(outputs)
	if err != nil {
		return res, fmt.Errorf("deploy: %w", err)
	}
	res.TargetPath = d.TargetPath
	if res.TargetPath == "" {
		res.TargetPath = target.Path(target.AWS)
	}
	if err := res.Target.Save(res.TargetPath); err != nil {
		return res, fmt.Errorf("deploy: %w", err)
	}
	step("Saved the AWS target to %s (%d state machines, %d queues, region %s)",
		res.TargetPath, len(res.Target.StateMachines), len(res.Target.Queues), res.Target.Region)
	return res, nil
}

func (d *Deployer) terraform() (*tfexec.Terraform, error) {
	bin := d.Terraform
	if bin == "" {
		var err error
		if bin, err = FindTool("terraform"); err != nil {
			return nil, fmt.Errorf("deploy: %w", err)
		}
	}
	tf, err := tfexec.NewTerraform(d.Dir, bin)
	if err != nil {
		return nil, fmt.Errorf("deploy: %w", err)
	}
	// No update check against checkpoint.hashicorp.com: these machines reach
	// no such host, and a deployment should not wait on one.
	env := tfexec.CleanEnv(environ())
	env["CHECKPOINT_DISABLE"] = "1"
	if err := tf.SetEnv(env); err != nil {
		return nil, fmt.Errorf("deploy: %w", err)
	}
	if d.TerraformOutput != nil {
		tf.SetStdout(d.TerraformOutput)
		tf.SetStderr(d.TerraformOutput)
	}
	if d.Logger != nil {
		tf.SetLogger(slogPrintf{d.Logger})
	}
	return tf, nil
}

// confirm asks on In; anything but yes declines (also a closed input).
func (d *Deployer) confirm(out io.Writer) bool {
	fmt.Fprint(out, "Apply this plan? Only 'yes' applies: ")
	if d.In == nil {
		fmt.Fprintln(out)
		return false
	}
	line, _ := bufio.NewReader(d.In).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

func environ() map[string]string {
	m := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// slogPrintf adapts slog to terraform-exec's Printf logger.
type slogPrintf struct{ l *slog.Logger }

func (s slogPrintf) Printf(format string, args ...any) {
	s.l.Debug(fmt.Sprintf(format, args...), "component", "terraform-exec")
}
