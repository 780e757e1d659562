// Command logiwaflow is the operator CLI of the logiwaflow integration: it
// runs the local system, the Logiwa simulator, the ASL engine's tools, and
// drives deployments.
package main

import (
	"os"

	"github.com/logiwaflow/logiwaflow/pkg/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
