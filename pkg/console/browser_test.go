package console

import (
	"bytes"
	"context"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's chromium, headless, through the DevTools
// protocol (chromedp): they click through each view of the console mounted
// on a running local runtime and check what a person would see.

var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserErr    error
	browserCancel []context.CancelFunc
	browserDir    string
)

// chromiumPath finds the browser: CHROMIUM_PATH, else chromium on PATH.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// tab opens a new browser tab on the shared headless Chromium, starting it
// on first use, and returns the console's base URL.
func tab(t *testing.T) (context.Context, string) {
	t.Helper()
	if os.Getenv("LOGIWAFLOW_NO_BROWSER") == "1" {
		t.Skip("LOGIWAFLOW_NO_BROWSER=1: browser tests skipped (they need chromium; .ci/run installs it)")
	}
	path := chromiumPath()
	if path == "" {
		t.Fatal("chromium not found: the console's browser tests need Debian's chromium package " +
			"(.ci/run installs it; or set CHROMIUM_PATH, or LOGIWAFLOW_NO_BROWSER=1 to skip them)")
	}
	f := stack(t)
	browserOnce.Do(func() {
		if browserDir, browserErr = os.MkdirTemp("", "console-chromium-"); browserErr != nil {
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(path),
			chromedp.UserDataDir(browserDir),
			chromedp.Flag("headless", true),
			chromedp.Flag("no-sandbox", true),
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.WindowSize(1400, 1000),
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelBrowser := chromedp.NewContext(alloc)
		browserCancel = []context.CancelFunc{cancelBrowser, cancelAlloc}
		// The first Do starts the browser and binds it to ctx, which has no
		// deadline: a timeout here would stop the browser with it.
		if browserErr = chromedp.Do(ctx); browserErr == nil {
			browserCtx = ctx
		}
	})
	if browserErr != nil {
		t.Fatalf("start %s: %v", path, browserErr)
	}
	tabCtx, cancelTab := chromedp.NewContext(browserCtx)
	if err := chromedp.Do(tabCtx); err != nil { // opens the tab
		cancelTab()
		t.Fatalf("open a tab: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(tabCtx, 60*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
	})
	return ctx, f.rt.URL()
}

func closeBrowser() {
	for _, c := range browserCancel {
		c()
	}
	if browserDir != "" {
		_ = os.RemoveAll(browserDir)
	}
}

// do runs browser steps and fails the test on the first error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// value runs one browser action and returns what it reads.
func value[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// css is a CSS selector (a plain string would be a DOM text search).
func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// waitJS waits until a JavaScript condition holds on the tab, tolerating
// the errors of a navigation in progress (a click that loads a page).
func waitJS(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 15 s (last error: %v)", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// loaded is true once the page at a URL containing part has loaded.
func loaded(part string) string {
	return `location.href.includes(` + strconv.Quote(part) + `) && document.readyState === "complete"`
}

// eventually re-evaluates a JavaScript condition, reloading the page between
// tries, until it is true.
func eventually(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if value(t, ctx, chromedp.Evaluate[bool](js)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20 s", what)
		}
		time.Sleep(200 * time.Millisecond)
		do(t, ctx, chromedp.Reload(), chromedp.WaitReady(css("body")))
	}
}

const graphStates = `Object.fromEntries(Array.from(document.querySelectorAll("#graph g.node")).map(g => [g.dataset.state, g.dataset.status]))`

func TestBrowserExecutions(t *testing.T) {
	ctx, base := tab(t)
	f := stack(t)
	order := name(f.order)
	listed := `Array.from(document.querySelectorAll("#executions tr.exec")).map(r => r.dataset.name)`
	do(t, ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(css("#executions")))
	rows := value(t, ctx, chromedp.Evaluate[[]string](listed))
	if !slices.Contains(rows, order) || !slices.Contains(rows, name(f.badInv)) {
		t.Fatalf("list shows %v, want %s and %s", rows, order, name(f.badInv))
	}
	// Search by order number, as an operator types it.
	do(t, ctx, chromedp.SendKeys(css("#f-q"), f.orderNumber), chromedp.Click(css("#f-go")))
	waitJS(t, ctx, "search results", loaded("q="+f.orderNumber))
	rows = value(t, ctx, chromedp.Evaluate[[]string](listed))
	if len(rows) == 0 {
		t.Fatal("search shows nothing")
	}
	for _, r := range rows {
		if !strings.Contains(r, f.orderNumber) {
			t.Errorf("search for %s shows %s", f.orderNumber, r)
		}
	}
	// Into the execution: its graph, coloured by what happened.
	do(t, ctx,
		chromedp.Click(css(`#executions tr.exec[data-name="`+order+`"] a`)),
		chromedp.WaitVisible(css("#graph")),
	)
	states := value(t, ctx, chromedp.Evaluate[map[string]string](graphStates))
	for _, s := range []string{"Validate", "IsStale", "CallLogiwa", "CheckLatency", "UpdateDB"} {
		if states[s] != statusSucceeded {
			t.Errorf("%s is %q, want succeeded (all: %v)", s, states[s], states)
		}
	}
	if states["Park"] != statusNotReached {
		t.Errorf("Park is %q, want not-reached", states["Park"])
	}
	// The stylesheet really colours them: the browser computes different fills.
	fills := value(t, ctx, chromedp.Evaluate[[]string](`["UpdateDB", "Park"].map(s => getComputedStyle(document.querySelector('#graph g.node[data-state="' + s + '"] rect')).fill)`))
	if len(fills) != 2 || fills[0] == fills[1] || fills[0] == "" {
		t.Errorf("succeeded and not-reached states drawn alike: %v", fills)
	}
	// The history table carries each step's input and output.
	steps := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#events .step-input").length + document.querySelectorAll("#events .step-output").length`))
	if steps < 10 {
		t.Errorf("events table shows %d step inputs and outputs, want one per entered and exited state", steps)
	}
	// A parked execution: the caught state and the Fail state stand out.
	do(t, ctx,
		chromedp.Navigate(base+"/executions?machine=inventory&status=FAILED"),
		chromedp.Click(css(`#executions tr.exec[data-name="`+name(f.badInv)+`"] a`)),
		chromedp.WaitVisible(css("#graph")),
	)
	states = value(t, ctx, chromedp.Evaluate[map[string]string](graphStates))
	want := map[string]string{"Validate": statusCaught, "Park": statusSucceeded, "Parked.invalid": statusFailed, "CallLogiwa": statusNotReached}
	for s, st := range want {
		if states[s] != st {
			t.Errorf("parked execution: %s is %q, want %q", s, states[s], st)
		}
	}
	// From the execution to the message it parked.
	do(t, ctx, chromedp.Click(css("#parked-link")), chromedp.WaitVisible(css("#msg-key")))
	if key := value(t, ctx, chromedp.Text(css("#msg-key"))); !strings.HasPrefix(key, "parked/invalid/inventory/") || !strings.Contains(key, name(f.badInv)) {
		t.Errorf("parked link leads to %q", key)
	}
}

func TestBrowserParkedRedrive(t *testing.T) {
	ctx, base := tab(t)
	f := stack(t)
	row := `#parked tr.parked-row[data-execution="` + name(f.badInv) + `"]`
	do(t, ctx,
		chromedp.Navigate(base+"/parked"),
		chromedp.WaitVisible(css("#parked-summary")),
		chromedp.Click(css(`#parked-summary tr[data-reason="invalid"][data-flow="inventory"] td:nth-child(2) a`)),
	)
	waitJS(t, ctx, "parked list of invalid inventory", loaded("reason=invalid&flow=inventory"))
	if text := value(t, ctx, chromedp.Text(css(row))); !strings.Contains(text, "Message.Invalid") {
		t.Errorf("row shows %q, want its error", text)
	}
	// Its own page shows the error and the message.
	do(t, ctx, chromedp.Click(css(row+` td:nth-child(4) a`)), chromedp.WaitVisible(css("#msg-body")))
	if text := value(t, ctx, chromedp.Text(css("#msg-body"))); !strings.Contains(text, "SKU-BAD-BROWSER") {
		t.Errorf("message body %q", text)
	}
	// Back to the list; redrive this one.
	do(t, ctx,
		chromedp.Navigate(base+"/parked?reason=invalid&flow=inventory"),
		chromedp.WaitVisible(css(row)),
		chromedp.Click(css(row+` button.redrive-one`)),
		chromedp.WaitVisible(css("#exec-name")),
	)
	notice := value(t, ctx, chromedp.Text(css("#notice")))
	loc := value(t, ctx, chromedp.Location())
	if !strings.Contains(notice, "redriving 1 message") || !strings.Contains(loc, "/execution?arn=") {
		t.Errorf("after redrive: notice %q at %s", notice, loc)
	}
	// The redrive execution finishes and the message leaves the parked list.
	eventually(t, ctx, "redrive succeeded", `document.querySelector("#exec-status").textContent === "SUCCEEDED"`)
	f.idle(t)
	do(t, ctx, chromedp.Navigate(base+"/parked?reason=invalid&flow=inventory"), chromedp.WaitReady(css("body")))
	eventually(t, ctx, "message gone from the parked list", `document.querySelector('`+row+`') === null`)
}

func TestBrowserRedriveSelection(t *testing.T) {
	ctx, base := tab(t)
	f := stack(t)
	// Park two fresh messages, tick both, redrive the selection.
	for _, sku := range []string{"SKU-SEL-1", "SKU-SEL-2"} {
		if _, err := f.rt.Send(context.Background(), "inventory", []byte(badInventory(sku))); err != nil {
			t.Fatal(err)
		}
	}
	f.idle(t)
	do(t, ctx, chromedp.Navigate(base+"/parked?reason=invalid&flow=inventory"), chromedp.WaitVisible(css("#parked")))
	if n := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#parked tr.parked-row[data-execution*="SKU-SEL-"]').length`)); n != 2 {
		t.Fatalf("%d SKU-SEL rows, want 2", n)
	}
	// The header box ticks and unticks every row.
	checked := `document.querySelectorAll('#parked input[name="key"]:checked').length`
	all := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#parked input[name="key"]').length`))
	do(t, ctx, chromedp.Click(css("#select-all")))
	if n := value(t, ctx, chromedp.Evaluate[int](checked)); n != all || n < 3 {
		t.Errorf("select all ticked %d of %d", n, all)
	}
	do(t, ctx, chromedp.Click(css("#select-all")))
	if n := value(t, ctx, chromedp.Evaluate[int](checked)); n != 0 {
		t.Errorf("unselect all left %d ticked", n)
	}
	do(t, ctx,
		chromedp.Click(css(`#parked tr.parked-row[data-execution*="SKU-SEL-1"] input[name="key"]`)),
		chromedp.Click(css(`#parked tr.parked-row[data-execution*="SKU-SEL-2"] input[name="key"]`)),
		chromedp.Click(css("#redrive-selected")),
		chromedp.WaitVisible(css("#exec-name")),
	)
	if notice := value(t, ctx, chromedp.Text(css("#notice"))); !strings.Contains(notice, "redriving 2 messages") {
		t.Errorf("notice %q", notice)
	}
	eventually(t, ctx, "redrive succeeded", `document.querySelector("#exec-status").textContent === "SUCCEEDED"`)
	f.idle(t)
	// Both went; being invalid still, each parked again as its replay 1.
	do(t, ctx, chromedp.Navigate(base+"/parked?reason=invalid&flow=inventory"), chromedp.WaitVisible(css("#parked")))
	eventually(t, ctx, "originals gone, replays parked",
		`(rows => rows.length === 2 && rows.every(r => r.dataset.execution.endsWith("-r1")))(Array.from(document.querySelectorAll('#parked tr.parked-row[data-execution*="SKU-SEL-"]')))`)
}

func TestBrowserStart(t *testing.T) {
	ctx, base := tab(t)
	do(t, ctx, chromedp.Navigate(base+"/start"), chromedp.WaitVisible(css("#start-inventory-sync")))
	input := value(t, ctx, chromedp.Value(css("#start-inventory-sync textarea")))
	if !strings.Contains(input, `"since"`) || !strings.Contains(input, `"skus": []`) {
		t.Fatalf("inventory-sync input not prefilled: %q", input)
	}
	do(t, ctx,
		chromedp.Click(css("#start-inventory-sync button[type=submit]")),
		chromedp.WaitVisible(css("#exec-name")),
	)
	if title := value(t, ctx, chromedp.Text(css("#exec-name"))); !strings.HasPrefix(title, "inventory-sync-console-") {
		t.Fatalf("landed on %q", title)
	}
	eventually(t, ctx, "sync succeeded", `document.querySelector("#exec-status").textContent === "SUCCEEDED"`)
	// A bad input comes back with the reason and what was typed.
	do(t, ctx,
		chromedp.Navigate(base+"/start?machine=redrive"),
		chromedp.WaitVisible(css("#start-redrive")),
		chromedp.SetValue(css("#start-redrive textarea"), `{"reason": `),
		chromedp.Click(css("#start-redrive button[type=submit]")),
		chromedp.WaitVisible(css("#start-redrive p.error")),
	)
	errText := value(t, ctx, chromedp.Text(css("#start-redrive p.error")))
	input = value(t, ctx, chromedp.Value(css("#start-redrive textarea")))
	if !strings.Contains(errText, "not JSON") || input != `{"reason":` {
		t.Errorf("error %q, input kept %q", errText, input)
	}
}

func TestBrowserGate(t *testing.T) {
	ctx, base := tab(t)
	do(t, ctx, chromedp.Navigate(base+"/gate"), chromedp.WaitVisible(css("#queues")))
	queues := value(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#queues tr.queue")).map(r => r.dataset.queue)`))
	for _, q := range []string{"gate", "gate-dlq", "orders", "orders-dlq"} {
		if !slices.Contains(queues, q) {
			t.Errorf("queues %v lack %s", queues, q)
		}
	}
	if len(queues) == 0 || queues[0] != "gate" {
		t.Errorf("the gate queue is not first: %v", queues)
	}
	bars := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#rate-chart rect.bar").length`))
	limit := value(t, ctx, chromedp.Text(css("#rate-limit")))
	total := value(t, ctx, chromedp.Text(css("#requests-total")))
	if bars != 120 || limit != "50 /s" || strings.HasPrefix(total, "0 ") {
		t.Errorf("bars %d, limit %q, total %q", bars, limit, total)
	}
}

// TestScreenshot renders the graph of a parked message's execution and
// writes it to docs/console.png when LOGIWAFLOW_SCREENSHOT=1 (the README
// shows it), to a temporary file otherwise; either way it checks the image.
func TestScreenshot(t *testing.T) {
	ctx, base := tab(t)
	f := stack(t)
	do(t, ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/execution?arn="+url.QueryEscape(f.badInv)),
		chromedp.WaitVisible(css("#graph")),
	)
	buf := value(t, ctx, chromedp.FullScreenshot(100))
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 600 {
		t.Fatalf("screenshot %v", b)
	}
	out := filepath.Join(t.TempDir(), "console.png")
	if os.Getenv("LOGIWAFLOW_SCREENSHOT") == "1" {
		out = filepath.Join("..", "..", "docs", "console.png")
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(out, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", out, len(buf))
}
