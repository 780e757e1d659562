package tfcheck

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Fakes are the values AWS would compute, as a plan would show them once
// applied: the account and region every fake ARN and URL is built from.
type Fakes struct {
	Account string
	Region  string
}

// DefaultFakes are realistic values for an example account.
var DefaultFakes = Fakes{Account: "123456789012", Region: "eu-west-1"}

// Scope is one instance of a module: the root, or a module call inside a
// scope. It evaluates expressions lazily with memoisation; a reference that
// would loop (Terraform resolves those per attribute) is unknown.
type Scope struct {
	// Path is the module address, "" for the root ("module.gate.module.queue").
	Path   string
	Module *Module
	Fakes  Fakes

	parent   *Scope
	call     *Call
	rootDir  string
	children map[string]*Scope
	memo     map[string]cty.Value
	busy     map[string]bool
	insts    map[*Resource][]*Instance
	loops    *[]string
}

// Loops lists the references that led back to themselves during
// evaluation. Evaluation is coarser than Terraform's graph (a resource's
// arguments are evaluated together), so none here means Terraform finds no
// cycle either.
func (s *Scope) Loops() []string { return *s.loops }

func (s *Scope) noteLoop(key string) {
	*s.loops = append(*s.loops, s.Where(key))
}

// NewRoot is the root scope of a loaded module.
func NewRoot(m *Module, f Fakes) *Scope {
	s := newScope("", m, f, nil, nil, m.Dir)
	s.loops = new([]string)
	return s
}

func newScope(path string, m *Module, f Fakes, parent *Scope, call *Call, rootDir string) *Scope {
	return &Scope{
		Path: path, Module: m, Fakes: f, parent: parent, call: call, rootDir: rootDir,
		children: map[string]*Scope{}, memo: map[string]cty.Value{}, busy: map[string]bool{}, insts: map[*Resource][]*Instance{},
	}
}

// Call is the module call that made this scope (nil for the root).
func (s *Scope) Call() *Call { return s.call }

// Child is the scope of a module call in s.
func (s *Scope) Child(name string) *Scope {
	if c, ok := s.children[name]; ok {
		return c
	}
	call := s.Module.Calls[name]
	if call == nil {
		return nil
	}
	path := "module." + name
	if s.Path != "" {
		path = s.Path + "." + path
	}
	c := newScope(path, call.Module, s.Fakes, s, call, s.rootDir)
	c.loops = s.loops
	s.children[name] = c
	return c
}

// Walk visits s and every scope below it, calls in name order.
func (s *Scope) Walk(fn func(*Scope)) {
	fn(s)
	names := make([]string, 0, len(s.Module.Calls))
	for n := range s.Module.Calls {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s.Child(n).Walk(fn)
	}
}

// Where names a position inside this scope for a finding.
func (s *Scope) Where(pos string) string {
	dir := filepath.Base(s.Module.Dir)
	if s.Path == "" {
		return pos
	}
	return s.Path + " (" + dir + "/" + pos + ")"
}

// Eval evaluates an expression in this scope; extra adds variables such as
// each or a dynamic block's iterator.
func (s *Scope) Eval(expr hcl.Expression, extra map[string]cty.Value) (cty.Value, error) {
	ctx := s.evalContext(expr, extra)
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return cty.DynamicVal, errors.New(diags.Error())
	}
	return v, nil
}

// Var is the value of a variable in this scope: the caller's argument, else
// the default; a root variable without default gets an example string.
func (s *Scope) Var(name string) cty.Value {
	return s.memoize("var."+name, func() cty.Value {
		if s.call != nil {
			if a, ok := s.call.Body.Attributes[name]; ok {
				v, err := s.parent.Eval(a.Expr, nil)
				if err != nil {
					return cty.DynamicVal
				}
				return v
			}
		}
		v := s.Module.Variables[name]
		switch {
		case v == nil:
			return cty.DynamicVal
		case v.HasDefault:
			return v.Default
		case s.call == nil:
			return cty.StringVal("example-" + strings.ReplaceAll(name, "_", "-"))
		}
		return cty.DynamicVal
	})
}

// Local is the value of a local.
func (s *Scope) Local(name string) cty.Value {
	return s.memoize("local."+name, func() cty.Value {
		e, ok := s.Module.Locals[name]
		if !ok {
			return cty.DynamicVal
		}
		v, err := s.Eval(e, nil)
		if err != nil {
			return cty.DynamicVal
		}
		return v
	})
}

