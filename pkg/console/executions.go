package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

const (
	// listPage is how many executions one page shows.
	listPage = 50
	// scanLimit bounds the executions one request reads while looking for
	// name matches, so a search over a long history stays quick; the page
	// then offers to go on from there.
	scanLimit = 1000
)

// statuses are the execution statuses an operator filters on.
var statuses = []string{"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}

// execRow is one execution in a list.
type execRow struct {
	Machine, Name, ARN, Status string
	Start, Stop                time.Time
}

// execFilter is what the list page is asked for.
type execFilter struct {
	Machine, Status, Query string
	From, To               time.Time
}

func (f execFilter) keep(it sfntypes.ExecutionListItem) bool {
	if f.Query != "" && !strings.Contains(strings.ToLower(aws.ToString(it.Name)), strings.ToLower(f.Query)) {
		return false
	}
	start := aws.ToTime(it.StartDate)
	if !f.From.IsZero() && start.Before(f.From) {
		return false
	}
	if !f.To.IsZero() && start.After(f.To) {
		return false
	}
	return true
}

type execListData struct {
	Machines, Statuses []string
	Machine, Status    string
	Query, From, To    string
	Rows               []execRow
	// Next continues the selected machine's listing; More says a search
	// stopped before the end (scan limit, or one page per machine when all
	// machines are shown).
	Next    string
	More    bool
	Scanned int
}

func (s *server) executions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := execListData{
		Machines: s.machineNames(), Statuses: statuses,
		Machine: q.Get("machine"), Status: q.Get("status"), Query: strings.TrimSpace(q.Get("q")),
		From: q.Get("from"), To: q.Get("to"),
	}
	f := execFilter{Machine: d.Machine, Status: d.Status, Query: d.Query}
	var err error
	if f.From, err = parseWhen(d.From); err != nil {
		s.fail(w, r, http.StatusBadRequest, fmt.Errorf("from: %w", err))
		return
	}
	if f.To, err = parseWhen(d.To); err != nil {
		s.fail(w, r, http.StatusBadRequest, fmt.Errorf("to: %w", err))
		return
	}
	if d.Status != "" && !slices.Contains(statuses, d.Status) {
		s.fail(w, r, http.StatusBadRequest, fmt.Errorf("unknown status %q (want one of %s)", d.Status, strings.Join(statuses, ", ")))
		return
	}
	machines := d.Machines
	if d.Machine != "" {
		if _, ok := s.cfg.Target.StateMachines[d.Machine]; !ok {
			s.fail(w, r, http.StatusNotFound, fmt.Errorf("no state machine %q in the %s target", d.Machine, s.cfg.Target.Name))
			return
		}
		machines = []string{d.Machine}
	}
	// A page token belongs to one machine's listing.
	token := ""
	if d.Machine != "" {
		token = q.Get("next")
	}
	for _, m := range machines {
		rows, next, scanned, err := s.listMachine(r.Context(), m, f, token)
		if err != nil {
			status := http.StatusBadGateway
			var bad *sfntypes.InvalidToken
			if errors.As(err, &bad) {
				status = http.StatusBadRequest // a stale or edited "older" link
			}
			s.fail(w, r, status, err)
			return
		}
		d.Rows = append(d.Rows, rows...)
		d.Scanned += scanned
		if next != "" {
			d.More = true
			if d.Machine != "" {
				d.Next = next
			}
		}
	}
	sort.SliceStable(d.Rows, func(i, j int) bool { return d.Rows[i].Start.After(d.Rows[j].Start) })
	if d.Machine == "" && len(d.Rows) > listPage {
		d.Rows, d.More = d.Rows[:listPage], true
	}
	s.render(w, r, http.StatusOK, "executions", page{Title: "Executions", Nav: "executions", Data: d})
}

// listMachine reads one machine's executions newest first from token until
// it has a page of matches, reaches the start of the time range, or has
// scanned scanLimit executions. It returns the token to go on from.
func (s *server) listMachine(ctx context.Context, machine string, f execFilter, token string) ([]execRow, string, int, error) {
	arn := s.cfg.Target.StateMachines[machine]
	// Unfiltered, one SDK page is one console page; a name or time filter
	// reads bigger pages, since most of what it reads is left out.
	size := int32(listPage)
	if f.Query != "" || !f.From.IsZero() || !f.To.IsZero() {
		size = 100
	}
	in := &sfn.ListExecutionsInput{StateMachineArn: aws.String(arn), MaxResults: size}
	if f.Status != "" {
		in.StatusFilter = sfntypes.ExecutionStatus(f.Status)
	}
	if token != "" {
		in.NextToken = aws.String(token)
	}
	var rows []execRow
	scanned := 0
	for {
		out, err := s.sfn.ListExecutions(ctx, in)
		if err != nil {
			return nil, "", scanned, fmt.Errorf("list executions of %s: %w", machine, err)
		}
		past := false
		for _, it := range out.Executions {
			scanned++
			if !f.From.IsZero() && aws.ToTime(it.StartDate).Before(f.From) {
				// Newest first: everything after this started earlier still.
				past = true
				break
			}
			if f.keep(it) {
				rows = append(rows, execRow{
					Machine: machine, Name: aws.ToString(it.Name), ARN: aws.ToString(it.ExecutionArn),
					Status: string(it.Status), Start: aws.ToTime(it.StartDate), Stop: aws.ToTime(it.StopDate),
				})
			}
		}
		next := aws.ToString(out.NextToken)
		if past || next == "" {
			return rows, "", scanned, nil
		}
		// An SDK page is kept whole, so a filtered page may run over
		// listPage rather than lose the rest of what was read.
		if len(rows) >= listPage || scanned >= scanLimit {
			return rows, next, scanned, nil
		}
		in.NextToken = aws.String(next)
	}
}

// machineNames lists the target's state machines in a stable order.
func (s *server) machineNames() []string {
	names := make([]string, 0, len(s.cfg.Target.StateMachines))
	for n := range s.cfg.Target.StateMachines {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// machineOf names the definition an ARN belongs to ("" if unknown).
func (s *server) machineOf(arn string) string {
	for n, a := range s.cfg.Target.StateMachines {
		if a == arn {
			return n
		}
	}
	return ""
}

// parseWhen reads a time from a datetime-local input (taken as UTC) or RFC 3339.
func parseWhen(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (want 2026-11-25T13:00 in UTC, or RFC 3339)", v)
}
