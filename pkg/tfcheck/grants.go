package tfcheck

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var (
	lambdaARNs = regexp.MustCompile(`arn:aws:lambda:[a-z0-9-]+:[0-9]+:function:[A-Za-z0-9_-]+`)
	queueURLs  = regexp.MustCompile(`https://sqs\.([a-z0-9-]+)\.amazonaws\.com/([0-9]+)/([A-Za-z0-9_-]+)`)
)

// allows reports whether an Allow statement of scope grants action on arn.
func allows(statements []Statement, scope *Scope, action, arn string) bool {
	for _, st := range statements {
		if st.Scope == scope && st.Effect == "Allow" && slices.Contains(st.Actions, action) && slices.Contains(st.Resources, arn) {
			return true
		}
	}
	return false
}

// CheckGrants is the other half of least privilege: every state machine's
// role may invoke each function and send to each queue its rendered
// definition names, and the gate worker may answer the task tokens of every
// machine that sends to the gate queue. A missing grant would otherwise show
// only on AWS, as an execution failing with AccessDenied.
func CheckGrants(deployed []Deployment, statements []Statement, gateWorker string) []string {
	var out []string
	var gateUsers []string
	for _, d := range deployed {
		scope := d.Instance.Scope
		for _, fn := range lambdaARNs.FindAllString(string(d.Rendered), -1) {
			if !allows(statements, scope, "lambda:InvokeFunction", fn) {
				out = append(out, fmt.Sprintf("%s: its role may not lambda:InvokeFunction %s", d.Instance.Where(), fn))
			}
		}
		for _, m := range queueURLs.FindAllStringSubmatch(string(d.Rendered), -1) {
			arn := fmt.Sprintf("arn:aws:sqs:%s:%s:%s", m[1], m[2], m[3])
			if !allows(statements, scope, "sqs:SendMessage", arn) {
				out = append(out, fmt.Sprintf("%s: its role may not sqs:SendMessage to %s", d.Instance.Where(), arn))
			}
			if strings.HasSuffix(m[3], "-gate") {
				gateUsers = append(gateUsers, d.ARN)
			}
		}
	}
	// The gate worker's statements live in its go_lambda instance.
	var worker *Scope
	for _, st := range statements {
		if st.Scope.Call() != nil && str(st.Scope.Var("task")) == gateWorker {
			worker = st.Scope
		}
	}
	if worker == nil {
		return append(out, "no policy for the "+gateWorker+" task")
	}
	for _, arn := range gateUsers {
		for _, action := range []string{"states:SendTaskSuccess", "states:SendTaskFailure"} {
			if !allows(statements, worker, action, arn) {
				out = append(out, fmt.Sprintf("%s may not %s for %s, which waits on the gate", gateWorker, action, arn))
			}
		}
	}
	return out
}
