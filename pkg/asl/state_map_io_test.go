package asl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// ioRunner plays S3 for ItemReader and ResultWriter: it serves items for
// getObject, records what putObject was given, and runs the processor's
// Task as the identity.
type ioRunner struct {
	mu      sync.Mutex
	written []TaskRequest
	read    []TaskRequest
	failPut bool
}

func (r *ioRunner) RunTask(_ context.Context, req TaskRequest) (any, error) {
	switch {
	case strings.HasSuffix(req.Resource, ":s3:getObject"):
		r.mu.Lock()
		r.read = append(r.read, req)
		r.mu.Unlock()
		return []any{[]any{"a", "b"}, "c"}, nil
	case strings.HasSuffix(req.Resource, ":s3:putObject"):
		if r.failPut {
			return nil, errors.New("bucket is gone")
		}
		r.mu.Lock()
		r.written = append(r.written, req)
		r.mu.Unlock()
		p, _ := req.Input.(map[string]any)["Parameters"].(map[string]any)
		return map[string]any{"Bucket": p["Bucket"], "Key": fmt.Sprint(p["Prefix"]) + "/manifest.json"}, nil
	}
	return req.Input, nil
}

func TestMapItemReaderAndResultWriter(t *testing.T) {
	const processor = `"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true}}}`
	const reader = `"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},"Parameters":{"Bucket.$":"$.bucket","Key":"items.json"}}`
	tests := []struct {
		name, writer  string
		output        string // "" when the output is the MapRunArn object
		status        Status
		errName       string
		wantWritten   string // Results the writer got
		wantParameter string // Bucket the writer got
	}{
		{name: "no writer", output: `[["a","b"],"c"]`, status: StatusSucceeded},
		{name: "writer config only, flatten", writer: `"ResultWriter":{"WriterConfig":{"Transformation":"FLATTEN","OutputType":"JSON"}}`,
			output: `["a","b","c"]`, status: StatusSucceeded},
		{name: "writer config only, compact", writer: `"ResultWriter":{"WriterConfig":{"Transformation":"COMPACT","OutputType":"JSON"}}`,
			output: `[["a","b"],"c"]`, status: StatusSucceeded},
		{name: "export", writer: `"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket.$":"$.bucket","Prefix":"runs"}}`,
			status: StatusSucceeded, wantWritten: `[["a","b"],"c"]`, wantParameter: "in-bucket"},
		{name: "export flattened", writer: `"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"runs"},"WriterConfig":{"Transformation":"FLATTEN","OutputType":"JSONL"}}`,
			status: StatusSucceeded, wantWritten: `["a","b","c"]`, wantParameter: "out"},
		{name: "export fails", writer: `"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"runs"}}`,
			status: StatusFailed, errName: "States.ResultWriterFailed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fields := []string{processor, reader}
			if tc.writer != "" {
				fields = append(fields, tc.writer)
			}
			def := `{"StartAt":"M","States":{"M":{"Type":"Map","Label":"Run",` + strings.Join(fields, ",") + `,"End":true}}}`
			r := &ioRunner{failPut: tc.errName != ""}
			e := NewEngine(WithTasks(r), WithIDs(func() string { return "id-1" }))
			res := waitResult(t, startDef(t, e, def, `{"bucket":"in-bucket"}`))
			if res.Status != tc.status || res.Error != tc.errName {
				t.Fatalf("status %s %s (%s), want %s %s", res.Status, res.Error, res.Cause, tc.status, tc.errName)
			}
			if tc.status != StatusSucceeded {
				return
			}
			if tc.output != "" {
				if want := mustDecode(t, tc.output); !jsonvalue.Equal(res.Output, want) {
					t.Fatalf("output %s, want %s", jsonvalue.String(res.Output), tc.output)
				}
				if len(r.written) != 0 {
					t.Fatalf("nothing should be exported, got %d writes", len(r.written))
				}
				return
			}
			want := mustDecode(t, `{"MapRunArn":"arn:aws:states:us-east-1:123456789012:mapRun:test/Run:id-1",
				"ResultWriterDetails":{"Bucket":"`+tc.wantParameter+`","Key":"runs/manifest.json"}}`)
			if !jsonvalue.Equal(res.Output, want) {
				t.Fatalf("output %s, want %s", jsonvalue.String(res.Output), jsonvalue.String(want))
			}
			if len(r.written) != 1 {
				t.Fatalf("%d writes, want 1", len(r.written))
			}
			got := r.written[0].Input.(map[string]any)["Results"]
			if !jsonvalue.Equal(got, mustDecode(t, tc.wantWritten)) {
				t.Fatalf("writer got %s, want %s", jsonvalue.String(got), tc.wantWritten)
			}
		})
	}
}

func TestTransformResults(t *testing.T) {
	in := []any{[]any{1.0, 2.0}, "x", []any{}, map[string]any{"k": []any{3.0}}}
	if got := transformResults(in, "FLATTEN"); jsonvalue.String(got) != `[1,2,"x",{"k":[3]}]` {
		t.Errorf("FLATTEN: %s", jsonvalue.String(got))
	}
	for _, tr := range []string{"COMPACT", "NONE"} {
		if got := transformResults(in, tr); jsonvalue.String(got) != jsonvalue.String(in) {
			t.Errorf("%s: %s", tr, jsonvalue.String(got))
		}
	}
}

// TestMapIOJSONataArguments checks that a JSONata Map evaluates the
// Arguments of its ItemReader and ResultWriter.
func TestMapIOJSONataArguments(t *testing.T) {
	def := `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map",
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},"Arguments":{"Bucket":"{% $states.input.bucket %}","Key":"k"}},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Arguments":{"Bucket":"{% $states.input.bucket & '-out' %}","Prefix":"p"}},
		"End":true}}}`
	r := &ioRunner{}
	e := NewEngine(WithTasks(r))
	res := waitResult(t, startDef(t, e, def, `{"bucket":"b"}`))
	if res.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", res.Status, res.Error, res.Cause)
	}
	if len(r.read) != 1 || len(r.written) != 1 {
		t.Fatalf("%d reads, %d writes, want 1 each", len(r.read), len(r.written))
	}
	if got := r.read[0].Input.(map[string]any)["Parameters"]; !jsonvalue.Equal(got, mustDecode(t, `{"Bucket":"b","Key":"k"}`)) {
		t.Errorf("reader arguments %s", jsonvalue.String(got))
	}
	if got := r.written[0].Input.(map[string]any)["Parameters"]; !jsonvalue.Equal(got, mustDecode(t, `{"Bucket":"b-out","Prefix":"p"}`)) {
		t.Errorf("writer arguments %s", jsonvalue.String(got))
	}
}
