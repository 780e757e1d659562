// Package s3local serves the S3 REST API in-process for the embedded local
// runtime. It wraps github.com/johannesboyne/gofakes3 (bolt backend for
// persistence, memory backend otherwise) and fixes the gaps our task code would
// otherwise trip over:
//
//   - aws-chunked request bodies (the SDK's streaming checksum trailers, which
//     it uses for unseekable bodies) are decoded before gofakes3 sees them;
//   - PutObject replaces an object's metadata, as S3 does (gofakes3 merges the
//     previous object's metadata into the new one);
//   - CopyObject honours x-amz-metadata-directive (COPY keeps the source's
//     metadata, REPLACE takes the request's) and does not store the copy
//     request's own headers as metadata;
//   - transport headers (x-amz-date, x-amz-content-sha256, checksums, ...)
//     are not stored as object metadata.
//
// Clients must use path-style addressing.
package s3local

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	bolt "go.etcd.io/bbolt"
)

// Server is an in-process S3 endpoint. It implements http.Handler.
type Server struct {
	backend *lockedBackend
	handler http.Handler
	closer  io.Closer
	log     *slog.Logger
}

// Open returns an S3 server. With a non-empty path, buckets and objects are
// kept in the bolt database at path and survive a restart; with an empty path
// everything lives in memory.
func Open(path string, logger *slog.Logger) (*Server, error) {
	return OpenClock(path, logger, nil)
}

// OpenClock is Open with a clock for the times S3 records (LastModified,
// bucket creation); nil is the wall clock. The local runtime passes its own,
// so objects written under an accelerated clock carry that clock's times,
// which the workflows compare with their own (redrive lists objects parked
// before it started).
func OpenClock(path string, logger *slog.Logger, now func() time.Time) (*Server, error) {
	if logger == nil {
		logger = slog.Default()
	}
	var (
		inner  gofakes3.Backend
		closer io.Closer
	)
	var ts gofakes3.TimeSource = gofakes3.DefaultTimeSource()
	if now != nil {
		ts = clockSource{now}
	}
	if path == "" {
		inner = s3mem.New(s3mem.WithTimeSource(ts))
	} else {
		// Opened here rather than with s3bolt.NewFile because s3bolt offers
		// no Close, and the file lock must be released for a restart.
		db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
		if err != nil {
			return nil, fmt.Errorf("s3local: open bolt database %s: %w", path, err)
		}
		inner, closer = s3bolt.New(db, s3bolt.WithTimeSource(ts)), db
	}
	be := &lockedBackend{inner: inner}
	fake := gofakes3.New(be,
		gofakes3.WithLogger(slogAdapter{logger}),
		gofakes3.WithoutVersioning(),
		gofakes3.WithTimeSource(ts),
		// Clients sign with the wall clock, which an accelerated or fake
		// clock leaves behind; nothing here checks signatures anyway.
		gofakes3.WithTimeSkewLimit(0),
		// Virtual-host addressing would treat "127.0.0.1" as a bucket name.
		gofakes3.WithHostBucket(false),
	)
	s := &Server{backend: be, closer: closer, log: logger}
	s.handler = s.middleware(fake.Server())
	return s, nil
}

// clockSource adapts a clock to gofakes3, in the GMT zone S3 reports.
type clockSource struct{ now func() time.Time }

func (c clockSource) Now() time.Time                  { return c.now().In(gmt) }
func (c clockSource) Since(t time.Time) time.Duration { return c.now().Sub(t) }

var gmt = time.FixedZone("GMT", 0)

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// CreateBucket creates a bucket if it does not exist yet. The local runtime
// uses it to stand in for the buckets Terraform creates in AWS.
func (s *Server) CreateBucket(name string) error {
	ok, err := s.backend.BucketExists(name)
	if err != nil {
		return fmt.Errorf("s3local: check bucket %s: %w", name, err)
	}
	if ok {
		return nil
	}
	if err := s.backend.CreateBucket(name); err != nil {
		return fmt.Errorf("s3local: create bucket %s: %w", name, err)
	}
	return nil
}

// Close releases the database. The handler must no longer be serving.
func (s *Server) Close() error {
	if s.closer == nil {
		return nil
	}
	if err := s.closer.Close(); err != nil {
		return fmt.Errorf("s3local: close: %w", err)
	}
	return nil
}

// middleware normalises requests before gofakes3 handles them.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isChunked(r) {
			if err := decodeChunkedRequest(r); err != nil {
				writeError(w, gofakes3.ErrorMessage(gofakes3.ErrIncompleteBody, err.Error()))
				return
			}
		}
		if r.Method == http.MethodPut && objectPath(r.URL.Path) {
			if r.Header.Get("X-Amz-Copy-Source") != "" {
				s.copyObject(w, r)
				return
			}
			stripTransportHeaders(r.Header)
		}
		next.ServeHTTP(w, r)
	})
}

