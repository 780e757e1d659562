package dynamolocal

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// liveHeap is the Go heap still reachable after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC() // the second pass also frees what finalizers released
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

const (
	memItemsFirst = 2_000
	memItemsAll   = 20_000
	memItemBytes  = 600
	// memGrowthLimit is how much the live heap may grow from 2,000 items
	// to 20,000. Measured: about 0 MB with cgo (pebble allocates its block
	// cache and memtables outside the Go heap), 10 MB with CGO_ENABLED=0
	// (both on the Go heap, bounded at 8 MB + 2 x 4 MB); the previous
	// design, holding items in minidyn's memory, grew by 25 MB.
	memGrowthLimit = 16 << 20
)

// growHeap puts 20,000 items of about 600 bytes, reading some back, and
// returns the live heap after the first 2,000 and after all of them.
func growHeap(t testing.TB, srv *Server) (first, all uint64) {
	createHashTable(t, srv, "records")
	// The payload brings each item to about memItemBytes in wire JSON.
	payload := memItemBytes - 60
	step := func(from, to int) {
		putRange(t, srv, "records", from, to, payload)
		for i := from; i < to; i += 97 {
			mustCall(t, srv, "GetItem", map[string]any{"TableName": "records",
				"Key": map[string]any{"id": map[string]any{"S": fmt.Sprintf("id-%05d", i)}}})
		}
	}
	step(0, memItemsFirst)
	first = liveHeap()
	step(memItemsFirst, memItemsAll)
	all = liveHeap()
	return first, all
}

func TestLiveHeapDoesNotGrowWithItems(t *testing.T) {
	srv := openServer(t, t.TempDir())
	defer srv.Close()
	first, all := growHeap(t, srv)
	t.Logf("live heap: %.1f MB after %d items, %.1f MB after %d", mb(first), memItemsFirst, mb(all), memItemsAll)
	if all > first+memGrowthLimit {
		t.Fatalf("live heap grew by %.1f MB from %d to %d items (limit %.0f MB): items are held in memory",
			mb(all-first), memItemsFirst, memItemsAll, mb(memGrowthLimit))
	}
	d := mustCall(t, srv, "DescribeTable", map[string]any{"TableName": "records"})
	if n := d["Table"].(map[string]any)["ItemCount"]; n != float64(memItemsAll) {
		t.Fatalf("ItemCount %v, want %d", n, memItemsAll)
	}
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }

// BenchmarkPutGet fills a disk-backed table with 20,000 items of about 600
// bytes, reports the live heap at 2,000 and 20,000 items, then measures a
// GetItem plus a conditional UpdateItem (the records version guard) per
// operation, through the HTTP handler without the network.
func BenchmarkPutGet(b *testing.B) {
	srv := openServer(b, b.TempDir())
	defer srv.Close()
	first, all := growHeap(b, srv)

	var getTime, updateTime time.Duration
	i := 0
	for b.Loop() {
		key := map[string]any{"id": map[string]any{"S": fmt.Sprintf("id-%05d", (i*7919)%memItemsAll)}}
		i++
		t0 := time.Now()
		mustCall(b, srv, "GetItem", map[string]any{"TableName": "records", "Key": key, "ConsistentRead": true})
		t1 := time.Now()
		mustCall(b, srv, "UpdateItem", map[string]any{"TableName": "records", "Key": key,
			"UpdateExpression":          "SET v = :v",
			"ConditionExpression":       "attribute_not_exists(v) OR v < :v",
			"ExpressionAttributeValues": map[string]any{":v": map[string]any{"N": fmt.Sprint(i)}}})
		getTime += t1.Sub(t0)
		updateTime += time.Since(t1)
	}
	// After the loop: b.Loop resets the timer and any metric reported before.
	b.ReportMetric(mb(first), "heapMB@2k")
	b.ReportMetric(mb(all), "heapMB@20k")
	b.ReportMetric(float64(getTime.Microseconds())/float64(i), "get-µs")
	b.ReportMetric(float64(updateTime.Microseconds())/float64(i), "update-µs")
}
