package validate

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// Limits AWS applies to definitions.
const (
	maxStateNameLen   = 80
	defaultMaxNesting = 40
)

// validator collects the diagnostics of one definition.
type validator struct {
	opts  Options
	diags []Diagnostic
	// jsonata is the machine's top-level query language; states inherit it
	// at every depth, whatever their enclosing Map or Parallel says.
	jsonata bool
	// names maps every state name in the machine to where it was first
	// defined: AWS requires names to be unique across nested machines too.
	names map[string]string
	// varScopes holds, per enclosing machine, the variables its states
	// assign; the last entry is the machine being validated.
	varScopes []map[string]string
}

func (v *validator) add(code, loc, format string, args ...any) {
	v.diags = append(v.diags, Diagnostic{Code: code, Location: loc, Message: fmt.Sprintf(format, args...), Severity: SeverityError})
}

func (v *validator) warn(code, loc, format string, args ...any) {
	v.diags = append(v.diags, Diagnostic{Code: code, Location: loc, Message: fmt.Sprintf(format, args...), Severity: SeverityWarning})
}

func (v *validator) run(def []byte) {
	if len(def) == 0 {
		v.add(CodeMissingDesc, "", "Definition must not be empty")
		return
	}
	if len(bytes.TrimSpace(def)) == 0 {
		v.add(CodeSchema, "", "Definition must be a valid JSON object")
		return
	}
	root, err := decodeNode(def)
	if err != nil {
		loc := ""
		var se *syntaxError
		if errors.As(err, &se) {
			loc = fmt.Sprintf("line: %d, column: %d", se.line, se.column)
		}
		v.add(CodeInvalidJSON, loc, "%s", err.Error())
		return
	}
	if root.kind != kindObject {
		v.add(CodeSchema, "", "Definition must be a valid JSON object")
		return
	}
	v.names = map[string]string{}
	if ql := root.get("QueryLanguage"); ql != nil {
		s, _ := ql.str()
		// Any value but exactly "JSONPath" counts as JSONata; a bad value is
		// reported on its own.
		v.jsonata = s != "JSONPath"
	}
	v.machine(root, "", machineTop, 0)
}

// machineKind is where a (sub-)machine sits, which decides its fields.
type machineKind int

const (
	machineTop machineKind = iota
	machineBranch
	machineProcessor
)

// machine validates a state machine object at loc ("" for the top level):
// its own fields, each state, transitions and reachability within its scope.
func (v *validator) machine(m *node, loc string, kind machineKind, depth int) {
	maxNest := v.opts.MaxNesting
	if maxNest <= 0 {
		maxNest = defaultMaxNesting
	}
	if depth > maxNest {
		v.add(CodeTooDeeplyNested, loc, "The states are nested more than %d levels deep", maxNest)
		return
	}
	objLoc := loc
	if objLoc == "" {
		objLoc = "/"
	}
	var allowed []string
	switch kind {
	case machineTop:
		allowed = []string{"Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"}
	case machineBranch:
		allowed = []string{"Comment", "StartAt", "States"}
	case machineProcessor:
		allowed = []string{"Comment", "StartAt", "States", "ProcessorConfig"}
	}
	v.unknownFields(m, objLoc, allowed)
	v.required(m, objLoc, "States", "StartAt")

	if c := m.get("Comment"); c != nil {
		v.wantString(c, loc+"/Comment", "Comment")
	}
	if kind == machineTop {
		if ver := m.get("Version"); ver != nil {
			if s, ok := ver.str(); !ok || s != "1.0" {
				v.add(CodeSchema, "/Version", "Value should be one of the following: [1.0]")
			}
		}
		if t := m.get("TimeoutSeconds"); t != nil {
			v.wantInteger(t, "/TimeoutSeconds", "TimeoutSeconds", 1, 99999999)
		}
		if ql := m.get("QueryLanguage"); ql != nil {
			v.checkQueryLanguageValue(ql, "/QueryLanguage")
		}
	}

	start, startOK := "", false
	if sa := m.get("StartAt"); sa != nil {
		start, startOK = sa.str()
		if !startOK {
			v.typeError(loc+"/StartAt", "StartAt", "string")
		}
	}
	statesNode := m.get("States")
	if statesNode == nil {
		return
	}
	if statesNode.kind != kindObject {
		v.typeError(loc+"/States", "States", "object")
		return
	}
	if len(statesNode.members) == 0 {
		v.add(CodeSchema, loc+"/States", "Value cannot be empty")
		return
	}

	v.varScopes = append(v.varScopes, assignedNames(statesNode, loc))
	defer func() { v.varScopes = v.varScopes[:len(v.varScopes)-1] }()

	sc := &scope{loc: loc, states: map[string]*node{}}
	for _, mem := range statesNode.members {
		stLoc := loc + "/States/" + mem.key
		if first, dup := v.names[mem.key]; dup {
			v.add(CodeDuplicateState, stLoc, "Duplicate State name: %s (first defined at %s)", mem.key, first)
		} else {
			v.names[mem.key] = stLoc
		}
		if mem.key == "" || utf8.RuneCountInString(mem.key) > maxStateNameLen {
			v.add(CodeInvalidStateName, stLoc, "State name must be 1 to %d characters long: %q", maxStateNameLen, truncate(mem.key, 100))
		} else if hasControl(mem.key) {
			v.add(CodeInvalidStateName, stLoc, "State name must not contain control characters: %q", mem.key)
		}
		if _, seen := sc.states[mem.key]; !seen {
			sc.order = append(sc.order, mem.key)
		}
		sc.states[mem.key] = mem.val
	}
	for _, mem := range statesNode.members {
		v.state(sc, mem.key, mem.val, loc+"/States/"+mem.key, depth)
	}
	if startOK {
		if _, ok := sc.states[start]; !ok {
			v.add(CodeMissingTransition, loc+"/StartAt", "Missing 'Next' target: %s", start)
			startOK = false
		}
	}
	v.checkTargets(sc)
	if !v.hasTerminal(sc) {
		v.add(CodeMissingEndState, loc, "Workflow has no terminal state")
		return // AWS skips the reachability walk then
	}
	if startOK {
		v.checkReachable(sc, start)
	}
}

