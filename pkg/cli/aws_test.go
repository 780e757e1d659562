package cli

import (
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/operator"
	"github.com/logiwaflow/logiwaflow/pkg/target"
)

// awsTarget saves the running system as an AWS target: the same resources,
// no endpoints, so clients come from the SDK's default chain exactly as
// against AWS. Credentials come from the environment; profile files and
// instance metadata are switched off so nothing on the machine leaks in.
func awsTarget(t *testing.T, e *env) target.Target {
	t.Helper()
	tg := e.r.Target()
	tg.Name, tg.Endpoints, tg.ConsoleURL = target.AWS, nil, ""
	if err := tg.Save(target.Path(target.AWS)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return tg
}

// TestAWSTargetThroughSDKEnvironment drives the verbs with --target aws,
// the endpoints given by the SDK's AWS_ENDPOINT_URL_<SERVICE> variables.
func TestAWSTargetThroughSDKEnvironment(t *testing.T) {
	e := startLocal(t)
	local := e.r.Target()
	awsTarget(t, e)

	// Without endpoints the SDK would go to the real AWS; make that fail
	// fast and visibly rather than hang on a network.
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	res := must(t, 3, "", "executions", "list", "--target", "aws")
	if !strings.Contains(res.stderr, "does not answer") {
		t.Errorf("unreachable AWS: %s", res.stderr)
	}

	t.Setenv("AWS_ENDPOINT_URL_SFN", local.Endpoints[target.ServiceSFN])
	t.Setenv("AWS_ENDPOINT_URL_S3", local.Endpoints[target.ServiceS3])
	t.Setenv("AWS_ENDPOINT_URL_SQS", local.Endpoints[target.ServiceSQS])
	exerciseAWS(t, e, nil)
}

// TestAWSTargetThroughFlags gives the endpoints with --endpoint and the
// region with --region instead.
func TestAWSTargetThroughFlags(t *testing.T) {
	e := startLocal(t)
	local := e.r.Target()
	tg := awsTarget(t, e)
	tg.Region = "eu-west-1" // the flag puts it right
	if err := tg.Save(target.Path(target.AWS)); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	exerciseAWS(t, e, []string{
		"--region", local.Region,
		"--endpoint", "sfn=" + local.Endpoints[target.ServiceSFN],
		"--endpoint", "S3=" + local.Endpoints[target.ServiceS3],
		"--endpoint", "SQS=" + local.Endpoints[target.ServiceSQS],
	})
	must(t, 2, "", "executions", "list", "--target", "aws", "--endpoint", "SFN")
}

// exerciseAWS runs each verb once against the AWS target.
func exerciseAWS(t *testing.T, e *env, flags []string) {
	t.Helper()
	aws := func(want int, stdin string, args ...string) result {
		t.Helper()
		return must(t, want, stdin, append(append(args, "--target", "aws"), flags...)...)
	}
	rep := decodeJSON[operator.SendReport](t, aws(0, orderMsg, "send", "orders", "-", "--json"))
	e.sendRaw(t, message.FlowInventory, badInventoryMsg)
	e.idle(t)

	list := decodeJSON[[]operator.Execution](t, aws(0, "", "executions", "list", "--json"))
	if len(list) != 2 {
		t.Fatalf("executions on the AWS target: %+v", list)
	}
	ex := decodeJSON[operator.Execution](t, aws(0, "", "executions", "describe", rep.Sent[0].Execution, "--json"))
	if ex.Status != "SUCCEEDED" {
		t.Errorf("order execution: %+v", ex)
	}
	if out := aws(0, "", "executions", "history", "CLI-1001").stdout; !strings.Contains(out, "ExecutionSucceeded") {
		t.Errorf("history:\n%s", out)
	}
	parked := decodeJSON[[]operator.ParkedItem](t, aws(0, "", "parked", "list", "--json"))
	if len(parked) != 1 || parked[0].Reason != "invalid" {
		t.Fatalf("parked on the AWS target: %+v", parked)
	}
	if out := aws(0, "", "parked", "show", parked[0].Execution).stdout; !strings.Contains(out, "CLI-BAD") {
		t.Errorf("parked show:\n%s", out)
	}
	r := decodeJSON[operator.RedriveResult](t, aws(0, "", "redrive", "--reason", "invalid", "--dry-run", "--json"))
	if r.Tally.DryRun != 1 {
		t.Errorf("redrive dry run: %+v", r)
	}
	s := decodeJSON[operator.Execution](t, aws(0, "", "resync", "inventory", "--sku", "MUG-BLUE", "--wait", "--json"))
	if s.Status != "SUCCEEDED" {
		t.Errorf("resync: %+v", s)
	}
	aws(0, "", "start", "orders-sync", "--input", `{"since":"2026-11-20T00:00:00Z"}`, "--wait")
	e.idle(t)
}

// TestAWSTargetByConvention: with --account and no saved target, the names
// come from the Terraform conventions; the local system has none of them, so
// the call reaches the endpoint and is refused naming the derived ARN.
func TestAWSTargetByConvention(t *testing.T) {
	e := startLocal(t)
	awsTarget(t, e)
	sfnURL := e.r.Target().Endpoints[target.ServiceSFN]
	res := must(t, 1, "", "executions", "list", "--target", "aws", "--account", "123456789012", "--region", "eu-west-1",
		"--name-prefix", "shop", "--machine", "orders", "--endpoint", "SFN="+sfnURL)
	if !strings.Contains(res.stderr, "arn:aws:states:eu-west-1:123456789012:stateMachine:shop-orders") {
		t.Errorf("derived ARN not used: %s", res.stderr)
	}
	must(t, 2, "", "executions", "list", "--target", "aws", "--account", "12345", "--region", "eu-west-1")
	must(t, 2, "", "executions", "list", "--account", "123456789012")
}
