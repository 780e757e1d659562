package validate

import (
	"bytes"
	"fmt"
)

// validator collects the diagnostics of one definition.
type validator struct {
	opts  Options
	diags []Diagnostic
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
		if se, ok := err.(*syntaxError); ok {
			loc = fmt.Sprintf("line: %d, column: %d", se.line, se.column)
		}
		v.add(CodeInvalidJSON, loc, "%s", err.Error())
		return
	}
	if root.kind != kindObject {
		v.add(CodeSchema, "", "Definition must be a valid JSON object")
		return
	}
	v.machine(root)
}