// objectPath reports whether a path-style URL path names an object, i.e.
// "/bucket/key..." rather than "/bucket".
func objectPath(p string) bool {
	p = strings.TrimPrefix(p, "/")
	i := strings.IndexByte(p, '/')
	return i > 0 && i < len(p)-1
}

// keptAmzHeaders are the x-amz-* request headers that S3 stores with an
// object; every other x-amz-* header describes the request, not the object.
var keptAmzHeaders = []string{
	"X-Amz-Meta-",
	"X-Amz-Storage-Class",
	"X-Amz-Tagging",
	"X-Amz-Website-Redirect-Location",
	"X-Amz-Server-Side-Encryption",
}

func stripTransportHeaders(h http.Header) {
	for k := range h {
		if !strings.HasPrefix(k, "X-Amz-") {
			continue
		}
		keep := false
		for _, p := range keptAmzHeaders {
			if strings.HasPrefix(k, p) {
				keep = true
				break
			}
		}
		if !keep {
			h.Del(k)
		}
	}
}

// lockedBackend serialises writes so that replacing an object (delete, then
// put) is atomic for readers, and gives PutObject S3's replace semantics.
type lockedBackend struct {
	mu    sync.RWMutex
	inner gofakes3.Backend
}

var _ gofakes3.Backend = (*lockedBackend)(nil)

func (b *lockedBackend) ListBuckets() ([]gofakes3.BucketInfo, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.inner.ListBuckets()
}

func (b *lockedBackend) ListBucket(name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.inner.ListBucket(name, prefix, page)
}

func (b *lockedBackend) CreateBucket(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.inner.CreateBucket(name)
}

func (b *lockedBackend) BucketExists(name string) (bool, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.inner.BucketExists(name)
}

func (b *lockedBackend) DeleteBucket(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.inner.DeleteBucket(name)
}

func (b *lockedBackend) ForceDeleteBucket(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.inner.ForceDeleteBucket(name)
}

func (b *lockedBackend) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.inner.HeadObject(bucket, key)
}

func (b *lockedBackend) GetObject(bucket, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.inner.GetObject(bucket, key, rng)
}

func (b *lockedBackend) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.inner.DeleteObject(bucket, key)
}

func (b *lockedBackend) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.inner.DeleteMulti(bucket, keys...)
}

// PutObject replaces the object: gofakes3's backends merge the old object's
// metadata into the new one, so the old object is deleted first (under the
// write lock, after the preconditions were checked against it).
func (b *lockedBackend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, cond *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.putLocked(bucket, key, meta, input, size, cond)
}

func (b *lockedBackend) putLocked(bucket, key string, meta map[string]string, input io.Reader, size int64, cond *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	if cond != nil {
		info, err := b.conditionalInfo(bucket, key)
		if err != nil {
			return gofakes3.PutObjectResult{}, err
		}
		if err := gofakes3.CheckPutConditions(cond, info); err != nil {
			return gofakes3.PutObjectResult{}, err
		}
	}
	if _, err := b.inner.DeleteObject(bucket, key); err != nil && !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
		return gofakes3.PutObjectResult{}, err
	}
	return b.inner.PutObject(bucket, key, meta, input, size, nil)
}

func (b *lockedBackend) conditionalInfo(bucket, key string) (*gofakes3.ConditionalObjectInfo, error) {
	obj, err := b.inner.HeadObject(bucket, key)
	if err != nil {
		if gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
			return &gofakes3.ConditionalObjectInfo{Exists: false}, nil
		}
		return nil, err
	}
	return &gofakes3.ConditionalObjectInfo{Exists: true, Hash: obj.Hash}, nil
}

// CopyObject copies with exactly the given metadata.
func (b *lockedBackend) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	src, err := b.inner.GetObject(srcBucket, srcKey, nil)
	if err != nil {
		return gofakes3.CopyObjectResult{}, err
	}
	defer func() { _ = src.Contents.Close() }()
	if _, err := b.putLocked(dstBucket, dstKey, meta, src.Contents, src.Size, nil); err != nil {
		return gofakes3.CopyObjectResult{}, err
	}
	return gofakes3.CopyObjectResult{
		ETag:         fmt.Sprintf("%q", fmt.Sprintf("%x", src.Hash)),
		LastModified: gofakes3.NewContentTime(nowUTC()),
	}, nil
}

type slogAdapter struct{ log *slog.Logger }

// Print maps gofakes3's chatty per-request INFO lines to debug level.
func (a slogAdapter) Print(level gofakes3.LogLevel, v ...any) {
	msg := strings.TrimSpace(fmt.Sprintln(v...))
	switch level {
	case gofakes3.LogErr:
		a.log.Error(msg, "component", "s3local")
	case gofakes3.LogWarn:
		a.log.Warn(msg, "component", "s3local")
	default:
		a.log.Debug(msg, "component", "s3local")
	}
}
