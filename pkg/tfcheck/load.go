// Package tfcheck reads the Terraform configuration in terraform/ as HCL and
// checks what `terraform validate` cannot here (the AWS provider cannot be
// downloaded) and what no linter knows about this project: every definition
// in statemachines/ is deployed with every placeholder supplied, every task
// has a function and a least-privilege role, every queue has a DLQ, storage
// is encrypted, the schedules match pkg/schedule.
//
// It loads the root module and every local module it calls, then evaluates
// expressions the way Terraform would at plan time, with realistic fake
// values (ARNs, queue URLs) standing in for what AWS computes. So a check sees
// the rendered definitions, the resolved environment variables and the IAM
// statements of each module instance, not just the text.
package tfcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Module is one directory of .tf files.
type Module struct {
	Dir       string
	Variables map[string]*Variable
	Locals    map[string]hclsyntax.Expression
	Outputs   map[string]hclsyntax.Expression
	Calls     map[string]*Call
	// Resources holds managed resources and data sources in file order.
	Resources []*Resource
}

// Variable is a variable block.
type Variable struct {
	Name        string
	HasDefault  bool
	Default     cty.Value
	Description string
	Typed       bool
	Validations []Validation
}

// Validation is a variable's validation block.
type Validation struct {
	Condition hclsyntax.Expression
	Pos       string
}

// Call is a module block calling a local module.
type Call struct {
	Name   string
	Source string
	Body   *hclsyntax.Body
	Module *Module
}

// Resource is a resource or data block.
type Resource struct {
	// Mode is "resource" or "data".
	Mode string
	Type string
	Name string
	Body *hclsyntax.Body
	// Pos is file:line, for findings.
	Pos string
}

// Addr is the resource's address inside its module.
func (r *Resource) Addr() string {
	if r.Mode == "data" {
		return "data." + r.Type + "." + r.Name
	}
	return r.Type + "." + r.Name
}

// Load parses dir and, recursively, every local module it calls. A module
// called twice is parsed once.
func Load(dir string) (*Module, error) {
	return load(dir, map[string]*Module{})
}

func load(dir string, seen map[string]*Module) (*Module, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("module %s: %w", dir, err)
	}
	if m, ok := seen[abs]; ok {
		return m, nil
	}
	files, err := filepath.Glob(filepath.Join(abs, "*.tf"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("module %s: no .tf files", dir)
	}
	sort.Strings(files)
	m := &Module{
		Dir:       abs,
		Variables: map[string]*Variable{},
		Locals:    map[string]hclsyntax.Expression{},
		Outputs:   map[string]hclsyntax.Expression{},
		Calls:     map[string]*Call{},
	}
	seen[abs] = m
	parser := hclparse.NewParser()
	for _, path := range files {
		f, diags := parser.ParseHCLFile(path)
		if diags.HasErrors() {
			return nil, fmt.Errorf("parse %s: %s", path, diags.Error())
		}
		if err := m.addFile(path, f.Body.(*hclsyntax.Body)); err != nil {
			return nil, err
		}
	}
	for _, c := range m.Calls {
		if !strings.HasPrefix(c.Source, "./") && !strings.HasPrefix(c.Source, "../") {
			return nil, fmt.Errorf("module %q in %s: source %q is not local; tfcheck reads local modules only", c.Name, dir, c.Source)
		}
		child, err := load(filepath.Join(abs, c.Source), seen)
		if err != nil {
			return nil, fmt.Errorf("module %q: %w", c.Name, err)
		}
		c.Module = child
	}
	return m, nil
}

func (m *Module) addFile(path string, body *hclsyntax.Body) error {
	rel := filepath.Base(path)
	for _, b := range body.Blocks {
		pos := fmt.Sprintf("%s:%d", rel, b.TypeRange.Start.Line)
		switch b.Type {
		case "variable":
			v := &Variable{Name: b.Labels[0], Default: cty.NullVal(cty.DynamicPseudoType)}
			if a, ok := b.Body.Attributes["default"]; ok {
				val, diags := a.Expr.Value(nil)
				if diags.HasErrors() {
					return fmt.Errorf("%s: default of %s: %s", pos, v.Name, diags.Error())
				}
				v.HasDefault, v.Default = true, val
			}
			_, v.Typed = b.Body.Attributes["type"]
			if a, ok := b.Body.Attributes["description"]; ok {
				if d, diags := a.Expr.Value(nil); !diags.HasErrors() && d.Type() == cty.String {
					v.Description = d.AsString()
				}
			}
			for _, vb := range b.Body.Blocks {
				if c, ok := vb.Body.Attributes["condition"]; ok && vb.Type == "validation" {
					v.Validations = append(v.Validations, Validation{Condition: c.Expr, Pos: fmt.Sprintf("%s:%d", rel, vb.TypeRange.Start.Line)})
				}
			}
			m.Variables[v.Name] = v
		case "locals":
			for name, a := range b.Body.Attributes {
				m.Locals[name] = a.Expr
			}
		case "output":
			if a, ok := b.Body.Attributes["value"]; ok {
				m.Outputs[b.Labels[0]] = a.Expr
			}
		case "module":
			c := &Call{Name: b.Labels[0], Body: b.Body}
			if a, ok := b.Body.Attributes["source"]; ok {
				v, diags := a.Expr.Value(nil)
				if diags.HasErrors() || v.Type() != cty.String {
					return fmt.Errorf("%s: module %s: source must be a literal string", pos, c.Name)
				}
				c.Source = v.AsString()
			}
			if _, ok := b.Body.Attributes["for_each"]; ok {
				return fmt.Errorf("%s: module %s: for_each on modules is not supported by tfcheck", pos, c.Name)
			}
			if _, ok := b.Body.Attributes["count"]; ok {
				return fmt.Errorf("%s: module %s: count on modules is not supported by tfcheck", pos, c.Name)
			}
			m.Calls[c.Name] = c
		case "resource", "data":
			m.Resources = append(m.Resources, &Resource{Mode: b.Type, Type: b.Labels[0], Name: b.Labels[1], Body: b.Body, Pos: pos})
		}
	}
	return nil
}

// resource finds a resource or data block by mode, type and name.
func (m *Module) resource(mode, typ, name string) *Resource {
	for _, r := range m.Resources {
		if r.Mode == mode && r.Type == typ && r.Name == name {
			return r
		}
	}
	return nil
}

// readFile is os.ReadFile, replaceable in tests of the template function.
var readFile = os.ReadFile

// hclPos formats a range for a finding.
func hclPos(r hcl.Range) string {
	return fmt.Sprintf("%s:%d", filepath.Base(r.Filename), r.Start.Line)
}
