package asl

import (
	"fmt"
	"strings"

	"github.com/logiwaflow/logiwaflow/pkg/asl/aslerr"
	"github.com/logiwaflow/logiwaflow/pkg/asl/jsonvalue"
)

// A Map state's ItemReader and ResultWriter go through the same TaskRunner
// as Task states, with the reader's or writer's Resource:
//
//   - ItemReader: Input is {"Parameters": <evaluated Parameters or
//     Arguments>, "ReaderConfig": <as written>}; the runner returns the items
//     (an array). A failure is States.ItemReaderFailed.
//   - ResultWriter with a Resource: Input is {"Parameters": ...,
//     "WriterConfig": <as written>, "Results": <the iterations' outputs,
//     transformed per WriterConfig.Transformation>}; the runner returns
//     where it wrote them (for s3:putObject, {"Bucket": ..., "Key": ...}),
//     and the Map's result is {"MapRunArn": ..., "ResultWriterDetails":
//     <that>}, as AWS returns it. A failure is States.ResultWriterFailed.
//   - ResultWriter with only a WriterConfig: the Map's result is the
//     transformed outputs; nothing is called.

// integrationArgs evaluates the Parameters (JSONPath, against the Map's
// effective input) or Arguments (JSONata) of an ItemReader or ResultWriter.
func (sr *stateRun) integrationArgs(cfg map[string]any, field string, eff any) (any, error) {
	if sr.st.ql == qlJSONata {
		a, ok := cfg["Arguments"]
		if !ok {
			return nil, nil
		}
		t, err := compileJSONata(a, field+"/Arguments")
		if err != nil {
			return nil, err
		}
		return t.eval(sr.bindingsFor(t, nil))
	}
	p, ok := cfg["Parameters"]
	if !ok {
		return nil, nil
	}
	t, err := compileTemplate(p, field+"/Parameters")
	if err != nil {
		return nil, err
	}
	return t.eval(sr.resolver(eff))
}

// callIntegration runs a reader's or writer's resource; its failures are
// named failName.
func (sr *stateRun) callIntegration(resource string, input map[string]any, failName string) (any, error) {
	x := sr.f.x
	res, err := x.eng.tasks.RunTask(x.ctx, TaskRequest{
		Resource: resource, Input: input,
		StateName: sr.st.name, ExecutionName: x.name, ExecutionARN: x.arn, StateMachineName: x.sm.Name,
	})
	if err != nil {
		if x.ctx.Err() != nil {
			return nil, &failure{err: "States.Aborted"}
		}
		return nil, newFailure(failName, err.Error())
	}
	if res, err = jsonvalue.Normalize(res); err != nil {
		return nil, newFailure(failName, err.Error())
	}
	return res, nil
}

// readItems asks the task runner for the items of an ItemReader.
func (sr *stateRun) readItems(eff any) ([]any, error) {
	ir := sr.st.mapSpec.itemReader
	params, err := sr.integrationArgs(ir, "ItemReader", eff)
	if err != nil {
		return nil, err
	}
	res, err := sr.callIntegration(str(ir, "Resource"),
		map[string]any{"Parameters": params, "ReaderConfig": ir["ReaderConfig"]}, aslerr.ItemReaderFailed)
	if err != nil {
		return nil, err
	}
	arr, ok := res.([]any)
	if !ok {
		return nil, newFailure(aslerr.ItemReaderFailed, "the item reader did not return an array")
	}
	return arr, nil
}

// writeResults applies a ResultWriter to the iterations' outputs and
// returns the Map's result.
func (sr *stateRun) writeResults(results []any, eff any) (any, error) {
	rw := sr.st.mapSpec.resultWriter
	wc, _ := rw["WriterConfig"].(map[string]any)
	resource := str(rw, "Resource")
	transformation := str(wc, "Transformation")
	if transformation == "" {
		// AWS's defaults: the full records when exporting, the plain
		// outputs otherwise.
		transformation = "COMPACT"
		if resource != "" {
			transformation = "NONE"
		}
	}
	out := transformResults(results, transformation)
	if resource == "" {
		return out, nil
	}
	params, err := sr.integrationArgs(rw, "ResultWriter", eff)
	if err != nil {
		return nil, err
	}
	input := map[string]any{"Parameters": params, "Results": out}
	if wc != nil {
		input["WriterConfig"] = wc
	}
	details, err := sr.callIntegration(resource, input, aslerr.ResultWriterFailed)
	if err != nil {
		return nil, err
	}
	return map[string]any{"MapRunArn": sr.mapRunARN(), "ResultWriterDetails": details}, nil
}

// transformResults applies WriterConfig.Transformation: FLATTEN splices
// array outputs into the list; COMPACT and NONE keep the outputs as they
// are (an inline run has no child-execution records to add for NONE).
func transformResults(results []any, transformation string) []any {
	if transformation != "FLATTEN" {
		return results
	}
	out := make([]any, 0, len(results))
	for _, r := range results {
		if arr, ok := r.([]any); ok {
			out = append(out, arr...)
			continue
		}
		out = append(out, r)
	}
	return out
}

// mapRunARN names this run of the Map state the way AWS does:
// arn:aws:states:<region>:<account>:mapRun:<machine>/<label or state>:<id>.
func (sr *stateRun) mapRunARN() string {
	x := sr.f.x
	label := sr.st.mapSpec.label
	if label == "" {
		label = sr.st.name
	}
	base := strings.Replace(x.smARN, ":stateMachine:", ":mapRun:", 1)
	return fmt.Sprintf("%s/%s:%s", base, label, x.eng.ids())
}
