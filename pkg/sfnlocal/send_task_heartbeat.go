package sfnlocal

import "net/http"

type sendTaskHeartbeatInput struct {
	TaskToken string `json:"taskToken"`
}

func (s *Server) sendTaskHeartbeat(_ *http.Request, body []byte) (any, error) {
	var in sendTaskHeartbeatInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	if err := s.eng.SendTaskHeartbeat(in.TaskToken); err != nil {
		return nil, taskError(err)
	}
	return struct{}{}, nil
}
