// Package recordstest gives tests a records.Store over the local DynamoDB
// stand-in, reached through the real SDK client.
package recordstest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/logiwaflow/logiwaflow/pkg/localaws/dynamolocal"
	"github.com/logiwaflow/logiwaflow/pkg/records"
)

// Clock is a settable test clock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now reads the clock.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Advance moves it forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// NewStore serves a fresh local DynamoDB with both tables and returns a store
// on it whose clock starts at 2026-11-25T12:00:00Z.
func NewStore(t testing.TB) (*records.Store, *Clock) {
	t.Helper()
	srv, err := dynamolocal.Open(dynamolocal.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); _ = srv.Close() })
	c := dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	if err := records.CreateTables(context.Background(), c, "records", "jobs"); err != nil {
		t.Fatal(err)
	}
	clk := &Clock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	return &records.Store{DB: c, RecordTable: "records", JobTable: "jobs", Now: clk.Now}, clk
}
