package validate

import "strings"

// Bounds AWS documents for retriers.
const (
	maxRetryAttempts = 99999999
	maxDelaySeconds  = 31622400
)

// retry validates a Retry array.
func (v *validator) retry(c *stateCtx, n *node, loc string) {
	if n.kind != kindArray {
		v.typeError(loc, "Retry", "array")
		return
	}
	for i, r := range n.items {
		rloc := loc + "[" + itoa(i) + "]"
		if !v.wantObject(r, rloc, "Retry") {
			continue
		}
		v.unknownFields(r, rloc, []string{"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"})
		if v.required(r, rloc, "ErrorEquals") {
			v.errorEquals(r.get("ErrorEquals"), rloc+"/ErrorEquals", i == len(n.items)-1, "Retrier")
		}
		for _, m := range r.members {
			floc := rloc + "/" + m.key
			switch m.key {
			case "IntervalSeconds":
				v.wantInteger(m.val, floc, m.key, 1, maxSeconds)
			case "MaxAttempts":
				v.wantInteger(m.val, floc, m.key, 0, maxRetryAttempts)
			case "MaxDelaySeconds":
				v.wantInteger(m.val, floc, m.key, 1, maxDelaySeconds)
			case "BackoffRate":
				if f, ok := m.val.number(); !ok {
					v.typeError(floc, m.key, "number")
				} else if f < 1 {
					v.add(CodeSchema, floc, "Minimum value is 1.0")
				}
			case "JitterStrategy":
				if s, ok := v.wantString(m.val, floc, m.key); ok && s != "FULL" && s != "NONE" {
					v.add(CodeSchema, floc, "Value should be one of the following: [FULL, NONE]")
				}
			case "Comment":
				v.wantString(m.val, floc, m.key)
			}
		}
	}
}

// catch validates a Catch array; each catcher's Next is a transition.
func (v *validator) catch(c *stateCtx, n *node, loc string) {
	if n.kind != kindArray {
		v.typeError(loc, "Catch", "array")
		return
	}
	for i, r := range n.items {
		rloc := loc + "[" + itoa(i) + "]"
		if !v.wantObject(r, rloc, "Catch") {
			continue
		}
		v.unknownFields(r, rloc, []string{"ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"})
		v.checkLanguageFields(r, rloc, c.jsonata)
		v.required(r, rloc, "ErrorEquals", "Next")
		if ee := r.get("ErrorEquals"); ee != nil {
			v.errorEquals(ee, rloc+"/ErrorEquals", i == len(n.items)-1, "Catcher")
		}
		for _, m := range r.members {
			floc := rloc + "/" + m.key
			switch m.key {
			case "Next":
				if s, ok := v.wantString(m.val, floc, m.key); ok {
					c.sc.targets = append(c.sc.targets, target{from: c.name, to: s, loc: floc})
				}
			case "ResultPath":
				if !c.jsonata {
					v.pathField(m.val, floc, m.key, referencePath, false, true)
				}
			case "Output":
				if c.jsonata {
					v.jsonataStrings(m.val, floc)
				}
			case "Assign":
				v.assign(c, m.val, floc)
			case "Comment":
				v.wantString(m.val, floc, m.key)
			}
		}
	}
}

// errorEquals checks an ErrorEquals list: non-empty strings, with
// States.ALL alone and only in the last retrier or catcher.
func (v *validator) errorEquals(n *node, loc string, last bool, what string) {
	if n.kind != kindArray {
		v.typeError(loc, "ErrorEquals", "array")
		return
	}
	if len(n.items) == 0 {
		v.add(CodeSchema, loc, "Value cannot be empty")
		return
	}
	for i, it := range n.items {
		s, ok := it.str()
		iloc := loc + "[" + itoa(i) + "]"
		if !ok {
			v.typeError(iloc, "ErrorEquals", "string")
			continue
		}
		if s != "States.ALL" {
			continue
		}
		if len(n.items) > 1 {
			v.add(CodeSchema, iloc, "States.ALL must be the only error name in ErrorEquals")
		}
		if !last {
			v.add(CodeSchema, iloc, "A %s with States.ALL must be the last %s", what, strings.ToLower(what))
		}
	}
}
