package operator

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/logiwaflow/logiwaflow/pkg/message"
	"github.com/logiwaflow/logiwaflow/pkg/parking"
)

// ParkedFilter selects parked messages.
type ParkedFilter struct {
	Reason string
	Flow   string
	Limit  int // 0 means 100
}

// ParkedItem is one parked message in a listing.
type ParkedItem struct {
	Key       string    `json:"key"`
	Reason    string    `json:"reason"`
	Flow      string    `json:"flow"`
	Execution string    `json:"execution"`
	ParkedAt  time.Time `json:"parkedAt"`
	Error     string    `json:"error,omitempty"`
	Cause     string    `json:"cause,omitempty"`
	Replay    int       `json:"replay"`
	Exhausted bool      `json:"exhausted,omitempty"`
}

// checkFilter validates a reason and a flow against the known ones.
func checkFilter(reason, flow string) error {
	if reason != "" && !slices.Contains(parking.Reasons, reason) {
		return usagef("unknown reason %q (want one of %s)", reason, strings.Join(parking.Reasons, ", "))
	}
	if flow != "" {
		if _, err := message.ParseFlow(flow); err != nil {
			return usagef("%w", err)
		}
	}
	return nil
}

// splitKey reads parked/<reason>/<flow>/<yyyy>/<mm>/<dd>/<execution>.json.
func splitKey(key string) (reason, flow, execution string, ok bool) {
	rest, found := strings.CutPrefix(key, parking.ParkedPrefix)
	if !found {
		rest, found = strings.CutPrefix(key, parking.RedrivenPrefix)
	}
	parts := strings.Split(rest, "/")
	if !found || len(parts) != 6 || !strings.HasSuffix(parts[5], ".json") {
		return "", "", "", false
	}
	return parts[0], parts[1], strings.TrimSuffix(parts[5], ".json"), true
}

// ListParked lists parked messages (oldest key first within the S3 order),
// each read for its error and replay count.
func (o *Operator) ListParked(ctx context.Context, f ParkedFilter) ([]ParkedItem, error) {
	if err := checkFilter(f.Reason, f.Flow); err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	prefix := parking.ParkedPrefix
	if f.Reason != "" {
		prefix += f.Reason + "/"
		if f.Flow != "" {
			prefix += f.Flow + "/"
		}
	}
	var items []ParkedItem
	err := o.eachObject(ctx, prefix, func(obj s3types.Object) bool {
		key := aws.ToString(obj.Key)
		reason, flow, execution, ok := splitKey(key)
		if !ok || (f.Flow != "" && flow != f.Flow) {
			return true
		}
		items = append(items, ParkedItem{Key: key, Reason: reason, Flow: flow, Execution: execution, ParkedAt: aws.ToTime(obj.LastModified).UTC()})
		return len(items) < limit
	})
	if err != nil {
		return nil, err
	}
	if err := o.fillParked(ctx, items); err != nil {
		return nil, err
	}
	return items, nil
}

// eachObject calls fn for every object under prefix until fn returns false.
func (o *Operator) eachObject(ctx context.Context, prefix string, fn func(s3types.Object) bool) error {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(o.Target.ParkedBucket), Prefix: aws.String(prefix)}
	for {
		out, err := o.S3.ListObjectsV2(ctx, in)
		if err != nil {
			var nb *s3types.NoSuchBucket
			if errors.As(err, &nb) {
				return failedf("the parked bucket %s does not exist on the target", o.Target.ParkedBucket)
			}
			return fmt.Errorf("list %s in bucket %s: %w", prefix, o.Target.ParkedBucket, err)
		}
		for _, obj := range out.Contents {
			if !fn(obj) {
				return nil
			}
		}
		if !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil {
			return nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// fillParked reads each item's object, a few at a time, for what the key
// does not say.
func (o *Operator) fillParked(ctx context.Context, items []ParkedItem) error {
	svc := o.parking()
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	errs := make([]error, len(items))
	for i := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			p, err := svc.Get(ctx, items[i].Key)
			if err != nil {
				var nk *s3types.NoSuchKey
				if errors.As(err, &nk) {
					return // redriven between the listing and the read
				}
				errs[i] = err
				return
			}
			items[i].Error, items[i].Cause, items[i].Replay, items[i].Exhausted = p.Error, p.Cause, p.Replay, p.Exhausted
			if t, err := time.Parse(time.RFC3339Nano, p.ParkedAt); err == nil {
				items[i].ParkedAt = t.UTC()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (o *Operator) parking() *parking.Service {
	return &parking.Service{S3: o.S3, Bucket: o.Target.ParkedBucket, Now: o.Now}
}

// ShowParked returns one parked message by its key, or by the name of the
// execution that parked it (looked up under parked/, then redriven/).
func (o *Operator) ShowParked(ctx context.Context, keyOrExecution string) (parking.Parked, error) {
	key := keyOrExecution
	if !strings.HasPrefix(key, parking.ParkedPrefix) && !strings.HasPrefix(key, parking.RedrivenPrefix) {
		found, err := o.findParked(ctx, keyOrExecution)
		if err != nil {
			return parking.Parked{}, err
		}
		key = found
	}
	p, err := o.parking().Get(ctx, key)
	if err != nil {
		var nk *s3types.NoSuchKey
		if errors.As(err, &nk) {
			return p, failedf("no parked message %s", key)
		}
		return p, err
	}
	return p, nil
}

// findParked finds the object an execution parked, by the execution's full
// name or a part of it (an order number, a SKU) that only one parked message
// has. An exact name wins wherever it is; otherwise current parks are
// preferred to redriven copies. When the name starts with a flow, only that
// flow's keys are listed.
func (o *Operator) findParked(ctx context.Context, ref string) (string, error) {
	name := strings.TrimSuffix(ref, ".json")
	flow := ""
	if f, _, ok := strings.Cut(name, "-"); ok {
		if _, err := message.ParseFlow(f); err == nil {
			flow = f
		}
	}
	tops := []string{parking.ParkedPrefix, parking.RedrivenPrefix}
	partial := map[string][]string{}
	for _, top := range tops {
		prefixes := []string{top}
		if flow != "" {
			prefixes = prefixes[:0]
			for _, r := range parking.Reasons {
				prefixes = append(prefixes, top+r+"/"+flow+"/")
			}
		}
		for _, prefix := range prefixes {
			exact := ""
			err := o.eachObject(ctx, prefix, func(obj s3types.Object) bool {
				key := aws.ToString(obj.Key)
				_, _, execution, ok := splitKey(key)
				switch {
				case !ok:
				case execution == name:
					exact = key
					return false
				case strings.Contains(strings.ToLower(execution), strings.ToLower(name)):
					partial[top] = append(partial[top], key)
				}
				return true
			})
			if err != nil {
				return "", err
			}
			if exact != "" {
				return exact, nil
			}
		}
	}
	for _, top := range tops {
		keys := partial[top]
		switch len(keys) {
		case 0:
			continue
		case 1:
			return keys[0], nil
		}
		more := ""
		if len(keys) > 5 {
			keys, more = keys[:5], ", ..."
		}
		return "", usagef("%q matches %d parked messages (%s%s): give the execution's full name or the key", ref, len(partial[top]), strings.Join(keys, ", "), more)
	}
	return "", failedf("no parked message for %q: give the object key or the name of the execution that parked it", ref)
}
