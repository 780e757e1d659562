// Package console is the operators' web console of a running logiwaflow
// system: executions by state machine and status with their graph and
// history, parked messages with redrive, the Logiwa gate's queue depth, rate
// and latency, and a form to start any workflow by hand.
//
// It reaches the system only through the real aws-sdk-go-v2 clients built
// from Config.AWS and the names in Config.Target, so the same handler works
// against the local runtime and against AWS. Pages are rendered on the server
// with html/template; the few lines of CSS and JavaScript are embedded, and
// nothing is fetched from elsewhere at run time.
package console

import (
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/logiwaflow/logiwaflow/pkg/gate"
	"github.com/logiwaflow/logiwaflow/pkg/parking"
	"github.com/logiwaflow/logiwaflow/pkg/target"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// GateStats reports the gate's meter; *gate.Meter satisfies it.
type GateStats interface {
	Stats() gate.Stats
}

// Config configures the console.
type Config struct {
	// Target names the system's state machines, queues and parked bucket.
	Target target.Target
	// AWS reaches the target's services (target.AWSConfig, or the local
	// runtime's AWSConfig).
	AWS aws.Config
	// Gate is the gate's meter; nil on a target that has none in process
	// (AWS), and the gate page then shows queue depths only.
	Gate GateStats
	// Now is the clock for default time ranges and prefilled inputs; nil is
	// time.Now. The local runtime passes its (possibly scaled) clock.
	Now func() time.Time
	// Logger defaults to slog.Default().
	Logger *slog.Logger

	// Clients override the SDK clients built from AWS (tests).
	SFN StepFunctions
	S3  ObjectStore
	SQS Queues
}

// server holds what every page needs.
type server struct {
	cfg    Config
	sfn    StepFunctions
	s3     ObjectStore
	sqs    Queues
	parked *parking.Service
	log    *slog.Logger
	pages  map[string]*template.Template
	// token is the anti-CSRF form token: every mutating form carries it, on
	// top of the same-origin check, so a browser that sends no Sec-Fetch-Site
	// or Origin header is covered too.
	token string
}

// New returns the console's HTTP handler.
func New(cfg Config) (http.Handler, error) {
	if err := cfg.Target.Validate(); err != nil {
		return nil, fmt.Errorf("console: target: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &server{cfg: cfg, sfn: cfg.SFN, s3: cfg.S3, sqs: cfg.SQS, log: cfg.Logger}
	if s.sfn == nil {
		s.sfn = sfn.NewFromConfig(cfg.AWS)
	}
	if s.s3 == nil {
		s.s3 = s3.NewFromConfig(cfg.AWS)
	}
	if s.sqs == nil {
		s.sqs = sqs.NewFromConfig(cfg.AWS)
	}
	// The console only reads through parking; redrive goes through the
	// redrive state machine, so Queues and SQS stay unset here.
	s.parked = &parking.Service{S3: s.s3, Bucket: cfg.Target.ParkedBucket, Now: cfg.Now}
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.token = rand.Text()
	return s.routes(), nil
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/executions", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /executions", s.executions)
	mux.HandleFunc("GET /execution", s.execution)
	mux.HandleFunc("POST /execution/stop", s.checkToken(s.stop))
	mux.HandleFunc("GET /parked", s.parkedList)
	mux.HandleFunc("GET /parked/message", s.parkedShow)
	mux.HandleFunc("POST /parked/redrive", s.checkToken(s.redrive))
	mux.HandleFunc("GET /gate", s.gate)
	mux.HandleFunc("GET /start", s.startForm)
	mux.HandleFunc("POST /start", s.checkToken(s.start))
	// Same-origin check for every unsafe method: a page elsewhere cannot make
	// an operator's browser redrive or start anything.
	return http.NewCrossOriginProtection().Handler(mux)
}

// checkToken rejects a form without this console's token.
func (s *server) checkToken(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			s.fail(w, r, http.StatusBadRequest, fmt.Errorf("read form: %w", err))
			return
		}
		got := r.PostForm.Get("token")
		if subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1 {
			s.fail(w, r, http.StatusForbidden, errors.New("the form is stale or did not come from this console: reload the page and try again"))
			return
		}
		next(w, r)
	}
}

func parsePages() (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("console: parse layout: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, name := range []string{"executions", "execution", "parked", "message", "gate", "start", "error"} {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("console: clone layout: %w", err)
		}
		if _, err := t.ParseFS(templateFiles, "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("console: parse %s page: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// page is what the layout reads; Data is the page's own.
type page struct {
	Title  string
	Nav    string
	Token  string
	Target string
	Notice string
	Error  string
	Data   any
}

func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Token = s.token
	p.Target = s.cfg.Target.Name
	if p.Notice == "" {
		p.Notice = r.URL.Query().Get("notice")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// Everything is served from here: no script or style from elsewhere.
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	if err := s.pages[name].ExecuteTemplate(w, "layout.html", p); err != nil {
		s.log.Error("console: render page", "page", name, "err", err)
	}
}

// fail shows an error page; the message is what the operator needs to act.
func (s *server) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	s.log.Warn("console: request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	s.render(w, r, status, "error", page{Title: http.StatusText(status), Error: err.Error()})
}

func (s *server) now() time.Time { return s.cfg.Now().UTC() }
