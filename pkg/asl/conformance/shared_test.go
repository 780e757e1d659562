package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/refdata"
)

// updateEnv regenerates testdata/floor.json and testdata/known-gaps.md from
// the current run instead of checking against them.
const updateEnv = "CONFORMANCE_UPDATE"

var (
	floorPath = filepath.Join("testdata", "floor.json")
	gapsPath  = filepath.Join("testdata", "known-gaps.md")
)

// TestSharedCases runs the recorded AWS cases on the engine. It fails when
// fewer cases pass or fewer histories match than the recorded floor, when a
// failing case is not listed in known-gaps.md, and when a listed case passes
// or no longer exists, so the list stays exact.
func TestSharedCases(t *testing.T) {
	path := refdata.Path(t, "conformance", "localstack-sfn-cases.json")
	cases, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep := Run(context.Background(), cases, Options{Executor: ASLExecutor()})
	summary := fmt.Sprintf("%s; %s", rep.Summary(), rep.HistorySummary())
	fmt.Println("conformance:", summary)
	t.Log(summary)

	if os.Getenv(updateEnv) == "1" {
		old, err := ReadGaps(gapsPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(gapsPath, RegenerateGaps(old, rep), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := WriteFloor(floorPath, Floor{CasesPassed: rep.Passed, HistoryMatched: rep.HistoryMatched}); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s and %s", floorPath, gapsPath)
		return
	}

	floor, err := ReadFloor(floorPath)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed < floor.CasesPassed {
		t.Errorf("%d cases pass, below the floor of %d in %s", rep.Passed, floor.CasesPassed, floorPath)
	}
	if rep.HistoryMatched < floor.HistoryMatched {
		t.Errorf("%d histories match, below the floor of %d in %s", rep.HistoryMatched, floor.HistoryMatched, floorPath)
	}
	if rep.Passed > floor.CasesPassed || rep.HistoryMatched > floor.HistoryMatched {
		t.Logf("above the floor (%d cases, %d histories): raise it with %s=1", floor.CasesPassed, floor.HistoryMatched, updateEnv)
	}

	gaps, err := ReadGaps(gapsPath)
	if err != nil {
		t.Fatal(err)
	}
	unlisted, nowPassing, unknown := CheckGaps(gaps, rep)
	if len(unlisted) > 0 {
		t.Errorf("%d failing cases are not in %s (list them with a reason, or run with %s=1):\n  %s",
			len(unlisted), gapsPath, updateEnv, strings.Join(unlisted, "\n  "))
	}
	if len(nowPassing) > 0 {
		t.Errorf("%d cases in %s pass now; remove them:\n  %s", len(nowPassing), gapsPath, strings.Join(nowPassing, "\n  "))
	}
	if len(unknown) > 0 {
		t.Errorf("%d ids in %s are not cases of %s:\n  %s", len(unknown), gapsPath, path, strings.Join(unknown, "\n  "))
	}
}

// TestSharedCasesDetectDamage guards the harness itself: with the engine's
// outcomes damaged in small ways, no recorded case may still pass, so a
// high pass figure cannot come from comparisons that accept anything.
func TestSharedCasesDetectDamage(t *testing.T) {
	path := refdata.Path(t, "conformance", "localstack-sfn-cases.json")
	cases, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	real := ASLExecutor()
	damages := map[string]func(*Outcome){
		"output gains a key": func(o *Outcome) {
			if m, ok := o.Output.(map[string]any); ok {
				m["damaged"] = true
			} else {
				o.Output = map[string]any{"damaged": o.Output}
			}
		},
		"status flips": func(o *Outcome) {
			if o.Status == "SUCCEEDED" {
				o.Status, o.Error = "FAILED", "Damaged"
			} else {
				o.Status = "SUCCEEDED"
			}
		},
		"last event lost": func(o *Outcome) {
			if len(o.History) > 0 {
				o.History = o.History[:len(o.History)-1]
			}
		},
		"event order shifted": func(o *Outcome) {
			// A one-event history (an execution that stalls at once) is
			// damaged too: its only event then names event 1 before it.
			if len(o.History) > 0 {
				ev := o.History[len(o.History)-1].(map[string]any)
				if numEqual(ev["previousEventId"], 0) {
					ev["previousEventId"] = json.Number("1")
				} else {
					ev["previousEventId"] = json.Number("0")
				}
			}
		},
	}
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			exec := func(ctx context.Context, c *Case, env Env) (Outcome, error) {
				o, err := real(ctx, c, env)
				if err == nil {
					damage(&o)
				}
				return o, err
			}
			rep := Run(context.Background(), cases, Options{Executor: exec})
			historyDamage := strings.HasPrefix(name, "last") || strings.HasPrefix(name, "event")
			for _, r := range rep.Results {
				if historyDamage {
					// A running execution's history is a prefix: losing an
					// event the recording does not show is no difference.
					if r.HistoryMatched && !(name == "last event lost" && caseByID(cases, r.ID).NeverEnds()) {
						t.Errorf("%s: history still matches", r.ID)
					}
					continue
				}
				c := caseByID(cases, r.ID)
				if r.Verdict == Pass && !c.NeverEnds() && !(name == "output gains a key" && !c.Expected.HasOutput) {
					t.Errorf("%s: still passes", r.ID)
				}
			}
		})
	}
}

func caseByID(cases []Case, id string) *Case {
	for i := range cases {
		if cases[i].ID == id {
			return &cases[i]
		}
	}
	return nil
}
