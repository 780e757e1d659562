package dynamolocal

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/truora/minidyn/server"
)

var avType = reflect.TypeFor[server.AttributeValue]()

// toWire turns a minidyn output into a value encoding/json can marshal
// faithfully. Values that contain no attribute value are returned unchanged
// (so they encode exactly as minidyn's own server would encode them); the
// others are rebuilt as maps and slices so that an attribute value holding an
// empty list or map is written as {"L":[]} / {"M":{}} rather than dropped by
// server.AttributeValue's omitempty tags.
func toWire(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if !containsAV(v.Type()) {
		return v.Interface()
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		if v.Kind() == reflect.Pointer && v.Type().Elem() == avType {
			return avWire(v.Interface().(*server.AttributeValue))
		}
		return toWire(v.Elem())
	case reflect.Struct:
		if v.Type() == avType {
			av := v.Interface().(server.AttributeValue)
			return avWire(&av)
		}
		out := map[string]any{}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fv := v.Field(i)
			if strings.Contains(opts, "omitempty") && fv.IsZero() {
				continue
			}
			if (fv.Kind() == reflect.Map || fv.Kind() == reflect.Slice) && strings.Contains(opts, "omitempty") && fv.Len() == 0 {
				continue
			}
			out[name] = toWire(fv)
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			out[it.Key().String()] = toWire(it.Value())
		}
		return out
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = toWire(v.Index(i))
		}
		return out
	default:
		return v.Interface()
	}
}

// avWire encodes one attribute value with exactly one member set.
func avWire(av *server.AttributeValue) any {
	if av == nil {
		return nil
	}
	switch {
	case av.S != nil:
		return map[string]any{"S": *av.S}
	case av.N != nil:
		return map[string]any{"N": *av.N}
	case av.B != nil:
		return map[string]any{"B": av.B}
	case av.BOOL != nil:
		return map[string]any{"BOOL": *av.BOOL}
	case av.NULL != nil:
		return map[string]any{"NULL": *av.NULL}
	case av.SS != nil:
		return map[string]any{"SS": av.SS}
	case av.NS != nil:
		return map[string]any{"NS": av.NS}
	case av.BS != nil:
		return map[string]any{"BS": av.BS}
	case av.M != nil:
		m := make(map[string]any, len(av.M))
		for k, e := range av.M {
			m[k] = avWire(e)
		}
		return map[string]any{"M": m}
	case av.L != nil:
		l := make([]any, len(av.L))
		for i, e := range av.L {
			l[i] = avWire(e)
		}
		return map[string]any{"L": l}
	default:
		return map[string]any{}
	}
}

var containsCache sync.Map // reflect.Type -> bool

// containsAV reports whether values of type t can hold a server.AttributeValue.
func containsAV(t reflect.Type) bool {
	if v, ok := containsCache.Load(t); ok {
		return v.(bool)
	}
	containsCache.Store(t, false) // breaks cycles in recursive types
	res := false
	switch t.Kind() {
	case reflect.Interface:
		res = true // decided on the dynamic value
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		res = containsAV(t.Elem())
	case reflect.Struct:
		res = t == avType
		for i := 0; !res && i < t.NumField(); i++ {
			res = t.Field(i).IsExported() && containsAV(t.Field(i).Type)
		}
	}
	containsCache.Store(t, res)
	return res
}

// apiError is an error of ours with its wire type.
type apiError struct {
	status int
	typ    string
	msg    string
}

func (e *apiError) Error() string { return e.typ + ": " + e.msg }

func errorResponse(status int, typ, msg string) response {
	b, _ := json.Marshal(map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#" + typ, "message": msg})
	return response{status: status, body: b}
}

// encodeError mirrors minidyn's server error encoding, including the item
// returned with ConditionalCheckFailedException and transaction cancellation
// reasons.
func encodeError(err error) response {
	var (
		ae  *apiError
		tce *ddbtypes.TransactionCanceledException
		ccf *ddbtypes.ConditionalCheckFailedException
	)
	switch {
	case errors.As(err, &ae):
		return errorResponse(ae.status, ae.typ, ae.msg)
	case errors.As(err, &tce):
		reasons := make([]map[string]any, len(tce.CancellationReasons))
		for i, r := range tce.CancellationReasons {
			reason := map[string]any{"Code": aws.ToString(r.Code)}
			if r.Message != nil {
				reason["Message"] = *r.Message
			}
			if len(r.Item) > 0 {
				reason["Item"] = sdkMapWire(r.Item)
			}
			reasons[i] = reason
		}
		return jsonError(http.StatusBadRequest, map[string]any{
			"__type":  "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
			"message": aws.ToString(tce.Message), "CancellationReasons": reasons,
		})
	case errors.As(err, &ccf):
		body := map[string]any{
			"__type":  "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
			"message": aws.ToString(ccf.Message),
		}
		if len(ccf.Item) > 0 {
			body["Item"] = sdkMapWire(ccf.Item)
		}
		return jsonError(http.StatusBadRequest, body)
	}
	typ, msg := "InternalFailure", err.Error()
	if api, ok := err.(interface {
		ErrorCode() string
		ErrorMessage() string
	}); ok {
		typ, msg = api.ErrorCode(), api.ErrorMessage()
	}
	status := http.StatusBadRequest
	if typ == "InternalServerError" || typ == "InternalFailure" {
		status = http.StatusInternalServerError
	}
	return errorResponse(status, typ, msg)
}

func jsonError(status int, body map[string]any) response {
	b, _ := json.Marshal(body)
	return response{status: status, body: b}
}

func sdkMapWire(m map[string]ddbtypes.AttributeValue) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = sdkWire(v)
	}
	return out
}

// sdkWire encodes an SDK attribute value (as found in minidyn's errors).
func sdkWire(av ddbtypes.AttributeValue) any {
	switch v := av.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *ddbtypes.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *ddbtypes.AttributeValueMemberB:
		return map[string]any{"B": v.Value}
	case *ddbtypes.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *ddbtypes.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}
	case *ddbtypes.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}
	case *ddbtypes.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}
	case *ddbtypes.AttributeValueMemberBS:
		return map[string]any{"BS": v.Value}
	case *ddbtypes.AttributeValueMemberM:
		return map[string]any{"M": sdkMapWire(v.Value)}
	case *ddbtypes.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = sdkWire(e)
		}
		return map[string]any{"L": l}
	default:
		return map[string]any{}
	}
}
