package console

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/logiwaflow/logiwaflow/pkg/localrun"
	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
	"github.com/logiwaflow/logiwaflow/pkg/message"
)

// The tests share one local runtime (started on first use): a real system
// with the simulator, driven through its queues like the shop drives it,
// and the console mounted on the runtime's server as `logiwaflow local`
// mounts it.

type fixture struct {
	rt  *localrun.Runtime
	sfn *sfn.Client
	// srv serves the console alone over httptest, for the handler tests;
	// the browser tests use the runtime's own URL.
	srv *httptest.Server
	// Executions seeded at start.
	order       string // orders, SUCCEEDED
	badInv      string // inventory, parked invalid (browser redrive)
	badList     string // inventory, parked invalid (stays parked)
	badOrder    string // orders, parked invalid (handler redrive of one)
	badRefunds  []string
	startedAt   time.Time
	orderNumber string
}

var (
	fixOnce sync.Once
	fix     *fixture
	fixErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	closeBrowser()
	if fix != nil {
		fix.srv.Close()
		if err := fix.rt.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "close runtime:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func stack(t *testing.T) *fixture {
	t.Helper()
	fixOnce.Do(func() { fix, fixErr = startFixture() })
	if fixErr != nil {
		t.Fatalf("local runtime: %v", fixErr)
	}
	return fix
}

const (
	orderNumber = "SO-CONSOLE-1"
	goodOrder   = `{"schema":"order.v1","messageId":"m-console-1","orderNumber":"SO-CONSOLE-1","version":1,"occurredAt":"2026-11-24T09:15:00Z","orderDate":"2026-11-24","customer":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"},"shipTo":{"addressLine1":"12 Analytical St","city":"London","postalCode":"N1 9GU","country":"GB"},"shippingMethod":"Standard","currency":"USD","lines":[{"sku":"MUG-BLUE","quantity":2}]}`
)

// bad messages miss their version: they park as invalid.
func badInventory(sku string) string {
	return `{"schema":"inventory.v1","messageId":"m-` + sku + `","sku":"` + sku + `","occurredAt":"2026-11-24T09:00:00Z","product":{"name":"x"}}`
}

func badOrderMsg(number string) string {
	return `{"schema":"order.v1","messageId":"m-` + number + `","orderNumber":"` + number + `","occurredAt":"2026-11-24T09:00:00Z"}`
}

func badRefund(rma string) string {
	return `{"schema":"refund.v1","messageId":"m-` + rma + `","rma":"` + rma + `","occurredAt":"2026-11-24T09:00:00Z"}`
}

func startFixture() (*fixture, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("CONSOLE_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	rt, err := localrun.Start(ctx, localrun.Config{
		// A limit high enough that the tests are not paced to 2 requests a second.
		RateLimit: 50, GateConcurrency: 2,
		Simulator: logiwasim.Options{Seed: 7, Rate: 100},
		Logger:    log,
	})
	if err != nil {
		return nil, err
	}
	f := &fixture{rt: rt, sfn: sfn.NewFromConfig(rt.AWSConfig()), startedAt: time.Now().UTC(), orderNumber: orderNumber}
	fail := func(err error) (*fixture, error) {
		_ = rt.Close()
		return nil, err
	}
	h, err := New(Config{Target: rt.Target(), AWS: rt.AWSConfig(), Gate: rt.GateMeter(), Now: rt.Clock().Now, Logger: log})
	if err != nil {
		return fail(err)
	}
	rt.Handle("/", h)
	f.srv = httptest.NewServer(h)

	sends := []struct {
		flow message.Flow
		body string
	}{
		{message.FlowOrders, goodOrder},
		{message.FlowInventory, badInventory("SKU-BAD-BROWSER")},
		{message.FlowInventory, badInventory("SKU-BAD-LIST")},
		{message.FlowOrders, badOrderMsg("SO-BAD-ONE")},
		{message.FlowRefunds, badRefund("RMA-BAD-1")},
		{message.FlowRefunds, badRefund("RMA-BAD-2")},
	}
	for _, s := range sends {
		if _, err := rt.Send(ctx, s.flow, []byte(s.body)); err != nil {
			f.srv.Close()
			return fail(err)
		}
	}
	if err := rt.Idle(ctx); err != nil {
		f.srv.Close()
		return fail(fmt.Errorf("seed messages not done: %w", err))
	}
	find := func(machine, part string) string {
		for _, e := range rt.SFN().Executions(rt.Target().StateMachines[machine]) {
			if strings.Contains(e.Name, part) {
				return e.ARN
			}
		}
		return ""
	}
	f.order = find("orders", "SO-CONSOLE-1")
	f.badInv = find("inventory", "SKU-BAD-BROWSER")
	f.badList = find("inventory", "SKU-BAD-LIST")
	f.badOrder = find("orders", "SO-BAD-ONE")
	f.badRefunds = []string{find("refunds", "RMA-BAD-1"), find("refunds", "RMA-BAD-2")}
	if f.order == "" || f.badInv == "" || f.badList == "" || f.badOrder == "" || f.badRefunds[0] == "" || f.badRefunds[1] == "" {
		f.srv.Close()
		return fail(fmt.Errorf("seeded executions missing: %+v", f))
	}
	return f, nil
}

// name is the execution name at the end of an ARN.
func name(arn string) string { return arn[strings.LastIndex(arn, ":")+1:] }

// waitDone waits for an execution to stop and returns its status.
func (f *fixture) waitDone(t *testing.T, arn string) sfntypes.ExecutionStatus {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := f.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("describe %s: %v", arn, err)
		}
		if out.Status != sfntypes.ExecutionStatusRunning {
			return out.Status
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still running", arn)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// idle waits until the runtime has nothing queued or running.
func (f *fixture) idle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := f.rt.Idle(ctx); err != nil {
		t.Fatalf("runtime not idle: %v", err)
	}
}
