package gate

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/records"
)

// WriteClaims keep two versions of one entity from reaching Logiwa out of
// order (see records.ClaimWrite): the stale guard in Validate alone lets v2
// and v3 of a SKU both through while neither is recorded, and v2 may then be
// written after v3.
type WriteClaims interface {
	ClaimWrite(ctx context.Context, pk string, version int64, owner string, ttl time.Duration) error
	FinishWrite(ctx context.Context, pk string, version int64, owner, logiwaID string, wrote bool) error
}

// claimTTL bounds how long a crashed worker's claim blocks the entity; it is
// longer than any one Logiwa operation (request timeouts are 30 s).
const claimTTL = 2 * time.Minute

// OutcomeSuperseded is the result outcome of a write skipped because the
// same or a newer version was already written.
const OutcomeSuperseded = "superseded"

// claimKey names the entity a write operation changes and its version;
// ok is false for operations that need no claim (reads; creates, which
// Logiwa holds once by code whatever the version).
func claimKey(op string, payload json.RawMessage) (pk string, version int64, ok bool) {
	if op != "upsertProduct" {
		return "", 0, false
	}
	var m struct {
		SKU     string `json:"sku"`
		Version int64  `json:"version"`
	}
	if json.Unmarshal(payload, &m) != nil || m.SKU == "" {
		return "", 0, false // the operation itself reports the bad payload
	}
	return records.Key("product", m.SKU), m.Version, true
}

// claimed runs call under the entity's write claim. A write at or below the
// version already written is not made again: it answers with what Logiwa
// holds (outcome "superseded"), so UpdateDB records it, conditional on
// version as always.
func (w *Worker) claimed(ctx context.Context, req Request, call func() (any, time.Duration, error)) (any, time.Duration, error) {
	pk, version, ok := claimKey(req.Operation, req.Payload)
	if !ok || w.Claims == nil {
		return call()
	}
	if err := w.Claims.ClaimWrite(ctx, pk, version, req.Execution, claimTTL); err != nil {
		var sup *records.SupersededError
		if errors.As(err, &sup) {
			return WriteResult{ID: sup.LogiwaID, Outcome: OutcomeSuperseded}, 0, nil
		}
		return nil, 0, err
	}
	res, latency, err := call()
	id := ""
	if wr, ok := res.(WriteResult); ok {
		id = wr.ID
	}
	if ferr := w.Claims.FinishWrite(ctx, pk, version, req.Execution, id, err == nil); ferr != nil {
		w.log().Warn("write claim not finished", "execution", req.Execution, "key", pk, "err", ferr)
	}
	return res, latency, err
}
