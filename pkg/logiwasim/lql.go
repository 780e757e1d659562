package logiwasim

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// LQL: query parameters "{Field}.{op}={value}" with ops eq, gt, gte, lt, lte,
// bt (inclusive, "a,b") and in ("a,b,c"). Each list endpoint declares the
// fields and operators it supports, as the reference's tables do; anything
// else is a 400, so a client bug shows up here rather than as a silently
// unfiltered list.

type kind int

const (
	kString kind = iota
	kGUID
	kDate
	kNumber
	kBool
)

// field is one filterable field of items of type T. get returns a string, a
// []string (any element may match), a time.Time or *unixNanos (zero: no
// value), a float64 or a bool. (*unixNanos lets a stub's time be read
// without boxing a time.Time for each of thousands of orders.)
type field[T any] struct {
	name string
	kind kind
	ops  string // space separated
	get  func(T) any
}

type predicate[T any] func(T) bool

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// parseLQL turns the request's query into predicates over T.
func parseLQL[T any](q map[string][]string, fields []field[T]) ([]predicate[T], error) {
	// Predicates run in the order the fields are declared, whatever the
	// query's order: lists put the fields that need no archive read first.
	type indexed struct {
		at int
		p  predicate[T]
	}
	var found []indexed
	for key, vals := range q {
		name, op, ok := strings.Cut(key, ".")
		if !ok {
			continue // not an LQL term
		}
		var f *field[T]
		at := 0
		for i := range fields {
			if strings.EqualFold(fields[i].name, name) {
				f, at = &fields[i], i
				break
			}
		}
		if f == nil {
			return nil, fmt.Errorf("%s is not a supported filter field.", name)
		}
		op = strings.ToLower(op)
		if !strings.Contains(" "+f.ops+" ", " "+op+" ") {
			return nil, fmt.Errorf("Operator %s is not supported for %s; supported: %s.", op, f.name, strings.ReplaceAll(f.ops, " ", ", "))
		}
		p, err := compile(*f, op, vals[len(vals)-1])
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", f.name, op, err)
		}
		found = append(found, indexed{at, p})
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].at < found[j].at })
	preds := make([]predicate[T], len(found))
	for i, f := range found {
		preds[i] = f.p
	}
	return preds, nil
}

func compile[T any](f field[T], op, raw string) (predicate[T], error) {
	parts := []string{raw}
	if op == "in" || op == "bt" {
		parts = strings.Split(raw, ",")
	}
	if op == "bt" && len(parts) != 2 {
		return nil, errors.New("bt needs two comma-separated values")
	}
	switch f.kind {
	case kString, kGUID:
		set := map[string]bool{}
		for _, p := range parts {
			p = strings.TrimSpace(p)
			if f.kind == kGUID {
				if !guidRE.MatchString(p) {
					return nil, fmt.Errorf("%q is not a valid identifier", p)
				}
				p = strings.ToLower(p)
			}
			set[p] = true
		}
		return func(it T) bool {
			switch v := f.get(it).(type) {
			case string:
				if f.kind == kGUID {
					v = strings.ToLower(v)
				}
				return set[v]
			case []string:
				for _, s := range v {
					if set[s] {
						return true
					}
				}
			}
			return false
		}, nil
	case kDate:
		lo, hi := time.Time{}, time.Time{}
		var err error
		if lo, err = parseLQLTime(parts[0], false); err != nil {
			return nil, err
		}
		if op == "bt" {
			if hi, err = parseLQLTime(parts[1], true); err != nil {
				return nil, err
			}
		}
		return func(it T) bool {
			var t time.Time
			switch v := f.get(it).(type) {
			case time.Time:
				t = v
			case *unixNanos:
				t = unixTime(int64(*v))
			}
			if t.IsZero() {
				return false
			}
			return cmpOp(op, compareTime(t, lo), compareTime(t, hi))
		}, nil
	case kNumber:
		nums := make([]float64, len(parts))
		for i, p := range parts {
			n, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil {
				return nil, fmt.Errorf("%q is not a number", p)
			}
			nums[i] = n
		}
		return func(it T) bool {
			v, _ := f.get(it).(float64)
			if op == "in" {
				for _, n := range nums {
					if v == n {
						return true
					}
				}
				return false
			}
			hi := 0
			if len(nums) > 1 {
				hi = compareNum(v, nums[1])
			}
			return cmpOp(op, compareNum(v, nums[0]), hi)
		}, nil
	case kBool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", raw)
		}
		return func(it T) bool { v, _ := f.get(it).(bool); return v == b }, nil
	}
	return nil, errors.New("unsupported field type")
}

// cmpOp applies op given the item compared with the first value (c) and,
// for bt, with the second (c2).
func cmpOp(op string, c, c2 int) bool {
	switch op {
	case "eq", "in":
		return c == 0
	case "gt":
		return c > 0
	case "gte":
		return c >= 0
	case "lt":
		return c < 0
	case "lte":
		return c <= 0
	case "bt":
		return c >= 0 && c2 <= 0
	}
	return false
}

func compareTime(a, b time.Time) int { return a.Compare(b) }

