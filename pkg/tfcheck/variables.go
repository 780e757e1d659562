package tfcheck

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/customdecode"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// CheckVariables finds variables without a type or description, and
// validation conditions that fail for the value each module instance gets
// (the caller's argument, else the default), as a plan would.
func CheckVariables(root *Scope) []string {
	var out []string
	root.Walk(func(s *Scope) {
		for name, v := range s.Module.Variables {
			where := s.Where("variable " + name)
			if !v.Typed {
				out = append(out, where+": no type")
			}
			if strings.TrimSpace(v.Description) == "" {
				out = append(out, where+": no description")
			}
			val := s.Var(name)
			if v.HasDefault && v.Default.IsNull() && val.IsNull() {
				continue // an optional input left out
			}
			out = append(out, checkValidations(s, v, val)...)
		}
	})
	sort.Strings(out)
	return out
}

func checkValidations(s *Scope, v *Variable, val cty.Value) []string {
	if !val.IsWhollyKnown() {
		return nil // computed at apply time; AWS's values pass or Terraform says so
	}
	var out []string
	for _, vd := range v.Validations {
		ctx := &hcl.EvalContext{
			Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{v.Name: val})},
			Functions: validationFunctions(),
		}
		ok, diags := vd.Condition.Value(ctx)
		switch {
		case diags.HasErrors():
			out = append(out, fmt.Sprintf("%s: validation does not evaluate for %s: %s", s.Where(vd.Pos), v.Name, diags.Error()))
		case !ok.IsKnown() || ok.IsNull() || ok.Type() != cty.Bool:
			out = append(out, fmt.Sprintf("%s: validation of %s is not a known bool", s.Where(vd.Pos), v.Name))
		case ok.False():
			out = append(out, fmt.Sprintf("%s: %s = %s fails its validation", s.Where(vd.Pos), v.Name, val.GoString()))
		}
	}
	return out
}

// CheckTfvars finds assignments in a .tfvars file to variables the root
// does not declare, or that fail their validation.
func CheckTfvars(root *Scope, path string) []string {
	src, err := os.ReadFile(path)
	if err != nil {
		return []string{err.Error()}
	}
	f, diags := hclparse.NewParser().ParseHCL(src, path)
	if diags.HasErrors() {
		return []string{diags.Error()}
	}
	attrs, diags := f.Body.JustAttributes()
	if diags.HasErrors() {
		return []string{diags.Error()}
	}
	var out []string
	for name, a := range attrs {
		v := root.Module.Variables[name]
		if v == nil {
			out = append(out, fmt.Sprintf("%s: %s is not a variable of the root module", path, name))
			continue
		}
		val, diags := a.Expr.Value(nil)
		if diags.HasErrors() {
			out = append(out, fmt.Sprintf("%s: %s: %s", path, name, diags.Error()))
			continue
		}
		out = append(out, checkValidations(root, v, val)...)
	}
	sort.Strings(out)
	return out
}

// validationFunctions adds what conditions use to the plan-time functions;
// can is Terraform's: false when its expression fails.
func validationFunctions() map[string]function.Function {
	fns := functions()
	fns["can"] = canFunc
	fns["regex"] = stdlib.RegexFunc
	fns["floor"] = stdlib.FloorFunc
	fns["trimspace"] = stdlib.TrimSpaceFunc
	fns["strcontains"] = strcontainsFunc
	fns["alltrue"] = allAnyFunc(true)
	fns["anytrue"] = allAnyFunc(false)
	return fns
}

var canFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "expression", Type: customdecode.ExpressionClosureType}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, diags := customdecode.ExpressionClosureFromVal(args[0]).Value()
		if diags.HasErrors() {
			return cty.False, nil
		}
		if !v.IsWhollyKnown() {
			return cty.UnknownVal(cty.Bool), nil
		}
		return cty.True, nil
	},
})

var strcontainsFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "substr", Type: cty.String}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.BoolVal(strings.Contains(args[0].AsString(), args[1].AsString())), nil
	},
})

// allAnyFunc is alltrue (all) or anytrue over a list of bools.
func allAnyFunc(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			for it := args[0].ElementIterator(); it.Next(); {
				_, v := it.Element()
				if !v.IsKnown() || v.IsNull() {
					return cty.UnknownVal(cty.Bool), nil
				}
				if v.True() != all {
					return cty.BoolVal(!all), nil
				}
			}
			return cty.BoolVal(all), nil
		},
	})
}

// CheckPreconditions evaluates every resource's lifecycle preconditions in
// each instance, as a plan would (with the fake computed values).
func CheckPreconditions(root *Scope) []string {
	var out []string
	root.Walk(func(s *Scope) {
		for _, r := range s.Module.Resources {
			for _, lc := range r.Body.Blocks {
				if lc.Type != "lifecycle" {
					continue
				}
				for _, pc := range lc.Body.Blocks {
					c, ok := pc.Body.Attributes["condition"]
					if pc.Type != "precondition" || !ok {
						continue
					}
					for _, in := range s.Instances(r) {
						v, err := in.Eval(c.Expr, nil)
						switch {
						case err != nil:
							out = append(out, fmt.Sprintf("%s: precondition does not evaluate: %v", in.Where(), err))
						case !v.IsKnown() || v.IsNull() || v.Type() != cty.Bool:
							out = append(out, in.Where()+": precondition is not a known bool")
						case v.False():
							out = append(out, fmt.Sprintf("%s: precondition at line %d fails", in.Where(), pc.TypeRange.Start.Line))
						}
					}
				}
			}
		}
	})
	sort.Strings(out)
	return out
}
