package s3local

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// maxChunkedBody bounds how much of an aws-chunked body is buffered; the local
// runtime moves documents and exports, not media.
const maxChunkedBody = 512 << 20

func nowUTC() time.Time { return time.Now().UTC() }

// isChunked reports whether the SDK sent the body in aws-chunked framing,
// which it does for streaming payloads with trailing checksums.
func isChunked(r *http.Request) bool {
	if strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		return true
	}
	for _, v := range r.Header.Values("Content-Encoding") {
		for _, enc := range strings.Split(v, ",") {
			if strings.TrimSpace(enc) == "aws-chunked" {
				return true
			}
		}
	}
	return false
}

// decodeChunkedRequest replaces an aws-chunked body by its payload and fixes
// the headers so the request looks like a plain PutObject/UploadPart.
// Chunk signatures and trailing checksums are not verified: the local stack
// does not authenticate.
func decodeChunkedRequest(r *http.Request) error {
	payload, err := decodeChunked(io.LimitReader(r.Body, maxChunkedBody))
	_ = r.Body.Close()
	if err != nil {
		return err
	}
	if want := r.Header.Get("X-Amz-Decoded-Content-Length"); want != "" {
		n, err := strconv.Atoi(want)
		if err != nil || n != len(payload) {
			return fmt.Errorf("decoded body has %d bytes, x-amz-decoded-content-length says %q", len(payload), want)
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(payload))
	r.ContentLength = int64(len(payload))
	r.Header.Set("Content-Length", strconv.Itoa(len(payload)))
	r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	r.Header.Del("X-Amz-Decoded-Content-Length")
	r.Header.Del("X-Amz-Trailer")
	var encs []string
	for _, v := range r.Header.Values("Content-Encoding") {
		for _, enc := range strings.Split(v, ",") {
			if enc = strings.TrimSpace(enc); enc != "" && enc != "aws-chunked" {
				encs = append(encs, enc)
			}
		}
	}
	r.Header.Del("Content-Encoding")
	if len(encs) > 0 {
		r.Header.Set("Content-Encoding", strings.Join(encs, ","))
	}
	return nil
}

// decodeChunked parses "size[;ext]\r\n data \r\n ... 0[;ext]\r\n trailers \r\n".
func decodeChunked(r io.Reader) ([]byte, error) {
	br := bufio.NewReader(r)
	var out bytes.Buffer
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("read chunk header: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		sizeHex, _, _ := strings.Cut(line, ";")
		size, err := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
		if err != nil || size < 0 {
			return nil, fmt.Errorf("bad chunk header %q", line)
		}
		if size == 0 {
			break
		}
		if _, err := io.CopyN(&out, br, size); err != nil {
			return nil, fmt.Errorf("read chunk of %d bytes: %w", size, err)
		}
		crlf := make([]byte, 2)
		if _, err := io.ReadFull(br, crlf); err != nil || string(crlf) != "\r\n" {
			return nil, errors.New("chunk not terminated by CRLF")
		}
	}
	// Trailers (e.g. x-amz-checksum-crc32) end with an empty line; a body
	// may also simply end after the last chunk.
	for {
		line, err := br.ReadString('\n')
		if strings.TrimSpace(line) == "" || err != nil {
			break
		}
	}
	return out.Bytes(), nil
}

// copyObject implements CopyObject with S3's metadata-directive semantics.
func (s *Server) copyObject(w http.ResponseWriter, r *http.Request) {
	dstBucket, dstKey, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	srcBucket, srcKey, err := parseCopySource(r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		writeError(w, gofakes3.ErrorMessage(gofakes3.ErrInvalidArgument, err.Error()))
		return
	}
	src, err := s.backend.HeadObject(srcBucket, srcKey)
	if err != nil {
		writeError(w, err)
		return
	}
	var meta map[string]string
	switch d := strings.ToUpper(r.Header.Get("X-Amz-Metadata-Directive")); d {
	case "", "COPY":
		meta = make(map[string]string, len(src.Metadata))
		for k, v := range src.Metadata {
			meta[k] = v
		}
	case "REPLACE":
		meta = objectMetadata(r.Header)
	default:
		writeError(w, gofakes3.ErrorMessage(gofakes3.ErrInvalidArgument, "Unknown metadata directive "+d))
		return
	}
	meta["Last-Modified"] = nowUTC().Format(http.TimeFormat)
	res, err := s.backend.CopyObject(srcBucket, srcKey, dstBucket, dstKey, meta)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, xml.Header)
	if err := xml.NewEncoder(w).Encode(res); err != nil {
		s.log.Warn("s3local: write copy result", "err", err)
	}
}

// parseCopySource splits "[/]bucket/url-encoded-key[?versionId=...]". Some
// clients encode the whole source, "/" included.
func parseCopySource(src string) (bucket, key string, err error) {
	src = strings.TrimPrefix(src, "/")
	src, _, _ = strings.Cut(src, "?")
	b, k, ok := strings.Cut(src, "/")
	if !ok {
		dec, derr := url.PathUnescape(src)
		if derr != nil {
			return "", "", fmt.Errorf("x-amz-copy-source: %w", derr)
		}
		b, k, ok = strings.Cut(strings.TrimPrefix(dec, "/"), "/")
	} else if k, err = url.PathUnescape(k); err != nil {
		return "", "", fmt.Errorf("x-amz-copy-source key: %w", err)
	}
	if !ok || b == "" || k == "" {
		return "", "", errors.New("x-amz-copy-source must be bucket/key")
	}
	return b, k, nil
}

// objectMetadata extracts what S3 stores with an object from request headers,
// in the header spelling gofakes3 replays on GET.
func objectMetadata(h http.Header) map[string]string {
	meta := map[string]string{}
	for k, v := range h {
		if len(v) == 0 {
			continue
		}
		switch {
		case k == "Content-Type", k == "Content-Disposition", k == "Content-Encoding",
			k == "Content-Language", k == "Cache-Control":
			meta[k] = v[0]
		case strings.HasPrefix(k, "X-Amz-"):
			for _, p := range keptAmzHeaders {
				if strings.HasPrefix(k, p) {
					meta[k] = v[0]
					break
				}
			}
		}
	}
	return meta
}

// writeError writes an S3 XML error document.
func writeError(w http.ResponseWriter, err error) {
	code := gofakes3.ErrInternal
	msg := err.Error()
	var resp *gofakes3.ErrorResponse
	switch {
	case errors.As(err, &resp):
		code, msg = resp.Code, resp.Message
	default:
		if ec, ok := err.(interface{ ErrorCode() gofakes3.ErrorCode }); ok {
			code = ec.ErrorCode()
		}
	}
	if msg == "" {
		msg = code.Message()
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(code.Status())
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(gofakes3.ErrorResponse{Code: code, Message: msg})
}
