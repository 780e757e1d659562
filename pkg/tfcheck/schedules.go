package tfcheck

import (
	"fmt"

	"github.com/logiwaflow/logiwaflow/pkg/schedule"
)

// CheckSchedules finds differences between pkg/schedule's schedules (which
// the local runtime fires) and Terraform's: each <name>_schedule variable's
// default is the expression, and a schedule fires it at the state machine
// deployed from the named definition with the same input.
func CheckSchedules(root *Scope, defaults []schedule.Schedule, deployed []Deployment) []string {
	var out []string
	arns := map[string]string{}
	for _, d := range deployed {
		arns[d.Name] = d.ARN
	}
	schedules := root.AllInstances("aws_scheduler_schedule")
	if len(schedules) != len(defaults) {
		out = append(out, fmt.Sprintf("%d aws_scheduler_schedule instances, pkg/schedule has %d schedules", len(schedules), len(defaults)))
	}
	for _, d := range defaults {
		v := root.Module.Variables[d.Name+"_schedule"]
		switch {
		case v == nil:
			out = append(out, fmt.Sprintf("schedule %s: no variable %s_schedule", d.Name, d.Name))
		case !v.HasDefault || str(v.Default) != d.Expression:
			out = append(out, fmt.Sprintf("schedule %s: variable %s_schedule defaults to %q, pkg/schedule says %q", d.Name, d.Name, str(v.Default), d.Expression))
		}
		found := false
		for _, s := range schedules {
			expr, _ := s.Attr("schedule_expression")
			targets, err := s.Blocks(s.Resource.Body, "target", nil)
			if err != nil || len(targets) != 1 {
				continue
			}
			arn, _, _ := s.BlockAttr(targets[0], "arn")
			input, _, _ := s.BlockAttr(targets[0], "input")
			if str(arn) != arns[d.StateMachine] || str(arn) == "" {
				continue
			}
			found = true
			if str(expr) != d.Expression {
				out = append(out, fmt.Sprintf("%s: expression %q, pkg/schedule says %q", s.Where(), str(expr), d.Expression))
			}
			if str(input) != d.Input {
				out = append(out, fmt.Sprintf("%s: input %q, pkg/schedule says %q", s.Where(), str(input), d.Input))
			}
			if role, _, _ := s.BlockAttr(targets[0], "role_arn"); str(role) == "" {
				out = append(out, s.Where()+": target has no role")
			}
		}
		if !found {
			out = append(out, fmt.Sprintf("schedule %s: no aws_scheduler_schedule starts the %s state machine", d.Name, d.StateMachine))
		}
	}
	return out
}