// Output is the value of one of the module's outputs.
func (s *Scope) Output(name string) cty.Value {
	return s.memoize("output."+name, func() cty.Value {
		e, ok := s.Module.Outputs[name]
		if !ok {
			return cty.DynamicVal
		}
		v, err := s.Eval(e, nil)
		if err != nil {
			return cty.DynamicVal
		}
		return v
	})
}

func (s *Scope) memoize(key string, fn func() cty.Value) cty.Value {
	if v, ok := s.memo[key]; ok {
		return v
	}
	if s.busy[key] {
		s.noteLoop(key)
		return cty.DynamicVal
	}
	s.busy[key] = true
	v := fn()
	delete(s.busy, key)
	s.memo[key] = v
	return v
}

// Instance is one instance of a resource (one per for_each key).
type Instance struct {
	Scope    *Scope
	Resource *Resource
	// Key is the for_each key, "" without for_each.
	Key string
	// Each is the each object for for_each instances.
	Each cty.Value
	// Value holds the evaluated arguments plus fake computed attributes.
	Value cty.Value
}

// Addr is the instance's full address.
func (in *Instance) Addr() string {
	a := in.Resource.Addr()
	if in.Key != "" {
		a += fmt.Sprintf("[%q]", in.Key)
	}
	if in.Scope.Path != "" {
		a = in.Scope.Path + "." + a
	}
	return a
}

// Where is the instance's address and source position.
func (in *Instance) Where() string {
	return in.Addr() + " (" + filepath.Base(in.Scope.Module.Dir) + "/" + in.Resource.Pos + ")"
}

// Eval evaluates an expression inside the instance (each is set).
func (in *Instance) Eval(expr hcl.Expression, extra map[string]cty.Value) (cty.Value, error) {
	vars := map[string]cty.Value{}
	if in.Each != cty.NilVal {
		vars["each"] = in.Each
	}
	for k, v := range extra {
		vars[k] = v
	}
	return in.Scope.Eval(expr, vars)
}

// Attr is an evaluated top-level argument; ok is false when it is absent.
func (in *Instance) Attr(name string) (cty.Value, bool) {
	if !in.Value.Type().IsObjectType() || !in.Value.Type().HasAttribute(name) {
		return cty.NilVal, false
	}
	_, present := in.Resource.Body.Attributes[name]
	return in.Value.GetAttr(name), present
}

// Block is one block of a resource body (static or expanded from dynamic),
// with the variables its content is evaluated with.
type Block struct {
	Body  *hclsyntax.Body
	Extra map[string]cty.Value
}

// Blocks returns the nested blocks of a type in body, expanding dynamic
// blocks with their for_each evaluated in the instance.
func (in *Instance) Blocks(body *hclsyntax.Body, typ string, extra map[string]cty.Value) ([]Block, error) {
	var out []Block
	for _, b := range body.Blocks {
		switch {
		case b.Type == typ:
			out = append(out, Block{Body: b.Body, Extra: extra})
		case b.Type == "dynamic" && len(b.Labels) == 1 && b.Labels[0] == typ:
			fe, ok := b.Body.Attributes["for_each"]
			if !ok {
				return nil, fmt.Errorf("dynamic %q without for_each", typ)
			}
			coll, err := in.Eval(fe.Expr, extra)
			if err != nil {
				return nil, fmt.Errorf("dynamic %q for_each: %w", typ, err)
			}
			if !coll.IsWhollyKnown() || !coll.CanIterateElements() {
				return nil, fmt.Errorf("dynamic %q for_each is not a known collection", typ)
			}
			var content *hclsyntax.Body
			for _, cb := range b.Body.Blocks {
				if cb.Type == "content" {
					content = cb.Body
				}
			}
			for it := coll.ElementIterator(); it.Next(); {
				k, v := it.Element()
				vars := map[string]cty.Value{}
				for kk, vv := range extra {
					vars[kk] = vv
				}
				vars[typ] = cty.ObjectVal(map[string]cty.Value{"key": k, "value": v})
				out = append(out, Block{Body: content, Extra: vars})
			}
		}
	}
	return out, nil
}

