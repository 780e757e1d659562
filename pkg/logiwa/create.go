package logiwa

import (
	"context"
	"log/slog"
	"net/http"
)

// missingIDReason marks a create that Logiwa answered without an identifier.
const missingIDReason = "create answered without an identifier"

// createOnce is the idempotent create that orders and returns share.
// Logiwa has no idempotency key, so the business key (order code, RMA
// number) is the key: under a per-key lock, look it up; if absent, prepare
// the body and create; when Logiwa refuses the create (it refuses a
// duplicate key, e.g. because another execution won a race) or answers
// without an identifier, look again and report what is there. A create that
// timed out is not retried here: the workflow's retry runs this again and
// finds the record.
func (c *Client) createOnce(ctx context.Context, op, lockKey, path string,
	find func() (id string, ok bool, err error), prepare func() (any, error)) (id string, existed bool, err error) {
	unlock, err := c.keys.lock(ctx, lockKey)
	if err != nil {
		return "", false, withOp(err, op)
	}
	defer unlock()

	if id, ok, err := find(); ok || err != nil {
		return id, ok, err
	}
	body, err := prepare()
	if err != nil {
		return "", false, err
	}
	req := c.newRequest(http.MethodPost, path, path)
	req.body = body
	var out idResult
	ci, cerr := c.do(ctx, req, &out)
	if cerr == nil {
		if id := out.identifier(); id != "" {
			return id, false, nil
		}
		cerr = &UnavailableError{Call: ci, Reason: missingIDReason}
	}
	if _, refused := cerr.(*RejectedError); refused || isMissingID(cerr) {
		if id, ok, ferr := find(); ok && ferr == nil {
			c.log.LogAttrs(ctx, slog.LevelInfo, "logiwa: already existed", slog.String("op", op), slog.String("key", lockKey))
			return id, true, nil
		}
	}
	return "", false, withOp(cerr, op)
}

func isMissingID(err error) bool {
	u, ok := err.(*UnavailableError)
	return ok && u.Reason == missingIDReason
}
