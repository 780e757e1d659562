package conformance

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// Diff is the first difference found between a recorded value and the
// engine's.
type Diff struct {
	// Path locates the difference, e.g. "history[5].stateExitedEventDetails.output.x".
	Path string
	// Want and Got are the differing values; Reason, when set, says what
	// differs instead (a missing key, a placeholder bound to another value).
	Want, Got any
	Reason    string
}

func (d *Diff) String() string {
	if d == nil {
		return ""
	}
	if d.Reason != "" {
		return d.Path + ": " + d.Reason
	}
	return fmt.Sprintf("%s: want %s, got %s", d.Path, show(d.Want), show(d.Got))
}

// show renders a value for a difference message, cut short so one line
// stays readable.
func show(v any) string {
	s := jsonvalue.String(v)
	const max = 200
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// Matcher compares recorded values with produced ones. The recordings put
// placeholders where values vary between runs; a Matcher treats each as a
// wildcard for what it stands for and binds the numbered ones (<uuid:1>,
// <ExecArnPart_0idx>, <json-input:1>) so the same placeholder must stand for
// the same value everywhere in one case.
type Matcher struct {
	bindings map[string]string
	// literals are <name> tokens the case's definition or input carries
	// itself (e.g. an Assign of "<omitted>"): they match only themselves.
	literals map[string]bool
}

// SetLiterals marks every <name> token found in texts (the case's
// definition and input) as literal text rather than a placeholder.
func (m *Matcher) SetLiterals(texts ...[]byte) {
	m.literals = map[string]bool{}
	for _, t := range texts {
		for _, tok := range rePlaceholder.FindAll(t, -1) {
			m.literals[string(tok)] = true
		}
	}
}

// NewMatcher returns a Matcher with placeholders bound in advance, e.g.
// "<ArnPart_0idx>" to the state machine name the run used.
func NewMatcher(bound map[string]string) *Matcher {
	m := &Matcher{bindings: make(map[string]string, len(bound))}
	for k, v := range bound {
		m.bindings[k] = v
	}
	return m
}

// snapshot and restore let a trial comparison (matching events whose order
// the recording does not fix) undo the bindings it made.
func (m *Matcher) snapshot() map[string]string {
	c := make(map[string]string, len(m.bindings))
	for k, v := range m.bindings {
		c[k] = v
	}
	return c
}

func (m *Matcher) restore(s map[string]string) { m.bindings = s }

// Compare returns the first difference between want (recorded) and got
// (produced), or nil. Objects compare key by key regardless of order,
// numbers by value; a string compared with a non-string is decoded as the
// JSON it holds, because the recordings decoded only some of the JSON
// strings AWS returns.
func (m *Matcher) Compare(path string, want, got any) *Diff {
	switch w := want.(type) {
	case nil:
		if got == nil {
			return nil
		}
		if s, ok := got.(string); ok && s == "null" {
			return nil
		}
	case bool:
		switch g := got.(type) {
		case bool:
			if g == w {
				return nil
			}
		case string:
			return m.compareDecoded(path, want, g)
		}
	case string:
		return m.compareString(path, w, got)
	case []any:
		switch g := got.(type) {
		case []any:
			if len(w) != len(g) {
				return &Diff{Path: path, Want: want, Got: got, Reason: fmt.Sprintf("want %d elements, got %d: want %s, got %s", len(w), len(g), show(want), show(got))}
			}
			for i := range w {
				if d := m.Compare(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); d != nil {
					return d
				}
			}
			return nil
		case string:
			return m.compareDecoded(path, want, g)
		}
	case map[string]any:
		switch g := got.(type) {
		case map[string]any:
			return m.compareObject(path, w, g, nil)
		case string:
			return m.compareDecoded(path, want, g)
		}
	default:
		if isNumber(want) {
			if s, ok := got.(string); ok {
				return m.compareDecoded(path, want, s)
			}
			if isNumber(got) && numEqual(want, got) {
				return nil
			}
		}
	}
	return &Diff{Path: path, Want: want, Got: got}
}

// compareObject compares two objects; keys in skip are left out on both
// sides (the caller compares them its own way).
func (m *Matcher) compareObject(path string, w, g map[string]any, skip map[string]bool) *Diff {
	for _, k := range sortedKeys(w) {
		if skip[k] {
			continue
		}
		gv, ok := g[k]
		if !ok {
			return &Diff{Path: join(path, k), Reason: fmt.Sprintf("missing, want %s", show(w[k]))}
		}
		if d := m.Compare(join(path, k), w[k], gv); d != nil {
			return d
		}
	}
	for _, k := range sortedKeys(g) {
		if skip[k] {
			continue
		}
		if _, ok := w[k]; !ok {
			return &Diff{Path: join(path, k), Reason: fmt.Sprintf("unexpected, got %s", show(g[k]))}
		}
	}
	return nil
}

// compareDecoded compares a non-string recorded value with a produced
// string that should hold it as JSON.
func (m *Matcher) compareDecoded(path string, want any, got string) *Diff {
	gv, err := jsonvalue.DecodeString(got)
	if err != nil {
		return &Diff{Path: path, Want: want, Got: got}
	}
	if _, isStr := gv.(string); isStr {
		return &Diff{Path: path, Want: want, Got: got}
	}
	return m.Compare(path, want, gv)
}

func (m *Matcher) compareString(path, w string, got any) *Diff {
	if g, ok := got.(string); ok {
		if g == w {
			return nil
		}
		if ok, reason := m.matchPlaceholders(w, g); ok {
			return nil
		} else if reason != "" {
			return &Diff{Path: path, Reason: reason}
		}
		// Both may hold JSON, written differently ("[1, 2]" and "[1,2]").
		wv, werr := jsonvalue.DecodeString(w)
		gv, gerr := jsonvalue.DecodeString(g)
		_, wIsStr := wv.(string)
		_, gIsStr := gv.(string)
		// "42" and "\"42\"" hold a number and a string: never equal.
		if werr == nil && gerr == nil && wIsStr == gIsStr {
			saved := m.snapshot()
			if d := m.Compare(path, wv, gv); d == nil {
				return nil
			}
			m.restore(saved)
		}
		return &Diff{Path: path, Want: w, Got: g}
	}
	if w == tokenRandomNumber && isNumber(got) {
		return nil
	}
	if wv, err := jsonvalue.DecodeString(w); err == nil {
		if _, isStr := wv.(string); !isStr {
			return m.Compare(path, wv, got)
		}
	}
	return &Diff{Path: path, Want: w, Got: got}
}

// Whole-value tokens the recordings use in place of a run's own values.
const (
	tokenRandomNumber = "RandomNumberGenerated"
	tokenRoleARN      = "snf_role_arn"
	tokenUUID         = "generated-uuid"
)

// timeTokens stand for a date-time string.
var timeTokens = map[string]bool{
	"timestamp": true, "date": true, "start-time": true, "entered-time": true, "<timestamp>": true,
}

var (
	reTimestamp = regexp.MustCompile(`^\d{1,4}-\d{1,2}-\d{1,4}(?:[T ]\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$`)
	reRoleARN   = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/.+$`)
	reUUID      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// rePlaceholder finds the placeholders that stand for part of a string.
	// Besides the known ones (partition, region, timestamp, ArnPart_0idx,
	// ExecArnPart_0idx, uuid:1, json-input:1) any other <name> or <name:N>
	// is taken for a placeholder of a kind not seen yet, unless the case's
	// own definition or input carries it as a literal (see SetLiterals).
	rePlaceholder = regexp.MustCompile(`<([A-Za-z][A-Za-z0-9_-]*(?::\d+)?)>`)
)

// placeholderPattern is what each placeholder kind may stand for.
func placeholderPattern(name string) (pattern string, bind bool) {
	switch {
	case name == "partition":
		return `aws(?:-[a-z]+)*`, false
	case name == "region":
		return `[a-z]{2}(?:-[a-z]+)+-\d+`, false
	case name == "timestamp":
		return `\d[0-9A-Za-z:.+ -]*`, false
	case strings.HasPrefix(name, "uuid:"):
		return `[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`, true
	case strings.HasPrefix(name, "json-input:"):
		return `(?s:.*)`, true
	case strings.HasPrefix(name, "ArnPart_") || strings.HasPrefix(name, "ExecArnPart_"):
		// A state machine or execution name.
		return `[A-Za-z0-9_.~-]+`, true
	default:
		return `(?s:.+?)`, true
	}
}

// matchPlaceholders reports whether got is want with its placeholders
// filled in. When it is not, reason explains a binding conflict (empty for
// a plain mismatch).
func (m *Matcher) matchPlaceholders(want, got string) (bool, string) {
	switch {
	case timeTokens[want]:
		return reTimestamp.MatchString(got), ""
	case want == tokenRoleARN:
		return reRoleARN.MatchString(got), ""
	case want == tokenUUID:
		return reUUID.MatchString(got), ""
	}
	var locs [][]int
	for _, l := range rePlaceholder.FindAllStringSubmatchIndex(want, -1) {
		if !m.literals[want[l[0]:l[1]]] {
			locs = append(locs, l)
		}
	}
	if len(locs) == 0 {
		return false, ""
	}
	var pat strings.Builder
	pat.WriteString(`^`)
	names := make([]string, 0, len(locs))
	last := 0
	for _, l := range locs {
		pat.WriteString(regexp.QuoteMeta(want[last:l[0]]))
		name := want[l[2]:l[3]]
		p, _ := placeholderPattern(name)
		pat.WriteString("(" + p + ")")
		names = append(names, name)
		last = l[1]
	}
	pat.WriteString(regexp.QuoteMeta(want[last:]))
	pat.WriteString(`$`)
	re, err := regexp.Compile(pat.String())
	if err != nil {
		return false, ""
	}
	sub := re.FindStringSubmatch(got)
	if sub == nil {
		return false, ""
	}
	for i, name := range names {
		if _, bind := placeholderPattern(name); !bind {
			continue
		}
		key := "<" + name + ">"
		val := sub[i+1]
		if prev, ok := m.bindings[key]; ok && prev != val {
			return false, fmt.Sprintf("%s stands for %q here but for %q elsewhere in the case (got %q)", key, val, prev, got)
		}
		m.bindings[key] = val
	}
	return true, ""
}

func isNumber(v any) bool {
	switch v.(type) {
	case json.Number, float64, float32, int, int64, int32, uint, uint64, uint32:
		return true
	}
	return false
}

// numEqual compares two numbers exactly by value, so 1 equals 1.0 and large
// integers do not collapse through float64.
func numEqual(a, b any) bool {
	ra, oka := toRat(a)
	rb, okb := toRat(b)
	return oka && okb && ra.Cmp(rb) == 0
}

func toRat(v any) (*big.Rat, bool) {
	r := new(big.Rat)
	switch n := v.(type) {
	case json.Number:
		_, ok := r.SetString(string(n))
		return r, ok
	case float64:
		// Through the shortest decimal text, so 0.1 equals the JSON 0.1
		// rather than the binary fraction nearest to it.
		_, ok := r.SetString(strconv.FormatFloat(n, 'g', -1, 64))
		return r, ok
	case float32:
		_, ok := r.SetString(strconv.FormatFloat(float64(n), 'g', -1, 32))
		return r, ok
	case int:
		return r.SetInt64(int64(n)), true
	case int64:
		return r.SetInt64(n), true
	case int32:
		return r.SetInt64(int64(n)), true
	case uint:
		_, ok := r.SetString(strconv.FormatUint(uint64(n), 10))
		return r, ok
	case uint64:
		_, ok := r.SetString(strconv.FormatUint(n, 10))
		return r, ok
	case uint32:
		return r.SetInt64(int64(n)), true
	}
	return nil, false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
