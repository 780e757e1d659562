// Package parking keeps the messages a workflow could not apply: Park stores
// one in S3 with its reason, and Redrive re-publishes parked messages to their
// queues with a replay count. Nothing is deleted silently: a redriven message
// moves to the redriven/ prefix with when and as which replay it went, and a
// message past its replay budget stays parked, marked exhausted.
//
// Keys are parked/<reason>/<flow>/<yyyy>/<mm>/<dd>/<execution>.json. DESIGN.md
// sketched parked/<flow>/<date>/...; the reason comes first here so that
// "redrive every outage" is one S3 prefix listing instead of a read of every
// parked object.
package parking

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Reasons a message is parked.
const (
	ReasonOutage            = "outage"
	ReasonThresholdExceeded = "threshold_exceeded"
	ReasonRejected          = "rejected"
	ReasonInvalid           = "invalid"
	ReasonUnauthorized      = "unauthorized"
	// ReasonOrderNotFound is a refund whose shipment order Logiwa did not
	// hold even after the workflow's retries: usually the order's own
	// message is parked too, so the daily redrive replays both.
	ReasonOrderNotFound = "order_not_found"
)

// Reasons lists every parking reason.
var Reasons = []string{ReasonOutage, ReasonThresholdExceeded, ReasonRejected, ReasonInvalid, ReasonUnauthorized, ReasonOrderNotFound}

// Prefixes of the bucket.
const (
	ParkedPrefix   = "parked/"
	RedrivenPrefix = "redriven/"
)

// ObjectStore is the part of the S3 client parking uses.
type ObjectStore interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// Sender is the part of the SQS client redrive uses.
type Sender interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// Parked is one parked message as stored.
type Parked struct {
	Key       string `json:"key"`
	Flow      string `json:"flow"`
	Execution string `json:"execution"`
	Reason    string `json:"reason"`
	Error     string `json:"error"`
	Cause     string `json:"cause"`
	Body      string `json:"body"` // the original message, exactly as received
	// BodyRef is where the trigger kept a message too large for an
	// execution input (Body is then empty).
	BodyRef   string          `json:"bodyRef,omitempty"`
	Replay    int             `json:"replay"`
	ParkedAt  string          `json:"parkedAt"`
	Exhausted bool            `json:"exhausted,omitempty"`
	Redriven  *RedriveMark    `json:"redriven,omitempty"`
	History   []HistoryEntry  `json:"history,omitempty"` // earlier parks of the same message
	Original  json.RawMessage `json:"original,omitempty"`
}

// RedriveMark records a redrive.
type RedriveMark struct {
	At     string `json:"at"`
	Replay int    `json:"replay"`
	By     string `json:"by,omitempty"`
}

// HistoryEntry is an earlier park of the same message.
type HistoryEntry struct {
	Execution string `json:"execution"`
	Reason    string `json:"reason"`
	Error     string `json:"error"`
	Cause     string `json:"cause"`
	ParkedAt  string `json:"parkedAt"`
	Replay    int    `json:"replay"`
}

// Service parks and redrives.
type Service struct {
	S3         ObjectStore
	Bucket     string
	SQS        Sender
	Queues     map[string]string // queue URL per flow
	MaxReplays int               // replay budget; 0 means 5
	Now        func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) maxReplays() int {
	if s.MaxReplays <= 0 {
		return 5
	}
	return s.MaxReplays
}

// ParkInput is what the workflows' Park state sends.
type ParkInput struct {
	Flow      string          `json:"flow"`
	Execution string          `json:"execution"`
	Reason    string          `json:"reason"`
	Failure   json.RawMessage `json:"failure"`  // the error output: {"Error": ..., "Cause": ...}
	Original  json.RawMessage `json:"original"` // the execution input: {"body": ..., "replay": ..., "parkedFrom": ...}
}

// ParkOutput goes to the workflow's Fail state.
type ParkOutput struct {
	Key    string `json:"key"`
	Reason string `json:"reason"`
	Error  string `json:"error"`
	Cause  string `json:"cause"`
}

type executionInput struct {
	Body       string `json:"body"`
	Replay     int    `json:"replay"`
	ParkedFrom string `json:"parkedFrom"`
	BodyRef    string `json:"bodyRef"`
}

