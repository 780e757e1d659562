package cli

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// getPage fetches a console page and fails the test unless it answers 200.
func getPage(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// The console verb serves the same pages for any target; here the local
// one, reached only through its target file, as the AWS one would be.
func TestConsoleServesATarget(t *testing.T) {
	startLocal(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	root := NewRoot()
	root.SetArgs([]string{"console", "--target", "local", "--addr", "127.0.0.1:0"})
	root.SetOut(pw)
	root.SetErr(io.Discard)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx); pw.Close() }()

	lines := bufio.NewScanner(pr)
	url := ""
	for url == "" && lines.Scan() {
		if _, rest, ok := strings.Cut(lines.Text(), " at "); ok {
			url, _, _ = strings.Cut(rest, " ")
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if url == "" {
		t.Fatal("console did not print its address")
	}
	if body := getPage(t, strings.TrimSuffix(url, "/")+"/parked"); !strings.Contains(body, "Parked") {
		t.Errorf("parked page: %.300s", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("console: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("console did not stop")
	}
}
