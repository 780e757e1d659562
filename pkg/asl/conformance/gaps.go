package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// Floor is the least a run must reach: the figures recorded when the
// engine last improved, so a change that loses a case is caught.
type Floor struct {
	CasesPassed    int `json:"cases_passed"`
	HistoryMatched int `json:"history_matched"`
}

// ReadFloor reads a floor file; a missing file is a floor of zero.
func ReadFloor(path string) (Floor, error) {
	var f Floor
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return f, nil
	}
	if err != nil {
		return f, fmt.Errorf("read floor: %w", err)
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("parse floor %s: %w", path, err)
	}
	return f, nil
}

// WriteFloor writes a floor file.
func WriteFloor(path string, f Floor) error {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write floor: %w", err)
	}
	return nil
}

// Gaps maps a failing case id to why it fails.
type Gaps map[string]string

// gapLine is one entry of a known-gaps file: "- `id`: reason".
var gapLine = regexp.MustCompile("^- `([^`]+)`(?::\\s*(.*))?$")

// ReadGaps reads a known-gaps file; a missing file lists no gaps. Lines that
// are not entries (headings, prose) are ignored.
func ReadGaps(path string) (Gaps, error) {
	g := Gaps{}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return g, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read known gaps: %w", err)
	}
	return ParseGaps(data)
}

// ParseGaps parses the contents of a known-gaps file.
func ParseGaps(data []byte) (Gaps, error) {
	g := Gaps{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t")
		if !strings.HasPrefix(line, "- `") {
			continue
		}
		mm := gapLine.FindStringSubmatch(line)
		if mm == nil {
			return nil, fmt.Errorf("known gaps line %d: want \"- `case id`: reason\", got %q", n, line)
		}
		if _, dup := g[mm[1]]; dup {
			return nil, fmt.Errorf("known gaps line %d: %s listed twice", n, mm[1])
		}
		g[mm[1]] = mm[2]
	}
	return g, sc.Err()
}

// gapsHeader opens a regenerated known-gaps file.
const gapsHeader = "# Known ASL conformance gaps\n\n" +
	"Cases of the shared conformance file (localstack-sfn-cases.json) that the\n" +
	"engine does not pass yet, one line each in the form\n\n" +
	"    - `<case id>`: <reason>\n\n" +
	"The conformance test fails when a failing case is missing here and when a\n" +
	"case listed here passes, so the list stays exact. Regenerate it (and\n" +
	"testdata/floor.json) with\n" +
	"`CONFORMANCE_UPDATE=1 go test ./pkg/asl/conformance -run 'TestSharedCases$'`;\n" +
	"reasons written by hand are kept for cases that still fail, new entries get\n" +
	"the first difference found.\n\n"

// RegenerateGaps returns the known-gaps file for the failing results of a
// run, keeping the reasons of old entries that still fail.
func RegenerateGaps(old Gaps, rep *Report) []byte {
	var b strings.Builder
	b.WriteString(gapsHeader)
	failing := rep.Failing()
	sort.Slice(failing, func(i, j int) bool { return failing[i].ID < failing[j].ID })
	for _, r := range failing {
		reason := old[r.ID]
		if reason == "" {
			reason = truncate(string(r.Verdict)+": "+r.Diff, 300)
		}
		fmt.Fprintf(&b, "- `%s`: %s\n", r.ID, reason)
	}
	return []byte(b.String())
}

// CheckGaps compares a run with the known-gaps list: failing cases not
// listed, listed cases that pass, and listed ids that are not cases at all.
func CheckGaps(g Gaps, rep *Report) (unlisted, nowPassing, unknown []string) {
	ran := make(map[string]Verdict, len(rep.Results))
	for _, r := range rep.Results {
		ran[r.ID] = r.Verdict
		if _, listed := g[r.ID]; r.Verdict != Pass && !listed {
			unlisted = append(unlisted, r.ID+": "+r.Diff)
		}
	}
	for id := range g {
		v, ok := ran[id]
		switch {
		case !ok:
			unknown = append(unknown, id)
		case v == Pass:
			nowPassing = append(nowPassing, id)
		}
	}
	sort.Strings(unlisted)
	sort.Strings(nowPassing)
	sort.Strings(unknown)
	return unlisted, nowPassing, unknown
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