// Park stores the message. It is idempotent per execution: a retried Park
// overwrites the same key with the same content.
func (s *Service) Park(ctx context.Context, in ParkInput) (ParkOutput, error) {
	if in.Reason == "" {
		in.Reason = ReasonOutage
	}
	var fail struct{ Error, Cause string }
	if len(in.Failure) > 0 {
		_ = json.Unmarshal(in.Failure, &fail) // a malformed failure still parks, with what we have
	}
	var ex executionInput
	if len(in.Original) > 0 {
		if err := json.Unmarshal(in.Original, &ex); err != nil {
			// Keep the execution input verbatim even if it is not the shape we
			// expect (someone started the execution by hand).
			ex.Body = string(in.Original)
		}
	}
	now := s.now()
	p := Parked{
		Key:       ObjectKey(in.Reason, in.Flow, now, in.Execution),
		Flow:      in.Flow,
		Execution: in.Execution,
		Reason:    in.Reason,
		Error:     fail.Error,
		Cause:     fail.Cause,
		Body:      ex.Body,
		BodyRef:   ex.BodyRef,
		Replay:    ex.Replay,
		ParkedAt:  now.Format(time.RFC3339Nano),
		Original:  in.Original,
	}
	if ex.ParkedFrom != "" {
		if prev, err := s.Get(ctx, ex.ParkedFrom); err == nil {
			p.History = append(prev.History, HistoryEntry{
				Execution: prev.Execution, Reason: prev.Reason, Error: prev.Error,
				Cause: prev.Cause, ParkedAt: prev.ParkedAt, Replay: prev.Replay,
			})
		}
	}
	if p.Replay >= s.maxReplays() {
		p.Exhausted = true
	}
	if err := s.put(ctx, p); err != nil {
		return ParkOutput{}, err
	}
	cause := p.Cause
	if cause == "" {
		cause = "parked as " + p.Reason
	}
	errName := p.Error
	if errName == "" {
		errName = "Parked." + p.Reason
	}
	return ParkOutput{Key: p.Key, Reason: p.Reason, Error: errName, Cause: cause}, nil
}

// ObjectKey builds a parked object's key.
func ObjectKey(reason, flow string, at time.Time, execution string) string {
	return fmt.Sprintf("%s%s/%s/%s/%s.json", ParkedPrefix, reason, flow, at.UTC().Format("2006/01/02"), execution)
}

func (s *Service) put(ctx context.Context, p Parked) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("encode parked %s: %w", p.Key, err)
	}
	_, err = s.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(s.Bucket),
		Key:         aws.String(p.Key),
		Body:        bytes.NewReader(b),
		ContentType: aws.String("application/json"),
	})
	if err != nil {
		return fmt.Errorf("park %s: %w", p.Key, err)
	}
	return nil
}

// Get reads a parked (or redriven) object.
func (s *Service) Get(ctx context.Context, key string) (Parked, error) {
	out, err := s.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(key)})
	if err != nil {
		return Parked{}, fmt.Errorf("read parked %s: %w", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return Parked{}, fmt.Errorf("read parked %s: %w", key, err)
	}
	var p Parked
	if err := json.Unmarshal(b, &p); err != nil {
		return Parked{}, fmt.Errorf("decode parked %s: %w", key, err)
	}
	p.Key = key
	return p, nil
}

// Filter selects parked messages.
type Filter struct {
	Reason string   `json:"reason,omitempty"`
	Flow   string   `json:"flow,omitempty"`
	Keys   []string `json:"keys,omitempty"` // exact keys (redrive of a selection)
	// Skip leaves out these reasons (the daily redrive skips invalid and
	// rejected, which fail the same way until someone fixes them).
	Skip []string `json:"skip,omitempty"`
}

func (f Filter) prefix() string {
	p := ParkedPrefix
	if f.Reason == "" {
		return p
	}
	p += f.Reason + "/"
	if f.Flow != "" {
		p += f.Flow + "/"
	}
	return p
}

func (f Filter) match(key string) bool {
	rest := strings.TrimPrefix(key, ParkedPrefix)
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) < 3 {
		return false
	}
	return (f.Reason == "" || parts[0] == f.Reason) && (f.Flow == "" || parts[1] == f.Flow) && !slices.Contains(f.Skip, parts[0])
}

