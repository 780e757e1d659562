package asl

import "sync"

// vars is a variable scope. A Map iteration or Parallel branch reads the
// variables of the scopes around it but assigns only in its own (assigning
// an outer variable from inside is rejected by validation, as AWS does).
type vars struct {
	mu     sync.RWMutex
	parent *vars
	m      map[string]any
}

func newVars(parent *vars) *vars { return &vars{parent: parent} }

func (v *vars) lookup(name string) (any, bool) {
	for s := v; s != nil; s = s.parent {
		s.mu.RLock()
		x, ok := s.m[name]
		s.mu.RUnlock()
		if ok {
			return x, true
		}
	}
	return nil, false
}

// set stores all assignments at once, so that every right-hand side of one
// Assign block saw the old values.
func (v *vars) set(assigned map[string]any) {
	if len(assigned) == 0 {
		return
	}
	v.mu.Lock()
	if v.m == nil {
		v.m = make(map[string]any, len(assigned))
	}
	for k, x := range assigned {
		v.m[k] = x
	}
	v.mu.Unlock()
}

// all returns every visible variable, inner scopes shadowing outer ones, for
// JSONata bindings.
func (v *vars) all(into map[string]any) {
	var chain []*vars
	for s := v; s != nil; s = s.parent {
		chain = append(chain, s)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		s := chain[i]
		s.mu.RLock()
		for k, x := range s.m {
			into[k] = x
		}
		s.mu.RUnlock()
	}
}
