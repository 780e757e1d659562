package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// PackageOptions says what to build and where.
type PackageOptions struct {
	// RepoDir is the module root holding tasks/.
	RepoDir string
	// OutDir receives <task>.zip (created if missing).
	OutDir string
	// Tasks to build; empty means every directory under tasks/.
	Tasks []string
	// Go is the go command; empty means "go".
	Go     string
	Logger *slog.Logger
}

// Artifact is one built zip.
type Artifact struct {
	Task   string
	Path   string
	SHA256 string
	Size   int64
}

// BuildFlags are the go build flags of a Lambda binary: no paths, build IDs
// or VCS stamps in it, so the same source gives the same bytes on any
// machine; lambda.norpc drops the RPC runtime provided.al2023 never uses.
var BuildFlags = []string{"-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-ldflags=-s -w -buildid="}

// Tasks lists the directories under tasks/, sorted.
func Tasks(repoDir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(repoDir, "tasks"))
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// Package builds each task for linux/arm64 and writes <OutDir>/<task>.zip
// holding one file, bootstrap (mode 0755), byte-for-byte reproducible.
func Package(ctx context.Context, o PackageOptions) ([]Artifact, error) {
	tasks := o.Tasks
	if len(tasks) == 0 {
		var err error
		if tasks, err = Tasks(o.RepoDir); err != nil {
			return nil, err
		}
	}
	goCmd := o.Go
	if goCmd == "" {
		goCmd = "go"
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("package: %w", err)
	}
	work, err := os.MkdirTemp("", "logiwaflow-package-")
	if err != nil {
		return nil, fmt.Errorf("package: %w", err)
	}
	defer os.RemoveAll(work) //nolint:errcheck // scratch space
	var out []Artifact
	for _, task := range tasks {
		bin := filepath.Join(work, task, "bootstrap")
		args := append([]string{"build"}, BuildFlags...)
		args = append(args, "-o", bin, "./tasks/"+task)
		cmd := exec.CommandContext(ctx, goCmd, args...)
		cmd.Dir = o.RepoDir
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "GOFLAGS=")
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build task %s: %w\n%s", task, err, strings.TrimSpace(string(msg)))
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return nil, fmt.Errorf("build task %s: %w", task, err)
		}
		path := filepath.Join(o.OutDir, task+".zip")
		if err := writeZipFile(path, []ZipFile{{Name: "bootstrap", Mode: 0o755, Data: data}}); err != nil {
			return nil, err
		}
		a, err := describe(task, path)
		if err != nil {
			return nil, err
		}
		log.Info("packaged task", "task", task, "zip", path, "bytes", a.Size, "sha256", a.SHA256)
		out = append(out, a)
	}
	return out, nil
}

func describe(task, path string) (Artifact, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Artifact{}, fmt.Errorf("read %s: %w", path, err)
	}
	sum := sha256.Sum256(b)
	return Artifact{Task: task, Path: path, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b))}, nil
}
