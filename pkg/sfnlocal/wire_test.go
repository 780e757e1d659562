package sfnlocal

import (
	"strings"
	"testing"
	"time"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"order-123_abc.DEF", true},
		{strings.Repeat("x", 80), true},
		{strings.Repeat("é", 80), true},
		{"", false},
		{strings.Repeat("x", 81), false},
		{"with space", false},
		{"tab\there", false},
		{"a:b", false},
		{"a/b", false},
		{"a{b}", false},
		{"a*", false},
		{"a$b", false},
		{"ctl\x01", false},
		{"del\u007f", false},
		{"c1\u0085", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkName(tc.name); (err == nil) != tc.ok {
				t.Errorf("checkName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
			}
		})
	}
}

func TestPageTokens(t *testing.T) {
	tok := encodeToken("ex", 42)
	if n, err := decodeToken("ex", *tok); err != nil || n != 42 {
		t.Errorf("round trip = %d, %v", n, err)
	}
	for _, bad := range []string{"", "!!!", *encodeToken("sm", 42)} {
		if _, err := decodeToken("ex", bad); err == nil {
			t.Errorf("decodeToken(%q) accepted", bad)
		}
	}
}

func TestEpochMarshal(t *testing.T) {
	b, err := epoch(time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC)).MarshalJSON()
	if err != nil || string(b) != "1714564800.123" {
		t.Errorf("epoch = %s, %v", b, err)
	}
}
