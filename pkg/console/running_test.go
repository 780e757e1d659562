package console

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/sfnlocal"
	"github.com/logiwaflow/logiwaflow/pkg/target"
)

// These tests use a bare Step Functions endpoint (sfnlocal on our engine)
// with definitions of their own: an execution that stays in a Wait state,
// and enough executions to page through.

const (
	waitingDef = `{"StartAt":"Prepare","States":{
		"Prepare":{"Type":"Pass","Next":"Hold"},
		"Hold":{"Type":"Wait","Seconds":3600,"Next":"Finish"},
		"Finish":{"Type":"Succeed"}}}`
	quickDef = `{"StartAt":"Only","States":{"Only":{"Type":"Pass","End":true}}}`
)

type sfnStack struct {
	sfn     *sfn.Client
	console http.Handler
	arns    map[string]string
}

func newSFNStack(t *testing.T) *sfnStack {
	t.Helper()
	srv := sfnlocal.New(asl.NewEngine())
	t.Cleanup(srv.Close)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	st := &sfnStack{arns: map[string]string{}}
	for name, def := range map[string]string{"waiting": waitingDef, "quick": quickDef} {
		arn, err := srv.Register(name, []byte(def))
		if err != nil {
			t.Fatal(err)
		}
		st.arns[name] = arn
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	st.sfn = sfn.NewFromConfig(cfg, func(o *sfn.Options) { o.BaseEndpoint = aws.String(hs.URL) })
	tg := target.Target{
		Name: target.Local, Region: "us-east-1", StateMachines: st.arns,
		Queues: map[string]string{"gate": "http://127.0.0.1:1/none"}, ParkedBucket: "none", RecordsTable: "r", JobsTable: "j",
	}
	h, err := New(Config{Target: tg, AWS: cfg, SFN: st.sfn})
	if err != nil {
		t.Fatal(err)
	}
	st.console = h
	return st
}

func (st *sfnStack) get(t *testing.T, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	st.console.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func (st *sfnStack) start(t *testing.T, machine, name string) string {
	t.Helper()
	out, err := st.sfn.StartExecution(context.Background(), &sfn.StartExecutionInput{
		StateMachineArn: aws.String(st.arns[machine]), Name: aws.String(name), Input: aws.String(`{"n":1}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ExecutionArn)
}

func TestExecutionPageRunning(t *testing.T) {
	st := newSFNStack(t)
	arn := st.start(t, "waiting", "held-1")
	var body string
	deadline := time.Now().Add(10 * time.Second)
	for {
		var code int
		code, body = st.get(t, "/execution?arn="+url.QueryEscape(arn))
		if code != 200 {
			t.Fatalf("status %d: %s", code, body)
		}
		if strings.Contains(body, `data-state="Hold" data-status="in-progress"`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, w := range []string{
		`data-state="Prepare" data-status="succeeded"`,
		`data-state="Hold" data-status="in-progress"`,
		`data-state="Finish" data-status="not-reached"`,
		`id="exec-status">RUNNING`,
		"data-running", // the page follows a running execution
		"not yet",      // no output yet
	} {
		if !strings.Contains(body, w) {
			t.Errorf("running execution page lacks %s", w)
		}
	}
	// The taken transition is drawn as such, the one ahead is not.
	if !regexp.MustCompile(`class="edge edge-next taken"[^>]*><title>Prepare → Hold`).MatchString(body) {
		t.Error("Prepare → Hold not drawn as taken")
	}
	if regexp.MustCompile(`class="edge edge-next taken"[^>]*><title>Hold → Finish`).MatchString(body) {
		t.Error("Hold → Finish drawn as taken")
	}
	// Stop it from the page's form.
	tok := tokenRE.FindStringSubmatch(body)
	if tok == nil || !strings.Contains(body, `id="stop"`) {
		t.Fatal("no stop form on a running execution")
	}
	form := url.Values{"token": {tok[1]}, "arn": {arn}}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/execution/stop", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	st.console.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "notice=stopped") {
		t.Fatalf("stop: %d %s", rec.Code, rec.Body)
	}
	_, body = st.get(t, "/execution?arn="+url.QueryEscape(arn))
	for _, w := range []string{`id="exec-status">ABORTED`, `data-state="Hold" data-status="failed"`, "Console.Stopped"} {
		if !strings.Contains(body, w) {
			t.Errorf("stopped execution page lacks %s", w)
		}
	}
	if code, body := st.get(t, "/executions?status=ABORTED"); code != 200 || !strings.Contains(body, `data-name="held-1" data-status="ABORTED"`) {
		t.Errorf("aborted list %d: %s", code, body)
	}
}

func TestExecutionsPages(t *testing.T) {
	st := newSFNStack(t)
	for i := range 120 {
		st.start(t, "quick", fmt.Sprintf("item-%03d", i))
	}
	rowRE := regexp.MustCompile(`<tr class="exec" data-name="(item-\d+)"`)
	nextRE := regexp.MustCompile(`id="next-page" href="([^"]+)"`)
	path := "/executions?machine=quick"
	var seen []string
	for page := 0; ; page++ {
		code, body := st.get(t, path)
		if code != 200 {
			t.Fatalf("page %d: %d %s", page, code, body)
		}
		rows := rowRE.FindAllStringSubmatch(body, -1)
		if page < 2 && len(rows) != listPage {
			t.Errorf("page %d has %d rows, want %d", page, len(rows), listPage)
		}
		for _, r := range rows {
			seen = append(seen, r[1])
		}
		m := nextRE.FindStringSubmatch(body)
		if m == nil {
			break
		}
		path = strings.ReplaceAll(m[1], "&amp;", "&")
		if page > 5 {
			t.Fatal("paging does not end")
		}
	}
	if len(seen) != 120 || seen[0] != "item-119" || seen[119] != "item-000" {
		t.Fatalf("paged through %d executions, first %v last %v", len(seen), seen[0], seen[len(seen)-1])
	}
	// A name search reads through every page and keeps the matches.
	_, body := st.get(t, "/executions?machine=quick&q=ITEM-11")
	rows := rowRE.FindAllStringSubmatch(body, -1)
	if len(rows) != 10 || !strings.Contains(body, "120 executions read") || nextRE.MatchString(body) {
		t.Errorf("search found %d rows: %s", len(rows), body)
	}
}
