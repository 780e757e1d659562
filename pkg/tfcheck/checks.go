package tfcheck

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Each check returns findings: one line per problem, naming where it is. No
// findings means the check passed.

// CheckCalls finds module calls that miss a required variable or pass one
// the module does not declare (terraform validate would, with providers).
func CheckCalls(root *Scope) []string {
	var out []string
	root.Walk(func(s *Scope) {
		c := s.Call()
		if c == nil {
			return
		}
		for name, v := range s.Module.Variables {
			if _, ok := c.Body.Attributes[name]; !ok && !v.HasDefault {
				out = append(out, fmt.Sprintf("%s: required variable %q not passed", s.Path, name))
			}
		}
		for name := range c.Body.Attributes {
			if name == "source" || metaArgs[name] || name == "providers" {
				continue
			}
			if _, ok := s.Module.Variables[name]; !ok {
				out = append(out, fmt.Sprintf("%s: argument %q is not a variable of %s", s.Path, name, c.Source))
			}
		}
	})
	sort.Strings(out)
	return out
}

// Deployment is one state machine as Terraform would create it.
type Deployment struct {
	// Name is the definition name (statemachines/<Name>.asl.json).
	Name     string
	Instance *Instance
	// ARN is the state machine's (fake) ARN.
	ARN string
	// Vars are the templatefile variables, as strings.
	Vars map[string]string
	// Rendered is the definition Terraform would send.
	Rendered []byte
}

