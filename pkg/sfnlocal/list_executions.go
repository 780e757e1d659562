package sfnlocal

import (
	"net/http"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
)

type listExecutionsInput struct {
	StateMachineARN string `json:"stateMachineArn"`
	StatusFilter    string `json:"statusFilter"`
	MaxResults      int    `json:"maxResults"`
	NextToken       string `json:"nextToken"`
}

type executionListItem struct {
	ExecutionARN    string     `json:"executionArn"`
	StateMachineARN string     `json:"stateMachineArn"`
	Name            string     `json:"name"`
	Status          asl.Status `json:"status"`
	StartDate       epoch      `json:"startDate"`
	StopDate        *epoch     `json:"stopDate,omitempty"`
}

type listExecutionsOutput struct {
	Executions []executionListItem `json:"executions"`
	NextToken  *string             `json:"nextToken,omitempty"`
}

var validStatus = map[asl.Status]bool{
	asl.StatusRunning: true, asl.StatusSucceeded: true, asl.StatusFailed: true,
	asl.StatusTimedOut: true, asl.StatusAborted: true, "PENDING_REDRIVE": true,
}

// listExecutions lists a machine's executions newest first. The page token
// is the start sequence to continue below, so executions started between
// calls neither repeat nor shift later pages.
func (s *Server) listExecutions(_ *http.Request, body []byte) (any, error) {
	var in listExecutionsInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	size, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	if in.StatusFilter != "" && !validStatus[asl.Status(in.StatusFilter)] {
		return nil, errorf("ValidationException", "Value '%s' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]", in.StatusFilter)
	}
	before := int64(-1)
	if in.NextToken != "" {
		if before, err = decodeToken("ex", in.NextToken); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	m, err := s.machineLocked(in.StateMachineARN)
	var list []*execution
	if err == nil {
		list = append(list, m.execs...)
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	out := listExecutionsOutput{Executions: []executionListItem{}}
	var last int64
	for i := len(list) - 1; i >= 0; i-- {
		e := list[i]
		if before >= 0 && e.seq >= before {
			continue
		}
		info := e.info()
		if in.StatusFilter != "" && string(info.Status) != in.StatusFilter {
			continue
		}
		if len(out.Executions) == size {
			out.NextToken = encodeToken("ex", last)
			break
		}
		last = e.seq
		out.Executions = append(out.Executions, executionListItem{
			ExecutionARN: info.ARN, StateMachineARN: info.StateMachineARN, Name: info.Name,
			Status: info.Status, StartDate: epoch(info.StartDate), StopDate: epochPtr(info.StopDate),
		})
	}
	return out, nil
}
