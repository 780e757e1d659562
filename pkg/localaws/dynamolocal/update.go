package dynamolocal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/truora/minidyn/server"
)

// minidyn evaluates "REMOVE a" by deleting a from its evaluation environment
// and then copying the environment back over the stored item, so a removed
// top-level attribute survives (nested paths like a.b are removed correctly).
// We let minidyn apply the rest of the expression and its condition, then
// rewrite the item without the removed attributes, all in the scratch tables
// before the request's single write to pebble.

func (s *Server) updateItem(ctx context.Context, in *server.UpdateItemInput) (*server.UpdateItemOutput, error) {
	removes := topLevelRemoves(aws.ToString(in.UpdateExpression), in.ExpressionAttributeNames)
	if len(removes) == 0 {
		return s.scratch.UpdateItem(ctx, in)
	}
	old, err := s.getItem(ctx, in.TableName, in.Key)
	if err != nil {
		return nil, err
	}
	want := in.ReturnValues
	in.ReturnValues = ddbtypes.ReturnValueAllNew
	out, err := s.scratch.UpdateItem(ctx, in)
	if err != nil {
		return nil, err
	}
	item := out.Attributes
	for _, name := range removes {
		delete(item, name)
	}
	if _, err := s.scratch.PutItem(ctx, &server.PutItemInput{TableName: in.TableName, Item: item}); err != nil {
		return nil, fmt.Errorf("dynamolocal: apply REMOVE: %w", err)
	}
	return &server.UpdateItemOutput{Attributes: returnValues(want, old, item)}, nil
}

func (s *Server) transactWriteItems(ctx context.Context, in *server.TransactWriteItemsInput) (*server.TransactWriteItemsOutput, error) {
	type fixup struct {
		table   *string
		key     map[string]*server.AttributeValue
		removes []string
	}
	var fixups []fixup
	for _, ti := range in.TransactItems {
		if u := ti.Update; u != nil {
			if r := topLevelRemoves(aws.ToString(u.UpdateExpression), u.ExpressionAttributeNames); len(r) > 0 {
				fixups = append(fixups, fixup{u.TableName, u.Key, r})
			}
		}
	}
	out, err := s.scratch.TransactWriteItems(ctx, in)
	if err != nil {
		return nil, err
	}
	for _, f := range fixups {
		item, err := s.getItem(ctx, f.table, f.key)
		if err != nil {
			return nil, err
		}
		if item == nil {
			continue
		}
		for _, name := range f.removes {
			delete(item, name)
		}
		if _, err := s.scratch.PutItem(ctx, &server.PutItemInput{TableName: f.table, Item: item}); err != nil {
			return nil, fmt.Errorf("dynamolocal: apply REMOVE in transaction: %w", err)
		}
	}
	return out, nil
}

func (s *Server) getItem(ctx context.Context, table *string, key map[string]*server.AttributeValue) (map[string]*server.AttributeValue, error) {
	out, err := s.scratch.GetItem(ctx, &server.GetItemInput{TableName: table, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, err
	}
	return out.Item, nil
}

// returnValues computes UpdateItem's ReturnValues from the item before and
// after. UPDATED_* report attributes whose value changed (or that were added
// or removed); DynamoDB also lists attributes SET to their current value.
func returnValues(rv ddbtypes.ReturnValue, old, cur map[string]*server.AttributeValue) map[string]*server.AttributeValue {
	switch rv {
	case ddbtypes.ReturnValueAllNew:
		return cur
	case ddbtypes.ReturnValueAllOld:
		return old
	case ddbtypes.ReturnValueUpdatedNew:
		return changed(cur, old)
	case ddbtypes.ReturnValueUpdatedOld:
		return changed(old, cur)
	default:
		return nil
	}
}

// changed returns the attributes of a that are absent from b or differ there.
func changed(a, b map[string]*server.AttributeValue) map[string]*server.AttributeValue {
	out := map[string]*server.AttributeValue{}
	for k, v := range a {
		if w, ok := b[k]; !ok || !sameAV(v, w) {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func sameAV(a, b *server.AttributeValue) bool {
	ja, err1 := json.Marshal(avWire(a))
	jb, err2 := json.Marshal(avWire(b))
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

var clauseKeywords = map[string]bool{"SET": true, "REMOVE": true, "ADD": true, "DELETE": true}

// topLevelRemoves returns the top-level attribute names (aliases resolved)
// that the update expression's REMOVE clauses name. Paths into maps or lists
// are left out: minidyn handles those.
func topLevelRemoves(expr string, names map[string]string) []string {
	var out []string
	for _, clause := range updateClauses(expr) {
		if clause.keyword != "REMOVE" {
			continue
		}
		for _, path := range strings.Split(clause.body, ",") {
			path = strings.TrimSpace(path)
			if path == "" || strings.ContainsAny(path, ".[") {
				continue
			}
			if strings.HasPrefix(path, "#") {
				resolved, ok := names[path]
				if !ok {
					continue // minidyn reports the undeclared alias
				}
				path = resolved
			}
			out = append(out, path)
		}
	}
	return out
}

type clause struct{ keyword, body string }

// updateClauses splits an update expression into its SET/REMOVE/ADD/DELETE
// clauses. The keywords are reserved words, so an attribute spelled like one
// must be aliased; any bare word matching one at parenthesis depth 0 starts a
// clause.
func updateClauses(expr string) []clause {
	var (
		out   []clause
		depth int
		cur   = -1 // index into out of the open clause
		start int  // body start of the open clause
	)
	isWord := func(c byte) bool {
		return c == '_' || c == '#' || c == ':' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '(':
			depth++
			i++
		case c == ')':
			depth--
			i++
		case isWord(c):
			j := i
			for j < len(expr) && isWord(expr[j]) {
				j++
			}
			word := strings.ToUpper(expr[i:j])
			boundary := i == 0 || !strings.ContainsRune(".[", rune(expr[i-1]))
			if depth == 0 && boundary && clauseKeywords[word] {
				if cur >= 0 {
					out[cur].body = expr[start:i]
				}
				out = append(out, clause{keyword: word})
				cur, start = len(out)-1, j
			}
			i = j
		default:
			i++
		}
	}
	if cur >= 0 {
		out[cur].body = expr[start:]
	}
	return out
}
