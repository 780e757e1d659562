package asl

import (
	"fmt"
	"strings"
)

// timeoutField compiles TimeoutSeconds/HeartbeatSeconds and their *Path forms.
func timeoutField(st *state, o map[string]any, name string) (valueSource, *pathExpr, bool, error) {
	if v, ok := o[name]; ok {
		if st.ql == qlJSONata {
			t, err := compileJSONata(v, name)
			return t, nil, true, err
		}
		return literal(v), nil, true, nil
	}
	if s, ok := o[name+"Path"].(string); ok {
		pe, err := compileValuePath(s, name+"Path")
		return nil, pe, true, err
	}
	return nil, nil, false, nil
}

func (p *parser) taskState(st *state, o map[string]any) error {
	ts := &taskSpec{resource: str(o, "Resource")}
	ts.rtype, ts.rname, ts.lambdaFn = resourceKind(ts.resource)
	ts.region = regionOf(ts.resource)
	ts.waitToken = strings.HasSuffix(ts.resource, ".waitForTaskToken")
	var err error
	if ts.timeout, ts.timeoutPath, ts.hasTimeout, err = timeoutField(st, o, "TimeoutSeconds"); err != nil {
		return err
	}
	if ts.heartbeat, ts.heartbeatPath, ts.hasHeartbeat, err = timeoutField(st, o, "HeartbeatSeconds"); err != nil {
		return err
	}
	if v, ok := o["Credentials"]; ok {
		if st.ql == qlJSONata {
			ts.credentials, err = compileJSONata(v, "Credentials")
		} else {
			ts.credentials, err = compileTemplate(v, "Credentials")
		}
		if err != nil {
			return err
		}
	}
	st.task = ts
	return nil
}

func (p *parser) mapState(st *state, o map[string]any, where string) error {
	ms := &mapSpec{label: str(o, "Label")}
	var err error
	if st.ql == qlJSONata {
		if v, ok := o["Items"]; ok {
			if ms.items, err = compileJSONata(v, "Items"); err != nil {
				return err
			}
		}
		if v, ok := o["ItemSelector"]; ok {
			if ms.itemSelector, err = compileJSONata(v, "ItemSelector"); err != nil {
				return err
			}
		}
	} else {
		if ms.itemsPath, err = compileOptPath(o, "ItemsPath"); err != nil {
			return fmt.Errorf("ItemsPath: %w", err)
		}
		sel, ok := o["ItemSelector"]
		if !ok {
			sel, ok = o["Parameters"]
			st.parameters = nil // Parameters of a Map state select items
		}
		if ok {
			if ms.itemSelector, err = compileTemplate(sel, "ItemSelector"); err != nil {
				return err
			}
		}
	}
	proc, ok := o["ItemProcessor"].(map[string]any)
	if !ok {
		proc, ok = o["Iterator"].(map[string]any)
	}
	if !ok {
		return fmt.Errorf("ItemProcessor: missing")
	}
	if cfg, ok := proc["ProcessorConfig"].(map[string]any); ok {
		ms.distributed = str(cfg, "Mode") == "DISTRIBUTED"
	}
	if ms.processor, err = p.program(proc, st.ql, where+"/ItemProcessor"); err != nil {
		return err
	}
	num := func(name string) (valueSource, *pathExpr, error) {
		if v, ok := o[name]; ok {
			if st.ql == qlJSONata {
				t, err := compileJSONata(v, name)
				return t, nil, err
			}
			return literal(v), nil, nil
		}
		if s, ok := o[name+"Path"].(string); ok {
			pe, err := compileValuePath(s, name+"Path")
			return nil, pe, err
		}
		return nil, nil, nil
	}
	if ms.maxConcurrency, ms.maxConcurrencyPath, err = num("MaxConcurrency"); err != nil {
		return err
	}
	if ms.tolCount, ms.tolCountPath, err = num("ToleratedFailureCount"); err != nil {
		return err
	}
	if ms.tolPct, ms.tolPctPath, err = num("ToleratedFailurePercentage"); err != nil {
		return err
	}
	ms.hasTolerance = ms.tolCount != nil || ms.tolCountPath != nil || ms.tolPct != nil || ms.tolPctPath != nil
	ms.itemReader, _ = o["ItemReader"].(map[string]any)
	ms.itemBatcher, _ = o["ItemBatcher"].(map[string]any)
	ms.resultWriter, _ = o["ResultWriter"].(map[string]any)
	st.mapSpec = ms
	return nil
}
