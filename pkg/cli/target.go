package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/logiwaflow/logiwaflow/pkg/operator"
	"github.com/logiwaflow/logiwaflow/pkg/target"
)

// The operator verbs (send, executions, start, resync, parked, redrive) share
// these flags; they are read back from the command's flag set at run time,
// so no state is kept between command trees.
const (
	flagTarget     = "target"
	flagTargetFile = "target-file"
	flagJSON       = "json"
	flagRegion     = "region"
	flagEndpoint   = "endpoint"
	flagPoll       = "poll-interval"
	flagAccount    = "account"
	flagPrefix     = "name-prefix"
)

// targetHelp is appended to every operator verb's help.
const targetHelp = `
Target: --target local (default) reads the address book that ` + "`logiwaflow local`" + `
writes (.logiwaflow/local.json, or $LOGIWAFLOW_HOME/local.json); --target aws
reads the one that ` + "`logiwaflow deploy`" + ` writes ($LOGIWAFLOW_HOME/aws.json), or
--target-file FILE; on a machine without that file, --account ID (with
--region, and --name-prefix unless it is "logiwaflow") derives every name
from the Terraform module's naming convention. On AWS, credentials and region come from the SDK's usual
chain (environment, profile, role); --region overrides the region, and an
endpoint can be overridden per service with --endpoint SFN=URL (also S3, SQS,
DynamoDB) or the SDK's AWS_ENDPOINT_URL_SFN / AWS_ENDPOINT_URL_S3 /
AWS_ENDPOINT_URL_SQS variables, e.g. to reach AWS through a VPC endpoint.

Exit status: 0 ok; 1 the operation failed (an execution failed, invalid
messages, nothing found); 2 bad usage; 3 the target is missing or does not
answer.`

// operatorCommand adds the shared flags to an operator verb (persistent, so
// its subcommands have them) and returns it. They live on the verbs rather
// than the root so that asl, logiwa-sim and local do not show them.
func operatorCommand(c *cobra.Command) *cobra.Command {
	f := c.PersistentFlags()
	f.String(flagTarget, target.Local, "system to operate: local or aws")
	f.String(flagTargetFile, "", "read the target from this `file` instead of $LOGIWAFLOW_HOME/<target>.json")
	f.Bool(flagJSON, false, "print JSON for scripts instead of tables")
	f.String(flagRegion, "", "AWS region (default: the target's)")
	f.StringArray(flagEndpoint, nil, "override a service endpoint, `SERVICE=URL` (SFN, S3, SQS, DynamoDB); repeatable")
	f.String(flagAccount, "", "with --target aws and no saved target: the AWS account `id`; names follow the Terraform conventions")
	f.String(flagPrefix, "logiwaflow", "with --account: the Terraform name_prefix of the deployment")
	f.Duration(flagPoll, 500*time.Millisecond, "how often waiting verbs look at a running execution")
	_ = f.MarkHidden(flagPoll)
	return c
}

// loadOperator reads the target the flags name and builds its clients.
func loadOperator(cmd *cobra.Command) (*operator.Operator, error) {
	t, cfg, err := loadTarget(cmd)
	if err != nil {
		return nil, err
	}
	poll, _ := cmd.Flags().GetDuration(flagPoll)
	op := operator.New(t, cfg)
	op.Poll = poll
	return op, nil
}

// loadTarget reads the target the flags name and its SDK configuration,
// with the flags' region and endpoint overrides applied.
func loadTarget(cmd *cobra.Command) (target.Target, aws.Config, error) {
	flags := cmd.Flags()
	name, _ := flags.GetString(flagTarget)
	file, _ := flags.GetString(flagTargetFile)
	region, _ := flags.GetString(flagRegion)
	endpoints, _ := flags.GetStringArray(flagEndpoint)
	if name != target.Local && name != target.AWS {
		return target.Target{}, aws.Config{}, usageErr("--target %q: want local or aws", name)
	}
	account, _ := flags.GetString(flagAccount)
	prefix, _ := flags.GetString(flagPrefix)
	var t target.Target
	switch {
	case account != "" && name == target.AWS:
		if region == "" {
			region = os.Getenv("AWS_REGION")
		}
		var err error
		if t, err = operator.ConventionTarget(prefix, region, account); err != nil {
			return t, aws.Config{}, opErr(err)
		}
	case account != "":
		return t, aws.Config{}, usageErr("--account goes with --target aws")
	default:
		path := file
		if path == "" {
			path = target.Path(name)
		}
		var err error
		if t, err = target.Load(path); err != nil {
			return t, aws.Config{}, &ExitError{Code: 3, Err: err}
		}
		if t.Name != name && file == "" {
			return t, aws.Config{}, &ExitError{Code: 3, Err: fmt.Errorf("%s describes a %s target, not %s", path, t.Name, name)}
		}
	}
	if region != "" {
		t.Region = region
	}
	overrides := map[string]string{}
	for _, e := range endpoints {
		svc, url, ok := strings.Cut(e, "=")
		if !ok || svc == "" || url == "" {
			return t, aws.Config{}, usageErr("--endpoint %q: want SERVICE=URL, e.g. SFN=https://states.eu-west-1.amazonaws.com", e)
		}
		overrides[canonicalService(svc)] = url
	}
	cfg, err := t.AWSConfig(cmd.Context())
	if err != nil {
		return t, cfg, &ExitError{Code: 3, Err: err}
	}
	target.OverrideEndpoints(&cfg, overrides)
	return t, cfg, nil
}

// canonicalService spells a service ID as the SDK does.
func canonicalService(s string) string {
	for _, id := range []string{target.ServiceSFN, target.ServiceS3, target.ServiceSQS, target.ServiceDynamoDB} {
		if strings.EqualFold(s, id) {
			return id
		}
	}
	return s
}

// opErr maps an operator error to the CLI's exit statuses.
func opErr(err error) error {
	if err == nil {
		return nil
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	switch operator.Classify(err) {
	case operator.KindUsage:
		return &ExitError{Code: 2, Err: err}
	case operator.KindUnreachable:
		return &ExitError{Code: 3, Err: fmt.Errorf("the target does not answer: %w", err)}
	}
	return &ExitError{Code: 1, Err: err}
}

func jsonOutput(cmd *cobra.Command) bool {
	v, _ := cmd.Flags().GetBool(flagJSON)
	return v
}

// printJSON writes v indented, HTML characters unescaped.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// table writes aligned columns.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

func (t *table) row(cols ...string) { fmt.Fprintln(t.tw, strings.Join(cols, "\t")) }
func (t *table) flush() error       { return t.tw.Flush() }

// fmtTime shows a time in UTC to the second; "-" when zero.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// clip shortens s to n runes for a table cell, on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// progressPrinter writes a progress line to stderr whenever it changes.
func progressPrinter(cmd *cobra.Command, render func(operator.Progress) string) func(operator.Progress) {
	last := ""
	return func(p operator.Progress) {
		line := render(p)
		if line != last {
			fmt.Fprintln(cmd.ErrOrStderr(), line)
			last = line
		}
	}
}
