package message

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
)

// MaxExecutionName is Step Functions' limit on an execution name.
const MaxExecutionName = 80

// ExecutionName names the execution that handles a message:
// "<flow>-<key>-<hash>[-r<replay>]". The hash is of the message without its
// replay count, so a duplicate delivery gets the same name (and Step
// Functions refuses to start it twice) while a redriven copy gets a new one
// that an operator still finds by the business key. Characters Step Functions
// does not allow in names become '_'; a long key is cut so the whole stays
// within 80 characters.
func ExecutionName(f Flow, key string, body []byte, replay int) string {
	hash := contentHash(body)
	suffix := "-" + hash
	if replay > 0 {
		suffix += "-r" + strconv.Itoa(replay)
	}
	prefix := string(f) + "-"
	room := MaxExecutionName - len(prefix) - len(suffix)
	k := sanitize(key)
	if k == "" {
		k = "unknown"
	}
	if len(k) > room {
		k = k[:room]
	}
	return prefix + k + suffix
}

// contentHash is the first 10 hex digits of SHA-256 over the message with its
// replay field removed (and re-encoded so key order does not matter).
func contentHash(body []byte) string {
	canon := body
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&obj); err == nil && obj != nil {
		delete(obj, "replay")
		if b, err := json.Marshal(obj); err == nil { // map keys marshal sorted
			canon = b
		}
	}
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:])[:10]
}

// sanitize replaces what Step Functions forbids in names: whitespace,
// brackets, wildcards, the punctuation " # % \ ^ | ~ ` $ & , ; : / and
// control characters; non-ASCII is replaced too so names stay readable in
// ARNs and logs.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r <= 0x20 || r >= 0x7f:
			b.WriteByte('_')
		case strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
