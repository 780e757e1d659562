package tfcheck

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/asl/validate"
	"github.com/logiwaflow/logiwaflow/pkg/schedule"
	"github.com/logiwaflow/logiwaflow/statemachines"
)

const (
	terraformDir     = "../../terraform"
	statemachinesDir = "../../statemachines"
	tasksDir         = "../../tasks"
)

// allowStar lists the actions AWS accepts only on resource "*", and why.
var allowStar = map[string]string{
	"xray:PutTraceSegments":         "X-Ray has no resource-level permissions",
	"xray:PutTelemetryRecords":      "X-Ray has no resource-level permissions",
	"xray:GetSamplingRules":         "X-Ray has no resource-level permissions",
	"xray:GetSamplingTargets":       "X-Ray has no resource-level permissions",
	"logs:CreateLogDelivery":        "CloudWatch Logs vended delivery (Step Functions logging) supports only *",
	"logs:DeleteLogDelivery":        "CloudWatch Logs vended delivery supports only *",
	"logs:GetLogDelivery":           "CloudWatch Logs vended delivery supports only *",
	"logs:ListLogDeliveries":        "CloudWatch Logs vended delivery supports only *",
	"logs:UpdateLogDelivery":        "CloudWatch Logs vended delivery supports only *",
	"logs:PutResourcePolicy":        "account-level log resource policy, required by Step Functions logging, supports only *",
	"logs:DescribeResourcePolicies": "account-level list, supports only *",
	"logs:DescribeLogGroups":        "Step Functions logging setup lists log groups; supports only *",
}

func root(t *testing.T) *Scope {
	t.Helper()
	m, err := Load(terraformDir)
	if err != nil {
		t.Fatal(err)
	}
	return NewRoot(m, DefaultFakes)
}

func noFindings(t *testing.T, what string, findings []string) {
	t.Helper()
	for _, f := range findings {
		t.Errorf("%s: %s", what, f)
	}
}

func TestModuleCallsMatchModuleVariables(t *testing.T) {
	noFindings(t, "module calls", CheckCalls(root(t)))
}

// Every variable is typed and described, and every validation holds for the
// values the configuration passes and for the example tfvars.
func TestVariablesAreDocumentedAndValid(t *testing.T) {
	r := root(t)
	noFindings(t, "variables", CheckVariables(r))
	noFindings(t, "terraform.tfvars.example", CheckTfvars(r, filepath.Join(terraformDir, "terraform.tfvars.example")))
	noFindings(t, "preconditions", CheckPreconditions(r))
}

// Every file in statemachines/ is deployed once, from the file itself,
// every placeholder supplied with a value of the right kind, and the
// definition Terraform would send passes our engine's validation.
func TestEveryDefinitionIsDeployedRenderedAndValid(t *testing.T) {
	deployed, findings := Deployments(root(t), statemachinesDir)
	noFindings(t, "deployments", findings)
	var got []string
	for _, d := range deployed {
		got = append(got, d.Name)
	}
	if want := statemachines.Names(); !slices.Equal(got, want) {
		t.Fatalf("deployed definitions %v, statemachines/ has %v (each exactly once)", got, want)
	}
	lambdaARN := regexp.MustCompile(`^arn:aws:lambda:eu-west-1:123456789012:function:logiwaflow-([a-z-]+)$`)
	for _, d := range deployed {
		t.Run(d.Name, func(t *testing.T) {
			names, err := statemachines.Placeholders(d.Name)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range names {
				v, ok := d.Vars[p]
				if !ok {
					t.Errorf("placeholder %s is not supplied", p)
					continue
				}
				t.Logf("%s = %s", p, v)
				switch {
				case strings.HasSuffix(p, "_function_arn"):
					// The validate_function_arn is the validate task's function.
					task := strings.ReplaceAll(strings.TrimSuffix(p, "_function_arn"), "_", "-")
					if m := lambdaARN.FindStringSubmatch(v); m == nil || m[1] != task {
						t.Errorf("%s = %q, want the ARN of the %s function", p, v, task)
					}
				case p == "gate_queue_url":
					if v != "https://sqs.eu-west-1.amazonaws.com/123456789012/logiwaflow-gate" {
						t.Errorf("gate_queue_url = %q, want the gate queue's URL", v)
					}
				case p == "flow":
					if v != d.Name {
						t.Errorf("flow = %q in definition %s", v, d.Name)
					}
				case p == "gate_timeout_seconds" || p == "latency_threshold_ms":
					if !regexp.MustCompile(`^[1-9][0-9]*$`).MatchString(v) {
						t.Errorf("%s = %q, want a whole number", p, v)
					}
				default:
					t.Errorf("placeholder %s has no check here: add one", p)
				}
			}
			if strings.Contains(string(d.Rendered), "${") {
				t.Fatal("rendered definition still holds a placeholder")
			}
			if err := validate.Error(validate.Definition(d.Rendered)); err != nil {
				t.Fatalf("rendered %s does not validate: %v", d.Name, err)
			}
			if !strings.HasSuffix(d.ARN, ":stateMachine:logiwaflow-"+d.Name) {
				t.Errorf("state machine ARN %s is not named after its definition", d.ARN)
			}
		})
	}
}

