// Package jsonpath evaluates the JSONPath dialect that AWS Step Functions
// uses (Jayway JsonPath) over values of the jsonvalue model, and implements
// ResultPath-style assignment (Set).
package jsonpath
