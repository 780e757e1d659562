// Package logiwa is logiwaflow's client for Logiwa IO Open API v3.1 (Logiwa
// WMS). Task handlers call it; it talks to the real sandbox or production
// API, or to pkg/logiwasim in tests and local runs. It never retries on its
// own beyond one re-login: retries, back-off and parking belong to the
// workflows, which see the whole picture (shared/DESIGN.md).
//
// # Authentication
//
// POST /v3.1/Authorize/token with {"email","password"} returns {"token"},
// sent as a bearer token. The reference documents no lifetime or refresh, so
// the token is cached until Logiwa answers 401 (or Config.TokenTTL passes).
// Concurrent callers share one login (single flight). A 401 drops the token
// generation the caller used, logs in once more and retries once; a second
// 401 is Logiwa.Unauthorized. Credentials and tokens are never logged.
//
// # Errors
//
// Every failure is one of four types, each with ErrorName() giving the name
// the state machines match: *UnavailableError (Logiwa.Unavailable: 5xx, 503
// maintenance, refused/reset connections, timeouts, malformed or truncated
// bodies), *RateLimitedError (Logiwa.RateLimited: 429, with Retry-After),
// *UnauthorizedError (Logiwa.Unauthorized) and *RejectedError
// (Logiwa.Rejected: 400/404/413/414/415 and other 4xx, with the field
// errors of the validation shape {message, data[{property, errorMessage}],
// code, status}, of {message}, of ErrorResponse {code, description,
// message} or of problem details). Public methods return these pointers
// unwrapped, the operation named in their Op field, because aws-lambda-go
// reports the Go type name of the error a handler returns.
//
// # Latency
//
// Each HTTP call produces a CallInfo (endpoint template, status, latency,
// attempts). It is attached to typed errors and pages, passed to
// Config.OnCall, and collected per operation by a Recorder: wrap the context
// with Record and compare Recorder.Latency with the operation's threshold.
// Every call honours the context deadline, bounded by Config.RequestTimeout.
//
// # Idempotency
//
// Logiwa has no idempotency keys, so each write is keyed by a business key
// and looks before it writes:
//   - UpsertProduct finds the product by Sku.eq (and client); creates it when
//     missing; updates it only when a field we manage differs, and otherwise
//     skips the update (Outcome unchanged), so a replay is a single read and
//     leaves even Logiwa's UpdatedDateTime alone.
//   - CreateShipmentOrder finds by Code.eq first; a found order is reported as
//     created with AlreadyExisted. When the create is refused (Logiwa keeps
//     codes unique) or answers without an identifier, it looks again, which
//     settles the race of two concurrent creates. CreateReturnOrder does the
//     same with the RMA number; CancelShipmentOrder reports an order that is
//     already cancelled as unchanged.
//   - Within one process, writes for the same key are serialised.
//
// # Paging
//
// Lists use /i/{index}/s/{size} with a 0-based page index and at most 200
// rows per page, answered {data, totalCount}; 204 means an empty page. The
// *Page methods fetch one page (the syncs fetch one page per workflow step);
// the iterator methods (iter.Seq2[Page[T], error]) stream page after page
// with one page in memory. Paging stops at a short or empty page or once
// index*size reaches totalCount.
//
// # Conflicts in the reference handled here
//
//   - Create responses: GuidResult {"data": guid} per the reference, but a
//     production client reads {"value": guid}: both are accepted, and a
//     create that returns neither is treated as not known to have happened.
//   - List envelopes: {data, totalCount}, a bare array (warehouse and order
//     type lists) and {data: {data, totalCount}} (v3.2 return order list).
//   - Product "upc": an array in create/update, a string in list rows.
//   - Timestamps with and without a zone (zone-less read as UTC).
//   - 403 "throttled" from the classic API is treated as a rate limit.
//   - Return orders exist only as v3.2 endpoints.
package logiwa
