package sfnlocal

import (
	"net/http"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

type describeExecutionInput struct {
	ExecutionARN string `json:"executionArn"`
}

type dataDetails struct {
	Included bool `json:"included"`
}

type describeExecutionOutput struct {
	ExecutionARN    string       `json:"executionArn"`
	StateMachineARN string       `json:"stateMachineArn"`
	Name            string       `json:"name"`
	Status          asl.Status   `json:"status"`
	StartDate       epoch        `json:"startDate"`
	StopDate        *epoch       `json:"stopDate,omitempty"`
	Input           string       `json:"input"`
	InputDetails    dataDetails  `json:"inputDetails"`
	Output          *string      `json:"output,omitempty"`
	OutputDetails   *dataDetails `json:"outputDetails,omitempty"`
	Error           *string      `json:"error,omitempty"`
	Cause           *string      `json:"cause,omitempty"`
}

func (s *Server) describeExecution(_ *http.Request, body []byte) (any, error) {
	var in describeExecutionInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	e, err := s.executionLocked(in.ExecutionARN)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	info := e.info()
	out := describeExecutionOutput{
		ExecutionARN: info.ARN, StateMachineARN: info.StateMachineARN, Name: info.Name,
		Status: info.Status, StartDate: epoch(info.StartDate), StopDate: epochPtr(info.StopDate),
		Input: e.inputText, InputDetails: dataDetails{Included: true},
	}
	switch info.Status {
	case asl.StatusSucceeded:
		o := jsonvalue.String(info.Output)
		out.Output, out.OutputDetails = &o, &dataDetails{Included: true}
	case asl.StatusFailed, asl.StatusTimedOut, asl.StatusAborted:
		// AWS leaves error and cause out when they are empty.
		if info.Error != "" {
			out.Error = &info.Error
		}
		if info.Cause != "" {
			out.Cause = &info.Cause
		}
	}
	return out, nil
}

// executionLocked looks an execution up by ARN, failing as AWS does.
func (s *Server) executionLocked(arn string) (*execution, error) {
	if arn == "" {
		return nil, errorf("ValidationException", "executionArn is required")
	}
	e, ok := s.execs[arn]
	if !ok {
		return nil, errorf("ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn)
	}
	return e, nil
}
