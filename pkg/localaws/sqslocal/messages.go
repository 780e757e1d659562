package sqslocal

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

type sendEntry struct {
	Id                string
	MessageBody       string
	DelaySeconds      *int
	MessageAttributes map[string]messageAttribute
}

type sendResult struct {
	Id                     string `json:",omitempty"`
	MessageId              string
	MD5OfMessageBody       string
	MD5OfMessageAttributes string `json:",omitempty"`
}

type batchError struct {
	Id          string
	Code        string
	Message     string
	SenderFault bool
}

func (s *Server) sendMessage(req *request) (any, error) {
	var in struct {
		QueueUrl string
		sendEntry
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	res, err := s.sendLocked(q, in.sendEntry)
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Server) sendMessageBatch(req *request) (any, error) {
	var in struct {
		QueueUrl string
		Entries  []sendEntry
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	total := 0
	for i, e := range in.Entries {
		ids[i] = e.Id
		total += messageSize(e.MessageBody, e.MessageAttributes)
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if limit := q.intAttr("MaximumMessageSize"); total > limit {
		return nil, errSQS("BatchRequestTooLong", fmt.Sprintf("Batch requests cannot be longer than %d bytes. You have sent %d bytes.", limit, total))
	}
	out := struct {
		Successful []sendResult
		Failed     []batchError
	}{Successful: []sendResult{}, Failed: []batchError{}}
	for _, e := range in.Entries {
		res, err := s.sendLocked(q, e)
		if err != nil {
			out.Failed = append(out.Failed, entryError(e.Id, err))
			continue
		}
		res.Id = e.Id
		out.Successful = append(out.Successful, *res)
	}
	return out, nil
}

// checkBatch applies SQS's batch entry rules.
func checkBatch(ids []string) error {
	if len(ids) == 0 {
		return errSQS("EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.")
	}
	if len(ids) > 10 {
		return errSQS("TooManyEntriesInBatchRequest", fmt.Sprintf("Maximum number of entries per request are 10. You have sent %d.", len(ids)))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || len(id) > 80 || strings.IndexFunc(id, func(r rune) bool {
			return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		}) >= 0 {
			return errSQS("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id] {
			return errSQS("BatchEntryIdsNotDistinct", "Id "+id+" repeated.")
		}
		seen[id] = true
	}
	return nil
}

func entryError(id string, err error) batchError {
	if ae, ok := err.(*apiError); ok {
		return batchError{Id: id, Code: ae.queryCode, Message: ae.msg, SenderFault: true}
	}
	return batchError{Id: id, Code: "InternalError", Message: err.Error()}
}

// messageSize counts the body and every attribute's name, type and value, as
// SQS does against MaximumMessageSize.
func messageSize(body string, attrs map[string]messageAttribute) int {
	n := len(body)
	for k, a := range attrs {
		n += len(k) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	return n
}

func (s *Server) sendLocked(q *queue, e sendEntry) (*sendResult, error) {
	if e.MessageBody == "" {
		return nil, newError("com.amazon.coral.validate#ValidationException", "MissingParameter",
			"The request must contain the parameter MessageBody.")
	}
	if limit := q.intAttr("MaximumMessageSize"); messageSize(e.MessageBody, e.MessageAttributes) > limit {
		return nil, errInvalidParameter(fmt.Sprintf("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", limit))
	}
	for name, a := range e.MessageAttributes {
		base, _, _ := strings.Cut(a.DataType, ".")
		if base != "String" && base != "Number" && base != "Binary" {
			return nil, errInvalidParameter("The type of message (user) attribute '" + name + "' is invalid. You must use only the following supported type prefixes: Binary, Number, String.")
		}
	}
	delay := q.intAttr("DelaySeconds")
	if e.DelaySeconds != nil {
		if *e.DelaySeconds < 0 || *e.DelaySeconds > 900 {
			return nil, errInvalidParameter(fmt.Sprintf("Value %d for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.", *e.DelaySeconds))
		}
		delay = *e.DelaySeconds
	}
	now := s.clock.Now()
	m := &message{
		ID:         newID(),
		Body:       e.MessageBody,
		Attributes: e.MessageAttributes,
		SentAt:     now,
		VisibleAt:  now.Add(time.Duration(delay) * time.Second),
	}
	q.Messages = append(q.Messages, m)
	s.markDirty()
	s.notifyLocked()
	return &sendResult{MessageId: m.ID, MD5OfMessageBody: md5Hex(m.Body), MD5OfMessageAttributes: attributesMD5(m.Attributes)}, nil
}

type receivedMessage struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             map[string]string           `json:",omitempty"`
	MessageAttributes      map[string]messageAttribute `json:",omitempty"`
	MD5OfMessageAttributes string                      `json:",omitempty"`
}

func (s *Server) receiveMessage(req *request) (any, error) {
	var in struct {
		QueueUrl                    string
		AttributeNames              []string
		MessageSystemAttributeNames []string
		MessageAttributeNames       []string
		MaxNumberOfMessages         *int
		VisibilityTimeout           *int
		WaitTimeSeconds             *int
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	max := 1
	if in.MaxNumberOfMessages != nil {
		max = *in.MaxNumberOfMessages
		if max < 1 || max > 10 {
			return nil, errInvalidParameter(fmt.Sprintf("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", max))
		}
	}
	if in.VisibilityTimeout != nil && (*in.VisibilityTimeout < 0 || *in.VisibilityTimeout > 43200) {
		return nil, errInvalidParameter(fmt.Sprintf("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", *in.VisibilityTimeout))
	}
	if in.WaitTimeSeconds != nil && (*in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > 20) {
		return nil, errInvalidParameter(fmt.Sprintf("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", *in.WaitTimeSeconds))
	}
	sysNames := append(in.AttributeNames, in.MessageSystemAttributeNames...)

	var deadline time.Time // real time: long polls wait on the wall clock
	for {
		s.mu.Lock()
		if s.closed || s.noReceive {
			s.mu.Unlock()
			return struct{}{}, nil
		}
		q, err := s.lookup(in.QueueUrl)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		if deadline.IsZero() {
			wait := q.intAttr("ReceiveMessageWaitTimeSeconds")
			if in.WaitTimeSeconds != nil {
				wait = *in.WaitTimeSeconds
			}
			deadline = time.Now().Add(time.Duration(wait) * time.Second)
		}
		visibility := q.intAttr("VisibilityTimeout")
		if in.VisibilityTimeout != nil {
			visibility = *in.VisibilityTimeout
		}
		msgs, next := s.receiveLocked(q, max, visibility, sysNames, in.MessageAttributeNames)
		changed := s.changed
		s.mu.Unlock()

		remaining := time.Until(deadline)
		if len(msgs) > 0 || remaining <= 0 {
			return struct {
				Messages []receivedMessage `json:",omitempty"`
			}{msgs}, nil
		}
		if !next.IsZero() {
			// Wake when the next in-flight or delayed message becomes visible.
			if d := s.realDuration(next.Sub(s.clock.Now())); d < remaining {
				remaining = max0(d) + time.Millisecond
			}
		}
		timer := time.NewTimer(remaining)
		select {
		case <-changed:
		case <-timer.C:
		case <-req.r.Context().Done():
			timer.Stop()
			return struct{}{}, nil
		}
		timer.Stop()
	}
}

// scaledClock is a clock that runs faster than the wall clock.
type scaledClock interface {
	Real(d time.Duration) time.Duration
}

// realDuration converts a span of the server's clock to wall time: a long
// poll waits on the wall clock, so with an accelerated clock (one that has
// Real, like clock.Scaled) a visibility timeout ends sooner than it reads.
func (s *Server) realDuration(d time.Duration) time.Duration {
	if r, ok := s.clock.(scaledClock); ok {
		return r.Real(d)
	}
	return d
}

func max0(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}

// receiveLocked takes up to max visible messages, moving those that have
// exhausted maxReceiveCount to the dead-letter queue first. It also returns
// when the earliest invisible message becomes visible (zero if none).
func (s *Server) receiveLocked(q *queue, max, visibility int, sysNames, attrNames []string) ([]receivedMessage, time.Time) {
	now := s.clock.Now()
	s.expireLocked(q, now)
	dlq, maxReceives := s.redrive(q)
	var (
		out  []receivedMessage
		next time.Time
		kept = q.Messages[:0]
	)
	for _, m := range q.Messages {
		if m.VisibleAt.After(now) || len(out) == max {
			if m.VisibleAt.After(now) && (next.IsZero() || m.VisibleAt.Before(next)) {
				next = m.VisibleAt
			}
			kept = append(kept, m)
			continue
		}
		if dlq != nil && dlq != q && m.ReceiveCount >= maxReceives {
			s.log.Debug("sqslocal: message moved to dead-letter queue", "queue", q.Name, "dlq", dlq.Name, "message", m.ID, "receives", m.ReceiveCount)
			m.ReceiveCount, m.FirstReceivedAt, m.ReceiptHandle, m.VisibleAt = 0, time.Time{}, "", now
			dlq.Messages = append(dlq.Messages, m)
			continue
		}
		m.ReceiveCount++
		if m.FirstReceivedAt.IsZero() {
			m.FirstReceivedAt = now
		}
		m.VisibleAt = now.Add(time.Duration(visibility) * time.Second)
		m.ReceiptHandle = newReceiptHandle(q.Name, m.ID)
		if m.VisibleAt.After(now) && (next.IsZero() || m.VisibleAt.Before(next)) {
			next = m.VisibleAt
		}
		out = append(out, m.received(sysNames, attrNames))
		kept = append(kept, m)
	}
	if len(kept) != len(q.Messages) {
		// Messages went to the dead-letter queue: its waiters may proceed.
		clear(q.Messages[len(kept):])
		s.markDirty()
		s.notifyLocked()
	}
	q.Messages = kept
	if len(out) > 0 {
		s.markDirty()
	}
	return out, next
}

func (m *message) received(sysNames, attrNames []string) receivedMessage {
	r := receivedMessage{MessageId: m.ID, ReceiptHandle: m.ReceiptHandle, MD5OfBody: md5Hex(m.Body), Body: m.Body}
	sys := map[string]string{
		"ApproximateReceiveCount":          strconv.Itoa(m.ReceiveCount),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.FirstReceivedAt.UnixMilli(), 10),
		"SentTimestamp":                    strconv.FormatInt(m.SentAt.UnixMilli(), 10),
		"SenderId":                         AccountID,
	}
	for _, n := range sysNames {
		if n == "All" {
			r.Attributes = sys
			break
		}
		if v, ok := sys[n]; ok {
			if r.Attributes == nil {
				r.Attributes = map[string]string{}
			}
			r.Attributes[n] = v
		}
	}
	for name, a := range m.Attributes {
		for _, want := range attrNames {
			prefix, isPrefix := strings.CutSuffix(want, ".*")
			if want == "All" || want == ".*" || want == name || isPrefix && strings.HasPrefix(name, prefix+".") {
				if r.MessageAttributes == nil {
					r.MessageAttributes = map[string]messageAttribute{}
				}
				r.MessageAttributes[name] = a
				break
			}
		}
	}
	r.MD5OfMessageAttributes = attributesMD5(r.MessageAttributes)
	return r
}

// findByHandle resolves a receipt handle. A well-formed handle of a message
// that is gone or was received again since yields nil, nil: SQS accepts such
// deletes without deleting anything.
func (s *Server) findByHandle(q *queue, handle string) (int, error) {
	name, id, ok := parseReceiptHandle(handle)
	if !ok || name != q.Name {
		return -1, newError("com.amazonaws.sqs#ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid",
			"The input receipt handle \""+handle+"\" is not a valid receipt handle.")
	}
	for i, m := range q.Messages {
		if m.ID == id && m.ReceiptHandle == handle {
			return i, nil
		}
	}
	return -1, nil
}

func (s *Server) deleteMessage(req *request) (any, error) {
	var in struct{ QueueUrl, ReceiptHandle string }
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return struct{}{}, s.deleteLocked(q, in.ReceiptHandle)
}

func (s *Server) deleteLocked(q *queue, handle string) error {
	i, err := s.findByHandle(q, handle)
	if err != nil || i < 0 {
		return err
	}
	q.Messages = append(q.Messages[:i], q.Messages[i+1:]...)
	s.markDirty()
	return nil
}

type handleEntry struct {
	Id                string
	ReceiptHandle     string
	VisibilityTimeout int
}

func (s *Server) deleteMessageBatch(req *request) (any, error) {
	return s.handleBatch(req, func(q *queue, e handleEntry) error { return s.deleteLocked(q, e.ReceiptHandle) })
}

func (s *Server) changeMessageVisibilityBatch(req *request) (any, error) {
	return s.handleBatch(req, func(q *queue, e handleEntry) error {
		return s.changeVisibilityLocked(q, e.ReceiptHandle, e.VisibilityTimeout)
	})
}

func (s *Server) handleBatch(req *request, apply func(*queue, handleEntry) error) (any, error) {
	var in struct {
		QueueUrl string
		Entries  []handleEntry
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	type ok struct{ Id string }
	out := struct {
		Successful []ok
		Failed     []batchError
	}{Successful: []ok{}, Failed: []batchError{}}
	for _, e := range in.Entries {
		if err := apply(q, e); err != nil {
			out.Failed = append(out.Failed, entryError(e.Id, err))
			continue
		}
		out.Successful = append(out.Successful, ok{e.Id})
	}
	return out, nil
}

func (s *Server) changeMessageVisibility(req *request) (any, error) {
	var in struct {
		QueueUrl          string
		ReceiptHandle     string
		VisibilityTimeout int
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return struct{}{}, s.changeVisibilityLocked(q, in.ReceiptHandle, in.VisibilityTimeout)
}

func (s *Server) changeVisibilityLocked(q *queue, handle string, timeout int) error {
	if timeout < 0 || timeout > 43200 {
		return errInvalidParameter(fmt.Sprintf("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.", timeout))
	}
	i, err := s.findByHandle(q, handle)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	if i < 0 || !q.Messages[i].VisibleAt.After(now) {
		return errSQS("MessageNotInflight", "Message does not exist or is not available for visibility timeout change.")
	}
	q.Messages[i].VisibleAt = now.Add(time.Duration(timeout) * time.Second)
	s.markDirty()
	s.notifyLocked()
	return nil
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func newReceiptHandle(queue, id string) string {
	var nonce [12]byte
	_, _ = rand.Read(nonce[:])
	return base64.RawURLEncoding.EncodeToString([]byte(queue + "\x00" + id + "\x00" + hex.EncodeToString(nonce[:])))
}

func parseReceiptHandle(h string) (queue, id string, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return "", "", false
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 {
		return "", "", false
	}
	return parts[0], parts[1], true
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// attributesMD5 is SQS's digest of message attributes: for each attribute in
// name order, length-prefixed name, data type, a transport byte (1 string,
// 2 binary) and length-prefixed value.
func attributesMD5(attrs map[string]messageAttribute) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := md5.New()
	put := func(b []byte) {
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(b)))
		h.Write(l[:])
		h.Write(b)
	}
	for _, n := range names {
		a := attrs[n]
		put([]byte(n))
		put([]byte(a.DataType))
		if strings.HasPrefix(a.DataType, "Binary") {
			h.Write([]byte{2})
			put(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			put([]byte(a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