// List returns up to limit parked keys matching f, and a continuation token
// ("" when there are no more).
// A non-zero before keeps only objects written before it.
func (s *Service) List(ctx context.Context, f Filter, before time.Time, continuation string, limit int) ([]string, string, error) {
	if len(f.Keys) > 0 {
		return f.Keys, "", nil
	}
	if limit <= 0 {
		limit = 100
	}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(s.Bucket), Prefix: aws.String(f.prefix()), MaxKeys: aws.Int32(int32(limit))}
	if continuation != "" {
		in.ContinuationToken = aws.String(continuation)
	}
	out, err := s.S3.ListObjectsV2(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("list parked messages under %s: %w", f.prefix(), err)
	}
	keys := make([]string, 0, len(out.Contents))
	for _, o := range out.Contents {
		if !before.IsZero() && o.LastModified != nil && !o.LastModified.Before(before) {
			continue
		}
		if k := aws.ToString(o.Key); f.match(k) {
			keys = append(keys, k)
		}
	}
	next := ""
	if aws.ToBool(out.IsTruncated) {
		next = aws.ToString(out.NextContinuationToken)
	}
	return keys, next, nil
}

// Republish outcome values.
const (
	OutcomeRedriven  = "redriven"
	OutcomeExhausted = "exhausted"
	OutcomeDryRun    = "dry_run"
)

// RepublishResult is one message's redrive.
type RepublishResult struct {
	Key     string `json:"key"`
	Outcome string `json:"outcome"`
	Replay  int    `json:"replay"`
	Flow    string `json:"flow"`
}

// Republish sends one parked message back to its queue with replay+1 and
// moves it under redriven/. A message at its replay budget stays parked.
func (s *Service) Republish(ctx context.Context, key string, dryRun bool) (RepublishResult, error) {
	p, err := s.Get(ctx, key)
	if err != nil {
		return RepublishResult{}, err
	}
	res := RepublishResult{Key: key, Flow: p.Flow, Replay: p.Replay + 1}
	// A message kept in S3 for its size would only be too large again.
	if p.Replay >= s.maxReplays() || (p.Body == "" && p.BodyRef != "") {
		res.Outcome, res.Replay = OutcomeExhausted, p.Replay
		if !p.Exhausted {
			p.Exhausted = true
			if err := s.put(ctx, p); err != nil {
				return RepublishResult{}, err
			}
		}
		return res, nil
	}
	if dryRun {
		res.Outcome = OutcomeDryRun
		return res, nil
	}
	url, ok := s.Queues[p.Flow]
	if !ok {
		return RepublishResult{}, fmt.Errorf("redrive %s: no queue for flow %q", key, p.Flow)
	}
	body, err := withReplay(p.Body, res.Replay)
	if err != nil {
		return RepublishResult{}, fmt.Errorf("redrive %s: %w", key, err)
	}
	redrivenKey := RedrivenPrefix + strings.TrimPrefix(key, ParkedPrefix)
	// Mark first, then send: if the send fails the mark is rewritten by the
	// next redrive; if we sent first and then failed to mark, the next
	// redrive would send a second copy (harmless, as writes are idempotent,
	// but it is noise).
	p.Redriven = &RedriveMark{At: s.now().Format(time.RFC3339Nano), Replay: res.Replay}
	marked := p
	marked.Key = redrivenKey
	if err := s.put(ctx, marked); err != nil {
		return RepublishResult{}, err
	}
	_, err = s.SQS.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(url),
		MessageBody: aws.String(body),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			"parkedFrom": {DataType: aws.String("String"), StringValue: aws.String(redrivenKey)},
			// The trigger names the replay's execution from this, so a body
			// that is not a JSON object (no replay field) is not taken for
			// a duplicate of its first delivery.
			"replay": {DataType: aws.String("Number"), StringValue: aws.String(strconv.Itoa(res.Replay))},
		},
	})
	if err != nil {
		return RepublishResult{}, fmt.Errorf("redrive %s to %s: %w", key, url, err)
	}
	if _, err := s.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(key)}); err != nil {
		var nk *s3types.NoSuchKey
		if !errors.As(err, &nk) {
			return RepublishResult{}, fmt.Errorf("redrive %s: sent, but could not remove the parked copy (it is kept under %s too): %w", key, redrivenKey, err)
		}
	}
	res.Outcome = OutcomeRedriven
	return res, nil
}

// withReplay sets the message's replay field, keeping everything else.
func withReplay(body string, replay int) (string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &obj); err != nil || obj == nil {
		// An invalid message is redriven as it was; it will park as invalid
		// again, and the budget ends it.
		return body, nil
	}
	obj["replay"] = json.RawMessage(fmt.Sprint(replay))
	b, err := json.Marshal(obj)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
