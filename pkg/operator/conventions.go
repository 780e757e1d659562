package operator

import (
	"fmt"
	"regexp"

	"github.com/logiwaflow/logiwaflow/pkg/target"
)

// Definition names and inbound flows as deployed (statemachines.Names() and
// the queues terraform/outputs.tf lists), kept here so that deriving a target
// needs no embedded definitions.
var (
	deployedMachines = []string{"inventory", "orders", "refunds", "inventory-sync", "orders-sync", "redrive"}
	deployedQueues   = []string{"inventory", "orders", "refunds", "gate"}
)

var (
	accountRe = regexp.MustCompile(`^[0-9]{12}$`)
	prefixRe  = regexp.MustCompile(`^[a-z][a-z0-9-]{1,30}$`)
	regionRe  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
)

// ConventionTarget derives an AWS target from the names the Terraform root
// module gives its resources (terraform/main.tf and modules): state machine
// <prefix>-<definition>, queue <prefix>-<flow> with <prefix>-<flow>-dlq,
// bucket <prefix>-parked-<account>-<region>, tables <prefix>-records and
// <prefix>-jobs. It serves operators who have no saved aws.json (another
// machine than the one that deployed); the saved outputs remain the source
// of truth when they exist.
func ConventionTarget(prefix, region, account string) (target.Target, error) {
	switch {
	case !prefixRe.MatchString(prefix):
		return target.Target{}, usagef("name prefix %q: want 2-31 lower-case letters, digits or hyphens, starting with a letter", prefix)
	case !regionRe.MatchString(region):
		return target.Target{}, usagef("region %q: want an AWS region such as eu-west-1", region)
	case !accountRe.MatchString(account):
		return target.Target{}, usagef("account %q: want the 12-digit AWS account id", account)
	}
	t := target.Target{
		Name: target.AWS, Region: region,
		StateMachines: map[string]string{}, Queues: map[string]string{},
		ParkedBucket: fmt.Sprintf("%s-parked-%s-%s", prefix, account, region),
		RecordsTable: prefix + "-records", JobsTable: prefix + "-jobs",
	}
	for _, m := range deployedMachines {
		t.StateMachines[m] = fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s-%s", region, account, prefix, m)
	}
	for _, q := range deployedQueues {
		base := fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s-%s", region, account, prefix, q)
		t.Queues[q], t.Queues[q+"-dlq"] = base, base+"-dlq"
	}
	return t, nil
}
