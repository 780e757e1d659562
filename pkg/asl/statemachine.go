package asl

// state is one compiled state. One struct serves every state type; the
// fields a type does not use stay zero. Expressions are compiled here once so
// that running a state never parses anything.
type state struct {
	name string
	typ  string
	// enteredType and exitedType are the state's event types, e.g.
	// "PassStateEntered", built once.
	enteredType, exitedType evType
	ql                      queryLang
	next                    string
	end                     bool

	// JSONPath input/output processing.
	inputPath      *optPath
	outputPath     *optPath
	resultPath     *resultPath
	parameters     *tmpl
	resultSelector *tmpl
	result         any
	hasResult      bool

	// JSONata input/output processing.
	arguments *jtmpl
	output    *jtmpl

	// assign is a *tmpl (JSONPath) or *jtmpl (JSONata).
	assign any

	retry []*retrier
	catch []*catcher

	// Fail.
	failError, failCause         valueSource
	failErrorPath, failCausePath *pathExpr

	// Wait.
	waitSeconds, waitTimestamp         valueSource
	waitSecondsPath, waitTimestampPath *pathExpr

	// Choice.
	choices       []*choiceRule
	choiceDefault string

	// Task.
	task *taskSpec

	// Parallel.
	branches []*program

	// Map.
	mapSpec *mapSpec
}

// valueSource is a field that is a literal (JSONPath) or a JSONata template.
type valueSource interface{ isValueSource() }

// lit is a literal field value.
type lit struct{ v any }

func (lit) isValueSource()    {}
func (*jtmpl) isValueSource() {}

func literal(v any) valueSource { return lit{v} }

// taskSpec is the Task-only part of a state.
type taskSpec struct {
	resource      string
	resourceExpr  valueSource // JSONata Resource is a plain string too
	timeout       valueSource // TimeoutSeconds (literal or JSONata)
	timeoutPath   *pathExpr
	heartbeat     valueSource
	heartbeatPath *pathExpr
	credentials   any // *tmpl or *jtmpl
	hasTimeout    bool
	hasHeartbeat  bool
	// Derived from resource once at parse time.
	rtype, rname, region string
	lambdaFn, waitToken  bool
}

// mapSpec is the Map-only part of a state.
type mapSpec struct {
	itemsPath          *optPath
	items              valueSource // JSONata Items
	itemSelector       any         // *tmpl or *jtmpl
	processor          *program
	distributed        bool
	maxConcurrency     valueSource
	maxConcurrencyPath *pathExpr
	tolCount           valueSource
	tolCountPath       *pathExpr
	tolPct             valueSource
	tolPctPath         *pathExpr
	hasTolerance       bool
	itemReader         map[string]any
	itemBatcher        map[string]any
	resultWriter       map[string]any
	label              string
}