func compareNum(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseLQLTime reads YYYY-MM-DD or an ISO date-time (with or without zone;
// without one it is UTC). A bare date as the upper end of bt covers the whole day.
func parseLQLTime(s string, upper bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if upper {
			return t.Add(24*time.Hour - time.Nanosecond), nil
		}
		return t, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD or ISO 8601)", s)
}

// filter keeps the items every predicate accepts.
func filter[T any](items []T, preds []predicate[T]) []T {
	out := make([]T, 0, len(items))
next:
	for _, it := range items {
		for _, p := range preds {
			if !p(it) {
				continue next
			}
		}
		out = append(out, it)
	}
	return out
}

// pageParams reads /i/{index}/s/{size}: index is the 0-based page number.
func (s *Server) pageParams(r *http.Request) (index, size int, bad *response) {
	index, err1 := strconv.Atoi(r.PathValue("index"))
	size, err2 := strconv.Atoi(r.PathValue("size"))
	switch {
	case err1 != nil || err2 != nil:
		resp := msg(http.StatusBadRequest, "Page index and size must be integers.")
		return 0, 0, &resp
	case index < 0:
		resp := msg(http.StatusBadRequest, "Page index can't be less than 0.")
		return 0, 0, &resp
	case size < 1:
		resp := msg(http.StatusBadRequest, "Pagesize must be greater than 0.")
		return 0, 0, &resp
	case size > s.opts.MaxPageSize:
		resp := msg(http.StatusBadRequest, "Pagesize can't be greater than %d.", s.opts.MaxPageSize)
		return 0, 0, &resp
	}
	return index, size, nil
}

// listing is Logiwa's page envelope.
type listing[T any] struct {
	Data       []T `json:"data"`
	TotalCount int `json:"totalCount"`
}

// pageOf cuts page index of size from items; ok is false past the end.
func pageOf[T any](items []T, index, size int) ([]T, bool) {
	from := index * size
	if from >= len(items) {
		return nil, false
	}
	return items[from:min(from+size, len(items))], true
}

// list is the common body of a paged, filtered list endpoint: 400 on a bad
// page or filter, 204 on an empty page, else {data, totalCount}.
func list[T any, W any](s *Server, c *call, items []T, fields []field[T], view func(T) W) response {
	index, size, bad := s.pageParams(c.r)
	if bad != nil {
		return *bad
	}
	preds, err := parseLQL(c.r.URL.Query(), fields)
	if err != nil {
		return msg(http.StatusBadRequest, "%s", err.Error())
	}
	matched := filter(items, preds)
	page, ok := pageOf(matched, index, size)
	if !ok {
		return noContent()
	}
	out := make([]W, len(page))
	for i, it := range page {
		out[i] = view(it)
	}
	return jsonResp(http.StatusOK, listing[W]{Data: out, TotalCount: len(matched)})
}

// listEntries is list over the n entries at(0..n-1) without copying them:
// it counts the matches and keeps only the requested page, so a list over
// archived orders reads the archive for that page's rows only.
func listEntries[T any, W any](s *Server, c *call, n int, at func(int) T, fields []field[T], view func(T) W) response {
	index, size, bad := s.pageParams(c.r)
	if bad != nil {
		return *bad
	}
	preds, err := parseLQL(c.r.URL.Query(), fields)
	if err != nil {
		return msg(http.StatusBadRequest, "%s", err.Error())
	}
	from, total := index*size, 0
	var page []T
next:
	for i := range n {
		it := at(i)
		for _, p := range preds {
			if !p(it) {
				continue next
			}
		}
		if total >= from && len(page) < size {
			page = append(page, it)
		}
		total++
	}
	if from >= total {
		return noContent()
	}
	out := make([]W, len(page))
	for i, it := range page {
		out[i] = view(it)
	}
	return jsonResp(http.StatusOK, listing[W]{Data: out, TotalCount: total})
}

// loader reads archived orders for one request. It remembers the last one
// read, so several filters on archived fields and the row view of one order
// cost one read, and keeps the first error for the handler to answer with.
// Needs s.mu.
type loader struct {
	s     *Server
	lastO *orderEntry
	o     *order
	lastR *returnEntry
	r     *returnOrder
	err   error
}

func (l *loader) order(e *orderEntry) *order {
	if e.o != nil {
		return e.o
	}
	if l.lastO != e {
		o, err := l.s.loadOrder(e)
		if err != nil {
			l.err = cmp.Or(l.err, err)
			o = &order{Seq: int(e.seq), ID: e.id, Code: e.code, ClientID: e.clientID, WarehouseID: e.warehouseID}
		}
		l.lastO, l.o = e, o
	}
	return l.o
}

func (l *loader) returnOrder(e *returnEntry) *returnOrder {
	if e.r != nil {
		return e.r
	}
	if l.lastR != e {
		r, err := l.s.loadReturn(e)
		if err != nil {
			l.err = cmp.Or(l.err, err)
			r = &returnOrder{Seq: int(e.seq), ID: e.id, RMA: e.rma, ClientID: e.clientID, WarehouseID: e.warehouseID}
		}
		l.lastR, l.r = e, r
	}
	return l.r
}

// internalError answers a failure of the simulator itself (the archive).
func internalError(s *Server, err error) response {
	s.log.Error("logiwasim: request failed", "err", err)
	return msg(http.StatusInternalServerError, "An unexpected error occurred.")
}

// decode reads a JSON request body into v, reporting problems the way
// Logiwa's validation does.
func decode(body []byte, v any) []fieldError {
	if len(bytes.TrimSpace(body)) == 0 {
		return []fieldError{{"", "A non-empty request body is required."}}
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return []fieldError{{te.Field, fmt.Sprintf("The JSON value could not be converted to %s.", te.Type)}}
		}
		return []fieldError{{"$", "The JSON value is not valid: " + err.Error()}}
	}
	return nil
}
