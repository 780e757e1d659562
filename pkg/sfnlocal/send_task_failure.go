package sfnlocal

import "net/http"

type sendTaskFailureInput struct {
	TaskToken string `json:"taskToken"`
	Error     string `json:"error"`
	Cause     string `json:"cause"`
}

func (s *Server) sendTaskFailure(_ *http.Request, body []byte) (any, error) {
	var in sendTaskFailureInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	if err := s.eng.SendTaskFailure(in.TaskToken, in.Error, in.Cause); err != nil {
		return nil, taskError(err)
	}
	s.log.Debug("sfnlocal: task failure sent", "error", in.Error)
	return struct{}{}, nil
}
