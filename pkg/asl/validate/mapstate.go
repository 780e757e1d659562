package validate

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Bounds AWS documents for Map states.
const (
	maxLabelLen             = 40
	maxReaderItems          = 100000000
	maxInputBytesPerBatch   = 262144
	toleratedPercentMaximum = 100
)

var (
	itemReaderResourceRE  = regexp.MustCompile(`^arn:[^:]+:states:::s3:(getObject|listObjectsV2)$`)
	resultWriterResouceRE = regexp.MustCompile(`^arn:[^:]+:states:::s3:putObject$`)
)

// mapState checks what is particular to Map states.
func (v *validator) mapState(c *stateCtx) {
	st, loc := c.node, c.loc
	switch {
	case st.has("ItemProcessor") && st.has("Iterator"):
		v.add(CodeSchema, loc, "There should only be one of the following fields: [ItemProcessor, Iterator]")
	case !st.has("ItemProcessor") && !st.has("Iterator"):
		v.add(CodeSchema, loc, "This object should have only one of the following fields: [ItemProcessor, Iterator]")
	}
	v.exclusive(st, loc, "MaxConcurrency", "MaxConcurrencyPath")
	v.exclusive(st, loc, "ToleratedFailurePercentage", "ToleratedFailurePercentagePath")
	v.exclusive(st, loc, "ToleratedFailureCount", "ToleratedFailureCountPath")
	v.exclusive(st, loc, "ItemSelector", "Parameters")

}

// mapField validates the fields only Map states have.
func (v *validator) mapField(c *stateCtx, key string, n *node, loc string) {
	switch key {
	case "ItemProcessor", "Iterator":
		if v.wantObject(n, loc, key) {
			v.processor(c, n, loc)
		}
	case "ItemsPath":
		v.pathField(n, loc, key, referencePath, true, false)
	case "Items":
		if n.kind != kindArray && !(n.kind == kindString && isJSONataExpr(n.text)) {
			v.add(CodeSchema, loc, "The field 'Items' should be an array or a JSONata expression")
			return
		}
		v.jsonataStrings(n, loc)
	case "MaxConcurrency":
		v.numberOrExpr(c, n, loc, key, func() { v.wantInteger(n, loc, key, 0, -1) })
	case "ToleratedFailureCount":
		v.numberOrExpr(c, n, loc, key, func() { v.wantInteger(n, loc, key, 0, -1) })
	case "ToleratedFailurePercentage":
		v.numberOrExpr(c, n, loc, key, func() { v.percentage(n, loc, key) })
	case "MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath":
		// Only ItemsPath may read the context object.
		v.pathField(n, loc, key, referencePath, false, false)
	case "Label":
		if s, ok := v.wantString(n, loc, key); ok {
			if utf8.RuneCountInString(s) > maxLabelLen {
				v.add(CodeSchema, loc, "Maximum length is %d", maxLabelLen)
			} else if strings.ContainsAny(s, " <>{}[]?*\"#%\\^|~`$&,;:/") || hasControl(s) {
				v.add(CodeSchema, loc, "The Label contains characters that are not allowed")
			}
		}
	case "ItemReader":
		v.itemReader(c, n, loc)
	case "ItemBatcher":
		v.itemBatcher(c, n, loc)
	case "ResultWriter":
		v.resultWriter(c, n, loc)
	}
}

func (v *validator) percentage(n *node, loc, key string) {
	f, ok := n.number()
	switch {
	case !ok:
		v.typeError(loc, key, "number")
	case f < 0:
		v.add(CodeSchema, loc, "Minimum value is 0.0")
	case f > toleratedPercentMaximum:
		v.add(CodeSchema, loc, "Maximum value is 100.0")
	}
}

