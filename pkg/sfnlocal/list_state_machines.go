package sfnlocal

import "net/http"

type listStateMachinesInput struct {
	MaxResults int    `json:"maxResults"`
	NextToken  string `json:"nextToken"`
}

type stateMachineListItem struct {
	StateMachineARN string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Type            string `json:"type"`
	CreationDate    epoch  `json:"creationDate"`
}

type listStateMachinesOutput struct {
	StateMachines []stateMachineListItem `json:"stateMachines"`
	NextToken     *string                `json:"nextToken,omitempty"`
}

// listStateMachines lists machines oldest first; the page token is the
// creation sequence to resume after, so pages stay stable while machines
// are added.
func (s *Server) listStateMachines(_ *http.Request, body []byte) (any, error) {
	var in listStateMachinesInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	size, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	var after int64
	if in.NextToken != "" {
		if after, err = decodeToken("sm", in.NextToken); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := listStateMachinesOutput{StateMachines: []stateMachineListItem{}}
	var last int64
	for _, m := range s.sortedMachinesLocked() {
		if m.seq <= after {
			continue
		}
		if len(out.StateMachines) == size {
			out.NextToken = encodeToken("sm", last)
			break
		}
		last = m.seq
		out.StateMachines = append(out.StateMachines, stateMachineListItem{
			StateMachineARN: m.arn, Name: m.name, Type: m.typ, CreationDate: epoch(m.created),
		})
	}
	return out, nil
}
