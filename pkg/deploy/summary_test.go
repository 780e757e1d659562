package deploy

import (
	"bytes"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

func TestSummarizeGroupsByActionAndType(t *testing.T) {
	rc := func(addr string, mode tfjson.ResourceMode, actions ...tfjson.Action) *tfjson.ResourceChange {
		return &tfjson.ResourceChange{Address: addr, Mode: mode, Change: &tfjson.Change{Actions: actions}}
	}
	plan := &tfjson.Plan{ResourceChanges: []*tfjson.ResourceChange{
		rc("module.orders.module.queue.aws_sqs_queue.this", tfjson.ManagedResourceMode, tfjson.ActionCreate),
		rc("module.gate.module.queue.aws_sqs_queue.dlq", tfjson.ManagedResourceMode, tfjson.ActionCreate),
		rc(`module.tables.aws_dynamodb_table.this["jobs"]`, tfjson.ManagedResourceMode, tfjson.ActionUpdate),
		rc("module.park.aws_lambda_function.this", tfjson.ManagedResourceMode, tfjson.ActionDelete, tfjson.ActionCreate),
		rc("aws_s3_bucket.old", tfjson.ManagedResourceMode, tfjson.ActionDelete),
		rc("data.aws_caller_identity.current", tfjson.DataResourceMode, tfjson.ActionRead),
		rc("aws_iam_role.same", tfjson.ManagedResourceMode, tfjson.ActionNoop),
	}}
	s := Summarize(plan)
	if len(s.Create) != 2 || len(s.Update) != 1 || len(s.Replace) != 1 || len(s.Delete) != 1 || !s.Changes() {
		t.Fatalf("%+v", s)
	}
	var b bytes.Buffer
	if err := s.Write(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"create (2):", "  +   module.gate.module.queue.aws_sqs_queue.dlq",
		"  ~   module.tables.aws_dynamodb_table.this[\"jobs\"]",
		"  -/+ module.park.aws_lambda_function.this", "  -   aws_s3_bucket.old",
		"aws_sqs_queue                            2 create",
		"aws_lambda_function                      1 replace",
		"Plan: 3 to add, 1 to change, 2 to destroy (1 of them replaced).",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "aws_caller_identity") || strings.Contains(b.String(), "aws_iam_role.same") {
		t.Errorf("reads and no-ops listed:\n%s", b.String())
	}
	b.Reset()
	if err := (Summary{}).Write(&b); err != nil || !strings.Contains(b.String(), "No changes") {
		t.Fatalf("empty summary: %q %v", b.String(), err)
	}
}

func TestResourceType(t *testing.T) {
	for addr, want := range map[string]string{
		"aws_s3_bucket.this":                            "aws_s3_bucket",
		"module.a.module.b.aws_sqs_queue.dlq":           "aws_sqs_queue",
		`module.tables.aws_dynamodb_table.this["jobs"]`: "aws_dynamodb_table",
		"module.x.data.aws_iam_policy_document.this":    "data.aws_iam_policy_document",
	} {
		if got := resourceType(addr); got != want {
			t.Errorf("resourceType(%s) = %s, want %s", addr, got, want)
		}
	}
}
