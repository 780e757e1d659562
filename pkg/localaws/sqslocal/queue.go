package sqslocal

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// queue is one standard queue. Exported fields are persisted.
type queue struct {
	Name         string            `json:"name"`
	Attrs        map[string]string `json:"attrs"` // settable attributes, AWS spelling
	Created      time.Time         `json:"created"`
	LastModified time.Time         `json:"lastModified"`
	Messages     []*message        `json:"messages"`
}

// message is one message and its delivery state.
type message struct {
	ID              string                      `json:"id"`
	Body            string                      `json:"body"`
	Attributes      map[string]messageAttribute `json:"attributes,omitempty"`
	SentAt          time.Time                   `json:"sentAt"`
	VisibleAt       time.Time                   `json:"visibleAt"`
	ReceiveCount    int                         `json:"receiveCount"`
	FirstReceivedAt time.Time                   `json:"firstReceivedAt"`
	ReceiptHandle   string                      `json:"receiptHandle,omitempty"`
}

type messageAttribute struct {
	DataType    string `json:"DataType"`
	StringValue string `json:"StringValue,omitempty"`
	BinaryValue []byte `json:"BinaryValue,omitempty"`
}

// attrSpec validates a settable queue attribute.
type attrSpec struct {
	def      string
	min, max int
}

var settable = map[string]attrSpec{
	"DelaySeconds":                  {"0", 0, 900},
	"MaximumMessageSize":            {"262144", 1024, 1048576},
	"MessageRetentionPeriod":        {"345600", 60, 1209600},
	"ReceiveMessageWaitTimeSeconds": {"0", 0, 20},
	"VisibilityTimeout":             {"30", 0, 43200},
	"RedrivePolicy":                 {},
	"Policy":                        {},
	"KmsMasterKeyId":                {},
	"KmsDataKeyReusePeriodSeconds":  {},
	"SqsManagedSseEnabled":          {},
	"RedriveAllowPolicy":            {},
}

func defaultAttrs() map[string]string {
	out := map[string]string{}
	for k, spec := range settable {
		if spec.def != "" {
			out[k] = spec.def
		}
	}
	return out
}

func (q *queue) intAttr(name string) int {
	n, _ := strconv.Atoi(q.Attrs[name])
	return n
}

func (q *queue) arn() string { return "arn:aws:sqs:" + Region + ":" + AccountID + ":" + q.Name }

// redrivePolicy is RedrivePolicy's JSON; AWS accepts maxReceiveCount as a
// number or a string.
type redrivePolicy struct {
	DeadLetterTargetArn string          `json:"deadLetterTargetArn"`
	MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"`
}

func parseRedrive(v string) (dlq string, max int, err error) {
	var p redrivePolicy
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return "", 0, fmt.Errorf("RedrivePolicy is not valid JSON: %w", err)
	}
	raw := strings.Trim(string(p.MaxReceiveCount), `"`)
	max, err = strconv.Atoi(raw)
	if err != nil || max < 1 || max > 1000 {
		return "", 0, fmt.Errorf("maxReceiveCount %q must be an integer between 1 and 1000", raw)
	}
	if p.DeadLetterTargetArn == "" {
		return "", 0, fmt.Errorf("deadLetterTargetArn is required")
	}
	parts := strings.Split(p.DeadLetterTargetArn, ":")
	return parts[len(parts)-1], max, nil
}

// redrive returns the dead-letter queue and maxReceiveCount, if configured.
func (s *Server) redrive(q *queue) (*queue, int) {
	v := q.Attrs["RedrivePolicy"]
	if v == "" {
		return nil, 0
	}
	name, max, err := parseRedrive(v)
	if err != nil {
		return nil, 0
	}
	return s.queues[name], max
}

// validateAttrs checks settable attributes as SetQueueAttributes would.
func (s *Server) validateAttrs(attrs map[string]string) error {
	for k, v := range attrs {
		spec, ok := settable[k]
		if !ok {
			return newError("com.amazonaws.sqs#InvalidAttributeName", "InvalidAttributeName",
				"Unknown Attribute "+k+".")
		}
		if k == "RedrivePolicy" && v != "" {
			if _, _, err := parseRedrive(v); err != nil {
				return errInvalidParameter("Value " + v + " for parameter RedrivePolicy is invalid. Reason: " + err.Error())
			}
			continue
		}
		if spec.def == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < spec.min || n > spec.max {
			return errInvalidParameter(fmt.Sprintf("Invalid value for the parameter %s.", k))
		}
	}
	return nil
}

func (s *Server) lookup(url string) (*queue, error) {
	q, ok := s.queues[queueName(url)]
	if !ok {
		return nil, errQueueDoesNotExist()
	}
	return q, nil
}