// processor validates ItemProcessor (or the older Iterator): its
// ProcessorConfig, then the sub-machine.
func (v *validator) processor(c *stateCtx, n *node, loc string) {
	if pc := n.get("ProcessorConfig"); pc != nil {
		ploc := loc + "/ProcessorConfig"
		if v.wantObject(pc, ploc, "ProcessorConfig") {
			v.unknownFields(pc, ploc, []string{"Mode", "ExecutionType"})
			mode := "INLINE"
			if m := pc.get("Mode"); m != nil {
				if s, ok := v.wantString(m, ploc+"/Mode", "Mode"); ok {
					if s != "INLINE" && s != "DISTRIBUTED" {
						v.add(CodeSchema, ploc+"/Mode", "Value should be one of the following: [INLINE, DISTRIBUTED]")
					}
					mode = s
				}
			}
			et := pc.get("ExecutionType")
			switch {
			case mode == "DISTRIBUTED" && et == nil:
				v.add(CodeSchema, ploc, "These fields are required: [ExecutionType]")
			case mode == "INLINE" && et != nil:
				v.add(CodeSchema, ploc, "Field 'ExecutionType' is not supported")
			case et != nil:
				if s, ok := v.wantString(et, ploc+"/ExecutionType", "ExecutionType"); ok && s != "STANDARD" && s != "EXPRESS" {
					v.add(CodeSchema, ploc+"/ExecutionType", "Value should be one of the following: [STANDARD, EXPRESS]")
				}
			}
		}
	}
	v.nested(c, n, loc, machineProcessor)
}

// itemReader validates a Distributed Map's ItemReader.
func (v *validator) itemReader(c *stateCtx, n *node, loc string) {
	if !v.wantObject(n, loc, "ItemReader") {
		return
	}
	v.unknownFields(n, loc, []string{"Resource", "ReaderConfig", "Parameters", "Arguments"})
	v.checkLanguageFields(n, loc, c.jsonata)
	if v.required(n, loc, "Resource") {
		if s, ok := v.wantString(n.get("Resource"), loc+"/Resource", "Resource"); ok && !itemReaderResourceRE.MatchString(s) {
			v.add(CodeSchema, loc+"/Resource", "The field 'Resource' does not match any of the allowed values")
		}
	}
	v.integrationPayload(c, n, loc)
	rc := n.get("ReaderConfig")
	if rc == nil || !v.wantObject(rc, loc+"/ReaderConfig", "ReaderConfig") {
		return
	}
	rloc := loc + "/ReaderConfig"
	if it := rc.get("InputType"); it != nil {
		if s, ok := v.wantString(it, rloc+"/InputType", "InputType"); ok && !contains([]string{"CSV", "JSON", "JSONL", "MANIFEST", "PARQUET"}, s) {
			v.add(CodeSchema, rloc+"/InputType", "Value should be one of the following: [CSV, JSON, JSONL, MANIFEST, PARQUET]")
		}
	}
	v.exclusive(rc, rloc, "MaxItems", "MaxItemsPath")
	if mi := rc.get("MaxItems"); mi != nil {
		v.numberOrExpr(c, mi, rloc+"/MaxItems", "MaxItems", func() { v.wantInteger(mi, rloc+"/MaxItems", "MaxItems", 0, maxReaderItems) })
	}
	if mp := rc.get("MaxItemsPath"); mp != nil {
		v.languageOnlyPath(c, mp, rloc, "MaxItemsPath")
	}
	if s, _ := rc.get("InputType").str(); s == "CSV" && !rc.has("CSVHeaderLocation") {
		v.add(CodeSchema, rloc, "These fields are required: [CSVHeaderLocation]")
	}
	if s, _ := rc.get("CSVHeaderLocation").str(); s == "GIVEN" && !rc.has("CSVHeaders") {
		v.add(CodeSchema, rloc, "These fields are required: [CSVHeaders]")
	}
}

