package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/deploy"
	"github.com/logiwaflow/logiwaflow/pkg/target"
)

func TestDeployVerbSavesTheAWSTarget(t *testing.T) {
	if os.Getenv("LOGIWAFLOW_NO_TERRAFORM") == "1" {
		t.Skip("LOGIWAFLOW_NO_TERRAFORM=1: skipping deploy")
	}
	if _, err := deploy.FindTool("terraform"); err != nil {
		t.Fatalf("%v\n%v", err, deploy.ErrNoTools)
	}
	// A provider-less module standing in for terraform/ (see pkg/deploy).
	dir := filepath.Join(t.TempDir(), "terraform")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../deploy/testdata/module/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LOGIWAFLOW_HOME", t.TempDir())
	var stdout, stderr bytes.Buffer
	code := Main([]string{"deploy", "--dir", dir, "--skip-package", "--auto-approve"}, strings.NewReader(""), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	tg, err := target.Load(target.Path(target.AWS))
	if err != nil {
		t.Fatal(err)
	}
	if tg.StateMachines["redrive"] != "arn:aws:states:eu-west-1:123456789012:stateMachine:logiwaflow-redrive" || !strings.Contains(stdout.String(), "Plan: 15 to add") {
		t.Fatalf("target %+v\n%s", tg, stdout.String())
	}
}

func TestDeployVerbUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"deploy", "extra"}, strings.NewReader(""), &stdout, &stderr); code != 2 {
		t.Fatalf("exit %d for a stray argument", code)
	}
	stderr.Reset()
	code := Main([]string{"deploy", "--dir", t.TempDir(), "--skip-package", "--var-file", "/nonexistent.tfvars"}, strings.NewReader(""), &stdout, &stderr)
	if code == 0 {
		t.Fatalf("deploy in an empty directory succeeded: %s", stdout.String())
	}
}
