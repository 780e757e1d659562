package validate

import (
	"regexp"
	"strings"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonata"
)

// stateTypes lists the state types in the order AWS names them.
var stateTypes = []string{"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}

// commonFields are accepted on every state type.
var commonFields = []string{"Type", "Comment", "QueryLanguage"}

// stateFields is, per type, the fields AWS accepts besides commonFields
// (as ValidateStateMachineDefinition reports them; e.g. TimeoutSeconds is a
// Task field only, and Retry/Catch belong to Task, Parallel and Map).
var stateFields = map[string][]string{
	"Pass":     {"InputPath", "OutputPath", "Result", "ResultPath", "Parameters", "Output", "Assign", "Next", "End"},
	"Task":     {"InputPath", "OutputPath", "ResultPath", "Parameters", "Arguments", "Output", "Assign", "Resource", "Credentials", "ResultSelector", "Retry", "Catch", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Next", "End"},
	"Wait":     {"InputPath", "OutputPath", "Output", "Assign", "Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Next", "End"},
	"Parallel": {"InputPath", "OutputPath", "ResultPath", "Parameters", "Arguments", "Output", "Assign", "ResultSelector", "Retry", "Catch", "Branches", "Next", "End"},
	"Map":      {"InputPath", "OutputPath", "ResultPath", "Parameters", "Output", "Assign", "ResultSelector", "Retry", "Catch", "ItemProcessor", "Iterator", "ItemsPath", "Items", "ItemSelector", "ItemReader", "ItemBatcher", "ResultWriter", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath", "Label", "Next", "End"},
	"Choice":   {"InputPath", "OutputPath", "Output", "Assign", "Choices", "Default"},
	"Succeed":  {"InputPath", "OutputPath", "Output"},
	"Fail":     {"Error", "Cause", "ErrorPath", "CausePath"},
}

// jsonPathOnly are the state fields a JSONata state may not use.
var jsonPathOnly = []string{"InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Result", "ItemsPath",
	"TimeoutSecondsPath", "HeartbeatSecondsPath", "SecondsPath", "TimestampPath", "MaxConcurrencyPath",
	"ToleratedFailurePercentagePath", "ToleratedFailureCountPath", "ErrorPath", "CausePath"}

// jsonataOnly are the state fields a JSONPath state may not use.
var jsonataOnly = []string{"Arguments", "Output", "Items"}

// Bounds AWS documents for timers.
const maxSeconds = 99999999

// stateCtx is the state being validated.
type stateCtx struct {
	sc      *scope
	name    string
	loc     string
	node    *node
	typ     string
	jsonata bool
	depth   int
}

// state validates one state of a scope.
func (v *validator) state(sc *scope, name string, st *node, loc string, depth int) {
	if st.kind != kindObject {
		v.typeError(loc, name, "object")
		return
	}
	tn := st.get("Type")
	if tn == nil {
		v.required(st, loc, "Type")
		return
	}
	typ, _ := tn.str()
	allowed, known := stateFields[typ]
	if !known {
		v.add(CodeSchema, loc+"/Type", "Value should be one of the following: [%s]", strings.Join(stateTypes, ", "))
		// Keep its transition so the states it leads to are not also
		// reported unreachable.
		if next, ok := st.get("Next").str(); ok {
			sc.targets = append(sc.targets, target{from: name, to: next, loc: loc + "/Next"})
		}
		return
	}
	c := &stateCtx{sc: sc, name: name, loc: loc, node: st, typ: typ, jsonata: v.jsonata, depth: depth}
	if ql := st.get("QueryLanguage"); ql != nil {
		v.checkQueryLanguageValue(ql, loc+"/QueryLanguage")
		s, _ := ql.str()
		c.jsonata = s != "JSONPath"
		if v.jsonata && s == "JSONPath" {
			v.add(CodeSchema, loc, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")
		}
	}

	for _, m := range st.members {
		if !contains(commonFields, m.key) && !contains(allowed, m.key) {
			v.add(CodeSchema, loc, "Field '%s' is not supported", m.key)
		}
	}
	v.checkLanguageFields(st, loc, c.jsonata)

	if typ != "Choice" && typ != "Succeed" && typ != "Fail" {
		next, end := st.get("Next"), st.get("End")
		endTrue := end != nil && end.kind == kindBool && end.boolean
		switch {
		case next != nil && endTrue:
			v.add(CodeSchema, loc, "There should only be one of the following fields: [Next, End]")
		case next == nil && !endTrue:
			v.add(CodeSchema, loc, "This object should have only one of the following fields: [Next, End]")
		}
	}

	for _, m := range st.members {
		if contains(allowed, m.key) && v.languageAllows(c.jsonata, m.key) {
			v.field(c, m.key, m.val, loc+"/"+m.key)
		}
	}

	switch typ {
	case "Task":
		v.task(c)
	case "Wait":
		v.wait(c)
	case "Fail":
		v.exclusive(st, loc, "Error", "ErrorPath")
		v.exclusive(st, loc, "Cause", "CausePath")
	case "Choice":
		v.choice(c)
	case "Parallel":
		v.required(st, loc, "Branches")
	case "Map":
		v.mapState(c)
	}
}

// checkLanguageFields reports fields of the other query language.
func (v *validator) checkLanguageFields(obj *node, loc string, jsonata bool) {
	for _, m := range obj.members {
		switch {
		case jsonata && contains(jsonPathOnly, m.key):
			v.add(CodeSchema, loc+"/"+m.key, "The QueryLanguage is set to 'JSONata', but field '%s' is only supported for the 'JSONPath' QueryLanguage", m.key)
		case !jsonata && contains(jsonataOnly, m.key):
			v.add(CodeSchema, loc+"/"+m.key, "The QueryLanguage is set to 'JSONPath', but field '%s' is only supported for the 'JSONata' QueryLanguage", m.key)
		}
	}
}

func (v *validator) languageAllows(jsonata bool, field string) bool {
	if jsonata {
		return !contains(jsonPathOnly, field)
	}
	return !contains(jsonataOnly, field)
}

// field validates one state field's value.
func (v *validator) field(c *stateCtx, key string, n *node, loc string) {
	switch key {
	case "Comment":
		v.wantString(n, loc, key)
	case "Next":
		if s, ok := v.wantString(n, loc, key); ok {
			c.sc.targets = append(c.sc.targets, target{from: c.name, to: s, loc: loc})
		}
	case "End":
		v.wantBool(n, loc, key)
	case "InputPath", "OutputPath":
		v.pathField(n, loc, key, anyPath, true, true)
	case "ResultPath":
		v.pathField(n, loc, key, referencePath, false, true)
	case "Parameters", "ResultSelector":
		if v.wantObject(n, loc, key) {
			v.payloadTemplate(n, loc)
		}
	case "ItemSelector":
		if v.wantObject(n, loc, key) {
			if c.jsonata {
				v.jsonataStrings(n, loc)
			} else {
				v.payloadTemplate(n, loc)
			}
		}
	case "Result":
		if hasDollarKey(n) {
			v.warn(CodePassResultIsStatic, loc, "The Result field of a Pass state is static: keys ending in '.$' are not evaluated")
		}
	case "Arguments":
		if n.kind != kindObject && !(n.kind == kindString && isJSONataExpr(n.text)) {
			v.add(CodeSchema, loc, "The field 'Arguments' should be an object or a JSONata expression")
			return
		}
		v.jsonataStrings(n, loc)
	case "Output":
		v.jsonataStrings(n, loc)
	case "Assign":
		v.assign(c, n, loc)
	case "Credentials":
		if v.wantObject(n, loc, key) {
			if c.jsonata {
				v.jsonataStrings(n, loc)
			} else {
				v.payloadTemplate(n, loc)
			}
		}
	case "Resource":
		v.wantString(n, loc, key)
	case "Retry":
		v.retry(c, n, loc)
	case "Catch":
		v.catch(c, n, loc)
	case "TimeoutSeconds", "HeartbeatSeconds":
		v.numberOrExpr(c, n, loc, key, func() { v.wantInteger(n, loc, key, 1, maxSeconds) })
	case "Seconds":
		v.numberOrExpr(c, n, loc, key, func() { v.wantInteger(n, loc, key, 0, maxSeconds) })
	case "TimeoutSecondsPath", "HeartbeatSecondsPath", "SecondsPath", "TimestampPath":
		v.pathField(n, loc, key, referencePath, true, false)
	case "Timestamp":
		v.numberOrExpr(c, n, loc, key, func() {
			if s, ok := v.wantString(n, loc, key); ok && !timestampRE.MatchString(s) {
				v.add(CodeSchema, loc, "String does not match RFC3339 timestamp")
			}
		})
	case "Error", "Cause":
		if s, ok := v.wantString(n, loc, key); ok {
			if c.jsonata {
				v.jsonataStrings(n, loc)
			} else if strings.HasPrefix(s, "$.") || strings.HasPrefix(s, "States.") {
				v.warn(CodeNoPath, loc, "The value of the field '%s' looks like a path, but the field name does not end with 'Path'", key)
			}
		}
	case "ErrorPath", "CausePath":
		if s, ok := v.wantString(n, loc, key); ok && !checkPathOrIntrinsic(s) {
			v.add(CodeSchema, loc, "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call", key)
		}
	case "Choices":
		v.choices(c, n, loc)
	case "Default":
		if s, ok := v.wantString(n, loc, key); ok {
			c.sc.targets = append(c.sc.targets, target{from: c.name, to: s, loc: loc})
		}
	case "Branches":
		v.branches(c, n, loc)
	default:
		v.mapField(c, key, n, loc)
	}
}

var timestampRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)

// numberOrExpr runs literal when n is not a JSONata expression of a JSONata
// state; in a JSONata state a "{% %}" string stands for any value.
func (v *validator) numberOrExpr(c *stateCtx, n *node, loc, key string, literal func()) {
	if c.jsonata && n.kind == kindString && strings.HasPrefix(n.text, "{%") {
		v.jsonataStrings(n, loc)
		return
	}
	literal()
}

// pathField checks a JSONPath-valued field; nullable fields accept null.
func (v *validator) pathField(n *node, loc, key string, kind pathKind, allowContext, nullable bool) {
	if n.kind == kindNull && nullable {
		return
	}
	s, ok := n.str()
	if !ok {
		v.typeError(loc, key, "string")
		return
	}
	if ok, why := checkPath(s, kind, allowContext); !ok {
		if kind == referencePath {
			v.add(CodeSchema, loc, "Value is not a Reference Path: %s", why)
		} else {
			v.add(CodeSchema, loc, "Value must be a valid JSONPath.")
		}
	}
}

// payloadTemplate checks a JSONPath payload template: every "key.$" holds a
// path or an intrinsic call; a plain key holding what looks like one draws a
// NO_DOLLAR warning.
func (v *validator) payloadTemplate(n *node, loc string) {
	switch n.kind {
	case kindObject:
		for _, m := range n.members {
			mloc := loc + "/" + m.key
			if strings.HasSuffix(m.key, ".$") {
				if s, ok := m.val.str(); !ok || !checkPathOrIntrinsic(s) {
					v.add(CodeSchema, mloc, "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call", m.key)
				}
				continue
			}
			if s, ok := m.val.str(); ok && (strings.HasPrefix(s, "$.") || strings.HasPrefix(s, "$$.") || strings.HasPrefix(s, "States.")) {
				v.warn(CodeNoDollar, mloc, "The value of the field '%s' looks like a JSONPath or an intrinsic function, but its name does not end with '.$'", m.key)
			}
			v.payloadTemplate(m.val, mloc)
		}
	case kindArray:
		for i, it := range n.items {
			v.payloadTemplate(it, loc+"["+itoa(i)+"]")
		}
	}
}

// jsonataStrings checks every string in n that opens a JSONata expression
// also closes it.
func (v *validator) jsonataStrings(n *node, loc string) {
	switch n.kind {
	case kindString:
		if strings.HasPrefix(n.text, "{%") && !isJSONataExpr(n.text) {
			v.add(CodeSchema, loc, "JSONata string must start with {%% and end with %%}")
		} else if isJSONataExpr(n.text) {
			v.jsonataSyntax(n.text, loc)
		}
	case kindObject:
		for _, m := range n.members {
			v.jsonataStrings(m.val, loc+"/"+m.key)
		}
	case kindArray:
		for i, it := range n.items {
			v.jsonataStrings(it, loc+"["+itoa(i)+"]")
		}
	}
}

// jsonataSyntax reports a "{% %}" expression that does not parse: AWS
// compiles every expression when the state machine is created. It uses the
// engine's compiler, so what passes here is what the engine can run.
func (v *validator) jsonataSyntax(s, loc string) {
	inner := strings.TrimSpace(s[2 : len(s)-2])
	if inner == "" {
		v.add(CodeSchema, loc, "The JSONata expression must not be empty")
		return
	}
	if _, err := jsonata.Compile(inner); err != nil {
		cause := err.Error()
		if e, ok := aslerr.As(err); ok && e.Cause != "" {
			cause = e.Cause
		}
		v.add(CodeSchema, loc, "The JSONata expression '%s' is not valid: %s", truncate(inner, 200), cause)
	}
}

func hasDollarKey(n *node) bool {
	switch n.kind {
	case kindObject:
		for _, m := range n.members {
			if strings.HasSuffix(m.key, ".$") || hasDollarKey(m.val) {
				return true
			}
		}
	case kindArray:
		for _, it := range n.items {
			if hasDollarKey(it) {
				return true
			}
		}
	}
	return false
}

// task checks what is particular to Task states.
func (v *validator) task(c *stateCtx) {
	st, loc := c.node, c.loc
	v.required(st, loc, "Resource")
	v.exclusive(st, loc, "TimeoutSeconds", "TimeoutSecondsPath")
	v.exclusive(st, loc, "HeartbeatSeconds", "HeartbeatSecondsPath")
	if res, ok := st.get("Resource").str(); ok {
		switch {
		case !v.opts.AllowAnyResource && !strings.HasPrefix(res, "arn:"):
			v.add(CodeInvalidResource, loc+"/Resource", "Value is not a valid resource ARN: %s", res)
		case v.opts.Express && strings.HasSuffix(res, ".sync") || v.opts.Express && strings.Contains(res, ".sync:"):
			v.add(CodeSchema, loc+"/Resource", "Express state machine does not support '.sync' service integration ")
		case v.opts.Express && strings.HasSuffix(res, ".waitForTaskToken"):
			v.add(CodeSchema, loc+"/Resource", "Express state machine does not support '.waitForTaskToken' service integration ")
		}
	}
	to, tok := st.get("TimeoutSeconds").number()
	hb, hok := st.get("HeartbeatSeconds").number()
	if tok && hok && hb >= to {
		v.add(CodeSchema, loc+"/HeartbeatSeconds", "HeartbeatSeconds must be smaller than TimeoutSeconds")
	}
}

// wait checks a Wait state has exactly one way to say how long.
func (v *validator) wait(c *stateCtx) {
	fields := []string{"SecondsPath", "Seconds", "TimestampPath", "Timestamp"}
	n := 0
	for _, f := range fields {
		if c.node.has(f) {
			n++
		}
	}
	switch {
	case n > 1:
		v.add(CodeSchema, c.loc, "There should only be one of the following fields: [%s]", strings.Join(fields, ", "))
	case n == 0:
		v.add(CodeSchema, c.loc, "This object should have only one of the following fields: [%s]", strings.Join(fields, ", "))
	}
}

// branches validates a Parallel state's branches as machines of their own.
func (v *validator) branches(c *stateCtx, n *node, loc string) {
	if n.kind != kindArray {
		v.typeError(loc, "Branches", "array")
		return
	}
	if len(n.items) == 0 {
		v.add(CodeSchema, loc, "Value cannot be empty")
		return
	}
	for i, b := range n.items {
		bloc := loc + "[" + itoa(i) + "]"
		if b.kind != kindObject {
			v.typeError(bloc, "Branches", "object")
			continue
		}
		v.nested(c, b, bloc, machineBranch)
	}
}

// nested validates a sub-machine (a Parallel branch or a Map processor) with
// its own transition scope and its own variable scope.
func (v *validator) nested(c *stateCtx, m *node, loc string, kind machineKind) {
	v.machine(m, loc, kind, c.depth+1)
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
