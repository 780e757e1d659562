package asl

import (
	"fmt"
)

// choiceRule is one element of Choices.
type choiceRule struct {
	next      string
	cond      *condition // JSONPath
	condition *jtmpl     // JSONata Condition
	output    *jtmpl
	assign    any
}

// condition is a JSONPath boolean expression: And/Or/Not or a comparison.
type condition struct {
	op          string
	subs        []*condition
	variable    *pathExpr
	operand     any
	operandPath *pathExpr
}

var comparisonOps = []string{
	"StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals",
	"StringMatches", "NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals",
	"NumericGreaterThanEquals", "BooleanEquals", "TimestampEquals", "TimestampLessThan", "TimestampGreaterThan",
	"TimestampLessThanEquals", "TimestampGreaterThanEquals", "IsNull", "IsPresent", "IsNumeric", "IsString",
	"IsBoolean", "IsTimestamp",
}

func (p *parser) choiceState(st *state, o map[string]any, where string) error {
	st.choiceDefault = str(o, "Default")
	rules, _ := o["Choices"].([]any)
	for i, r := range rules {
		ro, ok := r.(map[string]any)
		if !ok {
			return fmt.Errorf("Choices[%d]: not an object", i)
		}
		cr := &choiceRule{next: str(ro, "Next")}
		var err error
		if st.ql == qlJSONata {
			if cv, ok := ro["Condition"]; ok {
				if cr.condition, err = compileJSONata(cv, "Condition"); err != nil {
					return err
				}
			}
			if ov, ok := ro["Output"]; ok {
				if cr.output, err = compileJSONata(ov, "Output"); err != nil {
					return err
				}
			}
			if av, ok := ro["Assign"]; ok {
				if cr.assign, err = compileJSONata(av, "Assign"); err != nil {
					return err
				}
			}
		} else {
			if cr.cond, err = compileCondition(ro); err != nil {
				return fmt.Errorf("Choices[%d]: %w", i, err)
			}
			if av, ok := ro["Assign"]; ok {
				if cr.assign, err = compileTemplate(av, "Assign"); err != nil {
					return err
				}
			}
		}
		st.choices = append(st.choices, cr)
	}
	return nil
}

func compileCondition(o map[string]any) (*condition, error) {
	for _, op := range []string{"And", "Or"} {
		if v, ok := o[op]; ok {
			arr, _ := v.([]any)
			c := &condition{op: op}
			for _, e := range arr {
				so, ok := e.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("%s: element is not an object", op)
				}
				sub, err := compileCondition(so)
				if err != nil {
					return nil, err
				}
				c.subs = append(c.subs, sub)
			}
			return c, nil
		}
	}
	if v, ok := o["Not"]; ok {
		so, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Not: not an object")
		}
		sub, err := compileCondition(so)
		if err != nil {
			return nil, err
		}
		return &condition{op: "Not", subs: []*condition{sub}}, nil
	}
	vs, _ := o["Variable"].(string)
	if vs == "" {
		return nil, fmt.Errorf("missing Variable")
	}
	variable, err := compilePath(vs)
	if err != nil {
		return nil, err
	}
	for _, op := range comparisonOps {
		if v, ok := o[op]; ok {
			return &condition{op: op, variable: variable, operand: v}, nil
		}
		if v, ok := o[op+"Path"]; ok {
			s, _ := v.(string)
			pe, err := compilePath(s)
			if err != nil {
				return nil, fmt.Errorf("%sPath: %w", op, err)
			}
			return &condition{op: op, variable: variable, operandPath: pe}, nil
		}
	}
	return nil, fmt.Errorf("no comparison operator")
}
