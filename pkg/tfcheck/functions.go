package tfcheck

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// functions are the Terraform functions the configuration uses at plan time.
func functions() map[string]function.Function {
	return map[string]function.Function{
		"coalesce":         stdlib.CoalesceFunc,
		"concat":           stdlib.ConcatFunc,
		"contains":         stdlib.ContainsFunc,
		"distinct":         stdlib.DistinctFunc,
		"filebase64sha256": unknownString,
		"floor":            stdlib.FloorFunc,
		"format":           stdlib.FormatFunc,
		"jsondecode":       stdlib.JSONDecodeFunc,
		"jsonencode":       stdlib.JSONEncodeFunc,
		"keys":             stdlib.KeysFunc,
		"length":           lengthFunc,
		"lookup":           stdlib.LookupFunc,
		"merge":            stdlib.MergeFunc,
		"replace":          stdlib.ReplaceFunc,
		"templatefile":     TemplateFileFunc,
		"tostring":         stdlib.MakeToFunc(cty.String),
		"values":           stdlib.ValuesFunc,
	}
}

// lengthFunc is Terraform's length: of a collection, or of a string in
// characters.
var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].Type() == cty.String {
			return stdlib.Strlen(args[0])
		}
		return stdlib.Length(args[0])
	},
})

// unknownString stands in for functions of files that exist only at deploy
// time (the Lambda zips).
var unknownString = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowNull: true},
	Type:     function.StaticReturnType(cty.String),
	Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
		return cty.UnknownVal(cty.String), nil
	},
})

// TemplateFileFunc is Terraform's templatefile: the file is an HCL
// template, every variable it references must be in the map.
var TemplateFileFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "path", Type: cty.String},
		{Name: "vars", Type: cty.DynamicPseudoType, AllowUnknown: true},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return RenderTemplate(args[0].AsString(), args[1])
	},
})

// RenderTemplate renders a template file the way templatefile does.
func RenderTemplate(path string, vars cty.Value) (cty.Value, error) {
	src, err := readFile(path)
	if err != nil {
		return cty.DynamicVal, fmt.Errorf("templatefile: %w", err)
	}
	tmpl, diags := hclsyntax.ParseTemplate(src, path, hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		return cty.DynamicVal, fmt.Errorf("templatefile %s: %s", path, diags.Error())
	}
	if !vars.IsWhollyKnown() {
		return cty.UnknownVal(cty.String), nil
	}
	if !vars.Type().IsObjectType() && !vars.Type().IsMapType() {
		return cty.DynamicVal, fmt.Errorf("templatefile %s: vars must be a map or object", path)
	}
	m := vars.AsValueMap()
	var missing []string
	for _, tr := range tmpl.Variables() {
		if _, ok := m[tr.RootName()]; !ok && !slices.Contains(missing, tr.RootName()) {
			missing = append(missing, tr.RootName())
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return cty.DynamicVal, fmt.Errorf("templatefile %s: vars map does not contain %s", path, strings.Join(missing, ", "))
	}
	v, diags := tmpl.Value(&hcl.EvalContext{Variables: m})
	if diags.HasErrors() {
		return cty.DynamicVal, fmt.Errorf("templatefile %s: %s", path, diags.Error())
	}
	return v, nil
}
