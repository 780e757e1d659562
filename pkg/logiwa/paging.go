package logiwa

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
)

// MaxPageSize is Logiwa's limit for /i/{index}/s/{size} ("Pagesize can't be
// greater than 200"). Larger sizes are lowered to it.
const MaxPageSize = 200

// Page is one page of a list endpoint. Index is 0-based. TotalCount is
// Logiwa's count of all matching rows (0 when the page was a 204).
type Page[T any] struct {
	Index      int
	Size       int
	Items      []T
	TotalCount int
	Call       CallInfo
}

// Last reports whether no page follows this one.
func (p Page[T]) Last() bool {
	// More items than asked for means the endpoint ignored paging and sent
	// everything (seen on bare-array lookups): asking again would repeat it.
	if len(p.Items) == 0 || len(p.Items) != p.Size {
		return true
	}
	return p.TotalCount > 0 && (p.Index+1)*p.Size >= p.TotalCount
}

func clampSize(size int) int {
	if size <= 0 || size > MaxPageSize {
		return MaxPageSize
	}
	return size
}

// getPage fetches GET {base}/i/{index}/s/{size}?{query}. A 204 is an empty
// page, as the reference documents for "no content".
func getPage[T any](ctx context.Context, c *Client, base string, query url.Values, index, size int) (Page[T], error) {
	size = clampSize(size)
	if index < 0 {
		index = 0
	}
	req := c.newRequest(http.MethodGet, base, fmt.Sprintf("%s/i/%d/s/%d", base, index, size))
	req.query = query
	var env listEnvelope[T]
	ci, err := c.do(ctx, req, &env)
	p := Page[T]{Index: index, Size: size, Call: ci}
	if err != nil {
		return p, err
	}
	p.Items = env.Items
	p.TotalCount = env.TotalCount
	if !env.HasTotal {
		// Bare-array lists carry no count; what we have is all we know.
		p.TotalCount = index*size + len(env.Items)
	}
	return p, nil
}

// pages streams a list page by page: one page in memory at a time, the
// next fetched only when the consumer asks for it. It stops after the last
// page, after an error (yielded once), or when the consumer stops.
func pages[T any](ctx context.Context, c *Client, base string, query url.Values, size int) iter.Seq2[Page[T], error] {
	return func(yield func(Page[T], error) bool) {
		for index := 0; ; index++ {
			p, err := getPage[T](ctx, c, base, query, index, size)
			if err != nil {
				yield(p, err)
				return
			}
			if len(p.Items) == 0 && index > 0 {
				return // 204 after a full page: nothing more, nothing to yield
			}
			if !yield(p, nil) || p.Last() {
				return
			}
		}
	}
}

// collect reads every page of a (small) list into one slice. Only for
// lookups, which are bounded; big lists are streamed.
func collect[T any](ctx context.Context, c *Client, base string, query url.Values) ([]T, error) {
	var all []T
	for p, err := range pages[T](ctx, c, base, query, MaxPageSize) {
		if err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
	}
	return all, nil
}
