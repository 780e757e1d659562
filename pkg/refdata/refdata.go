// Package refdata locates the project's reference material (the Logiwa API
// reference, the recorded ASL conformance cases, the benchmark definition),
// which lives beside the repository in ../shared and is not part of the
// module. Tests that need it skip with a clear message where it is absent, so
// the project still builds and tests outside its home repository.
package refdata

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// EnvVar overrides where the reference material is.
const EnvVar = "LOGIWAFLOW_SHARED"

// Dir returns the reference directory: $LOGIWAFLOW_SHARED, or ../shared next
// to the module root found by walking up from the working directory.
func Dir() (string, error) {
	if d := os.Getenv(EnvVar); d != "" {
		if _, err := os.Stat(d); err != nil {
			return "", err
		}
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(filepath.Dir(dir), "shared")
			if _, err := os.Stat(d); err != nil {
				return "", err
			}
			return d, nil
		}
		if filepath.Dir(dir) == dir {
			return "", errors.New("no go.mod above the working directory")
		}
	}
}

// Path returns a file under the reference directory, or skips the test with
// a message naming what is missing and how to point at it.
func Path(t testing.TB, rel ...string) string {
	t.Helper()
	d, err := Dir()
	if err != nil {
		t.Skipf("reference material not found (%v); set %s to the shared/ directory to run this test", err, EnvVar)
	}
	p := filepath.Join(append([]string{d}, rel...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("reference file %s not found (%v); set %s to the shared/ directory to run this test", p, err, EnvVar)
	}
	return p
}
