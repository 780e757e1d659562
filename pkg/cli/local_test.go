package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/logiwaflow/logiwaflow/pkg/target"
)

// syncBuffer is a bytes.Buffer safe to read while the command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLocalRunsUntilInterrupted starts `logiwaflow local`, reaches it through
// the target file it saved with the real sfn client, and stops it by
// cancelling the context as Ctrl-C does.
func TestLocalRunsUntilInterrupted(t *testing.T) {
	home := t.TempDir()
	t.Setenv("LOGIWAFLOW_HOME", home)
	t.Setenv("LOGIWA_BASE_URL", "")
	state := filepath.Join(home, "state")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	root := NewRoot()
	var out, errOut syncBuffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs([]string{"local", "--dir", state, "--addr", "127.0.0.1:0", "--sim-addr", "127.0.0.1:0", "--rate", "20", "--no-schedules"})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()

	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(out.String(), "is running") {
		if time.Now().After(deadline) {
			t.Fatalf("not running; stdout %q stderr %q", out.String(), errOut.String())
		}
		select {
		case err := <-done:
			t.Fatalf("local exited early: %v; stderr %s", err, errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	tg, err := target.Load(target.Path(target.Local))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := tg.AWSConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	list, err := sfn.NewFromConfig(cfg).ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.StateMachines) != 6 || aws.ToString(list.StateMachines[0].Name) == "" {
		t.Fatalf("state machines %+v", list.StateMachines)
	}
	if !strings.Contains(out.String(), tg.ConsoleURL) {
		t.Errorf("URLs not printed: %s", out.String())
	}
	// The console is mounted at the runtime's root, beside the Step
	// Functions API.
	if body := getPage(t, tg.ConsoleURL+"/executions"); !strings.Contains(body, "inventory-sync") {
		t.Errorf("console executions page does not list the state machines: %.300s", body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("local: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("local did not stop")
	}
	if !strings.Contains(out.String(), "stopped") {
		t.Errorf("stdout %q", out.String())
	}
}

func TestLocalNeedsCredentialsForARealLogiwa(t *testing.T) {
	t.Setenv("LOGIWAFLOW_HOME", t.TempDir())
	t.Setenv("LOGIWA_BASE_URL", "https://logiwa.example")
	t.Setenv("LOGIWA_EMAIL", "")
	root := NewRoot()
	root.SetOut(&bytes.Buffer{})
	root.SetErr(&bytes.Buffer{})
	root.SetArgs([]string{"local", "--dir", t.TempDir(), "--addr", "127.0.0.1:0"})
	err := root.ExecuteContext(context.Background())
	if err == nil || !strings.Contains(err.Error(), "LOGIWA_EMAIL") {
		t.Fatalf("err = %v", err)
	}
}
