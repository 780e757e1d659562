package logiwasim

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"syscall"
)

// Transport is an in-process connection to the simulator: a request runs
// its handler in the caller's goroutine, with no socket in between, so it
// arrives the moment it is sent.
//
// Why: the embedded runtime plays time 20 times faster than the wall clock.
// Over loopback a request crosses three goroutines (the client's, its
// connection's writer, the server's reader), each waiting its turn on a
// busy process; a 30 ms stall there is 0.6 s of simulated time, more than
// the gate's margin between its last send of a second and the next second,
// and the simulator then counted the request in the wrong second. A real
// network's jitter is not scaled up that way.
//
// Connection faults surface as a socket's errors would: a refusal as
// ECONNREFUSED before anything is sent, a reset as ECONNRESET.
func (s *Server) Transport() http.RoundTripper { return inProcess{s} }

type inProcess struct{ s *Server }

// inProcessAddr is the RemoteAddr of a request that came through Transport.
const inProcessAddr = "in-process"

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	if t.s.faults.get().RefuseConnections || t.s.isClosed() {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = inProcessAddr
	in.Proto, in.ProtoMajor, in.ProtoMinor = "HTTP/1.1", 1, 1
	if in.Host == "" {
		in.Host = req.URL.Host
	}
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := &recorder{header: http.Header{}}
	if err := t.serve(rec, in); err != nil {
		return nil, err
	}
	// A client that gave up gets its own error, as from a socket.
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	rec.WriteHeader(http.StatusOK) // what a handler that wrote nothing answers
	body := rec.body.Bytes()
	return &http.Response{
		Status:        strconv.Itoa(rec.status) + " " + http.StatusText(rec.status),
		StatusCode:    rec.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rec.sent,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

func (s *Server) isClosed() bool {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	return s.closed
}

// serve runs the handler; an aborted handler (the simulator's reset) is a
// reset connection, and any other panic one too, logged as net/http's
// server would.
func (t inProcess) serve(w *recorder, r *http.Request) (err error) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v != http.ErrAbortHandler {
			t.s.log.Error("logiwasim: handler panic", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
		err = &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	}()
	t.s.handler.ServeHTTP(w, r)
	return nil
}

// recorder is the response side of an in-process request.
type recorder struct {
	header http.Header // what the handler sets
	sent   http.Header // header as of WriteHeader
	status int
	body   bytes.Buffer
}

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(status int) {
	if w.status != 0 {
		return
	}
	w.status = status
	w.sent = w.header.Clone()
}

func (w *recorder) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}
