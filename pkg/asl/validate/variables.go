package validate

import "strings"

// reservedVariable is the variable name AWS keeps for itself ($states).
const reservedVariable = "states"

// Codes AWS reports for variable names (beyond the documented list).
const (
	CodeInvalidVariableName  = "INVALID_VARIABLE_NAME"
	CodeReservedVariableName = "RESERVED_VARIABLE_NAME"
)

// assign validates an Assign object: variable names, and values written in
// the state's query language. A nested scope (a Parallel branch or Map
// iteration) may read but not assign a variable of an enclosing scope.
func (v *validator) assign(c *stateCtx, n *node, loc string) {
	if !v.wantObject(n, loc, "Assign") {
		return
	}
	for _, m := range n.members {
		mloc := loc + "/" + m.key
		name := m.key
		if !c.jsonata && strings.HasSuffix(name, ".$") {
			name = strings.TrimSuffix(name, ".$")
			if s, ok := m.val.str(); !ok || !checkPathOrIntrinsic(s) {
				v.add(CodeSchema, mloc, "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call", m.key)
			}
		} else if c.jsonata {
			v.jsonataStrings(m.val, mloc)
		} else {
			v.payloadTemplate(m.val, mloc)
		}
		switch {
		case name == reservedVariable:
			v.add(CodeReservedVariableName, mloc, "Cannot assign to reserved variable '$states'.")
		case !validVariableName(name):
			v.add(CodeInvalidVariableName, mloc, "Invalid variable name '%s': the variable name contains invalid characters.", name)
		default:
			if outer := v.outerVariable(name); outer != "" {
				v.add(CodeSchema, mloc, "Variable '%s' is assigned in an outer scope (at %s) and cannot be assigned in a nested scope", name, outer)
			}
		}
	}
}

// outerVariable returns where an enclosing scope assigns name, or "".
func (v *validator) outerVariable(name string) string {
	if len(v.varScopes) < 2 {
		return ""
	}
	for _, sc := range v.varScopes[:len(v.varScopes)-1] {
		if loc, ok := sc[name]; ok {
			return loc
		}
	}
	return ""
}

// assignedNames collects the variables the states of one scope assign (in
// the state, its Choice rules and its catchers), without entering nested
// machines, which are scopes of their own.
func assignedNames(states *node, loc string) map[string]string {
	out := map[string]string{}
	addFrom := func(a *node, aloc string) {
		if a == nil || a.kind != kindObject {
			return
		}
		for _, m := range a.members {
			name := strings.TrimSuffix(m.key, ".$")
			if _, seen := out[name]; !seen {
				out[name] = aloc + "/" + m.key
			}
		}
	}
	for _, st := range states.members {
		sloc := loc + "/States/" + st.key
		addFrom(st.val.get("Assign"), sloc+"/Assign")
		for _, list := range []string{"Choices", "Catch"} {
			arr := st.val.get(list)
			if arr == nil || arr.kind != kindArray {
				continue
			}
			for i, it := range arr.items {
				addFrom(it.get("Assign"), sloc+"/"+list+"["+itoa(i)+"]/Assign")
			}
		}
	}
	return out
}
