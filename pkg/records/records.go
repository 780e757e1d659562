// Package records is logiwaflow's DynamoDB storage: what each message applied
// to Logiwa (products, orders, refunds, keyed by entity and guarded by
// version so a record never goes back to an older one), what the syncs read
// back from Logiwa (stock levels, order status and tracking), and the sync
// jobs' cursor and lease.
//
// Keys follow DESIGN.md: "product#<sku>", "order#<number>", "refund#<rma>",
// "stock#<sku>#<warehouse>" in the records table, and "sync#<job>" in the
// jobs table. Both tables have a single string partition key "pk".
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

// DB is the part of the DynamoDB client the store uses.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// Store reads and writes the two tables.
type Store struct {
	DB          DB
	RecordTable string
	JobTable    string
	Now         func() time.Time
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Key builds an entity key.
func Key(kind, id string) string { return kind + "#" + id }

// Applied is what a message flow wrote to Logiwa, as recorded here.
type Applied struct {
	PK        string `dynamodbav:"pk"`
	Version   int64  `dynamodbav:"version"`
	Flow      string `dynamodbav:"flow"`
	LogiwaID  string `dynamodbav:"logiwaId,omitempty"`
	Outcome   string `dynamodbav:"outcome,omitempty"` // created, updated, unchanged, cancelled, ...
	Execution string `dynamodbav:"execution,omitempty"`
	AppliedAt string `dynamodbav:"appliedAt"`
	// Sync-maintained fields of an order record (never touched by Apply).
	Status      string   `dynamodbav:"status,omitempty"`
	Tracking    []string `dynamodbav:"tracking,omitempty"`
	SyncedAt    string   `dynamodbav:"syncedAt,omitempty"`
	Partial     bool     `dynamodbav:"partial,omitempty"`
	ShippedQty  int64    `dynamodbav:"shippedQty,omitempty"`
	OrderedQty  int64    `dynamodbav:"orderedQty,omitempty"`
	Shipments   []string `dynamodbav:"shipments,omitempty"`
	OrderNumber string   `dynamodbav:"orderNumber,omitempty"`
}

// Get reads one record; ok is false when there is none.
func (s *Store) Get(ctx context.Context, pk string) (Applied, bool, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.RecordTable),
		Key:            map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Applied{}, false, fmt.Errorf("get %s: %w", pk, err)
	}
	if len(out.Item) == 0 {
		return Applied{}, false, nil
	}
	var a Applied
	if err := attributevalue.UnmarshalMap(out.Item, &a); err != nil {
		return Applied{}, false, fmt.Errorf("decode %s: %w", pk, err)
	}
	return a, true, nil
}

// ErrStale reports that a newer (or the same) version is already recorded.
var ErrStale = errors.New("a newer or equal version is already recorded")

// Apply records what a message applied, only if its version is newer than
// the recorded one. It updates the applied fields in place, so what the syncs
// wrote on the same record (status, tracking) stays. ErrStale when not newer.
func (s *Store) Apply(ctx context.Context, a Applied) error {
	if a.AppliedAt == "" {
		a.AppliedAt = s.now().Format(time.RFC3339Nano)
	}
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.RecordTable),
		Key:                 map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: a.PK}},
		ConditionExpression: aws.String("attribute_not_exists(#v) OR #v < :v"),
		UpdateExpression:    aws.String("SET #v = :v, #f = :f, #id = :id, #o = :o, #x = :x, #at = :at"),
		ExpressionAttributeNames: map[string]string{
			"#v": "version", "#f": "flow", "#id": "logiwaId", "#o": "outcome", "#x": "execution", "#at": "appliedAt",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":v":  &types.AttributeValueMemberN{Value: strconv.FormatInt(a.Version, 10)},
			":f":  &types.AttributeValueMemberS{Value: a.Flow},
			":id": &types.AttributeValueMemberS{Value: a.LogiwaID},
			":o":  &types.AttributeValueMemberS{Value: a.Outcome},
			":x":  &types.AttributeValueMemberS{Value: a.Execution},
			":at": &types.AttributeValueMemberS{Value: a.AppliedAt},
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrStale
	}
	if err != nil {
		return fmt.Errorf("apply %s v%d: %w", a.PK, a.Version, err)
	}
	return nil
}

// All scans the records table, for reconciliation and the console.
func (s *Store) All(ctx context.Context) ([]Applied, error) {
	var out []Applied
	var start map[string]types.AttributeValue
	for {
		page, err := s.DB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(s.RecordTable), ExclusiveStartKey: start})
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", s.RecordTable, err)
		}
		for _, item := range page.Items {
			var a Applied
			if err := attributevalue.UnmarshalMap(item, &a); err != nil {
				return nil, fmt.Errorf("decode record: %w", err)
			}
			out = append(out, a)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		start = page.LastEvaluatedKey
	}
}
