// Package statemachines embeds the workflow definitions and fills in their
// placeholders. Terraform renders the same files with templatefile and the
// same names; the local runtime renders them with its local endpoints.
package statemachines

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
)

//go:embed *.asl.json
var files embed.FS

// placeholder is Terraform's template interpolation of a plain name.
var placeholder = regexp.MustCompile(`\$\{([a-z_][a-z0-9_]*)\}`)

// Names lists the definitions (file names without .asl.json), sorted.
func Names() []string {
	entries, _ := fs.Glob(files, "*.asl.json")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e, ".asl.json"))
	}
	sort.Strings(names)
	return names
}

// Raw returns a definition as stored, placeholders and all.
func Raw(name string) ([]byte, error) {
	b, err := files.ReadFile(name + ".asl.json")
	if err != nil {
		return nil, fmt.Errorf("state machine %q: %w", name, err)
	}
	return b, nil
}

// Placeholders lists the placeholder names a definition uses, sorted.
func Placeholders(name string) ([]string, error) {
	b, err := Raw(name)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, m := range placeholder.FindAllSubmatch(b, -1) {
		seen[string(m[1])] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

// Render fills every placeholder from values; a placeholder without a value
// is an error naming it, so a definition never runs half-rendered.
func Render(name string, values map[string]string) ([]byte, error) {
	b, err := Raw(name)
	if err != nil {
		return nil, err
	}
	var missing []string
	out := placeholder.ReplaceAllFunc(b, func(m []byte) []byte {
		key := string(placeholder.FindSubmatch(m)[1])
		v, ok := values[key]
		if !ok {
			missing = append(missing, key)
			return m
		}
		return []byte(v)
	})
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("state machine %q: no value for placeholders %s", name, strings.Join(missing, ", "))
	}
	return out, nil
}
