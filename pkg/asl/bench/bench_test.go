package bench

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
	"github.com/logiwaflow/logiwaflow/pkg/refdata"
)

func load(tb testing.TB) Config {
	tb.Helper()
	def, err := os.ReadFile(refdata.Path(tb, "bench", "order-pipeline.asl.json"))
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := os.ReadFile(refdata.Path(tb, "bench", "order-pipeline.input.json"))
	if err != nil {
		tb.Fatal(err)
	}
	in, err := jsonvalue.Decode(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return Config{Definition: def, Input: in, WantOutput: ExpectedOutput}
}

func TestHandlers(t *testing.T) {
	h := Handlers()
	tests := []struct {
		resource string
		input    string
		want     string
	}{
		{"arn:aws:lambda:us-east-1:123456789012:function:validate", `{"lines":[{"sku":"A","qty":1}]}`, `{"ok":true}`},
		{"arn:aws:lambda:us-east-1:123456789012:function:validate", `{"lines":[]}`, `{"ok":false}`},
		{"arn:aws:lambda:us-east-1:123456789012:function:validate", `{}`, `{"ok":false}`},
		{"arn:aws:lambda:us-east-1:123456789012:function:pick", `{"sku":"A","qty":3}`, `{"sku":"A","picked":3}`},
	}
	for _, tt := range tests {
		in, _ := jsonvalue.DecodeString(tt.input)
		got, err := h.RunTask(context.Background(), asl.TaskRequest{Resource: tt.resource, Input: in})
		if err != nil {
			t.Fatalf("%s %s: %v", tt.resource, tt.input, err)
		}
		want, _ := jsonvalue.DecodeString(tt.want)
		if !jsonvalue.Equal(want, got) {
			t.Errorf("%s %s: got %s, want %s", tt.resource, tt.input, jsonvalue.String(got), tt.want)
		}
	}
	if _, err := h.RunTask(context.Background(), asl.TaskRequest{Resource: "arn:aws:lambda:us-east-1:1:function:other"}); err == nil {
		t.Error("an unknown function must fail")
	}
}

func TestMeasure(t *testing.T) {
	cfg := load(t)
	for _, c := range []int{1, 8} {
		cfg.Concurrency, cfg.Duration, cfg.Warmup = c, 100*time.Millisecond, 20*time.Millisecond
		r, err := Measure(context.Background(), cfg)
		if err != nil {
			t.Fatalf("concurrency %d: %v", c, err)
		}
		if r.Executions == 0 || r.ExecsPerSec <= 0 || r.AllocsPerExec <= 0 {
			t.Fatalf("concurrency %d: implausible result %+v", c, r)
		}
		t.Log(r)
	}
}

func TestMeasureRejectsWrongOutput(t *testing.T) {
	cfg := load(t)
	cfg.WantOutput = map[string]any{"msg": "something else"}
	cfg.Duration, cfg.Warmup = 50*time.Millisecond, 10*time.Millisecond
	if _, err := Measure(context.Background(), cfg); err == nil {
		t.Fatal("a wrong output must fail the measurement")
	}
}

// benchmark runs b.N executions on `workers` goroutines and reports
// executions per second next to the usual per-op figures.
func benchmark(b *testing.B, workers int) {
	cfg := load(b)
	sm, err := asl.NewStateMachine("order-pipeline", cfg.Definition)
	if err != nil {
		b.Fatal(err)
	}
	eng := asl.NewEngine(asl.WithTasks(Handlers()))
	ctx := context.Background()
	run := func() {
		x, err := eng.Start(ctx, sm, cfg.Input, asl.StartOptions{})
		if err != nil {
			b.Error(err)
			return
		}
		if res, err := x.Wait(ctx); err != nil || res.Status != asl.StatusSucceeded {
			b.Errorf("execution: %v %+v", err, res)
		}
	}
	for range 100 { // warm-up
		run()
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	next := make(chan struct{})
	done := make(chan struct{})
	for range workers {
		go func() {
			for range next {
				run()
			}
			done <- struct{}{}
		}()
	}
	for i := 0; i < b.N; i++ {
		next <- struct{}{}
	}
	close(next)
	for range workers {
		<-done
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "execs/s")
}

func BenchmarkOrderPipelineSerial(b *testing.B)       { benchmark(b, 1) }
func BenchmarkOrderPipelineConcurrent64(b *testing.B) { benchmark(b, 64) }
