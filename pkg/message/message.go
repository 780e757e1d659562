// Package message defines the inbound messages the shop publishes to
// logiwaflow (inventory add/update, sales orders, refunds): their versioned
// JSON schemas (embedded from schemas/), typed Go forms, validation with
// errors that name the offending field, and the business keys and execution
// names the workflows use.
//
// The JSON schemas are the contract; the Go types mirror them for the shop's
// backend and for the task handlers. Validation runs the schema (so the
// documented contract and the check cannot drift apart) and then the few
// rules a schema cannot say (dates that must parse, for example).
package message

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	textmsg "golang.org/x/text/message"
)

var englishPrinter = textmsg.NewPrinter(language.English)

// MaxBytes is the largest message SQS accepts (256 KiB); a larger one is
// invalid before anything else is checked.
const MaxBytes = 256 * 1024

// Flow names one inbound workflow; it is also the SQS queue's and the state
// machine's short name.
type Flow string

const (
	FlowInventory Flow = "inventory"
	FlowOrders    Flow = "orders"
	FlowRefunds   Flow = "refunds"
)

// Flows lists the inbound flows in a stable order.
var Flows = []Flow{FlowInventory, FlowOrders, FlowRefunds}

// Schema returns the schema identifier a flow's current messages carry.
func (f Flow) Schema() string {
	switch f {
	case FlowInventory:
		return "inventory.v1"
	case FlowOrders:
		return "order.v1"
	case FlowRefunds:
		return "refund.v1"
	}
	return ""
}

// ParseFlow checks a flow name.
func ParseFlow(s string) (Flow, error) {
	for _, f := range Flows {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown flow %q (want one of inventory, orders, refunds)", s)
}

// Header is what every message carries.
type Header struct {
	Schema     string `json:"schema"`
	MessageID  string `json:"messageId"`
	Version    int64  `json:"version"`
	OccurredAt string `json:"occurredAt"`
	Replay     int    `json:"replay,omitempty"`
}

// Inventory is inventory.v1: a product added or changed.
type Inventory struct {
	Header
	SKU     string  `json:"sku"`
	Product Product `json:"product"`
}

// Product is the shop's view of a product.
type Product struct {
	Name          string   `json:"name"`
	Description   string   `json:"description,omitempty"`
	Barcodes      []string `json:"barcodes,omitempty"`
	SalesPrice    *float64 `json:"salesPrice,omitempty"`
	PurchasePrice *float64 `json:"purchasePrice,omitempty"`
	WeightKg      *float64 `json:"weightKg,omitempty"`
	ProductGroup  string   `json:"productGroup,omitempty"`
	ProductType   string   `json:"productType,omitempty"`
	Active        *bool    `json:"active,omitempty"`
}

// Order is order.v1: a sales order to ship.
type Order struct {
	Header
	OrderNumber    string      `json:"orderNumber"`
	OrderDate      string      `json:"orderDate"`
	Customer       Customer    `json:"customer"`
	ShipTo         Address     `json:"shipTo"`
	ShippingMethod string      `json:"shippingMethod,omitempty"`
	Currency       string      `json:"currency,omitempty"`
	Lines          []OrderLine `json:"lines"`
}

// Customer is who ordered.
type Customer struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     string `json:"email"`
}

// Address is a shipping address.
type Address struct {
	AddressLine1 string `json:"addressLine1"`
	AddressLine2 string `json:"addressLine2,omitempty"`
	City         string `json:"city"`
	State        string `json:"state,omitempty"`
	PostalCode   string `json:"postalCode"`
	Country      string `json:"country"`
	PhoneNumber  string `json:"phoneNumber,omitempty"`
}

// OrderLine is one SKU of an order.
type OrderLine struct {
	SKU       string   `json:"sku"`
	Quantity  int      `json:"quantity"`
	UnitPrice *float64 `json:"unitPrice,omitempty"`
}

// Refund is refund.v1: a return (goods come back) or a cancellation.
type Refund struct {
	Header
	RMA         string       `json:"rma"`
	OrderNumber string       `json:"orderNumber"`
	Kind        string       `json:"kind"`
	Reason      string       `json:"reason,omitempty"`
	Lines       []RefundLine `json:"lines,omitempty"`
}

// RefundLine is one SKU being returned.
type RefundLine struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// Refund kinds.
const (
	RefundReturn = "return"
	RefundCancel = "cancel"
)

// Message is any of the three kinds.
type Message interface {
	Flow() Flow
	// Key is the business key: the SKU, order number or RMA.
	Key() string
	Head() Header
}

