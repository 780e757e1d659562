package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/clock"
	"github.com/logiwaflow/logiwaflow/pkg/localrun"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/target"
)

// The operator verbs are tested end to end: a local runtime (pkg/localrun)
// on an accelerated clock, its target saved to a temporary LOGIWAFLOW_HOME,
// and the command tree run with arguments as a user would.

const (
	inventoryMsg = `{"schema":"inventory.v1","messageId":"m-inv-1","sku":"CLI-MUG","version":2,"occurredAt":"2026-11-24T09:00:00Z","product":{"name":"CLI Mug"}}`
	orderMsg     = `{"schema":"order.v1","messageId":"m-ord-1","orderNumber":"CLI-1001","version":1,"occurredAt":"2026-11-24T09:15:00Z","orderDate":"2026-11-24",` +
		`"customer":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"},` +
		`"shipTo":{"addressLine1":"12 Analytical St","city":"London","postalCode":"N1 9GU","country":"GB"},` +
		`"shippingMethod":"Standard","currency":"USD","lines":[{"sku":"MUG-BLUE","quantity":2}]}`
	// badInventoryMsg has no version: schema-invalid, so it parks as invalid
	// when sent around the CLI's validation.
	badInventoryMsg = `{"schema":"inventory.v1","messageId":"m-bad","sku":"CLI-BAD","occurredAt":"2026-11-24T09:00:00Z","product":{"name":"x"}}`
)

// env is a running local system with its target saved.
type env struct {
	r    *localrun.Runtime
	home string
}

func startLocal(t *testing.T) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := localrun.Start(ctx, localrun.Config{
		Clock:     clock.NewScaled(time.Now(), 200),
		RateLimit: 50, GateConcurrency: 2,
		Simulator: logiwasim.Options{Seed: 3, Rate: 100},
		// At 200x a few real milliseconds of Logiwa latency (more under
		// -race) read as seconds: keep the latency check out of these tests.
		Values: map[string]string{"latency_threshold_ms": "3600000"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("close runtime: %v", err)
		}
	})
	home := t.TempDir()
	t.Setenv("LOGIWAFLOW_HOME", home)
	if err := r.Target().Save(target.Path(target.Local)); err != nil {
		t.Fatal(err)
	}
	return &env{r: r, home: home}
}

func (e *env) idle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.r.Idle(ctx); err != nil {
		t.Fatalf("runtime not idle: %v", err)
	}
}

// sendRaw puts a message on a queue without the CLI's validation.
func (e *env) sendRaw(t *testing.T, f message.Flow, body string) {
	t.Helper()
	if _, err := e.r.Send(context.Background(), f, []byte(body)); err != nil {
		t.Fatal(err)
	}
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs the CLI with a fast poll interval.
func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	args = append(args, "--poll-interval", "20ms")
	code := Main(args, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// must runs the CLI and fails the test unless the exit status is want.
func must(t *testing.T, want int, stdin string, args ...string) result {
	t.Helper()
	res := run(t, stdin, args...)
	if res.code != want {
		t.Fatalf("logiwaflow %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.code, want, res.stdout, res.stderr)
	}
	return res
}

// decodeJSON decodes a verb's --json output.
func decodeJSON[T any](t *testing.T, res result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(res.stdout), &v); err != nil {
		t.Fatalf("output is not the JSON expected: %v\n%s", err, res.stdout)
	}
	return v
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTargetProblemsExitThree(t *testing.T) {
	home := t.TempDir()
	t.Setenv("LOGIWAFLOW_HOME", home)
	res := must(t, 3, "", "executions", "list")
	if !strings.Contains(res.stderr, "logiwaflow local") {
		t.Errorf("missing target: stderr %q should say how to create it", res.stderr)
	}
	must(t, 3, "", "parked", "list", "--target", "aws")
	must(t, 2, "", "executions", "list", "--target", "prod")

	// A target whose endpoints do not answer.
	dead := target.Target{
		Name: target.Local, Region: "us-east-1",
		Endpoints:     map[string]string{target.ServiceSFN: "http://127.0.0.1:1", target.ServiceS3: "http://127.0.0.1:1", target.ServiceSQS: "http://127.0.0.1:1"},
		StateMachines: map[string]string{"orders": "arn:aws:states:us-east-1:000000000000:stateMachine:orders"},
		Queues:        map[string]string{"orders": "http://127.0.0.1:1/000000000000/orders"},
		ParkedBucket:  "b", RecordsTable: "r", JobsTable: "j",
	}
	if err := dead.Save(target.Path(target.Local)); err != nil {
		t.Fatal(err)
	}
	res = must(t, 3, "", "executions", "list")
	if !strings.Contains(res.stderr, "does not answer") {
		t.Errorf("unreachable target: stderr %q", res.stderr)
	}
}

func compactJSON(raw []byte) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}
