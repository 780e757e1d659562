package localrun

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
)

// journal remembers which executions are unfinished, so a restart can start
// them again under the same name (every workflow is idempotent). sfnlocal
// keeps executions in memory only; S3, SQS and DynamoDB persist on their own.
//
// The file is append-only JSON lines: {"op":"start",...} when an execution
// starts, {"op":"end",...} when it ends. It is compacted to the unfinished
// starts when opened and whenever enough ends have piled up.
type journal struct {
	path string
	log  *slog.Logger

	mu      sync.Mutex
	f       *os.File
	w       *bufio.Writer
	open    map[string]journalEntry // unfinished, by machine/name
	seq     int64
	ended   int // end lines written since the last compaction
	closed  bool
	lastErr error
}

type journalEntry struct {
	Op      string `json:"op"`
	Machine string `json:"machine"`
	Name    string `json:"name"`
	Input   string `json:"input,omitempty"`
	Seq     int64  `json:"seq,omitempty"`
}

// compactAfter is how many end lines trigger a rewrite of the file.
var compactAfter = 5000

// openJournal reads path (if it exists), compacts it and returns the
// journal with the unfinished executions in start order.
func openJournal(path string, log *slog.Logger) (*journal, []journalEntry, error) {
	j := &journal{path: path, log: log, open: map[string]journalEntry{}}
	f, err := os.Open(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, nil, fmt.Errorf("journal: %w", err)
	default:
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64*1024), 2<<20)
		for sc.Scan() {
			var e journalEntry
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				// A torn last line after a crash: everything before it counts.
				log.Warn("journal: unreadable line skipped", "path", path, "err", err)
				continue
			}
			key := e.Machine + "/" + e.Name
			switch e.Op {
			case "start":
				j.seq++
				e.Seq = j.seq
				j.open[key] = e
			case "end":
				delete(j.open, key)
			}
		}
		err := sc.Err()
		_ = f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("journal: read %s: %w", path, err)
		}
	}
	if err := j.compactLocked(); err != nil {
		return nil, nil, err
	}
	return j, j.unfinishedLocked(), nil
}

func (j *journal) unfinishedLocked() []journalEntry {
	out := make([]journalEntry, 0, len(j.open))
	for _, e := range j.open {
		out = append(out, e)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Seq < out[b].Seq })
	return out
}

// compactLocked rewrites the file with the unfinished starts only.
func (j *journal) compactLocked() error {
	if j.f != nil {
		_ = j.w.Flush()
		_ = j.f.Close()
	}
	tmp := j.path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	w := bufio.NewWriter(f)
	for _, e := range j.unfinishedLocked() {
		e.Seq = 0
		b, _ := json.Marshal(e)
		_, _ = w.Write(append(b, '\n'))
	}
	if err := w.Flush(); err != nil {
		_ = f.Close()
		return fmt.Errorf("journal: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if err := os.Rename(tmp, j.path); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.f, err = os.OpenFile(j.path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.w = bufio.NewWriter(j.f)
	j.ended = 0
	return nil
}

// ExecutionStarted implements sfnlocal.Observer.
func (j *journal) ExecutionStarted(machine, name, input string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return
	}
	e := journalEntry{Op: "start", Machine: machine, Name: name, Input: input}
	j.seq++
	e.Seq = j.seq
	j.open[machine+"/"+name] = e
	e.Seq = 0
	j.writeLocked(e)
}

// ExecutionEnded implements sfnlocal.Observer.
func (j *journal) ExecutionEnded(machine, name string, _ asl.Status) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return
	}
	delete(j.open, machine+"/"+name)
	j.writeLocked(journalEntry{Op: "end", Machine: machine, Name: name})
	j.ended++
	if j.ended >= compactAfter {
		if err := j.compactLocked(); err != nil {
			j.log.Error("journal: compaction failed", "err", err)
		}
	}
}

// writeLocked appends a line and hands it to the OS at once: a process that
// dies right after StartExecution answered must still find the start.
func (j *journal) writeLocked(e journalEntry) {
	b, _ := json.Marshal(e)
	_, _ = j.w.Write(append(b, '\n'))
	if err := j.w.Flush(); err != nil && !errors.Is(err, j.lastErr) {
		j.lastErr = err
		j.log.Error("journal: write failed; a restart may not resume running executions", "path", j.path, "err", err)
	}
}

// Close stops recording: executions aborted by the shutdown that follows
// must stay unfinished in the journal.
func (j *journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	err := j.w.Flush()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}
