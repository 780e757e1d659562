package console

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/parking"
)

// Redrive goes through the redrive state machine for one message, a
// selection (its input's "keys") and all of a reason (its "reason" and
// "flow"), rather than calling parking.Service.Republish from here: every
// redrive is then an execution with its own history and totals, as the daily
// scheduled redrive is; the replay budget and the move to redriven/
// live in one place, and on AWS the console needs only states:StartExecution
// and read access to the bucket, not write access to it and every queue.

const (
	parkedPage = 100
	// summaryLimit bounds the keys counted for the by-reason summary.
	summaryLimit = 10000
	redriveName  = "redrive"
)

type parkedRow struct {
	parking.Parked
	Err string // the object could not be read
}

type countRow struct {
	Reason, Flow string
	Count        int
}

type parkedData struct {
	Reasons      []string
	Flows        []string
	Reason, Flow string
	Rows         []parkedRow
	Next         string
	Summary      []countRow
	Total        int
	SummaryMore  bool
	CanRedrive   bool
}

func flowNames() []string {
	out := make([]string, len(message.Flows))
	for i, f := range message.Flows {
		out[i] = string(f)
	}
	return out
}

func (s *server) parkedFilter(reason, flow string) (parking.Filter, error) {
	if reason != "" && !slices.Contains(parking.Reasons, reason) {
		return parking.Filter{}, fmt.Errorf("unknown reason %q (want one of %s)", reason, strings.Join(parking.Reasons, ", "))
	}
	if flow != "" {
		if _, err := message.ParseFlow(flow); err != nil {
			return parking.Filter{}, err
		}
	}
	if flow != "" && reason == "" {
		// Keys start with the reason; a flow alone is matched key by key.
		return parking.Filter{Flow: flow}, nil
	}
	return parking.Filter{Reason: reason, Flow: flow}, nil
}

