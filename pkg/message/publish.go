package message

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Sender is the part of the SQS client a publisher needs.
type Sender interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// Publisher sends the shop's messages to logiwaflow's inbound queues. It
// checks each message against its schema first, so a bad message fails in
// the shop's code with the field named, rather than later as a parked one.
type Publisher struct {
	SQS    Sender
	Queues map[Flow]string // queue URL per flow
}

// Publish validates and sends one message; it returns the SQS message id.
func (p *Publisher) Publish(ctx context.Context, m Message) (string, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode %s message %s: %w", m.Flow(), m.Key(), err)
	}
	return p.PublishRaw(ctx, m.Flow(), body)
}

// PublishRaw validates and sends an already encoded message.
func (p *Publisher) PublishRaw(ctx context.Context, f Flow, body []byte) (string, error) {
	m, err := Parse(f, body)
	if err != nil {
		return "", err
	}
	url, ok := p.Queues[f]
	if !ok {
		return "", fmt.Errorf("no queue configured for flow %s", f)
	}
	out, err := p.SQS.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(url),
		MessageBody: aws.String(string(body)),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"schema": {DataType: aws.String("String"), StringValue: aws.String(m.Head().Schema)},
			"key":    {DataType: aws.String("String"), StringValue: aws.String(m.Key())},
		},
	})
	if err != nil {
		return "", fmt.Errorf("send %s message %s: %w", f, m.Key(), err)
	}
	return aws.ToString(out.MessageId), nil
}