// BlockAttr evaluates an argument of a block.
func (in *Instance) BlockAttr(b Block, name string) (cty.Value, bool, error) {
	a, ok := b.Body.Attributes[name]
	if !ok {
		return cty.NilVal, false, nil
	}
	v, err := in.Eval(a.Expr, b.Extra)
	return v, true, err
}

// Instances evaluates a resource of this scope's module.
func (s *Scope) Instances(r *Resource) []*Instance {
	if ins, ok := s.insts[r]; ok {
		return ins
	}
	key := "res." + r.Addr()
	if s.busy[key] {
		s.noteLoop(key)
		return nil
	}
	s.busy[key] = true
	defer delete(s.busy, key)
	var ins []*Instance
	if fe, ok := r.Body.Attributes["for_each"]; ok {
		coll, err := s.Eval(fe.Expr, nil)
		if err == nil && coll.IsWhollyKnown() && coll.CanIterateElements() {
			for it := coll.ElementIterator(); it.Next(); {
				k, v := it.Element()
				if k.Type() != cty.String {
					k = v // a set's key is its value
				}
				in := &Instance{Scope: s, Resource: r, Key: k.AsString(), Each: cty.ObjectVal(map[string]cty.Value{"key": k, "value": v})}
				in.Value = s.instanceValue(in)
				ins = append(ins, in)
			}
		}
	} else {
		in := &Instance{Scope: s, Resource: r}
		in.Value = s.instanceValue(in)
		ins = append(ins, in)
	}
	s.insts[r] = ins
	return ins
}

// AllInstances lists every instance of every managed resource of a type in
// s and below.
func (s *Scope) AllInstances(typ string) []*Instance {
	var out []*Instance
	s.Walk(func(sc *Scope) {
		for _, r := range sc.Module.Resources {
			if r.Mode == "resource" && r.Type == typ {
				out = append(out, sc.Instances(r)...)
			}
		}
	})
	return out
}

var metaArgs = map[string]bool{"for_each": true, "count": true, "depends_on": true, "provider": true}

func (s *Scope) instanceValue(in *Instance) cty.Value {
	attrs := map[string]cty.Value{}
	for name, a := range in.Resource.Body.Attributes {
		if metaArgs[name] {
			continue
		}
		v, err := in.Eval(a.Expr, nil)
		if err != nil {
			v = cty.DynamicVal
		}
		attrs[name] = v
	}
	if in.Resource.Mode == "data" {
		return s.dataValue(in.Resource.Type, attrs)
	}
	for k, v := range s.computed(in.Resource.Type, attrs) {
		if _, set := attrs[k]; !set {
			attrs[k] = v
		}
	}
	return cty.ObjectVal(attrs)
}

