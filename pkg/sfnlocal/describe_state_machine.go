package sfnlocal

import "net/http"

type describeStateMachineInput struct {
	StateMachineARN string `json:"stateMachineArn"`
}

type describeStateMachineOutput struct {
	StateMachineARN string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Status          string `json:"status"`
	Definition      string `json:"definition"`
	RoleARN         string `json:"roleArn"`
	Type            string `json:"type"`
	CreationDate    epoch  `json:"creationDate"`
}

func (s *Server) describeStateMachine(_ *http.Request, body []byte) (any, error) {
	var in describeStateMachineInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.machineLocked(in.StateMachineARN)
	if err != nil {
		return nil, err
	}
	return describeStateMachineOutput{
		StateMachineARN: m.arn, Name: m.name, Status: statusActive, Definition: m.definition,
		RoleARN: m.roleARN, Type: m.typ, CreationDate: epoch(m.created),
	}, nil
}

// machineLocked looks a state machine up by ARN, failing as AWS does.
func (s *Server) machineLocked(arn string) (*machine, error) {
	if arn == "" {
		return nil, errorf("ValidationException", "stateMachineArn is required")
	}
	m, ok := s.machines[arn]
	if !ok {
		return nil, errorf("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
	}
	return m, nil
}
