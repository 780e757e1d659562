package console

import "testing"

func TestCauseMessage(t *testing.T) {
	for in, want := range map[string]string{
		`{"errorMessage":"invalid message: /version: is required","errorType":"Message.Invalid"}`: "invalid message: /version: is required",
		`Logiwa answered in 9000 ms`: "Logiwa answered in 9000 ms",
		`{"other":1}`:                `{"other":1}`,
		``:                           ``,
	} {
		if got := causeMessage(in); got != want {
			t.Errorf("causeMessage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFuncs(t *testing.T) {
	stamp := funcs["stamp"].(func(string) string)
	if got := stamp("2026-11-25T13:36:33.423309601Z"); got != "2026-11-25 13:36:33" {
		t.Errorf("stamp = %q", got)
	}
	if got := stamp("yesterday"); got != "yesterday" {
		t.Errorf("stamp of text = %q", got)
	}
	short := funcs["short"].(func(string, int) string)
	if got := short("héllo world", 5); got != "héllo…" {
		t.Errorf("short = %q", got)
	}
	num := funcs["num"].(func(float64) string)
	if got := num(0.034166); got != "0.03" {
		t.Errorf("num = %q", got)
	}
}
