package tfcheck

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/deploy"
)

// tool finds terraform or tflint; missing tools fail the test (CI installs
// them) unless LOGIWAFLOW_NO_TERRAFORM=1 says to skip.
func tool(t *testing.T, name string) string {
	t.Helper()
	if os.Getenv("LOGIWAFLOW_NO_TERRAFORM") == "1" {
		t.Skip("LOGIWAFLOW_NO_TERRAFORM=1: skipping " + name)
	}
	p, err := deploy.FindTool(name)
	if err != nil {
		t.Fatalf("%v\n%v", err, deploy.ErrNoTools)
	}
	return p
}

func run(t *testing.T, dir, bin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	// No update checks, no stray CLI configuration warnings.
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE=/dev/null", "TF_IN_AUTOMATION=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestTerraformFilesAreFormatted(t *testing.T) {
	tf := tool(t, "terraform")
	// Every .tf file in the repository: terraform/ and the test modules.
	if out, err := run(t, "../..", tf, "fmt", "-check", "-recursive", "-diff", "."); err != nil {
		t.Fatalf("terraform fmt -check -recursive found unformatted files (run `terraform fmt -recursive .`): %v\n%s", err, out)
	}
	// And the check does fail on a badly formatted file.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.tf"), []byte("locals {\na=1\n  bb = 2\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, dir, tf, "fmt", "-check", "."); err == nil {
		t.Fatalf("terraform fmt -check passed a misformatted file: %s", out)
	}
}

func TestTflintCoreRules(t *testing.T) {
	tflint := tool(t, "tflint")
	cfg, err := filepath.Abs(filepath.Join(terraformDir, ".tflint.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	// One configuration for every module (a module directory has none).
	out, err := run(t, terraformDir, tflint, "--recursive", "--config", cfg, "--format", "compact")
	if err != nil {
		t.Fatalf("tflint found problems: %v\n%s", err, out)
	}
	// And it reports an undocumented, untyped, unused variable in a module.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte("variable \"x\" {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = run(t, dir, tflint, "--config", cfg, "--format", "compact")
	if err == nil || !strings.Contains(out, "terraform_typed_variables") || !strings.Contains(out, "terraform_documented_variables") {
		t.Fatalf("tflint did not flag a bad variable: %v\n%s", err, out)
	}
}
