package asl

import "fmt"

// catcher is one element of a Catch array.
type catcher struct {
	errorEquals []string
	next        string
	resultPath  *resultPath // JSONPath
	output      *jtmpl      // JSONata
	assign      any         // *tmpl or *jtmpl
}

func (p *parser) catchers(v any, ql queryLang) ([]*catcher, error) {
	if v == nil {
		return nil, nil
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("must be an array")
	}
	var out []*catcher
	for i, e := range arr {
		o, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("[%d]: not an object", i)
		}
		c := &catcher{errorEquals: stringList(o["ErrorEquals"]), next: str(o, "Next")}
		var err error
		if ql == qlJSONata {
			if ov, ok := o["Output"]; ok {
				if c.output, err = compileJSONata(ov, "Output"); err != nil {
					return nil, err
				}
			}
			if av, ok := o["Assign"]; ok {
				if c.assign, err = compileJSONata(av, "Assign"); err != nil {
					return nil, err
				}
			}
		} else {
			if c.resultPath, err = compileResultPath(o, "ResultPath"); err != nil {
				return nil, err
			}
			if av, ok := o["Assign"]; ok {
				if c.assign, err = compileTemplate(av, "Assign"); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// match returns the first catcher whose ErrorEquals matches.
func matchCatcher(cs []*catcher, name string) *catcher {
	for _, c := range cs {
		if errorMatches(c.errorEquals, name) {
			return c
		}
	}
	return nil
}
