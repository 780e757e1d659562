package deploy

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Versions .ci/run installs with `go install` (the only way to get them on
// this project's machines).
const (
	TerraformVersion = "1.5.7"
	TflintVersion    = "0.64.0"
)

// FindTool locates terraform or tflint: first in $(go env GOPATH)/bin, where
// .ci/run installs the pinned versions, then on PATH.
func FindTool(name string) (string, error) {
	for _, dir := range gobinDirs() {
		p := filepath.Join(dir, exeName(name))
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s not found in GOPATH/bin or on PATH: run .ci/run, or `go install %s`", name, installPath(name))
}

func installPath(name string) string {
	if name == "tflint" {
		return "github.com/terraform-linters/tflint@v" + TflintVersion
	}
	return "github.com/hashicorp/terraform@v" + TerraformVersion
}

// gobinDirs are GOBIN, else each GOPATH entry's bin (default ~/go/bin).
func gobinDirs() []string {
	if b := os.Getenv("GOBIN"); b != "" {
		return []string{b}
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			gopath = strings.TrimSpace(string(out))
		}
	}
	if gopath == "" {
		if home, err := os.UserHomeDir(); err == nil {
			gopath = filepath.Join(home, "go")
		}
	}
	var dirs []string
	for _, p := range filepath.SplitList(gopath) {
		dirs = append(dirs, filepath.Join(p, "bin"))
	}
	return dirs
}

// ErrNoTools is what tests report when the tools are missing and
// LOGIWAFLOW_NO_TERRAFORM=1 does not excuse them.
var ErrNoTools = errors.New("terraform and tflint are needed: run .ci/run (it installs them with go install), or set LOGIWAFLOW_NO_TERRAFORM=1 to skip these tests")

// exeName is name with the platform's executable suffix.
func exeName(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}
