// Package sqslocal is a small in-process SQS server speaking the JSON protocol
// (X-Amz-Target: AmazonSQS.<Operation>) used by aws-sdk-go-v2's sqs client.
//
// It is our own rather than an existing emulator: goaws v0.5.4 keeps its
// queues in package-level globals (one instance per process), cannot persist,
// lacks ChangeMessageVisibilityBatch and polls every 100ms. This server covers
// standard queues: CreateQueue, DeleteQueue, GetQueueUrl, ListQueues,
// Get/SetQueueAttributes (incl. RedrivePolicy), SendMessage(+Batch),
// ReceiveMessage (visibility timeout, long polling, MaxNumberOfMessages,
// system and message attributes), DeleteMessage(+Batch),
// ChangeMessageVisibility(+Batch), PurgeQueue, redrive to a dead-letter queue
// after maxReceiveCount, and the queue's MaximumMessageSize (default 256 KiB)
// with AWS's error. FIFO queues are not supported.
//
// Queue URLs are built from the request's Host, so the URL a client gets is
// the one it can reach. Time comes from an injectable Clock.
package sqslocal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/localaws/snapshot"
)

// AccountID is the account used in queue URLs and ARNs.
const AccountID = "000000000000"

// Region is the region used in queue ARNs.
const Region = "us-east-1"

// Clock supplies the current time.
type Clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Options tunes a Server.
type Options struct {
	// Path of the snapshot file; empty keeps everything in memory only.
	Path string
	// FlushInterval is how long after a change the snapshot is written;
	// zero means 200ms.
	FlushInterval time.Duration
	// Clock defaults to the wall clock.
	Clock  Clock
	Logger *slog.Logger
}

// Server is an in-process SQS endpoint. It implements http.Handler.
type Server struct {
	opts  Options
	clock Clock
	log   *slog.Logger

	mu      sync.Mutex
	queues  map[string]*queue
	changed chan struct{} // closed and replaced whenever messages may have become receivable
	dirty   bool
	closed  bool
	// noReceive makes every ReceiveMessage answer empty (StopReceives).
	noReceive bool
	seq       uint64

	flusher *snapshot.Flusher
}

// Open returns a server, loading the snapshot at opts.Path if there is one.
func Open(opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = 200 * time.Millisecond
	}
	s := &Server{
		opts:    opts,
		clock:   opts.Clock,
		log:     opts.Logger,
		queues:  map[string]*queue{},
		changed: make(chan struct{}),
	}
	if opts.Path != "" {
		if err := s.load(); err != nil {
			return nil, err
		}
	}
	s.flusher = snapshot.StartFlusher(opts.FlushInterval, s.Flush, func(err error) {
		s.log.Error("sqslocal: snapshot failed", "path", opts.Path, "err", err)
	})
	return s, nil
}

// Wake makes waiting long polls re-check their queues; tests that advance a
// fake clock call it so that expired visibility timeouts are noticed.
func (s *Server) Wake() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notifyLocked()
}

// StopReceives makes every ReceiveMessage, waiting or new, answer empty
// at once while the other operations go on. An embedded consumer shutting
// down calls it instead of cancelling its long polls: a cancelled poll can
// lose a response whose messages SQS already marked in flight, and those
// would stay invisible for a whole visibility timeout after a restart.
func (s *Server) StopReceives() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noReceive = true
	s.notifyLocked()
}

// notifyLocked wakes long polls; called with s.mu held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "AmazonSQS.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, errUnsupported("only the SQS JSON protocol is supported (X-Amz-Target: AmazonSQS.<Operation>)"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		writeError(w, errInvalidParameter("read request: "+err.Error()))
		return
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		writeError(w, &apiError{status: http.StatusServiceUnavailable, shape: "com.amazonaws.sqs#ServiceUnavailable",
			queryCode: "ServiceUnavailable", msg: "the local SQS is shutting down"})
		return
	}
	h, ok := handlers[op]
	if !ok {
		writeError(w, errUnsupported(fmt.Sprintf("operation %s is not supported by the local SQS", op)))
		return
	}
	req := &request{r: r, body: body, baseURL: "http://" + r.Host}
	out, err := h(s, req)
	if err != nil {
		writeError(w, err)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		writeError(w, fmt.Errorf("encode response: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

type request struct {
	r       *http.Request
	body    []byte
	baseURL string
}

func (q *request) decode(v any) error {
	if len(bytes.TrimSpace(q.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(q.body, v); err != nil {
		return errInvalidParameter("malformed request: " + err.Error())
	}
	return nil
}

func (q *request) queueURL(name string) string {
	return q.baseURL + "/" + AccountID + "/" + name
}

// queueName extracts the queue name from a queue URL (its last path segment).
func queueName(url string) string {
	url = strings.TrimRight(url, "/")
	return url[strings.LastIndexByte(url, '/')+1:]
}

type handler func(s *Server, req *request) (any, error)

var handlers = map[string]handler{
	"CreateQueue":                  (*Server).createQueue,
	"DeleteQueue":                  (*Server).deleteQueue,
	"GetQueueUrl":                  (*Server).getQueueURL,
	"ListQueues":                   (*Server).listQueues,
	"GetQueueAttributes":           (*Server).getQueueAttributes,
	"SetQueueAttributes":           (*Server).setQueueAttributes,
	"PurgeQueue":                   (*Server).purgeQueue,
	"SendMessage":                  (*Server).sendMessage,
	"SendMessageBatch":             (*Server).sendMessageBatch,
	"ReceiveMessage":               (*Server).receiveMessage,
	"DeleteMessage":                (*Server).deleteMessage,
	"DeleteMessageBatch":           (*Server).deleteMessageBatch,
	"ChangeMessageVisibility":      (*Server).changeMessageVisibility,
	"ChangeMessageVisibilityBatch": (*Server).changeMessageVisibilityBatch,
}

// apiError is an SQS error with both of the codes the JSON protocol carries:
// the shape id in __type and the legacy query code in x-amzn-query-error.
type apiError struct {
	status    int
	shape     string
	queryCode string
	msg       string
}

func (e *apiError) Error() string { return e.queryCode + ": " + e.msg }

func newError(shape, queryCode, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, shape: shape, queryCode: queryCode, msg: msg}
}

func errInvalidParameter(msg string) error {
	return newError("com.amazon.coral.service#InvalidParameterValueException", "InvalidParameterValue", msg)
}

func errQueueDoesNotExist() error {
	return newError("com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
		"The specified queue does not exist.")
}

func errUnsupported(msg string) error {
	return newError("com.amazonaws.sqs#UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", msg)
}

func errSQS(name, msg string) error {
	return newError("com.amazonaws.sqs#"+name, "AWS.SimpleQueueService."+name, msg)
}

func writeError(w http.ResponseWriter, err error) {
	ae, ok := err.(*apiError)
	if !ok {
		ae = &apiError{status: http.StatusInternalServerError, shape: "com.amazonaws.sqs#InternalError",
			queryCode: "InternalError", msg: err.Error()}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("x-amzn-query-error", ae.queryCode+";Sender")
	w.WriteHeader(ae.status)
	b, _ := json.Marshal(map[string]string{"__type": ae.shape, "message": ae.msg})
	_, _ = w.Write(b)
}
