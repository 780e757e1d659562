package sfnlocal

import (
	"errors"
	"net/http"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

type sendTaskSuccessInput struct {
	TaskToken string `json:"taskToken"`
	Output    string `json:"output"`
}

func (s *Server) sendTaskSuccess(_ *http.Request, body []byte) (any, error) {
	var in sendTaskSuccessInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	out, err := jsonvalue.DecodeString(in.Output)
	if err != nil {
		return nil, errorf("InvalidOutput", "Invalid Output: '%v'", err)
	}
	if err := s.eng.SendTaskSuccess(in.TaskToken, out); err != nil {
		return nil, taskError(err)
	}
	s.log.Debug("sfnlocal: task success sent")
	return struct{}{}, nil
}

// checkToken rejects tokens AWS would not accept as tokens at all. The
// engine's tokens are opaque, so any other unknown token is
// TaskDoesNotExist rather than InvalidToken.
func checkToken(tok string) error {
	if tok == "" || len(tok) > maxTaskTokenSize {
		return errorf("InvalidToken", "Invalid Token: 'Invalid token'")
	}
	return nil
}

// taskError maps the engine's token errors to AWS error codes.
func taskError(err error) error {
	switch {
	case errors.Is(err, asl.ErrTaskDoesNotExist):
		return errorf("TaskDoesNotExist", "Task Does Not Exist: %v", err)
	case errors.Is(err, asl.ErrTaskTimedOut):
		return errorf("TaskTimedOut", "Task Timed Out: %v", err)
	case errors.Is(err, asl.ErrInvalidOutput):
		return errorf("InvalidOutput", "Invalid Output: %v", err)
	}
	return err
}
