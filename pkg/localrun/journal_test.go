package localrun

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
)

func names(es []journalEntry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Machine+"/"+e.Name+"="+e.Input)
	}
	return strings.Join(out, ",")
}

func TestJournalKeepsUnfinishedInStartOrder(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	path := filepath.Join(t.TempDir(), "executions.journal")
	j, open, err := openJournal(path, log)
	if err != nil || len(open) != 0 {
		t.Fatalf("fresh journal: %v %v", open, err)
	}
	j.ExecutionStarted("orders", "b", `{"n":2}`)
	j.ExecutionStarted("orders", "a", `{"n":1}`)
	j.ExecutionStarted("inventory", "c", `{}`)
	j.ExecutionEnded("inventory", "c", asl.StatusSucceeded)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	// Events after Close (the shutdown aborting executions) are not kept.
	j.ExecutionEnded("orders", "a", asl.StatusAborted)

	// A crash can tear the last line.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(`{"op":"end","machine":"orders","na`)
	_ = f.Close()

	j2, open, err := openJournal(path, log)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(open), `orders/b={"n":2},orders/a={"n":1}`; got != want {
		t.Fatalf("unfinished %s, want %s", got, want)
	}
	// Opening compacted the file to the unfinished starts.
	b, _ := os.ReadFile(path)
	if n := strings.Count(string(b), "\n"); n != 2 || strings.Contains(string(b), `"end"`) {
		t.Fatalf("compacted file:\n%s", b)
	}
	j2.ExecutionEnded("orders", "b", asl.StatusSucceeded)
	j2.ExecutionEnded("orders", "a", asl.StatusFailed)
	_ = j2.Close()
	_, open, err = openJournal(path, log)
	if err != nil || len(open) != 0 {
		t.Fatalf("after all ended: %v %v", names(open), err)
	}
}

func TestJournalCompactsWhileRunning(t *testing.T) {
	defer func(n int) { compactAfter = n }(compactAfter)
	compactAfter = 3
	path := filepath.Join(t.TempDir(), "executions.journal")
	j, _, err := openJournal(path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	j.ExecutionStarted("orders", "keep", `{}`)
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		j.ExecutionStarted("orders", n, `{}`)
		j.ExecutionEnded("orders", n, asl.StatusSucceeded)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if lines := strings.Count(string(b), "\n"); lines > 1+2*compactAfter {
		t.Fatalf("journal not compacted (%d lines):\n%s", lines, b)
	}
	_, open, err := openJournal(path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil || names(open) != "orders/keep={}" {
		t.Fatalf("unfinished %s %v", names(open), err)
	}
}
