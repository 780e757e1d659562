package s3local

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestClockStampsObjects: with a clock far from the wall clock (an
// accelerated runtime's), objects carry the clock's time and requests signed
// with the wall clock are still accepted.
func TestClockStampsObjects(t *testing.T) {
	at := time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)
	for _, dir := range []string{"", t.TempDir()} {
		path := ""
		if dir != "" {
			path = filepath.Join(dir, "s3.bolt")
		}
		srv, err := OpenClock(path, slog.New(slog.DiscardHandler), func() time.Time { return at })
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.CreateBucket(bucket); err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		c := newClient(t, hs.URL)
		put(t, c, "k", "v", nil)
		out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
		hs.Close()
		_ = srv.Close()
		if err != nil {
			t.Fatalf("dir %q: %v", dir, err)
		}
		if len(out.Contents) != 1 || !out.Contents[0].LastModified.Equal(at) {
			t.Fatalf("dir %q: objects %+v, want LastModified %s", dir, out.Contents, at)
		}
	}
}
