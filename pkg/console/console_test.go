package console

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/logiwaflow/logiwaflow/pkg/parking"
	"github.com/logiwaflow/logiwaflow/pkg/target"
)

// client does not follow redirects, so tests see where a POST sends them.
var client = &http.Client{
	Timeout:       20 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

type reply struct {
	status   int
	body     string
	location string
}

func get(t *testing.T, f *fixture, path string) reply {
	t.Helper()
	resp, err := client.Get(f.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func post(t *testing.T, f *fixture, path string, form url.Values, header http.Header) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func read(t *testing.T, resp *http.Response) reply {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, body: string(b), location: resp.Header.Get("Location")}
}

var tokenRE = regexp.MustCompile(`name="token" value="([^"]+)"`)

// token reads the form token from a page, as a browser submits it.
func token(t *testing.T, f *fixture) string {
	t.Helper()
	m := tokenRE.FindStringSubmatch(get(t, f, "/start").body)
	if m == nil {
		t.Fatal("no form token on the start page")
	}
	return m[1]
}

func TestNewRejectsIncompleteTarget(t *testing.T) {
	if _, err := New(Config{Target: target.Target{Name: target.Local}}); err == nil || !strings.Contains(err.Error(), "target") {
		t.Fatalf("err = %v", err)
	}
}

func TestExecutionsPage(t *testing.T) {
	f := stack(t)
	future := time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04")
	tests := []struct {
		name, query string
		status      int
		want, not   []string
	}{
		{name: "all machines", query: "", status: 200, want: []string{name(f.order), name(f.badInv), "SUCCEEDED", "FAILED"}},
		{name: "by order number", query: "?q=so-console", status: 200, want: []string{name(f.order)}, not: []string{name(f.badInv)}},
		{name: "by machine and status", query: "?machine=inventory&status=FAILED", status: 200, want: []string{name(f.badInv)}, not: []string{name(f.order)}},
		{name: "status excludes", query: "?machine=orders&status=RUNNING&q=SO-CONSOLE", status: 200, want: []string{"No executions match"}, not: []string{name(f.order)}},
		{name: "time range excludes", query: "?from=" + future, status: 200, want: []string{"No executions match"}, not: []string{name(f.order)}},
		{name: "time range includes", query: "?to=" + future + "&q=SO-CONSOLE", status: 200, want: []string{name(f.order)}},
		{name: "bad time", query: "?from=yesterday", status: 400, want: []string{"not a time"}},
		{name: "bad status", query: "?status=DONE", status: 400, want: []string{"unknown status"}},
		{name: "unknown machine", query: "?machine=nope", status: 404, want: []string{"no state machine"}},
		{name: "a token without its machine is ignored", query: "?next=bogus&q=SO-CONSOLE", status: 200, want: []string{name(f.order)}},
		{name: "a bad token is refused", query: "?machine=orders&next=bogus", status: 400, want: []string{"InvalidToken"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, f, "/executions"+tc.query)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(r.body, n) {
					t.Errorf("page shows %q", n)
				}
			}
		})
	}
}

// TestExecutionsPaging lists one machine two executions at a time through
// the SDK's tokens.
func TestExecutionsPaging(t *testing.T) {
	f := stack(t)
	s := &server{cfg: Config{Target: f.rt.Target()}, sfn: f.sfn}
	rows, next, _, err := s.listMachine(context.Background(), "refunds", execFilter{}, "")
	if err != nil || len(rows) < 2 || next != "" {
		t.Fatalf("rows %d next %q err %v", len(rows), next, err)
	}
	// A search that matches nothing reads everything, then stops.
	rows, next, scanned, err := s.listMachine(context.Background(), "refunds", execFilter{Query: "no-such-execution"}, "")
	if err != nil || len(rows) != 0 || next != "" || scanned < 2 {
		t.Fatalf("rows %d next %q scanned %d err %v", len(rows), next, scanned, err)
	}
}

