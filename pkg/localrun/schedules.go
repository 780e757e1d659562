package localrun

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/logiwaflow/logiwaflow/pkg/schedule"
)

// startSchedules fires every schedule.Defaults entry on the runtime's clock.
func (r *Runtime) startSchedules() error {
	for name := range r.cfg.ScheduleExpressions {
		if !slices.ContainsFunc(schedule.Defaults, func(s schedule.Schedule) bool { return s.Name == name }) {
			return fmt.Errorf("localrun: no schedule %q to override", name)
		}
	}
	for _, s := range schedule.Defaults {
		if e, ok := r.cfg.ScheduleExpressions[s.Name]; ok {
			s.Expression = e
		}
		expr, err := schedule.Parse(s.Expression)
		if err != nil {
			return fmt.Errorf("localrun: schedule %s: %w", s.Name, err)
		}
		arn, ok := r.tgt.StateMachines[s.StateMachine]
		if !ok {
			return fmt.Errorf("localrun: schedule %s: no state machine %q", s.Name, s.StateMachine)
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.runSchedule(r.ctx, s, expr, arn)
		}()
	}
	return nil
}

// runSchedule starts the schedule's state machine at each fire, naming the
// execution <schedule>-<yyyymmddThhmmssZ> so a fire replayed after a
// restart starts nothing new.
func (r *Runtime) runSchedule(ctx context.Context, s schedule.Schedule, expr schedule.Expr, arn string) {
	last := r.clock.Now()
	for {
		next := expr.Next(last)
		if next.IsZero() {
			r.log.Info("schedule has no more fires", "schedule", s.Name)
			return
		}
		if err := r.clock.Sleep(ctx, next.Sub(r.clock.Now())); err != nil {
			return
		}
		last = next
		name := s.Name + "-" + next.UTC().Format("20060102T150405Z")
		_, err := r.sfnc.StartExecution(ctx, &sfn.StartExecutionInput{
			StateMachineArn: aws.String(arn), Name: aws.String(name), Input: aws.String(s.Input),
		})
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.log.Error("schedule could not start its execution", "schedule", s.Name, "execution", name, "err", err)
			continue
		}
		r.log.Info("schedule fired", "schedule", s.Name, "execution", name)
	}
}
