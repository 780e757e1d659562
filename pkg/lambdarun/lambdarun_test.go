package lambdarun

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

type unavailable struct{}

func (unavailable) Error() string     { return "Logiwa answered 503" }
func (unavailable) ErrorName() string { return "Logiwa.Unavailable" }

func TestWorkflowError(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantType string
	}{
		{"nil", nil, ""},
		{"named", unavailable{}, "Logiwa.Unavailable"},
		{"wrapped named", fmt.Errorf("create order: %w", unavailable{}), "Logiwa.Unavailable"},
		{"plain", errors.New("boom"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WorkflowError(tt.err)
			var ie messages.InvokeResponse_Error
			isInvoke := errors.As(got, &ie)
			if tt.wantType == "" {
				if isInvoke {
					t.Fatalf("unexpected conversion: %#v", got)
				}
				if !errors.Is(got, tt.err) {
					t.Fatalf("error not passed through: %v", got)
				}
				return
			}
			if !isInvoke || ie.Type != tt.wantType || ie.Message != tt.err.Error() {
				t.Fatalf("got %#v, want type %s", got, tt.wantType)
			}
		})
	}
}