func TestExecutionPage(t *testing.T) {
	f := stack(t)
	r := get(t, f, "/execution?arn="+url.QueryEscape(f.badInv))
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	for _, w := range []string{
		`data-state="Validate" data-status="caught"`,
		`data-state="Park" data-status="succeeded"`,
		`data-state="Parked.invalid" data-status="failed"`,
		`data-state="CallLogiwa" data-status="not-reached"`,
		`data-state="UpdateDB" data-status="not-reached"`,
		"Message.Invalid", // the caught error in the events table
		"SKU-BAD-BROWSER", // the input, shown
		`id="state-Validate"`,
	} {
		if !strings.Contains(r.body, w) {
			t.Errorf("execution page lacks %s", w)
		}
	}
	// A parked execution links to its message and offers its redrive.
	r = get(t, f, "/execution?arn="+url.QueryEscape(f.badList))
	if !regexp.MustCompile(`id="parked-link" href="/parked/message\?key=parked%2Finvalid%2Finventory%2F[^"]+SKU-BAD-LIST[^"]*">Parked message`).MatchString(r.body) ||
		!strings.Contains(r.body, `id="redrive-parked"`) {
		t.Errorf("parked execution does not link its message: %s", r.body)
	}
	r = get(t, f, "/execution?arn="+url.QueryEscape(f.order))
	if strings.Contains(r.body, `id="parked-link"`) || strings.Contains(r.body, `id="stop"`) {
		t.Error("a finished, applied order offers a parked message or a stop")
	}
	for _, st := range []string{"Validate", "IsStale", "CallLogiwa", "CheckLatency", "UpdateDB"} {
		if !strings.Contains(r.body, `data-state="`+st+`" data-status="succeeded"`) {
			t.Errorf("order: %s not succeeded", st)
		}
	}
	if !strings.Contains(r.body, `data-state="Park" data-status="not-reached"`) {
		t.Error("order: Park not shown as not reached")
	}
	for q, status := range map[string]int{"": 400, "?arn=" + url.QueryEscape(f.order+"-missing"): 404} {
		if r := get(t, f, "/execution"+q); r.status != status {
			t.Errorf("%q: status %d, want %d", q, r.status, status)
		}
	}
}

func TestParkedPage(t *testing.T) {
	f := stack(t)
	r := get(t, f, "/parked?reason=invalid&flow=inventory")
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if !strings.Contains(r.body, `data-execution="`+name(f.badList)+`"`) {
		t.Errorf("parked list lacks %s", name(f.badList))
	}
	if strings.Contains(r.body, `data-execution="`+name(f.badOrder)+`"`) {
		t.Errorf("flow filter shows the orders message")
	}
	if !strings.Contains(r.body, `data-reason="invalid" data-flow="inventory"`) {
		t.Error("summary lacks invalid/inventory")
	}
	key := regexp.MustCompile(`data-key="(parked/invalid/inventory/[^"]+SKU-BAD-LIST[^"]+)"`).FindStringSubmatch(r.body)
	if key == nil {
		t.Fatal("no key on the page")
	}
	m := get(t, f, "/parked/message?key="+url.QueryEscape(key[1]))
	if m.status != 200 || !strings.Contains(m.body, "Message.Invalid") || !strings.Contains(m.body, "SKU-BAD-LIST") {
		t.Errorf("message page %d: %s", m.status, m.body)
	}
	for q, status := range map[string]int{
		"/parked?reason=bored":                           400,
		"/parked?flow=nowhere":                           400,
		"/parked/message?key=secrets/x":                  400,
		"/parked/message?key=parked/invalid/x/none.json": 404,
	} {
		if r := get(t, f, q); r.status != status {
			t.Errorf("%s: status %d, want %d", q, r.status, status)
		}
	}
}

func TestRedriveChecksOrigin(t *testing.T) {
	f := stack(t)
	form := url.Values{"one": {"parked/invalid/orders/x.json"}}
	if r := post(t, f, "/parked/redrive", form, nil); r.status != http.StatusForbidden {
		t.Errorf("no token: status %d", r.status)
	}
	form.Set("token", token(t, f))
	cross := http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}
	if r := post(t, f, "/parked/redrive", form, cross); r.status != http.StatusForbidden {
		t.Errorf("cross-site: status %d", r.status)
	}
	form.Set("one", "secrets/x.json")
	if r := post(t, f, "/parked/redrive", form, nil); r.status != http.StatusBadRequest {
		t.Errorf("key outside parked/: status %d", r.status)
	}
	form.Del("one")
	if r := post(t, f, "/parked/redrive", form, nil); r.status != http.StatusSeeOther || !strings.Contains(r.location, "nothing+selected") {
		t.Errorf("empty selection: %d %s", r.status, r.location)
	}
}