func (s *server) parkedList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := parkedData{Reasons: parking.Reasons, Flows: flowNames(), Reason: q.Get("reason"), Flow: q.Get("flow")}
	_, d.CanRedrive = s.cfg.Target.StateMachines[redriveName]
	f, err := s.parkedFilter(d.Reason, d.Flow)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	ctx := r.Context()
	if d.Summary, d.Total, d.SummaryMore, err = s.parkedSummary(ctx); err != nil {
		s.fail(w, r, http.StatusBadGateway, err)
		return
	}
	keys, next, err := s.listParked(ctx, f, q.Get("next"))
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, err)
		return
	}
	d.Next = next
	for _, k := range keys {
		p, err := s.parked.Get(ctx, k)
		row := parkedRow{Parked: p}
		if err != nil {
			row.Key, row.Err = k, err.Error()
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(w, r, http.StatusOK, "parked", page{Title: "Parked messages", Nav: "parked", Data: d})
}

// listParked returns a page of keys. A filter on the flow alone is applied
// to the keys of the whole parked/ prefix, so it may take several listings
// to fill a page.
func (s *server) listParked(ctx context.Context, f parking.Filter, token string) ([]string, string, error) {
	var keys []string
	for {
		page, next, err := s.parked.List(ctx, f, time.Time{}, token, parkedPage)
		if err != nil {
			return nil, "", err
		}
		keys = append(keys, page...)
		if next == "" || len(keys) >= parkedPage {
			return keys, next, nil
		}
		token = next
	}
}

// parkedSummary counts parked keys by reason and flow from the listing
// alone (the key holds both), without reading the objects.
func (s *server) parkedSummary(ctx context.Context) ([]countRow, int, bool, error) {
	counts := map[[2]string]int{}
	total := 0
	in := &s3.ListObjectsV2Input{Bucket: aws.String(s.cfg.Target.ParkedBucket), Prefix: aws.String(parking.ParkedPrefix)}
	for {
		out, err := s.s3.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, 0, false, fmt.Errorf("count parked messages in %s: %w", s.cfg.Target.ParkedBucket, err)
		}
		for _, o := range out.Contents {
			parts := strings.SplitN(strings.TrimPrefix(aws.ToString(o.Key), parking.ParkedPrefix), "/", 3)
			if len(parts) < 3 {
				continue
			}
			counts[[2]string{parts[0], parts[1]}]++
			total++
		}
		if !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil {
			break
		}
		if total >= summaryLimit {
			return summaryRows(counts), total, true, nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
	return summaryRows(counts), total, false, nil
}

func summaryRows(counts map[[2]string]int) []countRow {
	rows := make([]countRow, 0, len(counts))
	for k, n := range counts {
		rows = append(rows, countRow{Reason: k[0], Flow: k[1], Count: n})
	}
	slices.SortFunc(rows, func(a, b countRow) int {
		if c := strings.Compare(a.Reason, b.Reason); c != 0 {
			return c
		}
		return strings.Compare(a.Flow, b.Flow)
	})
	return rows
}

type messageView struct {
	parking.Parked
	Body, Original string
	CanRedrive     bool
	StillParked    bool // under parked/ (not a redriven copy)
}

func (s *server) parkedShow(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	if !strings.HasPrefix(key, parking.ParkedPrefix) && !strings.HasPrefix(key, parking.RedrivenPrefix) {
		s.fail(w, r, http.StatusBadRequest, fmt.Errorf("key %q is not a parked message (want %s...)", key, parking.ParkedPrefix))
		return
	}
	p, err := s.parked.Get(r.Context(), key)
	if err != nil {
		s.fail(w, r, http.StatusNotFound, err)
		return
	}
	v := messageView{Parked: p, Body: pretty(p.Body), Original: pretty(string(p.Original)), StillParked: strings.HasPrefix(key, parking.ParkedPrefix)}
	v.Cause = pretty(p.Cause)
	_, v.CanRedrive = s.cfg.Target.StateMachines[redriveName]
	s.render(w, r, http.StatusOK, "message", page{Title: "Parked message", Nav: "parked", Data: v})
}

// redriveInput is the redrive state machine's input.
type redriveInput struct {
	Reason string   `json:"reason,omitempty"`
	Flow   string   `json:"flow,omitempty"`
	Keys   []string `json:"keys,omitempty"`
	DryRun bool     `json:"dryRun,omitempty"`
}

// redrive starts the redrive workflow for one key ("one"), the checked keys
// ("key"), or everything parked for a reason and flow ("all").
func (s *server) redrive(w http.ResponseWriter, r *http.Request) {
	arn, ok := s.cfg.Target.StateMachines[redriveName]
	if !ok {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("the %s target has no %s state machine", s.cfg.Target.Name, redriveName))
		return
	}
	form := r.PostForm
	in := redriveInput{DryRun: form.Get("dryRun") != ""}
	var what string
	switch {
	case form.Get("one") != "":
		in.Keys = []string{form.Get("one")}
		what = "1 message"
	case form.Get("all") != "":
		f, err := s.parkedFilter(form.Get("reason"), form.Get("flow"))
		if err != nil {
			s.fail(w, r, http.StatusBadRequest, err)
			return
		}
		in.Reason, in.Flow = f.Reason, f.Flow
		what = "every parked message" + describeFilter(f)
	default:
		in.Keys = form["key"]
		if len(in.Keys) == 0 {
			s.redirect(w, r, "/parked?"+url.Values{"reason": {form.Get("reason")}, "flow": {form.Get("flow")}}.Encode(),
				"nothing selected: tick the messages to redrive first")
			return
		}
		what = fmt.Sprintf("%d messages", len(in.Keys))
	}
	for _, k := range in.Keys {
		if !strings.HasPrefix(k, parking.ParkedPrefix) {
			s.fail(w, r, http.StatusBadRequest, fmt.Errorf("key %q is not a parked message", k))
			return
		}
	}
	body, err := json.Marshal(in)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, fmt.Errorf("encode redrive input: %w", err))
		return
	}
	name := "console-redrive-" + s.now().Format("20060102T150405Z") + "-" + randomSuffix()
	out, err := s.sfn.StartExecution(r.Context(), &sfn.StartExecutionInput{
		StateMachineArn: aws.String(arn), Name: aws.String(name), Input: aws.String(string(body)),
	})
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, fmt.Errorf("start %s: %w", redriveName, err))
		return
	}
	verb := "redriving "
	if in.DryRun {
		verb = "dry run: checking "
	}
	s.log.Info("console: redrive started", "execution", name, "input", string(body))
	s.redirect(w, r, "/execution?arn="+url.QueryEscape(aws.ToString(out.ExecutionArn)), verb+what)
}

func describeFilter(f parking.Filter) string {
	var parts []string
	if f.Reason != "" {
		parts = append(parts, "reason "+f.Reason)
	}
	if f.Flow != "" {
		parts = append(parts, "flow "+f.Flow)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// redirect sends the browser on with a one-line notice for the next page.
func (s *server) redirect(w http.ResponseWriter, r *http.Request, to, notice string) {
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r, to+sep+"notice="+url.QueryEscape(notice), http.StatusSeeOther)
}

// randomSuffix keeps two operators' clicks in the same second apart.
func randomSuffix() string { return strings.ToLower(rand.Text()[:6]) }
