package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/logiwaflow/logiwaflow/pkg/deploy"
	"github.com/logiwaflow/logiwaflow/pkg/target"
)

func init() {
	register(func(root *cobra.Command) {
		root.AddCommand(deployCmd(), packageCmd())
	})
}

// repoOf is the repository holding a Terraform root module: terraform/'s
// parent, whose dist/ the root module reads the zips from.
func repoOf(tfDir string) (string, error) {
	abs, err := filepath.Abs(tfDir)
	if err != nil {
		return "", err
	}
	return filepath.Dir(abs), nil
}

func deployCmd() *cobra.Command {
	var (
		varFiles                          []string
		dir, targetPath                   string
		autoApprove, skipPackage, verbose bool
	)
	c := &cobra.Command{
		Use:   "deploy [--var-file F] [--auto-approve] [--dir terraform]",
		Short: "Package the task Lambdas and deploy logiwaflow to AWS with Terraform",
		Long: `Build every tasks/* Lambda into dist/<task>.zip (reproducible), then run
terraform init, validate and plan in --dir, print what the plan creates,
changes, replaces and destroys, ask (unless --auto-approve), apply exactly
that plan, and save Terraform's outputs as the AWS target (` + target.Path(target.AWS) + `
unless --target), which the operator verbs read to reach the deployed system.

Terraform comes from $(go env GOPATH)/bin or PATH; .ci/run installs the pinned
version (` + deploy.TerraformVersion + `). AWS credentials come from the usual
environment, profile or role.

Exit status: 0 deployed (or nothing to do), 1 declined or failed, 2 bad usage.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, err := repoOf(dir)
			if err != nil {
				return usageErr("deploy: %w", err)
			}
			d := &deploy.Deployer{
				Dir:         dir,
				VarFiles:    varFiles,
				AutoApprove: autoApprove,
				TargetPath:  targetPath,
				Out:         cmd.OutOrStdout(),
				In:          cmd.InOrStdin(),
			}
			if verbose {
				d.TerraformOutput = cmd.ErrOrStderr()
			}
			if !skipPackage {
				log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
				d.Package = func(ctx context.Context) error {
					_, err := deploy.Package(ctx, deploy.PackageOptions{RepoDir: repo, OutDir: filepath.Join(repo, "dist"), Logger: log})
					return err
				}
			}
			res, err := d.Run(cmd.Context())
			switch {
			case errors.Is(err, deploy.ErrDeclined):
				return &ExitError{Code: 1, Err: err}
			case err != nil:
				return &ExitError{Code: 1, Err: err}
			}
			if !res.Applied {
				fmt.Fprintln(cmd.OutOrStdout(), "Nothing applied.")
			}
			return nil
		},
	}
	c.Flags().StringArrayVar(&varFiles, "var-file", nil, "Terraform variables file (repeatable; see terraform/terraform.tfvars.example)")
	c.Flags().BoolVar(&autoApprove, "auto-approve", false, "apply the plan without asking")
	c.Flags().StringVar(&dir, "dir", "terraform", "the Terraform root module")
	c.Flags().StringVar(&targetPath, "target", "", "where to save the AWS target (default "+target.Path(target.AWS)+")")
	c.Flags().BoolVar(&skipPackage, "skip-package", false, "deploy the zips already in dist/ instead of building them")
	c.Flags().BoolVar(&verbose, "verbose", false, "stream Terraform's own output to stderr")
	return c
}

func packageCmd() *cobra.Command {
	var (
		out   string
		tasks []string
	)
	c := &cobra.Command{
		Use:   "package [--out dist] [--task NAME]...",
		Short: "Build the task Lambdas (linux/arm64) into reproducible bootstrap zips",
		Long: `Build every tasks/* (or each --task) for linux/arm64 with CGO_ENABLED=0,
-trimpath, no build ID or VCS stamp and -tags lambda.norpc, and write
<out>/<task>.zip holding one file, bootstrap (mode 0755, fixed timestamp):
the same source gives the same bytes, so Terraform redeploys only what
changed. Run from the repository root.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			arts, err := deploy.Package(cmd.Context(), deploy.PackageOptions{RepoDir: ".", OutDir: out, Tasks: tasks})
			if err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			for _, a := range arts {
				fmt.Fprintf(cmd.OutOrStdout(), "%s  %s  %d bytes\n", a.SHA256, a.Path, a.Size)
			}
			return nil
		},
	}
	c.Flags().StringVar(&out, "out", "dist", "directory for the zips")
	c.Flags().StringArrayVar(&tasks, "task", nil, "build only this task (repeatable)")
	return c
}
