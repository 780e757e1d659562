package sfnlocal

import (
	"errors"
	"net/http"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
)

type createStateMachineInput struct {
	Name       string `json:"name"`
	Definition string `json:"definition"`
	RoleARN    string `json:"roleArn"`
	Type       string `json:"type"`
}

type createStateMachineOutput struct {
	StateMachineARN string `json:"stateMachineArn"`
	CreationDate    epoch  `json:"creationDate"`
}

// createStateMachine follows AWS: creating a machine that exists with the
// same definition, role and type returns it; anything else is
// StateMachineAlreadyExists.
func (s *Server) createStateMachine(_ *http.Request, body []byte) (any, error) {
	var in createStateMachineInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkName(in.Name); err != nil {
		return nil, err
	}
	if in.Definition == "" || in.RoleARN == "" {
		return nil, errorf("ValidationException", "definition and roleArn are required")
	}
	switch in.Type {
	case "":
		in.Type = typeStandard
	case typeStandard, typeExpress:
	default:
		return nil, errorf("ValidationException", "Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", in.Type)
	}
	sm, err := asl.NewStateMachine(in.Name, []byte(in.Definition))
	if err != nil {
		if errors.Is(err, asl.ErrInvalidDefinition) {
			return nil, errorf("InvalidDefinition", "Invalid State Machine Definition: '%v'", err)
		}
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.machines[StateMachineARN(in.Name)]; ok {
		if m.definition != in.Definition || m.roleARN != in.RoleARN || m.typ != in.Type {
			return nil, errorf("StateMachineAlreadyExists", "State Machine Already Exists: '%s'", m.arn)
		}
		return createStateMachineOutput{StateMachineARN: m.arn, CreationDate: epoch(m.created)}, nil
	}
	m := s.addMachineLocked(in.Name, in.Type, in.RoleARN, in.Definition, sm)
	s.log.Info("sfnlocal: state machine created", "stateMachine", m.name)
	return createStateMachineOutput{StateMachineARN: m.arn, CreationDate: epoch(m.created)}, nil
}
