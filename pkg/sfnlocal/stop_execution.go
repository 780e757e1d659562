package sfnlocal

import "net/http"

type stopExecutionInput struct {
	ExecutionARN string `json:"executionArn"`
	Error        string `json:"error"`
	Cause        string `json:"cause"`
}

type stopExecutionOutput struct {
	StopDate epoch `json:"stopDate"`
}

// stopExecution aborts a running execution. Stopping one that already ended
// changes nothing and reports when it ended.
func (s *Server) stopExecution(_ *http.Request, body []byte) (any, error) {
	var in stopExecutionInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	e, err := s.executionLocked(in.ExecutionARN)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	e.x.Stop(in.Error, in.Cause)
	info := e.info()
	s.log.Info("sfnlocal: execution stopped", "stateMachine", e.machine.name, "execution", info.Name, "status", info.Status)
	return stopExecutionOutput{StopDate: epoch(info.StopDate)}, nil
}
