// Package syncjob is the sync workflows' DynamoDB task: it takes the job's
// lease and builds the first page's window from the cursor (acquire), writes
// each page the gate fetched and says whether another follows (write), and
// gives the lease back, moving the cursor only after a run that finished
// (release). Fetching pages is the gate's job; looping is the workflow's.
package syncjob

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/logiwaflow/logiwaflow/pkg/gate"
	"github.com/logiwaflow/logiwaflow/pkg/records"
)

// Jobs.
const (
	JobInventory = "inventory"
	JobOrders    = "orders"
)

// PageSize is Logiwa's largest page.
const PageSize = 200

// Input is what the sync state machines send.
type Input struct {
	Action    string          `json:"action"` // acquire, write, release
	Job       string          `json:"job"`
	Owner     string          `json:"owner"`
	Request   json.RawMessage `json:"request,omitempty"` // acquire: the execution input {since, skus}
	Window    *gate.Window    `json:"window,omitempty"`
	Page      json.RawMessage `json:"page,omitempty"` // write: the gate's PageResult
	Stats     *Stats          `json:"stats,omitempty"`
	Succeeded bool            `json:"succeeded,omitempty"`
}

// Stats count a run's work.
type Stats struct {
	Pages int `json:"pages"`
	Items int `json:"items"`
}

// Output is the workflow's state between pages.
type Output struct {
	Job    string      `json:"job"`
	Window gate.Window `json:"window"`
	More   bool        `json:"more"`
	Stats  Stats       `json:"stats"`
}

// Handler runs the sync task.
type Handler struct {
	Store *records.Store
	// LeaseTTL bounds how long a crashed run blocks the next; longer than a
	// run takes. Default 30 minutes.
	LeaseTTL time.Duration
	// FirstWindow is how far back a job's first run reaches. Default 24h.
	FirstWindow time.Duration
	Now         func() time.Time
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now().UTC()
	}
	return time.Now().UTC()
}

// Handle dispatches on the action.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.Job != JobInventory && in.Job != JobOrders {
		return Output{}, fmt.Errorf("sync: unknown job %q (want inventory or orders)", in.Job)
	}
	switch in.Action {
	case "acquire":
		return h.acquire(ctx, in)
	case "write":
		return h.write(ctx, in)
	case "release":
		return h.release(ctx, in)
	}
	return Output{}, fmt.Errorf("sync: unknown action %q (want acquire, write or release)", in.Action)
}

type request struct {
	Since string   `json:"since"`
	SKUs  []string `json:"skus"`
}

func (h *Handler) acquire(ctx context.Context, in Input) (Output, error) {
	var req request
	if len(in.Request) > 0 && string(in.Request) != "null" {
		if err := json.Unmarshal(in.Request, &req); err != nil {
			return Output{}, fmt.Errorf("sync %s: bad input %s: want {\"since\": RFC 3339 time, \"skus\": [...]}: %w", in.Job, in.Request, err)
		}
	}
	if req.Since != "" {
		if _, err := time.Parse(time.RFC3339, req.Since); err != nil {
			return Output{}, fmt.Errorf("sync %s: since %q is not an RFC 3339 time: %w", in.Job, req.Since, err)
		}
	}
	ttl := h.LeaseTTL
	if ttl <= 0 {
		ttl = 30 * time.Minute
	}
	job, err := h.Store.AcquireLease(ctx, in.Job, in.Owner, ttl)
	if err != nil {
		return Output{}, err
	}
	now := h.now()
	since := req.Since
	if since == "" {
		since = job.Cursor
	}
	if since == "" {
		first := h.FirstWindow
		if first <= 0 {
			first = 24 * time.Hour
		}
		since = now.Add(-first).Format(time.RFC3339)
	}
	return Output{
		Job:    in.Job,
		Window: gate.Window{Since: since, Until: now.Format(time.RFC3339), Size: PageSize, SKUs: req.SKUs},
		More:   true,
	}, nil
}

func (h *Handler) write(ctx context.Context, in Input) (Output, error) {
	if in.Window == nil {
		return Output{}, fmt.Errorf("sync %s: write needs the window", in.Job)
	}
	var page struct {
		Index      int               `json:"index"`
		TotalCount int               `json:"totalCount"`
		Items      []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(in.Page, &page); err != nil {
		return Output{}, fmt.Errorf("sync %s: bad page: %w", in.Job, err)
	}
	switch in.Job {
	case JobInventory:
		levels := make([]records.Stock, 0, len(page.Items))
		for _, raw := range page.Items {
			var it gate.StockItem
			if err := json.Unmarshal(raw, &it); err != nil {
				return Output{}, fmt.Errorf("sync inventory: bad item %s: %w", raw, err)
			}
			levels = append(levels, records.Stock{SKU: it.SKU, Warehouse: it.Warehouse, Available: it.Available, Total: it.Total, Damaged: it.Damaged})
		}
		if err := h.Store.PutStock(ctx, levels); err != nil {
			return Output{}, err
		}
	case JobOrders:
		for _, raw := range page.Items {
			var it gate.OrderItem
			if err := json.Unmarshal(raw, &it); err != nil {
				return Output{}, fmt.Errorf("sync orders: bad item %s: %w", raw, err)
			}
			st := records.OrderStatus{OrderNumber: it.OrderNumber, Status: it.Status, Tracking: it.Tracking, Shipments: it.Shipments,
				Partial: it.Partial, ShippedQty: it.ShippedQty, OrderedQty: it.OrderedQty, UpdatedAt: it.UpdatedAt}
			if err := h.Store.PutOrderStatus(ctx, st); err != nil {
				return Output{}, err
			}
		}
	}
	stats := Stats{}
	if in.Stats != nil {
		stats = *in.Stats
	}
	stats.Pages++
	stats.Items += len(page.Items)
	next := *in.Window
	more := (page.Index+1)*next.Size < page.TotalCount && len(page.Items) > 0
	if more {
		next.Index = page.Index + 1
	} else if len(next.SKUs) > 0 && next.SKUIndex+1 < len(next.SKUs) {
		// A by-hand sync of named SKUs walks them one report query each.
		next.SKUIndex++
		next.Index = 0
		more = true
	}
	return Output{Job: in.Job, Window: next, More: more, Stats: stats}, nil
}

func (h *Handler) release(ctx context.Context, in Input) (Output, error) {
	cursor := ""
	result := "failed"
	if in.Succeeded && in.Window != nil {
		result = "succeeded"
		// A by-hand run for named SKUs covers only those: it must not move
		// the cursor past orders or levels the scheduled run has not seen.
		if len(in.Window.SKUs) == 0 {
			cursor = in.Window.Until
		}
	}
	if err := h.Store.ReleaseLease(ctx, in.Job, in.Owner, cursor, result); err != nil {
		return Output{}, err
	}
	out := Output{Job: in.Job, More: false}
	if in.Window != nil {
		out.Window = *in.Window
	}
	if in.Stats != nil {
		out.Stats = *in.Stats
	}
	return out, nil
}