// taskEnv reads the environment variables each tasks/<task>/main.go reads
// with lambdarun.MustEnv.
func taskEnv(t *testing.T) TaskEnv {
	t.Helper()
	dirs, err := os.ReadDir(tasksDir)
	if err != nil {
		t.Fatal(err)
	}
	mustEnv := regexp.MustCompile(`MustEnv\("([A-Z0-9_]+)"\)`)
	out := TaskEnv{}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		src, err := os.ReadFile(filepath.Join(tasksDir, d.Name(), "main.go"))
		if err != nil {
			t.Fatal(err)
		}
		out[d.Name()] = nil
		for _, m := range mustEnv.FindAllStringSubmatch(string(src), -1) {
			out[d.Name()] = append(out[d.Name()], m[1])
		}
	}
	if len(out) < 7 || len(out["call-logiwa"]) < 7 {
		t.Fatalf("tasks read oddly: %v", out)
	}
	return out
}

func TestEveryTaskHasAFunctionAndARole(t *testing.T) {
	r := root(t)
	noFindings(t, "tasks", CheckTasks(r, taskEnv(t)))
	// One function per shared task, one trigger per flow, one gate worker.
	if n := len(r.AllInstances("aws_lambda_function")); n != 9 {
		t.Errorf("%d functions, want 9", n)
	}
}

func TestIAMIsLeastPrivilege(t *testing.T) {
	r := root(t)
	statements, findings := Statements(r)
	noFindings(t, "statements", findings)
	noFindings(t, "IAM", CheckIAM(statements, allowStar))
	noFindings(t, "policies", CheckPolicyResources(r))
	// The checks saw the statements passed into the Lambda module too.
	var secret bool
	for _, st := range statements {
		if slices.Contains(st.Actions, "secretsmanager:GetSecretValue") {
			secret = slices.Equal(st.Resources, []string{"arn:aws:secretsmanager:eu-west-1:123456789012:secret:logiwaflow/logiwa-credentials-AbCdEf"})
		}
	}
	if !secret || len(statements) < 40 {
		t.Fatalf("saw %d statements; call-logiwa's secret statement resolved: %v", len(statements), secret)
	}
}

func TestQueuesHaveDLQsAndStorageIsEncrypted(t *testing.T) {
	r := root(t)
	noFindings(t, "queues", CheckQueues(r))
	noFindings(t, "storage", CheckStorage(r))
	if n := len(r.AllInstances("aws_sqs_queue")); n != 8 {
		t.Errorf("%d queues, want 8 (inventory, orders, refunds, gate and their DLQs)", n)
	}
	if n := len(r.AllInstances("aws_dynamodb_table")); n != 2 {
		t.Errorf("%d tables, want 2", n)
	}
}

func TestEventSourceMappings(t *testing.T) {
	r := root(t)
	noFindings(t, "event sources", CheckEventSources(r))
	ms := r.AllInstances("aws_lambda_event_source_mapping")
	if len(ms) != 4 {
		t.Fatalf("%d event source mappings, want 4 (three triggers and the gate)", len(ms))
	}
	// The gate's concurrency and rate reach the worker as Terraform variables.
	for _, fn := range r.AllInstances("aws_lambda_function") {
		if name, _ := fn.Attr("function_name"); str(name) != "logiwaflow-call-logiwa" {
			continue
		}
		bs, _ := fn.Blocks(fn.Resource.Body, "environment", nil)
		env, _, err := fn.BlockAttr(bs[0], "variables")
		if err != nil {
			t.Fatal(err)
		}
		m := env.AsValueMap()
		if str(m["GATE_MAX_CONCURRENCY"]) != "2" || str(m["LOGIWA_RATE_LIMIT"]) != "2" {
			t.Fatalf("call-logiwa environment %v", env.GoString())
		}
	}
}

func TestSchedulesMatchTheLocalRuntime(t *testing.T) {
	r := root(t)
	deployed, findings := Deployments(r, statemachinesDir)
	noFindings(t, "deployments", findings)
	noFindings(t, "schedules", CheckSchedules(r, schedule.Defaults, deployed))
}

