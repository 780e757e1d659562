package parking

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// RedriveInput is what the redrive state machine's tasks send.
type RedriveInput struct {
	Action  string          `json:"action"` // "list" or "republish"
	Request json.RawMessage `json:"request,omitempty"`
	Key     string          `json:"key,omitempty"`
	DryRun  bool            `json:"dryRun,omitempty"`
	// Before limits a run to messages parked before it started, so a message
	// that parks again during the run is not redriven twice by it.
	Before string `json:"before,omitempty"`
}

// listRequest is the redrive execution's input (by hand or on schedule).
type listRequest struct {
	Filter
	Continuation string `json:"continuation"`
	DryRun       bool   `json:"dryRun"`
}

// ListOutput is one page of parked keys.
type ListOutput struct {
	Items        []string `json:"items"`
	Continuation string   `json:"continuation"`
	DryRun       bool     `json:"dryRun"`
}

// pageSize bounds one Map run of the redrive workflow (its items travel in
// the execution's state, which Step Functions caps at 256 KiB).
const pageSize = 200

// Redrive is the redrive task's handler.
func (s *Service) Redrive(ctx context.Context, in RedriveInput) (any, error) {
	switch in.Action {
	case "list":
		var req listRequest
		if len(in.Request) > 0 && string(in.Request) != "null" {
			if err := json.Unmarshal(in.Request, &req); err != nil {
				return nil, fmt.Errorf("redrive: bad request %s: %w", in.Request, err)
			}
		}
		var before time.Time
		if in.Before != "" {
			t, err := time.Parse(time.RFC3339Nano, in.Before)
			if err != nil {
				return nil, fmt.Errorf("redrive: bad start time %q: %w", in.Before, err)
			}
			before = t
		}
		keys, next, err := s.List(ctx, req.Filter, before, req.Continuation, pageSize)
		if err != nil {
			return nil, err
		}
		if keys == nil {
			keys = []string{}
		}
		return ListOutput{Items: keys, Continuation: next, DryRun: req.DryRun}, nil
	case "republish":
		if in.Key == "" {
			return nil, fmt.Errorf("redrive: republish needs a key")
		}
		return s.Republish(ctx, in.Key, in.DryRun)
	}
	return nil, fmt.Errorf("redrive: unknown action %q (want list or republish)", in.Action)
}
