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

// Stock is one SKU's level in one warehouse, as the inventory sync read it.
type Stock struct {
	PK        string `dynamodbav:"pk"`
	SKU       string `dynamodbav:"sku"`
	Warehouse string `dynamodbav:"warehouse"`
	Available int64  `dynamodbav:"available"`
	Total     int64  `dynamodbav:"total"`
	Damaged   int64  `dynamodbav:"damaged"`
	SyncedAt  string `dynamodbav:"syncedAt"`
}

// OrderStatus is what the order sync read back for one shipment order.
type OrderStatus struct {
	OrderNumber string
	Status      string
	Tracking    []string
	Shipments   []string
	Partial     bool
	ShippedQty  int64
	OrderedQty  int64
	UpdatedAt   string
}

// maxBatch is DynamoDB's BatchWriteItem limit.
const maxBatch = 25

// PutStock writes stock levels in batches of 25, retrying unprocessed items
// (DynamoDB's documented contract for BatchWriteItem, not a workflow retry).
func (s *Store) PutStock(ctx context.Context, levels []Stock) error {
	now := s.now().Format(time.RFC3339Nano)
	for i := 0; i < len(levels); i += maxBatch {
		end := min(i+maxBatch, len(levels))
		reqs := make([]types.WriteRequest, 0, end-i)
		for _, l := range levels[i:end] {
			l.PK = Key("stock", l.SKU+"#"+l.Warehouse)
			if l.SyncedAt == "" {
				l.SyncedAt = now
			}
			item, err := attributevalue.MarshalMap(l)
			if err != nil {
				return fmt.Errorf("encode stock %s: %w", l.PK, err)
			}
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
		}
		pending := map[string][]types.WriteRequest{s.RecordTable: reqs}
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt == 5 {
				return fmt.Errorf("write stock: %d items still unprocessed after %d attempts", len(pending[s.RecordTable]), attempt)
			}
			out, err := s.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return fmt.Errorf("write stock: %w", err)
			}
			pending = out.UnprocessedItems
		}
	}
	return nil
}

// PutOrderStatus records an order's status, tracking and shipments from the
// sync. It never touches the applied version, and it never moves an order's
// status back to an older Logiwa update (guarded by the update time).
func (s *Store) PutOrderStatus(ctx context.Context, st OrderStatus) error {
	tracking := st.Tracking
	if tracking == nil {
		tracking = []string{}
	}
	shipments := st.Shipments
	if shipments == nil {
		shipments = []string{}
	}
	tl, _ := attributevalue.Marshal(tracking)
	sl, _ := attributevalue.Marshal(shipments)
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.RecordTable),
		Key:                 map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: Key("order", st.OrderNumber)}},
		ConditionExpression: aws.String("attribute_not_exists(#u) OR #u <= :u"),
		UpdateExpression:    aws.String("SET #s = :s, #t = :t, #sh = :sh, #p = :p, #sq = :sq, #oq = :oq, #u = :u, #sa = :sa, #on = :on"),
		ExpressionAttributeNames: map[string]string{
			"#s": "status", "#t": "tracking", "#sh": "shipments", "#p": "partial", "#sq": "shippedQty",
			"#oq": "orderedQty", "#u": "logiwaUpdatedAt", "#sa": "syncedAt", "#on": "orderNumber",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":s":  &types.AttributeValueMemberS{Value: st.Status},
			":t":  tl,
			":sh": sl,
			":p":  &types.AttributeValueMemberBOOL{Value: st.Partial},
			":sq": &types.AttributeValueMemberN{Value: strconv.FormatInt(st.ShippedQty, 10)},
			":oq": &types.AttributeValueMemberN{Value: strconv.FormatInt(st.OrderedQty, 10)},
			":u":  &types.AttributeValueMemberS{Value: st.UpdatedAt},
			":sa": &types.AttributeValueMemberS{Value: s.now().Format(time.RFC3339Nano)},
			":on": &types.AttributeValueMemberS{Value: st.OrderNumber},
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil // we already hold a newer Logiwa update of this order
	}
	if err != nil {
		return fmt.Errorf("record status of order %s: %w", st.OrderNumber, err)
	}
	return nil
}

