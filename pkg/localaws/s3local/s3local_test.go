package s3local

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
)

const bucket = "orders"

func newClient(t *testing.T, url string) *s3.Client {
	t.Helper()
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		APIOptions:   []func(*middleware.Stack) error{v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware},
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

// start serves a server backed by the bolt file in dir (memory when dir is
// empty) and returns a client for it plus a stop function.
func start(t *testing.T, dir string) (*s3.Client, *Server, func()) {
	t.Helper()
	path := ""
	if dir != "" {
		path = filepath.Join(dir, "s3.bolt")
	}
	srv, err := Open(path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	stop := func() {
		hs.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}
	return newClient(t, hs.URL), srv, stop
}

func put(t *testing.T, c *s3.Client, key, body string, meta map[string]string) {
	t.Helper()
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
		Body: strings.NewReader(body), Metadata: meta, ContentType: aws.String("application/json"),
	})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

type object struct {
	body        string
	meta        map[string]string
	contentType string
}

func get(t *testing.T, c *s3.Client, key string) (object, error) {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return object{}, err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return object{body: string(b), meta: out.Metadata, contentType: aws.ToString(out.ContentType)}, nil
}

func TestObjectOperations(t *testing.T) {
	c, _, stop := start(t, "")
	defer stop()
	ctx := context.Background()

	put(t, c, "in/a.json", `{"a":1}`, map[string]string{"source": "shop", "stage": "raw"})
	put(t, c, "in/b.json", `{"b":2}`, nil)
	put(t, c, "out/c.json", `{"c":3}`, nil)

	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"get returns body, metadata and content type", func(t *testing.T) {
			o, err := get(t, c, "in/a.json")
			if err != nil {
				t.Fatal(err)
			}
			want := object{`{"a":1}`, map[string]string{"source": "shop", "stage": "raw"}, "application/json"}
			if o.body != want.body || o.contentType != want.contentType || !equalMeta(o.meta, want.meta) {
				t.Fatalf("got %+v, want %+v", o, want)
			}
		}},
		{"overwrite replaces metadata", func(t *testing.T) {
			put(t, c, "in/over.json", "v1", map[string]string{"old": "x"})
			put(t, c, "in/over.json", "v2", map[string]string{"new": "y"})
			o, err := get(t, c, "in/over.json")
			if err != nil {
				t.Fatal(err)
			}
			if o.body != "v2" || !equalMeta(o.meta, map[string]string{"new": "y"}) {
				t.Fatalf("got %+v", o)
			}
		}},
		{"list v2 with prefix", func(t *testing.T) {
			out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("in/")})
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, o := range out.Contents {
				keys = append(keys, aws.ToString(o.Key))
			}
			if !slices.Contains(keys, "in/a.json") || !slices.Contains(keys, "in/b.json") || slices.Contains(keys, "out/c.json") {
				t.Fatalf("keys %v", keys)
			}
		}},
		{"list v2 paginates", func(t *testing.T) {
			p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(1)})
			n := 0
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				n += len(page.Contents)
			}
			if n < 3 {
				t.Fatalf("paged %d objects, want at least 3", n)
			}
		}},
		{"copy keeps source metadata by default", func(t *testing.T) {
			_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("arch/a.json"),
				CopySource: aws.String(bucket + "/in/a.json"), Metadata: map[string]string{"ignored": "1"}})
			if err != nil {
				t.Fatal(err)
			}
			o, err := get(t, c, "arch/a.json")
			if err != nil {
				t.Fatal(err)
			}
			if o.body != `{"a":1}` || !equalMeta(o.meta, map[string]string{"source": "shop", "stage": "raw"}) || o.contentType != "application/json" {
				t.Fatalf("got %+v", o)
			}
		}},
		{"copy with REPLACE takes request metadata", func(t *testing.T) {
			_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("arch/a2.json"),
				CopySource: aws.String(bucket + "/in/a.json"), MetadataDirective: types.MetadataDirectiveReplace,
				Metadata: map[string]string{"stage": "done"}, ContentType: aws.String("text/plain")})
			if err != nil {
				t.Fatal(err)
			}
			o, err := get(t, c, "arch/a2.json")
			if err != nil {
				t.Fatal(err)
			}
			if o.body != `{"a":1}` || !equalMeta(o.meta, map[string]string{"stage": "done"}) || o.contentType != "text/plain" {
				t.Fatalf("got %+v", o)
			}
		}},
		{"copy of a key that needs encoding", func(t *testing.T) {
			put(t, c, "in/with space+plus.json", "sp", nil)
			_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("arch/sp.json"),
				CopySource: aws.String(bucket + "/in/with%20space%2Bplus.json")})
			if err != nil {
				t.Fatal(err)
			}
			if o, err := get(t, c, "arch/sp.json"); err != nil || o.body != "sp" {
				t.Fatalf("got %+v, %v", o, err)
			}
		}},
		{"copy of a missing key is NoSuchKey", func(t *testing.T) {
			_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("x"),
				CopySource: aws.String(bucket + "/nope")})
			var nsk *types.NoSuchKey
			if !errors.As(err, &nsk) && !strings.Contains(errString(err), "NoSuchKey") {
				t.Fatalf("err = %v, want NoSuchKey", err)
			}
		}},
		{"delete then get is NoSuchKey", func(t *testing.T) {
			put(t, c, "tmp/x", "x", nil)
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("tmp/x")}); err != nil {
				t.Fatal(err)
			}
			_, err := get(t, c, "tmp/x")
			var nsk *types.NoSuchKey
			if !errors.As(err, &nsk) {
				t.Fatalf("err = %v, want NoSuchKey", err)
			}
		}},
		{"unseekable body is accepted", func(t *testing.T) {
			body := bytes.Repeat([]byte("0123456789"), 10_000)
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("stream/big"),
				Body: io.NopCloser(bytes.NewReader(body)), ContentLength: aws.Int64(int64(len(body)))})
			if err != nil {
				t.Fatal(err)
			}
			o, err := get(t, c, "stream/big")
			if err != nil {
				t.Fatal(err)
			}
			if o.body != string(body) {
				t.Fatalf("got %d bytes, want %d", len(o.body), len(body))
			}
		}},
		{"get from a missing bucket is NoSuchBucket", func(t *testing.T) {
			_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("k")})
			var nsb *types.NoSuchBucket
			if !errors.As(err, &nsb) && !strings.Contains(errString(err), "NoSuchBucket") {
				t.Fatalf("err = %v, want NoSuchBucket", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func TestRestartKeepsObjects(t *testing.T) {
	dir := t.TempDir()
	c, _, stop := start(t, dir)
	put(t, c, "keep/me.json", "kept", map[string]string{"k": "v"})
	stop()

	c, _, stop = start(t, dir)
	defer stop()
	o, err := get(t, c, "keep/me.json")
	if err != nil {
		t.Fatal(err)
	}
	if o.body != "kept" || !equalMeta(o.meta, map[string]string{"k": "v"}) {
		t.Fatalf("after restart got %+v", o)
	}
}

func TestParseCopySource(t *testing.T) {
	tests := []struct {
		in, bucket, key string
		ok              bool
	}{
		{"b/k", "b", "k", true},
		{"/b/dir/k.json", "b", "dir/k.json", true},
		{"b/a%20b%2Bc", "b", "a b+c", true},
		{"b/k?versionId=3", "b", "k", true},
		{"b%2Fdir%2Fk", "b", "dir/k", true},
		{"b", "", "", false},
		{"b/", "", "", false},
	}
	for _, tt := range tests {
		b, k, err := parseCopySource(tt.in)
		if (err == nil) != tt.ok || b != tt.bucket || k != tt.key {
			t.Errorf("parseCopySource(%q) = %q, %q, %v", tt.in, b, k, err)
		}
	}
}

func TestDecodeChunked(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"unsigned with trailer", "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n", "hello world", true},
		{"signed", "5;chunk-signature=ab\r\nhello\r\n0;chunk-signature=cd\r\n\r\n", "hello", true},
		{"bad size", "zz\r\nhello\r\n0\r\n\r\n", "", false},
		{"short chunk", "9\r\nhello\r\n", "", false},
	}
	for _, tt := range tests {
		got, err := decodeChunked(strings.NewReader(tt.in))
		if (err == nil) != tt.ok || string(got) != tt.want {
			t.Errorf("%s: got %q, %v", tt.name, got, err)
		}
	}
}

func equalMeta(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		// S3 returns user metadata keys lower-cased; gofakes3 canonicalises.
		if got[k] != v && got[strings.ToLower(k)] != v && got[strings.ToUpper(k[:1])+k[1:]] != v {
			return false
		}
	}
	return true
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
