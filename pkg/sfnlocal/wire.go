package sfnlocal

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
)

const (
	targetPrefix = "AWSStepFunctions."
	contentType  = "application/x-amz-json-1.0"
	maxBodySize  = 2 << 20 // AWS caps payloads at 256 KiB; leave room for JSON escaping
)

// apiError is an error reply: Code is the __type the SDK maps to its typed
// errors (types.ExecutionAlreadyExists and so on).
type apiError struct {
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// operation decodes its request from the body and returns the response value.
type operation func(s *Server, r *http.Request, body []byte) (any, error)

var operations = map[string]operation{
	"CreateStateMachine":   (*Server).createStateMachine,
	"DescribeStateMachine": (*Server).describeStateMachine,
	"ListStateMachines":    (*Server).listStateMachines,
	"StartExecution":       (*Server).startExecution,
	"DescribeExecution":    (*Server).describeExecution,
	"ListExecutions":       (*Server).listExecutions,
	"GetExecutionHistory":  (*Server).getExecutionHistory,
	"StopExecution":        (*Server).stopExecution,
	"SendTaskSuccess":      (*Server).sendTaskSuccess,
	"SendTaskFailure":      (*Server).sendTaskFailure,
	"SendTaskHeartbeat":    (*Server).sendTaskHeartbeat,
}

// ServeHTTP implements the JSON 1.0 protocol: POST / with X-Amz-Target.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, errorf("UnknownOperationException", "method %s not allowed", r.Method))
		return
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := operations[strings.TrimPrefix(target, targetPrefix)]
	if !ok || !strings.HasPrefix(target, targetPrefix) {
		writeError(w, http.StatusBadRequest, errorf("UnknownOperationException", "unknown operation %q", target))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodySize+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, errorf("ValidationException", "read request body: %v", err))
		return
	}
	if len(body) > maxBodySize {
		writeError(w, http.StatusBadRequest, errorf("ValidationException", "request body larger than %d bytes", maxBodySize))
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	out, err := op(s, r, body)
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			s.log.Error("sfnlocal: internal error", "operation", target, "err", err)
			writeError(w, http.StatusInternalServerError, errorf("InternalServerError", "%v", err))
			return
		}
		s.log.Debug("sfnlocal: request rejected", "operation", target, "code", ae.Code, "message", ae.Message)
		writeError(w, http.StatusBadRequest, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func writeError(w http.ResponseWriter, status int, e *apiError) {
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	writeJSON(w, status, map[string]string{"__type": e.Code, "message": e.Message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		slog.Error("sfnlocal: encode response", "err", err)
		b, status = []byte(`{"__type":"InternalServerError","message":"encode response"}`), http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// decode reads a request, rejecting bodies that are not a JSON object.
func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return errorf("SerializationException", "malformed request: %v", err)
	}
	return nil
}

// epoch is a timestamp as JSON 1.0 carries it: epoch seconds with millis.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)), nil
}

// epochPtr is nil for a zero time so that omitempty drops it.
func epochPtr(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

// checkName applies AWS's rules for state machine and execution names.
func checkName(name string) error {
	if n := len([]rune(name)); n < 1 || n > maxNameLen {
		return errorf("InvalidName", "Invalid Name: '%s' (must be 1-%d characters)", name, maxNameLen)
	}
	for _, r := range name {
		if unicode.IsSpace(r) || strings.ContainsRune(`<>{}[]?*"#%\^|~`+"`"+`$&,;:/`, r) ||
			r <= 0x1f || (r >= 0x7f && r <= 0x9f) {
			return errorf("InvalidName", "Invalid Name: '%s'", name)
		}
	}
	return nil
}

// pageSize is maxResults with AWS's default and bound.
func pageSize(n int) (int, error) {
	switch {
	case n < 0 || n > maxPageSize:
		return 0, errorf("ValidationException", "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d", n, maxPageSize)
	case n == 0:
		return defaultPageSize, nil
	}
	return n, nil
}

// A page token names where the next page starts; kind guards against a token
// from one operation being passed to another.
func encodeToken(kind string, pos int64) *string {
	t := base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatInt(pos, 10)))
	return &t
}

func decodeToken(kind, tok string) (int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err == nil {
		if rest, ok := strings.CutPrefix(string(raw), kind+":"); ok {
			if n, perr := strconv.ParseInt(rest, 10, 64); perr == nil {
				return n, nil
			}
		}
	}
	return 0, errorf("InvalidToken", "Invalid Token: '%s'", tok)
}
