// Package intrinsic parses and evaluates the Amazon States Language intrinsic
// functions (States.Format, States.Array, States.Hash, ...) the way AWS Step
// Functions does, including its error names and cause texts.
package intrinsic