func validQueueName(name string) bool {
	if name == "" || len(name) > 80 {
		return false
	}
	for _, c := range name {
		if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func (s *Server) createQueue(req *request) (any, error) {
	var in struct {
		QueueName  string
		Attributes map[string]string
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if strings.HasSuffix(in.QueueName, ".fifo") || in.Attributes["FifoQueue"] == "true" {
		return nil, errUnsupported("FIFO queues are not supported by the local SQS")
	}
	if !validQueueName(in.QueueName) {
		return nil, errInvalidParameter("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	if err := s.validateAttrs(in.Attributes); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.queues[in.QueueName]; ok {
		for k, v := range in.Attributes {
			if q.Attrs[k] != v {
				return nil, newError("com.amazonaws.sqs#QueueNameExists", "QueueAlreadyExists",
					"A queue already exists with the same name and a different value for attribute "+k)
			}
		}
		return map[string]string{"QueueUrl": req.queueURL(q.Name)}, nil
	}
	now := s.clock.Now()
	q := &queue{Name: in.QueueName, Attrs: defaultAttrs(), Created: now, LastModified: now}
	for k, v := range in.Attributes {
		q.Attrs[k] = v
	}
	s.queues[q.Name] = q
	s.markDirty()
	return map[string]string{"QueueUrl": req.queueURL(q.Name)}, nil
}

func (s *Server) deleteQueue(req *request) (any, error) {
	var in struct{ QueueUrl string }
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	delete(s.queues, q.Name)
	s.markDirty()
	s.notifyLocked()
	return struct{}{}, nil
}

func (s *Server) getQueueURL(req *request) (any, error) {
	var in struct{ QueueName string }
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.queues[in.QueueName]; !ok {
		return nil, errQueueDoesNotExist()
	}
	return map[string]string{"QueueUrl": req.queueURL(in.QueueName)}, nil
}

func (s *Server) listQueues(req *request) (any, error) {
	var in struct {
		QueueNamePrefix string
		MaxResults      int
		NextToken       string
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	var names []string
	for n := range s.queues {
		if strings.HasPrefix(n, in.QueueNamePrefix) && n > in.NextToken {
			names = append(names, n)
		}
	}
	s.mu.Unlock()
	sort.Strings(names)
	out := struct {
		QueueUrls []string `json:"QueueUrls,omitempty"`
		NextToken string   `json:"NextToken,omitempty"`
	}{}
	limit := 1000
	if in.MaxResults > 0 && in.MaxResults < limit {
		limit = in.MaxResults
	}
	if len(names) > limit {
		names = names[:limit]
		if in.MaxResults > 0 {
			out.NextToken = names[limit-1]
		}
	}
	for _, n := range names {
		out.QueueUrls = append(out.QueueUrls, req.queueURL(n))
	}
	return out, nil
}

func (s *Server) getQueueAttributes(req *request) (any, error) {
	var in struct {
		QueueUrl       string
		AttributeNames []string
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
	all := map[string]string{}
	for k, v := range q.Attrs {
		all[k] = v
	}
	now := s.clock.Now()
	s.expireLocked(q, now)
	visible, inflight, delayed := 0, 0, 0
	for _, m := range q.Messages {
		switch {
		case m.ReceiveCount == 0 && m.VisibleAt.After(now):
			delayed++
		case m.VisibleAt.After(now):
			inflight++
		default:
			visible++
		}
	}
	all["ApproximateNumberOfMessages"] = strconv.Itoa(visible)
	all["ApproximateNumberOfMessagesNotVisible"] = strconv.Itoa(inflight)
	all["ApproximateNumberOfMessagesDelayed"] = strconv.Itoa(delayed)
	all["QueueArn"] = q.arn()
	all["CreatedTimestamp"] = strconv.FormatInt(q.Created.Unix(), 10)
	all["LastModifiedTimestamp"] = strconv.FormatInt(q.LastModified.Unix(), 10)
	out := map[string]string{}
	for _, name := range in.AttributeNames {
		if name == "All" {
			out = all
			break
		}
		if v, ok := all[name]; ok {
			out[name] = v
		} else if _, known := settable[name]; !known {
			return nil, newError("com.amazonaws.sqs#InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute "+name+".")
		}
	}
	return map[string]any{"Attributes": out}, nil
}

func (s *Server) setQueueAttributes(req *request) (any, error) {
	var in struct {
		QueueUrl   string
		Attributes map[string]string
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if err := s.validateAttrs(in.Attributes); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	for k, v := range in.Attributes {
		if v == "" && settable[k].def == "" {
			delete(q.Attrs, k)
			continue
		}
		q.Attrs[k] = v
	}
	q.LastModified = s.clock.Now()
	s.markDirty()
	s.notifyLocked()
	return struct{}{}, nil
}

func (s *Server) purgeQueue(req *request) (any, error) {
	var in struct{ QueueUrl string }
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	q.Messages = nil
	s.markDirty()
	return struct{}{}, nil
}

// expireLocked drops messages past the queue's retention period.
func (s *Server) expireLocked(q *queue, now time.Time) {
	keep := time.Duration(q.intAttr("MessageRetentionPeriod")) * time.Second
	kept := q.Messages[:0]
	for _, m := range q.Messages {
		if now.Sub(m.SentAt) < keep {
			kept = append(kept, m)
		}
	}
	if len(kept) != len(q.Messages) {
		clear(q.Messages[len(kept):])
		s.markDirty()
	}
	q.Messages = kept
}