// Job is a sync job's row: its cursor and its lease.
type Job struct {
	PK          string `dynamodbav:"pk"`
	Cursor      string `dynamodbav:"cursor,omitempty"`
	LeaseOwner  string `dynamodbav:"leaseOwner,omitempty"`
	LeaseExpiry int64  `dynamodbav:"leaseExpiry,omitempty"` // unix seconds
	LastRun     string `dynamodbav:"lastRun,omitempty"`
	LastResult  string `dynamodbav:"lastResult,omitempty"`
}

// LeaseHeldError says another run holds a job's lease. Its ErrorName is
// what the sync workflows catch.
type LeaseHeldError struct {
	Job, Owner string
	Expiry     time.Time
}

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("sync job %s is leased by %s until %s", e.Job, e.Owner, e.Expiry.Format(time.RFC3339))
}

// ErrorName is the name the sync state machines match on.
func (e *LeaseHeldError) ErrorName() string { return "Sync.LeaseHeld" }

// AcquireLease takes a job's lease for owner until now+ttl, if it is free,
// expired, or already owner's. It returns the job row (with its cursor).
func (s *Store) AcquireLease(ctx context.Context, job, owner string, ttl time.Duration) (Job, error) {
	now := s.now()
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.JobTable),
		Key:                      map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: Key("sync", job)}},
		ConditionExpression:      aws.String("attribute_not_exists(#o) OR #o = :none OR #e < :now OR #o = :me"),
		UpdateExpression:         aws.String("SET #o = :me, #e = :exp"),
		ExpressionAttributeNames: map[string]string{"#o": "leaseOwner", "#e": "leaseExpiry"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":me":   &types.AttributeValueMemberS{Value: owner},
			":none": &types.AttributeValueMemberS{Value: ""},
			":now":  &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)},
			":exp":  &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(ttl).Unix(), 10)},
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		cur, _ := s.job(ctx, job)
		return Job{}, &LeaseHeldError{Job: job, Owner: cur.LeaseOwner, Expiry: time.Unix(cur.LeaseExpiry, 0).UTC()}
	}
	if err != nil {
		return Job{}, fmt.Errorf("acquire lease on %s: %w", job, err)
	}
	var j Job
	if err := attributevalue.UnmarshalMap(out.Attributes, &j); err != nil {
		return Job{}, fmt.Errorf("decode job %s: %w", job, err)
	}
	return j, nil
}

// ReleaseLease gives the lease back if owner holds it; with a non-empty
// cursor it also moves the cursor (only a successful run does).
func (s *Store) ReleaseLease(ctx context.Context, job, owner, cursor, result string) error {
	update := "SET #o = :none, #e = :zero, #lr = :lr, #res = :res"
	values := map[string]types.AttributeValue{
		":me":   &types.AttributeValueMemberS{Value: owner},
		":none": &types.AttributeValueMemberS{Value: ""},
		":zero": &types.AttributeValueMemberN{Value: "0"},
		":lr":   &types.AttributeValueMemberS{Value: s.now().Format(time.RFC3339Nano)},
		":res":  &types.AttributeValueMemberS{Value: result},
	}
	names := map[string]string{"#o": "leaseOwner", "#e": "leaseExpiry", "#lr": "lastRun", "#res": "lastResult"}
	if cursor != "" {
		update += ", #c = :c"
		names["#c"] = "cursor"
		values[":c"] = &types.AttributeValueMemberS{Value: cursor}
	}
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.JobTable),
		Key:                       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: Key("sync", job)}},
		ConditionExpression:       aws.String("#o = :me"),
		UpdateExpression:          aws.String(update),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("release lease on %s: %s no longer holds it (it expired and another run took it)", job, owner)
	}
	if err != nil {
		return fmt.Errorf("release lease on %s: %w", job, err)
	}
	return nil
}

func (s *Store) job(ctx context.Context, job string) (Job, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.JobTable),
		Key:            map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: Key("sync", job)}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Job{}, err
	}
	var j Job
	err = attributevalue.UnmarshalMap(out.Item, &j)
	return j, err
}

// Job reads a sync job's row (zero Job when it never ran).
func (s *Store) Job(ctx context.Context, job string) (Job, error) { return s.job(ctx, job) }
