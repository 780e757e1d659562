// Package schedule holds the schedules that start the sync and redrive
// workflows. The expressions are EventBridge Scheduler expressions; Terraform
// deploys the same strings as its variables' defaults (a test in pkg/tfcheck
// compares them), and the local runtime fires them on its own clock.
package schedule

// Schedule starts one state machine with a fixed input.
type Schedule struct {
	// Name is the schedule's name and the Terraform variable's stem
	// (<name>_schedule).
	Name string
	// StateMachine is the definition name in statemachines/.
	StateMachine string
	// Expression is rate(...) or cron(...) in EventBridge Scheduler syntax.
	Expression string
	// Input is the execution input (the scheduled form; operators pass more).
	Input string
}

// Defaults are the schedules as deployed unless an operator overrides them.
var Defaults = []Schedule{
	{Name: "inventory_sync", StateMachine: "inventory-sync", Expression: "rate(10 minutes)", Input: "{}"},
	{Name: "orders_sync", StateMachine: "orders-sync", Expression: "rate(15 minutes)", Input: "{}"},
	// The daily redrive replays transient failures only: an invalid or
	// rejected message fails the same way until someone fixes it and
	// redrives it by hand. order_not_found is replayed: by then the refund's
	// order has usually arrived or been redriven itself (the replay budget
	// leaves one that keeps failing parked, marked exhausted).
	{Name: "redrive", StateMachine: "redrive", Expression: "cron(0 6 * * ? *)", Input: `{"skip":["invalid","rejected"]}`},
}
