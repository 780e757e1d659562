package schedule

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/logiwaflow/logiwaflow/pkg/parking"
)

// TestDailyRedriveSkipList: the daily redrive skips only the reasons that
// fail the same way on a replay (invalid, rejected) and names no reason that
// does not exist; order_not_found in particular is replayed, so a refund
// whose order arrived (or was itself redriven) since lands.
func TestDailyRedriveSkipList(t *testing.T) {
	i := slices.IndexFunc(Defaults, func(s Schedule) bool { return s.Name == "redrive" })
	if i < 0 {
		t.Fatal("no redrive schedule")
	}
	var in struct {
		Skip []string `json:"skip"`
	}
	if err := json.Unmarshal([]byte(Defaults[i].Input), &in); err != nil {
		t.Fatalf("redrive input %s: %v", Defaults[i].Input, err)
	}
	for _, r := range in.Skip {
		if !slices.Contains(parking.Reasons, r) {
			t.Errorf("skip names %q, which is no parking reason", r)
		}
	}
	want := []string{parking.ReasonInvalid, parking.ReasonRejected}
	got := slices.Sorted(slices.Values(in.Skip))
	if !slices.Equal(got, want) {
		t.Errorf("daily redrive skips %v, want %v", got, want)
	}
	for _, r := range []string{parking.ReasonOrderNotFound, parking.ReasonOutage, parking.ReasonThresholdExceeded} {
		if slices.Contains(in.Skip, r) {
			t.Errorf("daily redrive skips %s, which a replay can apply", r)
		}
	}
}