func (m *Inventory) Flow() Flow   { return FlowInventory }
func (m *Inventory) Key() string  { return m.SKU }
func (m *Inventory) Head() Header { return m.Header }
func (m *Order) Flow() Flow       { return FlowOrders }
func (m *Order) Key() string      { return m.OrderNumber }
func (m *Order) Head() Header     { return m.Header }
func (m *Refund) Flow() Flow      { return FlowRefunds }
func (m *Refund) Key() string     { return m.RMA }
func (m *Refund) Head() Header    { return m.Header }

// InvalidError says what is wrong with a message. Field is a JSON pointer to
// the offending value ("" for the whole message). Its Go type name is the
// error name workflows catch (Message.Invalid, via ErrorName).
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string {
	if e.Field == "" {
		return "invalid message: " + e.Reason
	}
	return fmt.Sprintf("invalid message: %s: %s", e.Field, e.Reason)
}

// ErrorName is the name the state machines match on.
func (e *InvalidError) ErrorName() string { return "Message.Invalid" }

//go:embed schemas/*.json
var schemaFS embed.FS

var (
	compileOnce sync.Once
	compiled    map[Flow]*jsonschema.Schema
	compileErr  error
)

func schemas() (map[Flow]*jsonschema.Schema, error) {
	compileOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		compiled = map[Flow]*jsonschema.Schema{}
		for _, f := range Flows {
			name := "schemas/" + f.Schema() + ".json"
			raw, err := schemaFS.ReadFile(name)
			if err != nil {
				compileErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				compileErr = fmt.Errorf("schema %s: %w", name, err)
				return
			}
			url := "mem:///" + name
			if err := c.AddResource(url, doc); err != nil {
				compileErr = fmt.Errorf("schema %s: %w", name, err)
				return
			}
			s, err := c.Compile(url)
			if err != nil {
				compileErr = fmt.Errorf("schema %s: %w", name, err)
				return
			}
			compiled[f] = s
		}
	})
	return compiled, compileErr
}

// SchemaJSON returns a flow's JSON schema document, for publishing and docs.
func SchemaJSON(f Flow) ([]byte, error) {
	return schemaFS.ReadFile("schemas/" + f.Schema() + ".json")
}

// Parse checks a raw message for a flow against its schema and returns the
// typed message. Every failure is an *InvalidError naming the field.
func Parse(f Flow, body []byte) (Message, error) {
	if len(body) > MaxBytes {
		return nil, &InvalidError{Reason: fmt.Sprintf("message is %d bytes; the limit is %d (256 KiB)", len(body), MaxBytes)}
	}
	sch, err := schemas()
	if err != nil {
		return nil, fmt.Errorf("load message schemas: %w", err)
	}
	s, ok := sch[f]
	if !ok {
		return nil, &InvalidError{Reason: fmt.Sprintf("unknown flow %q", f)}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return nil, &InvalidError{Reason: "malformed JSON: " + err.Error()}
	}
	if obj, ok := inst.(map[string]any); ok {
		if got, _ := obj["schema"].(string); got != "" && got != f.Schema() {
			return nil, &InvalidError{Field: "/schema", Reason: fmt.Sprintf("schema %q does not belong on the %s flow (want %q)", got, f, f.Schema())}
		}
	}
	if err := s.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return nil, firstLeaf(ve)
		}
		return nil, &InvalidError{Reason: err.Error()}
	}
	var m Message
	switch f {
	case FlowInventory:
		m = &Inventory{}
	case FlowOrders:
		m = &Order{}
	case FlowRefunds:
		m = &Refund{}
	}
	if err := json.Unmarshal(body, m); err != nil {
		// The schema passed, so this is a type the Go form cannot hold
		// (a number too large, say): still the message's fault.
		return nil, &InvalidError{Reason: "cannot decode: " + err.Error()}
	}
	return m, nil
}

// firstLeaf turns the schema library's error tree into one precise error: the
// deepest cause, which names the exact field.
func firstLeaf(ve *jsonschema.ValidationError) *InvalidError {
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	ptr := ""
	if len(ve.InstanceLocation) > 0 {
		ptr = "/" + strings.Join(ve.InstanceLocation, "/")
	}
	// A missing property is reported on its parent; point at the field itself.
	if req, ok := ve.ErrorKind.(*kind.Required); ok && len(req.Missing) > 0 {
		return &InvalidError{Field: ptr + "/" + req.Missing[0], Reason: "is required"}
	}
	reason := ve.ErrorKind.LocalizedString(englishPrinter)
	return &InvalidError{Field: ptr, Reason: reason}
}
