package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/logiwaflow/logiwaflow/pkg/trigger"
)

// startForm is one state machine's form.
type startForm struct {
	Machine, Name, Input, Help string
	Error                      string
}

type startData struct {
	Forms    []startForm
	Selected string
}

// examples are sample messages for a by-hand run of an inbound flow; the
// operator edits them before starting.
var examples = map[string]map[string]any{
	"inventory": {
		"schema": "inventory.v1", "messageId": "", "sku": "MUG-BLUE", "version": 1, "occurredAt": "",
		"product": map[string]any{"name": "Blue Mug", "description": "Enamel camping mug, blue", "active": true},
	},
	"orders": {
		"schema": "order.v1", "messageId": "", "orderNumber": "SO-1001", "version": 1, "occurredAt": "",
		"orderDate": "", "customer": map[string]any{"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"},
		"shipTo":         map[string]any{"addressLine1": "12 Analytical St", "city": "London", "postalCode": "N1 9GU", "country": "GB"},
		"shippingMethod": "Standard", "currency": "USD",
		"lines": []any{map[string]any{"sku": "MUG-BLUE", "quantity": 1}},
	},
	"refunds": {
		"schema": "refund.v1", "messageId": "", "rma": "RMA-1001", "orderNumber": "SO-1001", "version": 1, "occurredAt": "",
		"kind": "return", "reason": "Damaged in transit", "lines": []any{map[string]any{"sku": "MUG-BLUE", "quantity": 1}},
	},
}

var helps = map[string]string{
	"inventory-sync": `Re-sync stock from Logiwa. "since" is where the window starts (RFC 3339); name SKUs to sync only those (a SKU run never moves the cursor). {} continues from the cursor.`,
	"orders-sync":    `Re-sync shipment order status from Logiwa since "since" (RFC 3339). {} continues from the cursor.`,
	"redrive":        `Redrive parked messages: "reason" (outage, threshold_exceeded, rejected, invalid, unauthorized, order_not_found) and optionally "flow", or "keys"; "dryRun": true only counts.`,
	"inventory":      `Apply one inventory message by hand: "body" is the message exactly as the shop sends it (a JSON string).`,
	"orders":         `Apply one order message by hand: "body" is the message exactly as the shop sends it (a JSON string).`,
	"refunds":        `Apply one refund message by hand: "body" is the message exactly as the shop sends it (a JSON string).`,
}

// prefill is the input a machine's form starts with.
func (s *server) prefill(machine string) string {
	now := s.now()
	var v any
	switch machine {
	case "inventory-sync", "orders-sync":
		v = map[string]any{"since": now.Add(-24 * time.Hour).Format(time.RFC3339), "skus": []string{}}
	case "redrive":
		v = map[string]any{"reason": "outage"}
	default:
		ex, ok := examples[machine]
		if !ok {
			return "{}"
		}
		msg := map[string]any{}
		for k, val := range ex {
			msg[k] = val
		}
		msg["messageId"] = "console-" + randomSuffix()
		msg["occurredAt"] = now.Format(time.RFC3339)
		if _, ok := msg["orderDate"]; ok {
			msg["orderDate"] = now.Format(time.DateOnly)
		}
		body, _ := json.Marshal(msg) // plain maps of plain values always encode
		v = trigger.Input{Body: string(body)}
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func (s *server) startData(selected string) startData {
	d := startData{Selected: selected}
	for _, m := range s.machineNames() {
		d.Forms = append(d.Forms, startForm{Machine: m, Input: s.prefill(m), Help: helps[m]})
	}
	return d
}

func (s *server) startForm(w http.ResponseWriter, r *http.Request) {
	selected := r.URL.Query().Get("machine")
	if selected != "" {
		if _, ok := s.cfg.Target.StateMachines[selected]; !ok {
			s.fail(w, r, http.StatusNotFound, fmt.Errorf("no state machine %q in the %s target", selected, s.cfg.Target.Name))
			return
		}
	}
	s.render(w, r, http.StatusOK, "start", page{Title: "Start an execution", Nav: "start", Data: s.startData(selected)})
}

// start starts an execution from the form; on a bad input or a refusal the
// form comes back with what the operator typed and the reason.
func (s *server) start(w http.ResponseWriter, r *http.Request) {
	machine := r.PostForm.Get("machine")
	arn, ok := s.cfg.Target.StateMachines[machine]
	if !ok {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("no state machine %q in the %s target", machine, s.cfg.Target.Name))
		return
	}
	input := strings.TrimSpace(r.PostForm.Get("input"))
	name := strings.TrimSpace(r.PostForm.Get("name"))
	back := func(status int, err error) {
		d := s.startData(machine)
		for i := range d.Forms {
			if d.Forms[i].Machine == machine {
				d.Forms[i].Input, d.Forms[i].Name, d.Forms[i].Error = input, name, err.Error()
			}
		}
		s.log.Warn("console: start refused", "machine", machine, "err", err)
		s.render(w, r, status, "start", page{Title: "Start an execution", Nav: "start", Data: d})
	}
	if input == "" {
		input = "{}"
	}
	if !json.Valid([]byte(input)) {
		var v any
		err := json.Unmarshal([]byte(input), &v)
		back(http.StatusBadRequest, fmt.Errorf("the input is not JSON: %w", err))
		return
	}
	if name == "" {
		name = machine + "-console-" + s.now().Format("20060102T150405Z") + "-" + randomSuffix()
	}
	out, err := s.sfn.StartExecution(r.Context(), &sfn.StartExecutionInput{
		StateMachineArn: aws.String(arn), Name: aws.String(name), Input: aws.String(input),
	})
	if err != nil {
		status := http.StatusBadGateway
		var exists *sfntypes.ExecutionAlreadyExists
		var badInput *sfntypes.InvalidExecutionInput
		var badName *sfntypes.InvalidName
		if errors.As(err, &exists) || errors.As(err, &badInput) || errors.As(err, &badName) {
			status = http.StatusBadRequest
		}
		back(status, fmt.Errorf("start %s: %w", machine, err))
		return
	}
	s.log.Info("console: execution started by hand", "machine", machine, "execution", name)
	s.redirect(w, r, "/execution?arn="+url.QueryEscape(aws.ToString(out.ExecutionArn)), "started "+name)
}