// The checks are only worth having if they fail: testdata/bad holds one of
// each mistake.
func TestChecksCatchMistakes(t *testing.T) {
	m, err := Load("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	r := NewRoot(m, DefaultFakes)
	statements, _ := Statements(r)
	_, deployFindings := Deployments(r, "testdata/defs")
	demoARN := "arn:aws:states:eu-west-1:123456789012:stateMachine:demo"
	tests := []struct {
		name     string
		findings []string
		want     []string
	}{
		{"variables", CheckVariables(r), []string{"variable every_hour: no description", "variable package_dir: no description", "workers = cty.NumberIntVal(1) fails its validation"}},
		{"tfvars", CheckTfvars(r, "testdata/bad.tfvars"), []string{"unknown is not a variable", `prefix = cty.StringVal("Not-Lower") fails its validation`}},
		{"preconditions", CheckPreconditions(r), []string{"aws_lambda_event_source_mapping.lonely (bad/main.tf:65): precondition at line 70 fails"}},
		{"calls", CheckCalls(r), []string{`required variable "needed" not passed`, `argument "typo" is not a variable`}},
		{"iam", CheckIAM(statements, allowStar), []string{`wildcard action "s3:*"`, `resource "*" for s3:GetObject`}},
		{"policies", CheckPolicyResources(r), []string{"aws_iam_role_policy.inline policy is not an aws_iam_policy_document"}},
		{"queues", CheckQueues(r), []string{"aws_sqs_queue.lonely (bad/main.tf:13): no dead-letter queue", "aws_sqs_queue.lonely (bad/main.tf:13): not encrypted"}},
		{"storage", CheckStorage(r), []string{"not encrypted (server_side_encryption.enabled)", "no point-in-time recovery", "not on demand", "no default encryption", "no public access block", "no bucket policy"}},
		{"event sources", CheckEventSources(r), []string{"no ReportBatchItemFailures", "maximum_concurrency is not set", "visibility timeout 30 of aws_sqs_queue.lonely is under 6 x the function timeout 30"}},
		{"tasks", CheckTasks(r, TaskEnv{"park": {"PARKED_BUCKET"}, "sync": nil}), []string{
			`handler is "main", want "bootstrap"`, `runtime is "go1.x"`, "architectures is not", "tracing is not Active",
			"no log group", "PARKED_BUCKET, which the task reads, is not set", "task sync: no aws_lambda_function deploys sync.zip",
		}},
		{"deployments", deployFindings, []string{"aws_sfn_state_machine.inline (bad/main.tf:77): definition is not templatefile", "vars map does not contain fn_arn"}},
		{"schedules", CheckSchedules(r, []schedule.Schedule{{Name: "hourly", StateMachine: "demo", Expression: "rate(2 hours)", Input: "{}"}}, []Deployment{{Name: "demo", ARN: demoARN}}), []string{
			"no variable hourly_schedule", `expression "rate(1 hour)", pkg/schedule says "rate(2 hours)"`, `input "{\"x\": 1}"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := strings.Join(tt.findings, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("no finding mentions %q; findings:\n%s", w, all)
				}
			}
		})
	}
	// A reference that leads back to itself is noticed.
	if v := r.Local("loop_a"); v.IsKnown() || len(r.Loops()) == 0 {
		t.Errorf("loop_a = %#v, loops %v", v, r.Loops())
	}
	// A Deny statement grants nothing, so its s3:* is not reported.
	for _, f := range CheckIAM(statements, allowStar) {
		if strings.Contains(f, "statement 3") {
			t.Errorf("deny statement reported: %s", f)
		}
	}
}

// Each state machine's role allows what its definition does, and the gate
// worker may answer every machine that waits on it; dropping a grant is
// reported.
func TestRolesAllowWhatTheDefinitionsDo(t *testing.T) {
	r := root(t)
	deployed, findings := Deployments(r, statemachinesDir)
	noFindings(t, "deployments", findings)
	statements, findings := Statements(r)
	noFindings(t, "statements", findings)
	noFindings(t, "grants", CheckGrants(deployed, statements, "call-logiwa"))
	// Everything above was evaluated without a reference loop.
	noFindings(t, "reference loops", r.Loops())

	var fewer []Statement
	for _, st := range statements {
		if slices.Contains(st.Actions, "states:SendTaskFailure") || (slices.Contains(st.Actions, "lambda:InvokeFunction") && strings.HasPrefix(st.Scope.Path, "module.orders.")) {
			continue
		}
		fewer = append(fewer, st)
	}
	got := strings.Join(CheckGrants(deployed, fewer, "call-logiwa"), "\n")
	for _, want := range []string{
		"module.orders.module.state_machine.aws_sfn_state_machine.this (state_machine/main.tf:88): its role may not lambda:InvokeFunction arn:aws:lambda:eu-west-1:123456789012:function:logiwaflow-validate",
		"call-logiwa may not states:SendTaskFailure for arn:aws:states:eu-west-1:123456789012:stateMachine:logiwaflow-orders-sync",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no finding %q in:\n%s", want, got)
		}
	}
}
