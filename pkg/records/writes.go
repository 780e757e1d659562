package records

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Write claims keep two versions of one entity from reaching Logiwa out of
// order. The stale guard in Validate cannot: two versions of a SKU can both
// pass it while neither is recorded yet, and then v2 may be written to
// Logiwa after v3. So the gate claims a per-entity row in the jobs table
// around each write: the claim holds a short lock and the highest version
// written, and a version at or below it is not written again.

// WriteClaim is the jobs-table row of one entity's Logiwa writes.
type WriteClaim struct {
	PK         string `dynamodbav:"pk"`
	Written    int64  `dynamodbav:"written,omitempty"`  // highest version written to Logiwa
	LogiwaID   string `dynamodbav:"logiwaId,omitempty"` // what Logiwa called it
	LockOwner  string `dynamodbav:"lockOwner,omitempty"`
	LockExpiry int64  `dynamodbav:"lockExpiry,omitempty"` // unix seconds
}

// WriteBusyError says another execution is writing the same entity now; the
// workflow retries (the name is what the ASL matches).
type WriteBusyError struct {
	PK     string
	Owner  string
	Expiry time.Time
}

func (e *WriteBusyError) Error() string {
	return fmt.Sprintf("%s is being written to Logiwa by %s (lock until %s)", e.PK, e.Owner, e.Expiry.Format(time.RFC3339))
}

// ErrorName is the name the workflows retry on.
func (e *WriteBusyError) ErrorName() string { return "Gate.Busy" }

// SupersededError says a version at or above this one was already written:
// writing this one would put older data over newer.
type SupersededError struct {
	PK       string
	Written  int64
	LogiwaID string
}

func (e *SupersededError) Error() string {
	return fmt.Sprintf("%s version %d is already written to Logiwa", e.PK, e.Written)
}

func writeKey(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "write#" + pk}}
}

// ClaimWrite locks pk for owner until now+ttl to write version, if no
// version at or above it was written and nobody else holds the lock. It
// fails with *SupersededError or *WriteBusyError otherwise.
func (s *Store) ClaimWrite(ctx context.Context, pk string, version int64, owner string, ttl time.Duration) error {
	now := s.now()
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.JobTable),
		Key:                      writeKey(pk),
		ConditionExpression:      aws.String("(attribute_not_exists(#w) OR #w < :v) AND (attribute_not_exists(#o) OR #o = :none OR #o = :me OR #e < :now)"),
		UpdateExpression:         aws.String("SET #o = :me, #e = :exp"),
		ExpressionAttributeNames: map[string]string{"#w": "written", "#o": "lockOwner", "#e": "lockExpiry"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":v":    &types.AttributeValueMemberN{Value: strconv.FormatInt(version, 10)},
			":me":   &types.AttributeValueMemberS{Value: owner},
			":none": &types.AttributeValueMemberS{Value: ""},
			":now":  &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)},
			":exp":  &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(ttl).Unix(), 10)},
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		cur, gerr := s.writeClaim(ctx, pk)
		if gerr != nil {
			return gerr
		}
		if cur.Written >= version {
			return &SupersededError{PK: pk, Written: cur.Written, LogiwaID: cur.LogiwaID}
		}
		return &WriteBusyError{PK: pk, Owner: cur.LockOwner, Expiry: time.Unix(cur.LockExpiry, 0).UTC()}
	}
	if err != nil {
		return fmt.Errorf("claim the Logiwa write of %s: %w", pk, err)
	}
	return nil
}

// FinishWrite releases owner's lock on pk; when the write reached Logiwa it
// also records version (and Logiwa's identifier) as written.
func (s *Store) FinishWrite(ctx context.Context, pk string, version int64, owner, logiwaID string, wrote bool) error {
	update := "SET #o = :none, #e = :zero"
	names := map[string]string{"#o": "lockOwner", "#e": "lockExpiry"}
	values := map[string]types.AttributeValue{
		":me":   &types.AttributeValueMemberS{Value: owner},
		":none": &types.AttributeValueMemberS{Value: ""},
		":zero": &types.AttributeValueMemberN{Value: "0"},
	}
	if wrote {
		update += ", #w = :v"
		names["#w"] = "written"
		values[":v"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(version, 10)}
		if logiwaID != "" {
			update += ", #id = :id"
			names["#id"] = "logiwaId"
			values[":id"] = &types.AttributeValueMemberS{Value: logiwaID}
		}
	}
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.JobTable),
		Key:                       writeKey(pk),
		ConditionExpression:       aws.String("#o = :me"),
		UpdateExpression:          aws.String(update),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("finish the Logiwa write of %s: %s no longer holds the lock (it expired)", pk, owner)
	}
	if err != nil {
		return fmt.Errorf("finish the Logiwa write of %s: %w", pk, err)
	}
	return nil
}

func (s *Store) writeClaim(ctx context.Context, pk string) (WriteClaim, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.JobTable), Key: writeKey(pk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return WriteClaim{}, fmt.Errorf("read the Logiwa write claim of %s: %w", pk, err)
	}
	var c WriteClaim
	if err := attributevalue.UnmarshalMap(out.Item, &c); err != nil {
		return WriteClaim{}, fmt.Errorf("decode the Logiwa write claim of %s: %w", pk, err)
	}
	return c, nil
}
