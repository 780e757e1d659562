package validate

import "strings"

// comparisonOps are the data-test operators of a JSONPath Choice rule.
var comparisonOps = []string{
	"StringEquals", "StringEqualsPath", "StringLessThan", "StringLessThanPath",
	"StringGreaterThan", "StringGreaterThanPath", "StringLessThanEquals", "StringLessThanEqualsPath",
	"StringGreaterThanEquals", "StringGreaterThanEqualsPath", "StringMatches",
	"NumericEquals", "NumericEqualsPath", "NumericLessThan", "NumericLessThanPath",
	"NumericGreaterThan", "NumericGreaterThanPath", "NumericLessThanEquals", "NumericLessThanEqualsPath",
	"NumericGreaterThanEquals", "NumericGreaterThanEqualsPath",
	"BooleanEquals", "BooleanEqualsPath",
	"TimestampEquals", "TimestampEqualsPath", "TimestampLessThan", "TimestampLessThanPath",
	"TimestampGreaterThan", "TimestampGreaterThanPath", "TimestampLessThanEquals", "TimestampLessThanEqualsPath",
	"TimestampGreaterThanEquals", "TimestampGreaterThanEqualsPath",
	"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp",
}

// choice checks what is particular to Choice states.
func (v *validator) choice(c *stateCtx) {
	v.required(c.node, c.loc, "Choices")
}

// choices validates the Choices array of a Choice state.
func (v *validator) choices(c *stateCtx, n *node, loc string) {
	if n.kind != kindArray {
		v.typeError(loc, "Choices", "array")
		return
	}
	if len(n.items) == 0 {
		v.add(CodeSchema, loc, "Value cannot be empty")
		return
	}
	for i, r := range n.items {
		v.choiceRule(c, r, loc+"["+itoa(i)+"]", true, 0)
	}
}

// choiceRule validates one rule; top is true for the rules directly in
// Choices, which alone carry Next (and Assign and Output).
func (v *validator) choiceRule(c *stateCtx, r *node, loc string, top bool, depth int) {
	if r.kind != kindObject {
		v.typeError(loc, "Choices", "object")
		return
	}
	if depth > 100 {
		v.add(CodeTooDeeplyNested, loc, "The Choice rule is nested too deeply")
		return
	}
	if top {
		if v.required(r, loc, "Next") {
			if s, ok := v.wantString(r.get("Next"), loc+"/Next", "Next"); ok {
				c.sc.targets = append(c.sc.targets, target{from: c.name, to: s, loc: loc + "/Next"})
			}
		}
		if a := r.get("Assign"); a != nil {
			v.assign(c, a, loc+"/Assign")
		}
		if o := r.get("Output"); o != nil && c.jsonata {
			v.jsonataStrings(o, loc+"/Output")
		}
	}
	if cm := r.get("Comment"); cm != nil {
		v.wantString(cm, loc+"/Comment", "Comment")
	}
	if c.jsonata {
		v.jsonataRule(r, loc, top)
		return
	}

	for _, m := range r.members {
		switch {
		case m.key == "Comment", contains(comparisonOps, m.key),
			m.key == "And", m.key == "Or", m.key == "Not", m.key == "Variable":
		case top && (m.key == "Next" || m.key == "Assign"):
		case m.key == "Condition" || top && m.key == "Output":
			v.add(CodeSchema, loc+"/"+m.key, "The QueryLanguage is set to 'JSONPath', but field '%s' is only supported for the 'JSONata' QueryLanguage", m.key)
		default:
			v.add(CodeSchema, loc, "Field '%s' is not supported", m.key)
		}
	}
	var selectors []string
	for _, f := range []string{"And", "Or", "Not", "Variable"} {
		if r.has(f) {
			selectors = append(selectors, f)
		}
	}
	if len(selectors) != 1 {
		v.add(CodeSchema, loc, "The object must have only one of the following fields, [And, Or, Not, Variable]")
	}
	var ops []string
	for _, m := range r.members {
		if contains(comparisonOps, m.key) {
			ops = append(ops, m.key)
		}
	}
	if r.has("Variable") {
		v.pathField(r.get("Variable"), loc+"/Variable", "Variable", anyPath, true, false)
		switch {
		case len(ops) == 0:
			v.add(CodeSchema, loc, "A comparison operator is required with 'Variable'")
		case len(ops) > 1:
			v.add(CodeSchema, loc, "There should only be one of the following fields: [%s]", strings.Join(ops, ", "))
		}
	} else if len(ops) > 0 {
		v.add(CodeSchema, loc+"/"+ops[0], "Field '%s' requires 'Variable'", ops[0])
	}
	for _, op := range ops {
		v.operand(op, r.get(op), loc+"/"+op)
	}
	for _, f := range []string{"And", "Or"} {
		if list := r.get(f); list != nil {
			floc := loc + "/" + f
			if list.kind != kindArray {
				v.typeError(floc, f, "array")
				continue
			}
			if len(list.items) == 0 {
				v.add(CodeSchema, floc, "Value cannot be empty")
			}
			for i, sub := range list.items {
				v.nestedRule(c, sub, floc+"["+itoa(i)+"]", depth)
			}
		}
	}
	if not := r.get("Not"); not != nil {
		v.nestedRule(c, not, loc+"/Not", depth)
	}
}

// nestedRule validates a rule inside And, Or or Not: such a rule may not
// transition, so Next, Assign and Output are unsupported there.
func (v *validator) nestedRule(c *stateCtx, r *node, loc string, depth int) {
	v.choiceRule(c, r, loc, false, depth+1)
}

// operand checks the value of a comparison operator.
func (v *validator) operand(op string, n *node, loc string) {
	switch {
	case strings.HasSuffix(op, "Path"):
		v.pathField(n, loc, op, anyPath, true, false)
	case strings.HasPrefix(op, "String"):
		v.wantString(n, loc, op)
	case strings.HasPrefix(op, "Numeric"):
		if n.kind != kindNumber {
			v.typeError(loc, op, "number")
		}
	case strings.HasPrefix(op, "Timestamp"):
		if s, ok := v.wantString(n, loc, op); ok && !timestampRE.MatchString(s) {
			v.add(CodeSchema, loc, "String does not match RFC3339 timestamp")
		}
	default: // BooleanEquals and the Is* tests
		v.wantBool(n, loc, op)
	}
}

// jsonataRule validates a rule of a JSONata Choice state: a Condition.
func (v *validator) jsonataRule(r *node, loc string, top bool) {
	for _, m := range r.members {
		switch {
		case m.key == "Condition", m.key == "Comment":
		case top && (m.key == "Next" || m.key == "Assign" || m.key == "Output"):
		case m.key == "Variable" || contains(comparisonOps, m.key):
			v.add(CodeSchema, loc+"/"+m.key, "The QueryLanguage is set to 'JSONata', but field '%s' is only supported for the 'JSONPath' QueryLanguage", m.key)
		default:
			v.add(CodeSchema, loc, "Field '%s' is not supported", m.key)
		}
	}
	cond := r.get("Condition")
	if cond == nil {
		v.required(r, loc, "Condition")
		return
	}
	switch {
	case cond.kind == kindBool:
	case cond.kind == kindString && isJSONataExpr(cond.text):
		v.jsonataStrings(cond, loc+"/Condition")
	default:
		v.add(CodeSchema, loc+"/Condition", "JSONata string must start with {%% and end with %%}")
	}
}
