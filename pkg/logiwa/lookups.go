package logiwa

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

const (
	clientListPath    = "/v3.1/Client/list"
	warehouseListPath = "/v3.1/Warehouse/list"
	orderTypeListPath = "/v3.1/DataSetup/shipmentordertype/list"
)

// ClientAccount is a Logiwa client (the 3PL's customer owning products and
// orders), a row of GET /v3.1/Client/list.
type ClientAccount struct {
	Identifier  string `json:"identifier"`
	DisplayName string `json:"displayName"`
	FullName    string `json:"fullName"`
}

// Warehouse is a row of GET /v3.1/Warehouse/list.
type Warehouse struct {
	Identifier  string `json:"identifier"`
	Code        string `json:"code"`
	Description string `json:"description"`
}

// OrderType is a shipment order type (GET /v3.1/DataSetup/shipmentordertype/list);
// its Name goes into ShipmentOrderInput.ShipmentOrderType.
type OrderType struct {
	Identifier  string `json:"identifier"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// lookupCache keeps small, slowly changing lists for a TTL. Concurrent
// misses for one list share a single fetch.
type lookupCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[string]*lookupEntry
}

type lookupEntry struct {
	value   any
	expires time.Time
	flight  chan struct{} // non-nil while a fetch is running
	err     error         // result of the last fetch, for its waiters
}

func cachedList[T any](ctx context.Context, c *Client, path, op string) ([]T, error) {
	lc := &c.lookups
	lc.mu.Lock()
	if lc.entries == nil {
		lc.entries = map[string]*lookupEntry{}
	}
	e := lc.entries[path]
	if e == nil {
		e = &lookupEntry{}
		lc.entries[path] = e
	}
	if e.value != nil && c.clock().Before(e.expires) {
		v := e.value.([]T)
		lc.mu.Unlock()
		return slices.Clone(v), nil
	}
	if ch := e.flight; ch != nil {
		lc.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, &UnavailableError{Op: op, Reason: "timeout waiting for lookup", Err: ctx.Err()}
		}
		lc.mu.Lock()
		v, err := e.value, e.err
		lc.mu.Unlock()
		if err != nil {
			return nil, cloneErr(err)
		}
		return slices.Clone(v.([]T)), nil
	}
	ch := make(chan struct{})
	e.flight = ch
	lc.mu.Unlock()

	items, err := collect[T](ctx, c, path, nil)
	err = withOp(err, op)
	lc.mu.Lock()
	e.err = err
	if err == nil {
		if items == nil {
			items = []T{}
		}
		e.value, e.expires = items, c.clock().Add(lc.ttl)
	}
	e.flight = nil
	lc.mu.Unlock()
	close(ch)
	if err != nil {
		return nil, err
	}
	return slices.Clone(items), nil
}

// InvalidateLookups drops the cached lookups, e.g. after a new warehouse
// was configured in Logiwa.
func (c *Client) InvalidateLookups() {
	c.lookups.mu.Lock()
	c.lookups.entries = nil
	c.lookups.mu.Unlock()
}

// Clients lists Logiwa clients (cached for Config.LookupTTL).
func (c *Client) Clients(ctx context.Context) ([]ClientAccount, error) {
	return cachedList[ClientAccount](ctx, c, clientListPath, "list clients")
}

// Warehouses lists warehouses (cached for Config.LookupTTL).
func (c *Client) Warehouses(ctx context.Context) ([]Warehouse, error) {
	return cachedList[Warehouse](ctx, c, warehouseListPath, "list warehouses")
}

// OrderTypes lists shipment order types (cached for Config.LookupTTL).
func (c *Client) OrderTypes(ctx context.Context) ([]OrderType, error) {
	return cachedList[OrderType](ctx, c, orderTypeListPath, "list shipment order types")
}

// ClientByName finds a client by display name (case-insensitive) or identifier.
func (c *Client) ClientByName(ctx context.Context, name string) (ClientAccount, bool, error) {
	all, err := c.Clients(ctx)
	return find(all, err, func(v ClientAccount) bool {
		return strings.EqualFold(v.DisplayName, name) || strings.EqualFold(v.Identifier, name)
	})
}

// WarehouseByCode finds a warehouse by code (case-insensitive) or identifier.
func (c *Client) WarehouseByCode(ctx context.Context, code string) (Warehouse, bool, error) {
	all, err := c.Warehouses(ctx)
	return find(all, err, func(v Warehouse) bool {
		return strings.EqualFold(v.Code, code) || strings.EqualFold(v.Identifier, code)
	})
}

// OrderTypeByName finds a shipment order type by name (case-insensitive).
func (c *Client) OrderTypeByName(ctx context.Context, name string) (OrderType, bool, error) {
	all, err := c.OrderTypes(ctx)
	return find(all, err, func(v OrderType) bool { return strings.EqualFold(v.Name, name) })
}

func find[T any](all []T, err error, match func(T) bool) (T, bool, error) {
	var zero T
	if err != nil {
		return zero, false, err
	}
	for _, v := range all {
		if match(v) {
			return v, true, nil
		}
	}
	return zero, false, nil
}