// parkedKeys lists the parked keys of a reason and flow.
func parkedKeys(t *testing.T, f *fixture, reason, flow string) []string {
	t.Helper()
	svc := parking.Service{S3: s3.NewFromConfig(f.rt.AWSConfig()), Bucket: f.rt.Target().ParkedBucket}
	keys, _, err := svc.List(context.Background(), parking.Filter{Reason: reason, Flow: flow}, time.Time{}, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestRedriveOne(t *testing.T) {
	f := stack(t)
	keys := parkedKeys(t, f, "invalid", "orders")
	var key string
	for _, k := range keys {
		if strings.Contains(k, name(f.badOrder)) {
			key = k
		}
	}
	if key == "" {
		t.Fatalf("no parked key for %s in %v", name(f.badOrder), keys)
	}
	r := post(t, f, "/parked/redrive", url.Values{"token": {token(t, f)}, "one": {key}}, nil)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/execution?arn=") {
		t.Fatalf("redrive: %d %q %s", r.status, r.location, r.body)
	}
	u, _ := url.Parse(r.location)
	arn := u.Query().Get("arn")
	if !strings.Contains(u.Query().Get("notice"), "redriving 1 message") {
		t.Errorf("notice %q", u.Query().Get("notice"))
	}
	if st := f.waitDone(t, arn); st != "SUCCEEDED" {
		t.Fatalf("redrive execution %s", st)
	}
	out, err := f.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil || !strings.Contains(aws.ToString(out.Output), `"redriven":1`) || !strings.Contains(aws.ToString(out.Input), key) {
		t.Fatalf("redrive run: in %s out %s err %v", aws.ToString(out.Input), aws.ToString(out.Output), err)
	}
	f.idle(t)
	// The message left parked/...; being invalid still, it parked again
	// as its first replay, with the earlier park in its history.
	after := get(t, f, "/parked?reason=invalid&flow=orders")
	if strings.Contains(after.body, `data-key="`+key+`"`) {
		t.Error("redriven message still listed")
	}
	re := regexp.MustCompile(`data-key="(parked/invalid/orders/[^"]+-r1\.json)"`).FindStringSubmatch(after.body)
	if re == nil {
		t.Fatalf("the replayed message is not parked again: %s", after.body)
	}
	if r := get(t, f, "/execution?arn="+url.QueryEscape(f.badOrder)); !strings.Contains(r.body, "Redriven message") || strings.Contains(r.body, `id="redrive-parked"`) {
		t.Errorf("the first execution does not link its redriven message: %s", r.body)
	}
	m := get(t, f, "/parked/message?key="+url.QueryEscape(re[1]))
	if !strings.Contains(m.body, `id="msg-history"`) || !strings.Contains(m.body, name(f.badOrder)) {
		t.Errorf("history of the re-parked message missing: %s", m.body)
	}
}

func TestRedriveAllOfReasonAndFlow(t *testing.T) {
	f := stack(t)
	before := parkedKeys(t, f, "invalid", "refunds")
	if len(before) < 2 {
		t.Fatalf("want two parked refunds, have %v", before)
	}
	r := post(t, f, "/parked/redrive", url.Values{"token": {token(t, f)}, "all": {"1"}, "reason": {"invalid"}, "flow": {"refunds"}}, nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("redrive all: %d %s", r.status, r.body)
	}
	u, _ := url.Parse(r.location)
	if st := f.waitDone(t, u.Query().Get("arn")); st != "SUCCEEDED" {
		t.Fatalf("redrive execution %s", st)
	}
	// The Map state's node says what ran inside it, once per message.
	if page := get(t, f, r.location); !strings.Contains(page.body, "Republish (Map): succeeded — RepublishOne ×2") {
		t.Errorf("redrive graph does not count the Map's items: %s", page.body)
	}
	f.idle(t)
	after := parkedKeys(t, f, "invalid", "refunds")
	for _, k := range before {
		for _, a := range after {
			if a == k {
				t.Errorf("%s still parked", k)
			}
		}
	}
	if r := post(t, f, "/parked/redrive", url.Values{"token": {token(t, f)}, "all": {"1"}, "reason": {"sleepy"}}, nil); r.status != 400 {
		t.Errorf("bad reason: %d", r.status)
	}
}

func TestStartPage(t *testing.T) {
	f := stack(t)
	r := get(t, f, "/start?machine=inventory-sync")
	if r.status != 200 || !strings.Contains(r.body, "&#34;since&#34;") || !strings.Contains(r.body, "&#34;skus&#34;") {
		t.Fatalf("start form %d: %s", r.status, r.body)
	}
	if !strings.Contains(get(t, f, "/start?machine=redrive").body, "&#34;reason&#34;: &#34;outage&#34;") {
		t.Error("redrive form not prefilled with the outage reason")
	}
	if r := get(t, f, "/start?machine=nope"); r.status != 404 {
		t.Errorf("unknown machine: %d", r.status)
	}
	tok := token(t, f)
	bad := post(t, f, "/start", url.Values{"token": {tok}, "machine": {"inventory-sync"}, "input": {`{"since": `}}, nil)
	if bad.status != 400 || !strings.Contains(bad.body, "not JSON") || !strings.Contains(bad.body, "{&#34;since&#34;:</textarea>") {
		t.Errorf("bad input: %d %s", bad.status, bad.body)
	}
	dup := post(t, f, "/start", url.Values{"token": {tok}, "machine": {"orders"}, "name": {name(f.order)}, "input": {"{}"}}, nil)
	if dup.status != 400 || !strings.Contains(dup.body, "ExecutionAlreadyExists") {
		t.Errorf("duplicate name: %d %s", dup.status, dup.body)
	}
	since := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	ok := post(t, f, "/start", url.Values{"token": {tok}, "machine": {"inventory-sync"}, "input": {`{"since":"` + since + `","skus":[]}`}}, nil)
	if ok.status != http.StatusSeeOther || !strings.HasPrefix(ok.location, "/execution?arn=") {
		t.Fatalf("start: %d %q %s", ok.status, ok.location, ok.body)
	}
	u, _ := url.Parse(ok.location)
	arn := u.Query().Get("arn")
	if !strings.Contains(name(arn), "inventory-sync-console-") {
		t.Errorf("generated name %s", name(arn))
	}
	if st := f.waitDone(t, arn); st != "SUCCEEDED" {
		t.Errorf("inventory-sync by hand: %s", st)
	}
}

func TestGatePage(t *testing.T) {
	f := stack(t)
	r := get(t, f, "/gate")
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	for _, w := range []string{`data-queue="gate"`, `data-queue="gate-dlq"`, `data-queue="orders-dlq"`, `id="rate-limit">50 /s`, `id="rate-chart"`, `id="recent-calls"`, "p95"} {
		if !strings.Contains(r.body, w) {
			t.Errorf("gate page lacks %s", w)
		}
	}
	if m := regexp.MustCompile(`id="requests-total">(\d+) since start`).FindStringSubmatch(r.body); m == nil || m[1] == "0" {
		t.Errorf("requests counted: %v", m)
	}
	if !regexp.MustCompile(`id="missed-slots"[^>]*>\d+ since start`).MatchString(r.body) {
		t.Error("gate page lacks the count of missed pacing slots")
	}
	// Without a meter (an AWS target) the page still shows the queues.
	h, err := New(Config{Target: f.rt.Target(), AWS: f.rt.AWSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/gate", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `id="no-meter"`) || !strings.Contains(rec.Body.String(), `data-queue="gate"`) {
		t.Errorf("no meter: %d %s", rec.Code, rec.Body)
	}
}

func TestStaticAndRoot(t *testing.T) {
	f := stack(t)
	if r := get(t, f, "/"); r.status != http.StatusSeeOther || r.location != "/executions" {
		t.Errorf("root: %d %s", r.status, r.location)
	}
	for _, p := range []string{"/static/console.css", "/static/console.js"} {
		if r := get(t, f, p); r.status != 200 || len(r.body) < 100 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
}