// scope is the states of one (sub-)machine: transitions stay inside it.
type scope struct {
	loc     string
	states  map[string]*node
	order   []string
	targets []target
}

// target is one transition found in a state.
type target struct {
	from, to, loc string
}

// checkTargets reports transitions to states that do not exist in the scope.
func (v *validator) checkTargets(sc *scope) {
	for _, t := range sc.targets {
		if _, ok := sc.states[t.to]; !ok {
			v.add(CodeMissingTransition, t.loc, "Missing 'Next' target: %s", t.to)
		}
	}
}

// hasTerminal reports whether any state of the scope can end it.
func (v *validator) hasTerminal(sc *scope) bool {
	for _, name := range sc.order {
		st := sc.states[name]
		typ, _ := st.get("Type").str()
		switch typ {
		case "Succeed", "Fail":
			return true
		case "Choice":
			continue
		}
		if e := st.get("End"); e != nil && e.kind == kindBool && e.boolean {
			return true
		}
		if st.kind != kindObject || st.get("Type") == nil {
			// A state we could not read: do not claim the machine cannot end.
			return true
		}
	}
	return false
}

// checkReachable reports states that no path from StartAt reaches.
func (v *validator) checkReachable(sc *scope, start string) {
	edges := map[string][]string{}
	for _, t := range sc.targets {
		edges[t.from] = append(edges[t.from], t.to)
	}
	seen := map[string]bool{start: true}
	queue := []string{start}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, nx := range edges[cur] {
			if _, exists := sc.states[nx]; exists && !seen[nx] {
				seen[nx] = true
				queue = append(queue, nx)
			}
		}
	}
	for _, name := range sc.order {
		if !seen[name] {
			v.add(CodeMissingTransition, sc.loc+"/States/"+name, "State \"%s\" is not reachable.", name)
		}
	}
}

// required reports the missing ones of fields, in one diagnostic.
func (v *validator) required(obj *node, loc string, fields ...string) bool {
	var missing []string
	for _, f := range fields {
		if !obj.has(f) {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		v.add(CodeSchema, loc, "These fields are required: [%s]", strings.Join(missing, ", "))
		return false
	}
	return true
}

// unknownFields reports each field of obj that is not in allowed.
func (v *validator) unknownFields(obj *node, loc string, allowed []string) {
	for _, m := range obj.members {
		if !contains(allowed, m.key) {
			v.add(CodeSchema, loc, "Field '%s' is not supported", m.key)
		}
	}
}

// exclusive reports when more than one of fields is present, at the
// location of the first one present.
func (v *validator) exclusive(obj *node, loc string, fields ...string) {
	var present []string
	for _, f := range fields {
		if obj.has(f) {
			present = append(present, f)
		}
	}
	if len(present) > 1 {
		v.add(CodeSchema, loc+"/"+present[0], "There should only be one of the following fields: [%s]", strings.Join(fields, ", "))
	}
}

func (v *validator) typeError(loc, field, want string) {
	v.add(CodeSchema, loc, "The field '%s' should be %s", field, article(want))
}

func article(want string) string {
	switch want[0] {
	case 'a', 'e', 'i', 'o', 'u':
		return "an " + want
	}
	return "a " + want
}

func (v *validator) wantString(n *node, loc, field string) (string, bool) {
	s, ok := n.str()
	if !ok {
		v.typeError(loc, field, "string")
	}
	return s, ok
}

func (v *validator) wantBool(n *node, loc, field string) bool {
	if n.kind != kindBool {
		v.typeError(loc, field, "boolean")
		return false
	}
	return true
}

func (v *validator) wantObject(n *node, loc, field string) bool {
	if n.kind != kindObject {
		v.typeError(loc, field, "object")
		return false
	}
	return true
}

// wantInteger checks an integer field against [lo, hi] (hi < 0: no bound).
// Integers too large for int64 are still integers: AWS accepts them and caps
// them at run time.
func (v *validator) wantInteger(n *node, loc, field string, lo, hi int64) {
	f, ok := n.number()
	if !ok || f != math.Trunc(f) || math.IsInf(f, 0) {
		v.typeError(loc, field, "integer")
		return
	}
	if f < float64(lo) {
		v.add(CodeSchema, loc, "Minimum value is %d", lo)
	} else if hi >= 0 && f > float64(hi) {
		v.add(CodeSchema, loc, "Maximum value is %d", hi)
	}
}

func (v *validator) checkQueryLanguageValue(n *node, loc string) {
	s, ok := n.str()
	if !ok {
		v.typeError(loc, "QueryLanguage", "string")
		return
	}
	if s != "JSONPath" && s != "JSONata" {
		v.add(CodeSchema, loc, "Value should be one of the following: [JSONPath, JSONata]")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
