package sfnlocal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
)

type getExecutionHistoryInput struct {
	ExecutionARN         string `json:"executionArn"`
	MaxResults           int    `json:"maxResults"`
	NextToken            string `json:"nextToken"`
	ReverseOrder         bool   `json:"reverseOrder"`
	IncludeExecutionData *bool  `json:"includeExecutionData"`
}

type getExecutionHistoryOutput struct {
	Events    []json.RawMessage `json:"events"`
	NextToken *string           `json:"nextToken,omitempty"`
}

// getExecutionHistory pages through the events of Execution.History(). Event
// ids are 1-based positions in an append-only list, so the token is simply
// the next id to return (counting down when reverseOrder is set).
func (s *Server) getExecutionHistory(_ *http.Request, body []byte) (any, error) {
	var in getExecutionHistoryInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	size, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	e, err := s.executionLocked(in.ExecutionARN)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	events := e.x.History()
	kind := "hf"
	if in.ReverseOrder {
		kind = "hr"
	}
	next := int64(1)
	if in.ReverseOrder {
		next = int64(len(events))
	}
	if in.NextToken != "" {
		if next, err = decodeToken(kind, in.NextToken); err != nil {
			return nil, err
		}
		if next < 1 || next > int64(len(events)) {
			return nil, errorf("InvalidToken", "Invalid Token: '%s'", in.NextToken)
		}
	}
	withData := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	out := getExecutionHistoryOutput{Events: []json.RawMessage{}}
	step := int64(1)
	if in.ReverseOrder {
		step = -1
	}
	for id := next; id >= 1 && id <= int64(len(events)); id += step {
		if len(out.Events) == size {
			out.NextToken = encodeToken(kind, id)
			break
		}
		raw, err := wireEvent(events[id-1], withData)
		if err != nil {
			return nil, err
		}
		out.Events = append(out.Events, raw)
	}
	return out, nil
}

// wireEvent re-renders an event for the JSON 1.0 protocol: asl.HistoryEvent
// marshals its timestamp as RFC 3339, the protocol carries epoch seconds.
// Without execution data the input and output payloads are left out, as AWS
// does for includeExecutionData=false.
func wireEvent(ev asl.HistoryEvent, withData bool) (json.RawMessage, error) {
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode history event %d: %w", ev.ID, err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("re-read history event %d: %w", ev.ID, err)
	}
	if m["timestamp"], err = epoch(ev.Timestamp).MarshalJSON(); err != nil {
		return nil, fmt.Errorf("history event %d timestamp: %w", ev.ID, err)
	}
	if !withData {
		for k, v := range m {
			if !strings.HasSuffix(k, "EventDetails") {
				continue
			}
			var d map[string]json.RawMessage
			if err := json.Unmarshal(v, &d); err != nil {
				return nil, fmt.Errorf("re-read history event %d details: %w", ev.ID, err)
			}
			delete(d, "input")
			delete(d, "output")
			if m[k], err = json.Marshal(d); err != nil {
				return nil, fmt.Errorf("encode history event %d details: %w", ev.ID, err)
			}
		}
	}
	b, err = json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode history event %d: %w", ev.ID, err)
	}
	return b, nil
}