// Deployments finds every aws_sfn_state_machine and renders its definition
// with templatefile's semantics. Its definition must be a templatefile call
// on a file in statemachinesDir.
func Deployments(root *Scope, statemachinesDir string) ([]Deployment, []string) {
	var out []Deployment
	var findings []string
	want, _ := filepath.Abs(statemachinesDir)
	for _, in := range root.AllInstances("aws_sfn_state_machine") {
		a, ok := in.Resource.Body.Attributes["definition"]
		call, isCall := exprOf(a).(*hclsyntax.FunctionCallExpr)
		if !ok || !isCall || call.Name != "templatefile" || len(call.Args) != 2 {
			findings = append(findings, in.Where()+": definition is not templatefile(<statemachines file>, <placeholders>)")
			continue
		}
		path, err := in.Eval(call.Args[0], nil)
		if err != nil || !path.IsKnown() || path.Type() != cty.String {
			findings = append(findings, fmt.Sprintf("%s: definition path does not evaluate: %v", in.Where(), err))
			continue
		}
		p := filepath.Clean(path.AsString())
		if filepath.Dir(p) != want || !strings.HasSuffix(p, ".asl.json") {
			findings = append(findings, fmt.Sprintf("%s: definition %s is not a file of %s", in.Where(), p, want))
			continue
		}
		vars, err := in.Eval(call.Args[1], nil)
		if err != nil {
			findings = append(findings, fmt.Sprintf("%s: placeholders do not evaluate: %v", in.Where(), err))
			continue
		}
		d := Deployment{Name: strings.TrimSuffix(filepath.Base(p), ".asl.json"), Instance: in, Vars: map[string]string{}}
		arn, _ := in.Attr("arn")
		d.ARN = str(arn)
		if vars.IsWhollyKnown() && (vars.Type().IsObjectType() || vars.Type().IsMapType()) {
			for k, v := range vars.AsValueMap() {
				d.Vars[k] = str(v)
			}
		}
		rendered, err := RenderTemplate(p, vars)
		if err != nil {
			findings = append(findings, fmt.Sprintf("%s: %v", in.Where(), err))
			continue
		}
		if !rendered.IsKnown() {
			findings = append(findings, in.Where()+": a placeholder value is unknown at plan time")
			continue
		}
		d.Rendered = []byte(rendered.AsString())
		if v, ok := in.Attr("type"); !ok || str(v) != "STANDARD" {
			findings = append(findings, in.Where()+": type is not STANDARD")
		}
		if !blockAttrEquals(in, "tracing_configuration", "enabled", cty.True) {
			findings = append(findings, in.Where()+": X-Ray tracing is not enabled")
		}
		if bs, _ := in.Blocks(in.Resource.Body, "logging_configuration", nil); len(bs) != 1 {
			findings = append(findings, in.Where()+": no logging_configuration")
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, findings
}

// exprOf returns an attribute's expression, unwrapping parentheses.
func exprOf(a *hclsyntax.Attribute) hclsyntax.Expression {
	if a == nil {
		return nil
	}
	e := a.Expr
	for {
		p, ok := e.(*hclsyntax.ParenthesesExpr)
		if !ok {
			return e
		}
		e = p.Expression
	}
}

// str is a known string (numbers and bools as Terraform converts them), or
// "" for anything else.
func str(v cty.Value) string {
	if v == cty.NilVal || !v.IsKnown() || v.IsNull() {
		return ""
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil || !s.IsKnown() || s.IsNull() {
		return ""
	}
	return s.AsString()
}

// strings of a known list, tuple or set.
func strs(v cty.Value) []string {
	if v == cty.NilVal || !v.IsWhollyKnown() || v.IsNull() || !v.CanIterateElements() {
		return nil
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, str(e))
	}
	return out
}

func blockAttrEquals(in *Instance, block, attr string, want cty.Value) bool {
	bs, err := in.Blocks(in.Resource.Body, block, nil)
	if err != nil || len(bs) == 0 {
		return false
	}
	for _, b := range bs {
		v, ok, err := in.BlockAttr(b, attr)
		if err != nil || !ok || !v.IsKnown() || v.IsNull() || !v.Equals(want).True() {
			return false
		}
	}
	return true
}

// TaskEnv lists the environment variables each task reads, by task.
type TaskEnv map[string][]string

// CheckTasks finds tasks without a function (a zip <task>.zip from the
// package directory), functions not built as the Makefile packages them, a
// function without its own role, role policy and log group, and environment
// variables a task reads that its function does not set.
func CheckTasks(root *Scope, tasks TaskEnv) []string {
	var out []string
	fns := root.AllInstances("aws_lambda_function")
	for task, env := range tasks {
		found := 0
		for _, fn := range fns {
			file, _ := fn.Attr("filename")
			if filepath.Base(str(file)) != task+".zip" {
				continue
			}
			found++
			out = append(out, checkFunction(fn, env)...)
		}
		if found == 0 {
			out = append(out, fmt.Sprintf("task %s: no aws_lambda_function deploys %s.zip", task, task))
		}
	}
	sort.Strings(out)
	return out
}

func checkFunction(fn *Instance, env []string) []string {
	var out []string
	where := fn.Where()
	for attr, want := range map[string]string{"handler": "bootstrap", "runtime": "provided.al2023"} {
		if v, _ := fn.Attr(attr); str(v) != want {
			out = append(out, fmt.Sprintf("%s: %s is %q, want %q", where, attr, str(v), want))
		}
	}
	if v, _ := fn.Attr("architectures"); strings.Join(strs(v), ",") != "arm64" {
		out = append(out, where+": architectures is not [\"arm64\"]")
	}
	if !blockAttrEquals(fn, "tracing_config", "mode", cty.StringVal("Active")) {
		out = append(out, where+": X-Ray tracing is not Active")
	}
	// Its own role, with a policy attached, in the same module instance.
	roleARN, _ := fn.Attr("role")
	var role *Instance
	for _, r := range fn.Scope.AllInstances("aws_iam_role") {
		if a, _ := r.Attr("arn"); r.Scope == fn.Scope && str(a) == str(roleARN) && str(a) != "" {
			role = r
		}
	}
	if role == nil {
		out = append(out, where+": its role is not an aws_iam_role of the same module")
	} else {
		attached := false
		for _, p := range fn.Scope.AllInstances("aws_iam_role_policy") {
			id, _ := role.Attr("id")
			if v, _ := p.Attr("role"); p.Scope == fn.Scope && str(v) == str(id) {
				attached = true
			}
		}
		if !attached {
			out = append(out, where+": its role has no aws_iam_role_policy")
		}
	}
	name, _ := fn.Attr("function_name")
	logged := false
	for _, lg := range fn.Scope.AllInstances("aws_cloudwatch_log_group") {
		n, _ := lg.Attr("name")
		_, retention := lg.Attr("retention_in_days")
		if lg.Scope == fn.Scope && str(n) == "/aws/lambda/"+str(name) && retention {
			logged = true
		}
	}
	if !logged {
		out = append(out, where+": no log group /aws/lambda/<name> with retention")
	}
	set := map[string]bool{}
	if bs, _ := fn.Blocks(fn.Resource.Body, "environment", nil); len(bs) == 1 {
		if v, ok, _ := fn.BlockAttr(bs[0], "variables"); ok && v.IsWhollyKnown() && !v.IsNull() {
			for k := range v.AsValueMap() {
				set[k] = true
			}
		}
	}
	for _, e := range env {
		if !set[e] {
			out = append(out, fmt.Sprintf("%s: environment variable %s, which the task reads, is not set", where, e))
		}
	}
	return out
}

// Statement is one evaluated IAM policy statement.
type Statement struct {
	// Scope is the module instance holding the policy document.
	Scope     *Scope
	Where     string
	Effect    string
	Actions   []string
	Resources []string
	// Principals is true for trust and resource policies.
	Principals bool
}

// Statements evaluates every aws_iam_policy_document statement (dynamic
// ones expanded) in root and below.
func Statements(root *Scope) ([]Statement, []string) {
	var out []Statement
	var findings []string
	root.Walk(func(s *Scope) {
		for _, r := range s.Module.Resources {
			if r.Mode != "data" || r.Type != "aws_iam_policy_document" {
				continue
			}
			for _, in := range s.Instances(r) {
				bs, err := in.Blocks(r.Body, "statement", nil)
				if err != nil {
					findings = append(findings, fmt.Sprintf("%s: %v", in.Where(), err))
					continue
				}
				for i, b := range bs {
					st := Statement{Scope: s, Where: fmt.Sprintf("%s statement %d", in.Where(), i+1), Effect: "Allow"}
					if v, ok, _ := in.BlockAttr(b, "effect"); ok {
						st.Effect = str(v)
					}
					for _, list := range []struct {
						attr string
						dst  *[]string
					}{{"actions", &st.Actions}, {"resources", &st.Resources}} {
						v, ok, err := in.BlockAttr(b, list.attr)
						if !ok {
							continue
						}
						if err != nil || !v.IsWhollyKnown() {
							// A resource list still unknown at plan time holds
							// ARNs AWS assigns, never a literal "*".
							if list.attr == "actions" {
								findings = append(findings, fmt.Sprintf("%s: actions do not evaluate: %v", st.Where, err))
							}
							*list.dst = []string{"<computed>"}
							continue
						}
						*list.dst = strs(v)
					}
					if pb, _ := in.Blocks(b.Body, "principals", b.Extra); len(pb) > 0 {
						st.Principals = true
					}
					out = append(out, st)
				}
			}
		}
	})
	return out, findings
}

// CheckIAM finds statements that grant a wildcard action, or a "*" resource
// where AWS allows a narrower one: allowStar lists the actions that accept
// only "*", each with the reason. Deny statements grant nothing.
func CheckIAM(statements []Statement, allowStar map[string]string) []string {
	var out []string
	for _, st := range statements {
		if st.Effect != "Allow" {
			continue
		}
		if len(st.Actions) == 0 {
			out = append(out, st.Where+": no actions")
		}
		for _, a := range st.Actions {
			if strings.Contains(a, "*") {
				out = append(out, fmt.Sprintf("%s: wildcard action %q", st.Where, a))
			}
		}
		if st.Principals {
			continue // a trust policy names principals, not resources
		}
		if len(st.Resources) == 0 {
			out = append(out, st.Where+": no resources")
		}
		for _, r := range st.Resources {
			if r != "*" {
				continue
			}
			for _, a := range st.Actions {
				if _, ok := allowStar[a]; !ok {
					out = append(out, fmt.Sprintf("%s: resource \"*\" for %s, which accepts a narrower resource", st.Where, a))
				}
			}
		}
	}
	return out
}

// CheckPolicyResources finds IAM policies written other than through an
// aws_iam_policy_document (which CheckIAM could not see) and managed policy
// attachments (whose statements are not in this configuration).
func CheckPolicyResources(root *Scope) []string {
	var out []string
	root.Walk(func(s *Scope) {
		for _, r := range s.Module.Resources {
			switch r.Type {
			case "aws_iam_role_policy", "aws_iam_policy", "aws_s3_bucket_policy", "aws_sqs_queue_policy":
				a := r.Body.Attributes["policy"]
				ok := false
				if a != nil {
					for _, tr := range a.Expr.Variables() {
						if tr.RootName() == "data" && attrName(tr, 1) == "aws_iam_policy_document" {
							ok = true
						}
					}
				}
				if !ok {
					out = append(out, s.Where(r.Pos)+": "+r.Addr()+" policy is not an aws_iam_policy_document")
				}
			case "aws_iam_role_policy_attachment", "aws_iam_policy_attachment":
				out = append(out, s.Where(r.Pos)+": "+r.Addr()+" attaches a policy tfcheck cannot read")
			}
		}
	})
	return out
}

// CheckQueues finds queues that are not encrypted or have no dead-letter
// queue (a queue that is some queue's DLQ needs none).
func CheckQueues(root *Scope) []string {
	var out []string
	queues := root.AllInstances("aws_sqs_queue")
	byARN := map[string]*Instance{}
	for _, q := range queues {
		a, _ := q.Attr("arn")
		byARN[str(a)] = q
	}
	isDLQ := map[*Instance]bool{}
	hasDLQ := map[*Instance]bool{}
	for _, q := range queues {
		rp, ok := q.Attr("redrive_policy")
		if !ok {
			continue
		}
		var policy struct {
			Target   string `json:"deadLetterTargetArn"`
			MaxCount any    `json:"maxReceiveCount"`
		}
		if err := json.Unmarshal([]byte(str(rp)), &policy); err != nil {
			out = append(out, q.Where()+": redrive_policy is not JSON")
			continue
		}
		dlq := byARN[policy.Target]
		if dlq == nil || dlq == q {
			out = append(out, fmt.Sprintf("%s: redrive target %q is not another queue of this configuration", q.Where(), policy.Target))
			continue
		}
		if policy.MaxCount == nil {
			out = append(out, q.Where()+": redrive_policy has no maxReceiveCount")
		}
		hasDLQ[q], isDLQ[dlq] = true, true
	}
	for _, q := range queues {
		if !hasDLQ[q] && !isDLQ[q] {
			out = append(out, q.Where()+": no dead-letter queue")
		}
		sse, _ := q.Attr("sqs_managed_sse_enabled")
		kms, _ := q.Attr("kms_master_key_id")
		if !(sse.IsKnown() && !sse.IsNull() && sse.True()) && str(kms) == "" {
			out = append(out, q.Where()+": not encrypted")
		}
	}
	return out
}

// CheckStorage finds tables without encryption or point-in-time recovery,
// and buckets without default encryption, a full public access block or a
// policy.
func CheckStorage(root *Scope) []string {
	var out []string
	for _, t := range root.AllInstances("aws_dynamodb_table") {
		if !blockAttrEquals(t, "server_side_encryption", "enabled", cty.True) {
			out = append(out, t.Where()+": not encrypted (server_side_encryption.enabled)")
		}
		if !blockAttrEquals(t, "point_in_time_recovery", "enabled", cty.True) {
			out = append(out, t.Where()+": no point-in-time recovery")
		}
		if v, _ := t.Attr("billing_mode"); str(v) != "PAY_PER_REQUEST" {
			out = append(out, t.Where()+": not on demand")
		}
	}
	for _, b := range root.AllInstances("aws_s3_bucket") {
		id, _ := b.Attr("id")
		refers := func(typ string) []*Instance {
			var got []*Instance
			for _, in := range root.AllInstances(typ) {
				if v, _ := in.Attr("bucket"); str(v) == str(id) {
					got = append(got, in)
				}
			}
			return got
		}
		enc := refers("aws_s3_bucket_server_side_encryption_configuration")
		if len(enc) == 0 {
			out = append(out, b.Where()+": no default encryption")
		}
		pab := refers("aws_s3_bucket_public_access_block")
		if len(pab) == 0 {
			out = append(out, b.Where()+": no public access block")
		}
		for _, p := range pab {
			for _, k := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
				if v, _ := p.Attr(k); !v.IsKnown() || v.IsNull() || !v.True() {
					out = append(out, fmt.Sprintf("%s: %s is not true", p.Where(), k))
				}
			}
		}
		if len(refers("aws_s3_bucket_policy")) == 0 {
			out = append(out, b.Where()+": no bucket policy (TLS only)")
		}
	}
	return out
}

// CheckEventSources finds SQS event source mappings without partial batch
// responses or maximum concurrency, and queues whose visibility timeout is
// under six times the timeout of the function they feed.
func CheckEventSources(root *Scope) []string {
	var out []string
	byARN := func(typ string) map[string]*Instance {
		m := map[string]*Instance{}
		for _, in := range root.AllInstances(typ) {
			a, _ := in.Attr("arn")
			m[str(a)] = in
		}
		return m
	}
	queues, fns := byARN("aws_sqs_queue"), byARN("aws_lambda_function")
	for _, m := range root.AllInstances("aws_lambda_event_source_mapping") {
		if v, _ := m.Attr("function_response_types"); !contains(strs(v), "ReportBatchItemFailures") {
			out = append(out, m.Where()+": no ReportBatchItemFailures (partial batch responses)")
		}
		bs, _ := m.Blocks(m.Resource.Body, "scaling_config", nil)
		mc := cty.NilVal
		if len(bs) == 1 {
			mc, _, _ = m.BlockAttr(bs[0], "maximum_concurrency")
		}
		if mc == cty.NilVal || !mc.IsKnown() || mc.IsNull() || mc.Type() != cty.Number || mc.LessThan(cty.NumberIntVal(2)).True() {
			out = append(out, m.Where()+": scaling_config.maximum_concurrency is not set to 2 or more")
		}
		src, _ := m.Attr("event_source_arn")
		fn, _ := m.Attr("function_name")
		q, f := queues[str(src)], fns[str(fn)]
		if q == nil || f == nil {
			out = append(out, m.Where()+": source is not a queue or target not a function of this configuration")
			continue
		}
		vis, _ := q.Attr("visibility_timeout_seconds")
		timeout, ok := f.Attr("timeout")
		if !ok {
			timeout = cty.NumberIntVal(3) // Lambda's default
		}
		if !vis.IsKnown() || vis.IsNull() || !timeout.IsKnown() || vis.LessThan(timeout.Multiply(cty.NumberIntVal(6))).True() {
			out = append(out, fmt.Sprintf("%s: visibility timeout %s of %s is under 6 x the function timeout %s", m.Where(), str(vis), q.Addr(), str(timeout)))
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
