package asl

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
	"github.com/logiwaflow/logiwaflow/pkg/refdata"
)

// benchTasks are the two in-process handlers of the benchmark definition.
var benchTasks = TaskRunnerFunc(func(_ context.Context, req TaskRequest) (any, error) {
	in, _ := req.Input.(map[string]any)
	switch req.StateName {
	case "Validate":
		lines, _ := in["lines"].([]any)
		return map[string]any{"ok": len(lines) > 0}, nil
	default: // Pick
		return map[string]any{"sku": in["sku"], "picked": in["qty"]}, nil
	}
})

func loadBench(tb testing.TB) (*StateMachine, any) {
	tb.Helper()
	def, err := os.ReadFile(refdata.Path(tb, "bench", "order-pipeline.asl.json"))
	if err != nil {
		tb.Fatal(err)
	}
	inb, err := os.ReadFile(refdata.Path(tb, "bench", "order-pipeline.input.json"))
	if err != nil {
		tb.Fatal(err)
	}
	sm, err := NewStateMachine("order-pipeline", def)
	if err != nil {
		tb.Fatal(err)
	}
	in, err := jsonvalue.Decode(inb)
	if err != nil {
		tb.Fatal(err)
	}
	return sm, in
}

func runBenchOnce(tb testing.TB, e *Engine, sm *StateMachine, in any) {
	x, err := e.Start(context.Background(), sm, in, StartOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	res, err := x.Wait(context.Background())
	if err != nil || res.Status != StatusSucceeded {
		tb.Fatalf("execution %s: %v %s %s", res.Status, err, res.Error, res.Cause)
	}
}

func TestOrderPipelineOutput(t *testing.T) {
	sm, in := loadBench(t)
	e := NewEngine(WithTasks(benchTasks))
	x, err := e.Start(context.Background(), sm, in, StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := x.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"msg": "order SO-1 picked 10 lines"}
	if !jsonvalue.Equal(res.Output, want) {
		t.Fatalf("output %s, want %s", jsonvalue.String(res.Output), jsonvalue.String(want))
	}
}

// BenchmarkOrderPipeline measures executions per second of the benchmark
// definition, one at a time and 64 at once.
func BenchmarkOrderPipeline(b *testing.B) {
	sm, in := loadBench(b)
	// The engine's own ids (random UUIDs), as `logiwaflow asl bench` uses.
	e := NewEngine(WithTasks(benchTasks))
	for range 200 {
		runBenchOnce(b, e, sm, in)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		start := time.Now()
		for b.Loop() {
			runBenchOnce(b, e, sm, in)
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "execs/s")
	})
	b.Run("parallel64", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(64 / max(1, runtimeProcs()))
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				runBenchOnce(b, e, sm, in)
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "execs/s")
	})
}

// jsonataPipeline is the benchmark definition written in JSONata (Output,
// Arguments, Assign, Condition, Items), to follow the cost of the JSONata
// side; `make bench` does not run it.
const jsonataPipeline = `{"QueryLanguage":"JSONata","StartAt":"Init","States":{
 "Init":{"Type":"Pass","Output":{"orderId":"{% $states.input.orderId %}","lines":"{% $states.input.lines %}","ts":"{% $states.context.Execution.StartTime %}"},"Next":"Validate"},
 "Validate":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:validate","Arguments":"{% $states.input %}","Assign":{"order":"{% $states.input %}"},"Output":"{% $merge([$states.input, {'validation': $states.result}]) %}","Next":"Route"},
 "Route":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.validation.ok %}","Next":"Lines"}],"Default":"Failed"},
 "Lines":{"Type":"Map","Items":"{% $states.input.lines %}","ItemProcessor":{"StartAt":"Pick","States":{"Pick":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:pick","End":true}}},"Output":"{% $merge([$states.input, {'picked': $states.result}]) %}","Next":"Fmt"},
 "Fmt":{"Type":"Pass","Output":{"msg":"{% 'order ' & $order.orderId & ' picked ' & $count($states.input.picked) & ' lines' %}"},"End":true},
 "Failed":{"Type":"Fail","Error":"OrderFailed"}}}`

func BenchmarkJSONataPipeline(b *testing.B) {
	_, in := loadBench(b)
	sm, err := NewStateMachine("order-pipeline-jsonata", []byte(jsonataPipeline))
	if err != nil {
		b.Fatal(err)
	}
	e := NewEngine(WithTasks(benchTasks))
	x, err := e.Start(context.Background(), sm, in, StartOptions{})
	if err != nil {
		b.Fatal(err)
	}
	res, err := x.Wait(context.Background())
	if want := map[string]any{"msg": "order SO-1 picked 10 lines"}; err != nil || !jsonvalue.Equal(res.Output, want) {
		b.Fatalf("output %s (%v %s %s), want %s", jsonvalue.String(res.Output), err, res.Error, res.Cause, jsonvalue.String(want))
	}
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		runBenchOnce(b, e, sm, in)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "execs/s")
}