// computed fakes the attributes AWS assigns, from the resource's name.
func (s *Scope) computed(typ string, attrs map[string]cty.Value) map[string]cty.Value {
	name := ""
	for _, k := range []string{"name", "function_name", "bucket", "alarm_name"} {
		if v, ok := attrs[k]; ok && v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
			name = v.AsString()
			break
		}
	}
	r, a := s.Fakes.Region, s.Fakes.Account
	str := cty.StringVal
	switch typ {
	case "aws_lambda_function":
		arn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", r, a, name)
		return map[string]cty.Value{"arn": str(arn), "id": str(name), "invoke_arn": str("arn:aws:apigateway:" + r + ":lambda:path/2015-03-31/functions/" + arn + "/invocations")}
	case "aws_iam_role":
		return map[string]cty.Value{"arn": str(fmt.Sprintf("arn:aws:iam::%s:role/%s", a, name)), "id": str(name), "unique_id": str("AROAEXAMPLE")}
	case "aws_sqs_queue":
		url := fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", r, a, name)
		return map[string]cty.Value{"arn": str(fmt.Sprintf("arn:aws:sqs:%s:%s:%s", r, a, name)), "id": str(url), "url": str(url)}
	case "aws_sfn_state_machine":
		return map[string]cty.Value{"arn": str(fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", r, a, name)), "id": str(name)}
	case "aws_cloudwatch_log_group":
		return map[string]cty.Value{"arn": str(fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", r, a, name)), "id": str(name)}
	case "aws_dynamodb_table":
		return map[string]cty.Value{"arn": str(fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", r, a, name)), "id": str(name)}
	case "aws_s3_bucket":
		return map[string]cty.Value{"arn": str("arn:aws:s3:::" + name), "id": str(name)}
	case "aws_secretsmanager_secret":
		arn := fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-AbCdEf", r, a, name)
		return map[string]cty.Value{"arn": str(arn), "id": str(arn)}
	case "aws_scheduler_schedule":
		return map[string]cty.Value{"arn": str(fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule/default/%s", r, a, name)), "id": str("default/" + name)}
	case "aws_cloudwatch_metric_alarm":
		return map[string]cty.Value{"arn": str(fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", r, a, name)), "id": str(name)}
	}
	return map[string]cty.Value{"id": str("fake-" + typ)}
}

func (s *Scope) dataValue(typ string, attrs map[string]cty.Value) cty.Value {
	str := cty.StringVal
	switch typ {
	case "aws_caller_identity":
		return cty.ObjectVal(map[string]cty.Value{"account_id": str(s.Fakes.Account), "arn": str("arn:aws:iam::" + s.Fakes.Account + ":user/deployer")})
	case "aws_region":
		return cty.ObjectVal(map[string]cty.Value{"name": str(s.Fakes.Region), "region": str(s.Fakes.Region)})
	case "aws_partition":
		return cty.ObjectVal(map[string]cty.Value{"partition": str("aws"), "dns_suffix": str("amazonaws.com")})
	case "aws_iam_policy_document":
		attrs["json"] = str(`{"Version":"2012-10-17","Statement":[]}`)
		return cty.ObjectVal(attrs)
	}
	return cty.DynamicVal
}

// evalContext builds the variables an expression references, and only those.
func (s *Scope) evalContext(expr hcl.Expression, extra map[string]cty.Value) *hcl.EvalContext {
	tree := node{}
	for _, tr := range expr.Variables() {
		root := tr.RootName()
		if _, ok := extra[root]; ok {
			continue
		}
		a1, a2 := attrName(tr, 1), attrName(tr, 2)
		switch root {
		case "var":
			tree.set(s.Var(a1), root, a1)
		case "local":
			tree.set(s.Local(a1), root, a1)
		case "module":
			c := s.Child(a1)
			if c == nil {
				continue
			}
			if a2 == "" {
				for o := range c.Module.Outputs {
					tree.set(c.Output(o), root, a1, o)
				}
				continue
			}
			tree.set(c.Output(a2), root, a1, a2)
		case "data":
			if r := s.Module.resource("data", a1, a2); r != nil {
				if ins := s.Instances(r); len(ins) == 1 {
					tree.set(ins[0].Value, root, a1, a2)
				}
			}
		case "path":
			tree.set(cty.StringVal(s.Module.Dir), root, "module")
			tree.set(cty.StringVal(s.rootDir), root, "root")
			tree.set(cty.StringVal(s.rootDir), root, "cwd")
		case "terraform":
			tree.set(cty.StringVal("default"), root, "workspace")
		case "each", "count", "self":
		default:
			r := s.Module.resource("resource", root, a1)
			if r == nil {
				continue
			}
			ins := s.Instances(r)
			if _, each := r.Body.Attributes["for_each"]; each {
				m := map[string]cty.Value{}
				for _, in := range ins {
					m[in.Key] = in.Value
				}
				tree.set(objectOrEmpty(m), root, a1)
			} else if len(ins) == 1 {
				tree.set(ins[0].Value, root, a1)
			}
		}
	}
	vars := tree.values()
	for k, v := range extra {
		vars[k] = v
	}
	return &hcl.EvalContext{Variables: vars, Functions: functions()}
}

func attrName(tr hcl.Traversal, i int) string {
	if len(tr) <= i {
		return ""
	}
	if a, ok := tr[i].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

// node is a tree of object attributes whose leaves are values.
type node map[string]any

func (n node) set(v cty.Value, path ...string) {
	for _, p := range path[:len(path)-1] {
		child, ok := n[p].(node)
		if !ok {
			child = node{}
			n[p] = child
		}
		n = child
	}
	n[path[len(path)-1]] = v
}

func (n node) values() map[string]cty.Value {
	out := map[string]cty.Value{}
	for k, v := range n {
		switch v := v.(type) {
		case node:
			out[k] = cty.ObjectVal(v.values())
		case cty.Value:
			out[k] = v
		}
	}
	return out
}

func objectOrEmpty(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}