// itemBatcher validates a Distributed Map's ItemBatcher.
func (v *validator) itemBatcher(c *stateCtx, n *node, loc string) {
	if !v.wantObject(n, loc, "ItemBatcher") {
		return
	}
	v.unknownFields(n, loc, []string{"MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath", "BatchInput"})
	v.exclusive(n, loc, "MaxItemsPerBatch", "MaxItemsPerBatchPath")
	v.exclusive(n, loc, "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath")
	for _, m := range n.members {
		mloc := loc + "/" + m.key
		switch m.key {
		case "MaxItemsPerBatch":
			v.numberOrExpr(c, m.val, mloc, m.key, func() { v.wantInteger(m.val, mloc, m.key, 0, -1) })
		case "MaxInputBytesPerBatch":
			v.numberOrExpr(c, m.val, mloc, m.key, func() { v.wantInteger(m.val, mloc, m.key, 0, maxInputBytesPerBatch) })
		case "MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath":
			v.languageOnlyPath(c, m.val, loc, m.key)
		case "BatchInput":
			if v.wantObject(m.val, mloc, m.key) {
				if c.jsonata {
					v.jsonataStrings(m.val, mloc)
				} else {
					v.payloadTemplate(m.val, mloc)
				}
			}
		}
	}
}

// resultWriter validates a Distributed Map's ResultWriter.
func (v *validator) resultWriter(c *stateCtx, n *node, loc string) {
	if !v.wantObject(n, loc, "ResultWriter") {
		return
	}
	v.unknownFields(n, loc, []string{"Resource", "Parameters", "Arguments", "WriterConfig"})
	v.checkLanguageFields(n, loc, c.jsonata)
	if r := n.get("Resource"); r != nil {
		if s, ok := v.wantString(r, loc+"/Resource", "Resource"); ok && !resultWriterResouceRE.MatchString(s) {
			v.add(CodeSchema, loc+"/Resource", "The field 'Resource' does not match any of the allowed values")
		}
	}
	if wc := n.get("WriterConfig"); wc != nil {
		wloc := loc + "/WriterConfig"
		if v.wantObject(wc, wloc, "WriterConfig") {
			if t, ok := wc.get("Transformation").str(); ok && !contains([]string{"NONE", "COMPACT", "FLATTEN"}, t) {
				v.add(CodeSchema, wloc+"/Transformation", "Value should be one of the following: [NONE, COMPACT, FLATTEN]")
			}
			if t, ok := wc.get("OutputType").str(); ok && !contains([]string{"JSON", "JSONL"}, t) {
				v.add(CodeSchema, wloc+"/OutputType", "Value should be one of the following: [JSON, JSONL]")
			}
		}
	}
	if !n.has("Resource") && !n.has("WriterConfig") {
		v.add(CodeSchema, loc, "These fields are required: [Resource]")
	}
	v.integrationPayload(c, n, loc)
}

// integrationPayload checks the Parameters (JSONPath) or Arguments (JSONata)
// of an ItemReader or ResultWriter.
func (v *validator) integrationPayload(c *stateCtx, n *node, loc string) {
	if p := n.get("Parameters"); p != nil && !c.jsonata {
		if v.wantObject(p, loc+"/Parameters", "Parameters") {
			v.payloadTemplate(p, loc+"/Parameters")
		}
	}
	if a := n.get("Arguments"); a != nil && c.jsonata {
		if a.kind != kindObject && !(a.kind == kindString && isJSONataExpr(a.text)) {
			v.add(CodeSchema, loc+"/Arguments", "The field 'Arguments' should be an object or a JSONata expression")
			return
		}
		v.jsonataStrings(a, loc+"/Arguments")
	}
}

// languageOnlyPath checks a JSONPath-only "*Path" field inside a Map
// sub-object.
func (v *validator) languageOnlyPath(c *stateCtx, n *node, objLoc, key string) {
	loc := objLoc + "/" + key
	if c.jsonata {
		v.add(CodeSchema, loc, "The QueryLanguage is set to 'JSONata', but field '%s' is only supported for the 'JSONPath' QueryLanguage", key)
		return
	}
	v.pathField(n, loc, key, referencePath, false, false)
}
