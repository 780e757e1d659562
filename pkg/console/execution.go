package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/logiwaflow/logiwaflow/pkg/parking"
)

// maxEvents bounds the history one page reads (Step Functions keeps up to
// 25,000 events per execution; a page of that size helps nobody).
const maxEvents = 5000

type execView struct {
	Machine, MachineARN string
	Name, ARN, Status   string
	Start, Stop         time.Time
	Duration            time.Duration
	Input, Output       string
	Error, Cause        string
	Comment             string
	Graph               graphView
	GraphError          string
	Events              []eventRow
	Truncated           bool
	// ParkedKey is where the execution parked its message (from the Park
	// task's output); Redriven says it has since moved to redriven/.
	ParkedKey  string
	Redriven   bool
	CanRedrive bool
}

// parkedKeyRE finds the key the Park task returns in a state's output.
var parkedKeyRE = regexp.MustCompile(`"key"\s*:\s*"(parked/[^"]+\.json)"`)

func (s *server) execution(w http.ResponseWriter, r *http.Request) {
	arn := r.URL.Query().Get("arn")
	if arn == "" {
		s.fail(w, r, http.StatusBadRequest, errors.New("which execution? (arn is missing)"))
		return
	}
	ctx := r.Context()
	ex, err := s.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		var nf *sfntypes.ExecutionDoesNotExist
		if errors.As(err, &nf) {
			s.fail(w, r, http.StatusNotFound, fmt.Errorf("no execution %s", arn))
			return
		}
		s.fail(w, r, http.StatusBadGateway, fmt.Errorf("describe execution %s: %w", arn, err))
		return
	}
	v := execView{
		MachineARN: aws.ToString(ex.StateMachineArn), Name: aws.ToString(ex.Name), ARN: arn,
		Status: string(ex.Status), Start: aws.ToTime(ex.StartDate), Stop: aws.ToTime(ex.StopDate),
		Input: pretty(aws.ToString(ex.Input)), Output: pretty(aws.ToString(ex.Output)),
		Error: aws.ToString(ex.Error), Cause: pretty(aws.ToString(ex.Cause)),
	}
	v.Machine = s.machineOf(v.MachineARN)
	if !v.Stop.IsZero() {
		v.Duration = v.Stop.Sub(v.Start)
	}
	events, truncated, err := s.history(ctx, arn)
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, err)
		return
	}
	v.Truncated = truncated
	var traces map[string]*stateTrace
	var taken map[string]bool
	v.Events, traces, taken = readHistory(events)

	s.findParked(ctx, &v, events)

	// The graph is a help, not the page: without it the history still shows.
	sm, err := s.sfn.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: ex.StateMachineArn})
	if err == nil {
		var def definition
		if def, err = parseDefinition(aws.ToString(sm.Definition)); err == nil {
			l := layOut(def)
			status, detail := stateStatus(l, traces, v.Status)
			v.Graph = draw(l, status, detail, taken)
			v.Comment = def.Comment
		}
	}
	if err != nil {
		v.GraphError = err.Error()
		s.log.Warn("console: no graph", "execution", arn, "err", err)
	}
	s.render(w, r, http.StatusOK, "execution", page{Title: v.Name, Nav: "executions", Data: v})
}

// history reads every page of an execution's events, up to maxEvents.
func (s *server) history(ctx context.Context, arn string) ([]sfntypes.HistoryEvent, bool, error) {
	in := &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 1000, IncludeExecutionData: aws.Bool(true)}
	var events []sfntypes.HistoryEvent
	for {
		out, err := s.sfn.GetExecutionHistory(ctx, in)
		if err != nil {
			return nil, false, fmt.Errorf("execution history of %s: %w", arn, err)
		}
		events = append(events, out.Events...)
		if out.NextToken == nil || *out.NextToken == "" {
			return events, false, nil
		}
		if len(events) >= maxEvents {
			return events, true, nil
		}
		in.NextToken = out.NextToken
	}
}

// findParked links a parked execution to its message: still parked, or
// redriven since (the same key under redriven/).
func (s *server) findParked(ctx context.Context, v *execView, events []sfntypes.HistoryEvent) {
	for _, ev := range events {
		m := parkedKeyRE.FindStringSubmatch(details(ev)["Output"])
		if m == nil {
			continue
		}
		_, v.CanRedrive = s.cfg.Target.StateMachines[redriveName]
		v.ParkedKey = m[1]
		if _, err := s.parked.Get(ctx, v.ParkedKey); err != nil {
			redriven := parking.RedrivenPrefix + strings.TrimPrefix(v.ParkedKey, parking.ParkedPrefix)
			if _, err := s.parked.Get(ctx, redriven); err == nil {
				v.ParkedKey, v.Redriven = redriven, true
			}
		}
		return
	}
}

// stop stops a running execution, as the Step Functions console's Stop does.
func (s *server) stop(w http.ResponseWriter, r *http.Request) {
	arn := r.PostForm.Get("arn")
	if arn == "" {
		s.fail(w, r, http.StatusBadRequest, errors.New("which execution? (arn is missing)"))
		return
	}
	_, err := s.sfn.StopExecution(r.Context(), &sfn.StopExecutionInput{
		ExecutionArn: aws.String(arn), Error: aws.String("Console.Stopped"),
		Cause: aws.String("stopped by an operator from the console"),
	})
	if err != nil {
		var nf *sfntypes.ExecutionDoesNotExist
		if errors.As(err, &nf) {
			s.fail(w, r, http.StatusNotFound, fmt.Errorf("no execution %s", arn))
			return
		}
		s.fail(w, r, http.StatusBadGateway, fmt.Errorf("stop %s: %w", arn, err))
		return
	}
	s.log.Info("console: execution stopped", "execution", arn)
	s.redirect(w, r, "/execution?arn="+url.QueryEscape(arn), "stopped")
}
