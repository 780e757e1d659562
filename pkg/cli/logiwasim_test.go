package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/logiwasim"
)

func TestLogiwaSimServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	root := NewRoot()
	root.SetArgs([]string{"logiwa-sim", "--addr", "127.0.0.1:0", "--seed", "3", "--rate", "6", "--latency", "uniform:1ms-2ms"})
	root.SetOut(pw)
	root.SetErr(io.Discard)
	done := make(chan error, 1)
	go func() {
		done <- root.ExecuteContext(ctx)
		pw.Close()
	}()

	lines := bufio.NewScanner(pr)
	var url, creds string
	for lines.Scan() && (url == "" || creds == "") {
		l := lines.Text()
		if u, ok := strings.CutPrefix(l, "logiwa-sim listening on "); ok {
			url = u
		}
		if strings.HasPrefix(l, "credentials:") {
			creds = l
		}
	}
	go io.Copy(io.Discard, pr) // keep the pipe flowing
	if url == "" || !strings.Contains(creds, logiwasim.DefaultEmail) || !strings.Contains(creds, logiwasim.DefaultPassword) {
		t.Fatalf("printed url %q credentials %q", url, creds)
	}

	body := `{"email":"` + logiwasim.DefaultEmail + `","password":"` + logiwasim.DefaultPassword + `"}`
	resp, err := http.Post(url+"/v3.1/Authorize/token", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		Token string `json:"token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || tok.Token == "" {
		t.Fatalf("token: %d %v %+v", resp.StatusCode, err, tok)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("logiwa-sim returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("logiwa-sim did not stop when its context was cancelled")
	}
	if _, err := http.Post(url+"/v3.1/Authorize/token", "application/json", strings.NewReader(body)); err == nil {
		t.Error("still serving after stop")
	}
}

func TestParseLatency(t *testing.T) {
	ms := func(n int) logiwasim.Duration { return logiwasim.Duration(time.Duration(n) * time.Millisecond) }
	cases := []struct {
		in      string
		want    logiwasim.LatencyRule
		wantErr bool
	}{
		{"fixed:200ms", logiwasim.LatencyRule{Dist: "fixed", Fixed: ms(200)}, false},
		{"fixed:150", logiwasim.LatencyRule{Dist: "fixed", Fixed: ms(150)}, false},
		{"uniform:50ms-300ms", logiwasim.LatencyRule{Dist: "uniform", Min: ms(50), Max: ms(300)}, false},
		{"normal:200ms,50ms", logiwasim.LatencyRule{Dist: "normal", Mean: ms(200), StdDev: ms(50)}, false},
		{"normal:200ms", logiwasim.LatencyRule{}, true},
		{"pareto:1s", logiwasim.LatencyRule{}, true},
		{"200ms", logiwasim.LatencyRule{}, true},
	}
	for _, tc := range cases {
		got, err := parseLatency(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: err %v", tc.in, err)
			continue
		}
		if !tc.wantErr && got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestLogiwaSimRejectsBadFaults(t *testing.T) {
	var errOut strings.Builder
	code := Main([]string{"logiwa-sim", "--addr", "127.0.0.1:0", "--error-rate", "1.5"}, strings.NewReader(""), io.Discard, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "rate") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
}

func TestLogiwaSimRefusesAStateFileItCannotRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte(`{"version":9}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	code := Main([]string{"logiwa-sim", "--addr", "127.0.0.1:0", "--state", path}, strings.NewReader(""), io.Discard, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "newer than this simulator reads") || !strings.Contains(stderr.String(), path) {
		t.Fatalf("exit %d, stderr %q: want a failure naming the file and its version", code, stderr.String())
	}
}
