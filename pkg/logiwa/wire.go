package logiwa

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Time is a Logiwa timestamp. Logiwa writes both "2026-01-05T21:23:19.610Z"
// and zone-less "2025-01-15T10:00:00"; the zone-less form is read as UTC (the
// reference does not say which zone it means; see NOTES.md open questions).
type Time struct{ time.Time }

var zoneless = []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"}

// UnmarshalJSON accepts RFC 3339, zone-less timestamps, dates and null.
func (t *Time) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "null" || s == `""` {
		t.Time = time.Time{}
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return fmt.Errorf("logiwa: timestamp %s: %w", s, err)
	}
	if v, err := time.Parse(time.RFC3339Nano, str); err == nil {
		t.Time = v
		return nil
	}
	for _, layout := range zoneless {
		if v, err := time.ParseInLocation(layout, str, time.UTC); err == nil {
			t.Time = v
			return nil
		}
	}
	return fmt.Errorf("logiwa: unrecognised timestamp %q", str)
}

// MarshalJSON writes RFC 3339 in UTC, or null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}

// stringList reads a JSON array of strings, a single string (the product
// list returns "upc" as one string while create takes an array; a comma
// inside is split) or null.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var arr []string
	if err := json.Unmarshal(b, &arr); err == nil {
		*l = arr
		return nil
	}
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("logiwa: expected string or string array: %w", err)
	}
	*l = nil
	if s != nil && *s != "" {
		for _, part := range strings.Split(*s, ",") {
			if p := strings.TrimSpace(part); p != "" {
				*l = append(*l, p)
			}
		}
	}
	return nil
}

// idResult reads a create response. The reference documents GuidResult
// {"data": "<guid>", status, message, ...}; a production client found
// {"value": "<guid>"} instead (NOTES.md conflict), so both are accepted.
type idResult struct {
	Data    json.RawMessage `json:"data"`
	Value   json.RawMessage `json:"value"`
	Message string          `json:"message"`
}

func (r idResult) identifier() string {
	for _, raw := range []json.RawMessage{r.Value, r.Data} {
		var s string
		if json.Unmarshal(raw, &s) == nil && s != "" {
			return s
		}
		// Tolerate {"data": {"identifier": ...}} as well.
		var obj struct {
			Identifier string `json:"identifier"`
		}
		if json.Unmarshal(raw, &obj) == nil && obj.Identifier != "" {
			return obj.Identifier
		}
	}
	return ""
}

// boolResult reads BooleanValueResponse {"value": bool}, and the generic
// result envelope {"data": bool} for symmetry with idResult.
type boolResult struct {
	Value *bool `json:"value"`
	Data  *bool `json:"data"`
}

func (r boolResult) ok() (value, present bool) {
	switch {
	case r.Value != nil:
		return *r.Value, true
	case r.Data != nil:
		return *r.Data, true
	}
	return false, false
}

// listEnvelope reads a list page in any of the shapes the reference shows:
// {"data": [...], "totalCount": n} (most lists), a bare array (warehouse and
// order type lists), or {"data": {"data": [...], "totalCount": n}} (v3.2/v3.3
// return order lists wrapped in a result envelope).
type listEnvelope[T any] struct {
	Items      []T
	TotalCount int
	HasTotal   bool
}

func (l *listEnvelope[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		l.HasTotal = false
		return json.Unmarshal(b, &l.Items)
	}
	var outer struct {
		Data       json.RawMessage `json:"data"`
		TotalCount *int            `json:"totalCount"`
	}
	if err := json.Unmarshal(b, &outer); err != nil {
		return err
	}
	data := bytes.TrimSpace(outer.Data)
	if len(data) > 0 && data[0] == '{' {
		var inner listEnvelope[T]
		if err := json.Unmarshal(data, &inner); err != nil {
			return err
		}
		*l = inner
		return nil
	}
	if len(data) > 0 && string(data) != "null" {
		if err := json.Unmarshal(data, &l.Items); err != nil {
			return err
		}
	}
	if outer.TotalCount != nil {
		l.TotalCount, l.HasTotal = *outer.TotalCount, true
	}
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("logiwa: marshal %T: %v", v, err))
	}
	return b
}
