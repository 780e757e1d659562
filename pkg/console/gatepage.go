package console

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/logiwaflow/logiwaflow/pkg/gate"
)

// recentShown is how many recent gate calls the page lists.
const recentShown = 50

type queueRow struct {
	Key, URL                   string
	Visible, InFlight, Delayed int
	DLQ                        bool
	Err                        string
}

type errorCount struct {
	Name  string
	Count int
}

type rateChart struct {
	Width, Height float64
	Bars          []rateBar
	LimitY        float64 // y of the limit line
	Scale         float64 // requests per second at the top
	Over          int     // seconds above the limit
}

type rateBar struct {
	X, Y, W, H float64
	Title      string
	Over       bool
}

type gateData struct {
	Queues   []queueRow
	HasMeter bool
	Stats    gate.Stats
	Chart    rateChart
	MeanRate float64
	Errors   []errorCount
	Recent   []gate.Call
	Machines map[string]string
}

func (s *server) gate(w http.ResponseWriter, r *http.Request) {
	d := gateData{Machines: s.cfg.Target.StateMachines}
	keys := make([]string, 0, len(s.cfg.Target.Queues))
	for k := range s.cfg.Target.Queues {
		keys = append(keys, k)
	}
	// The gate first, then the inbound queues, each followed by its DLQ.
	sort.Slice(keys, func(i, j int) bool {
		gi, gj := strings.HasPrefix(keys[i], "gate"), strings.HasPrefix(keys[j], "gate")
		if gi != gj {
			return gi
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		row := queueRow{Key: k, URL: s.cfg.Target.Queues[k], DLQ: strings.HasSuffix(k, "-dlq")}
		out, err := s.sqs.GetQueueAttributes(r.Context(), &sqs.GetQueueAttributesInput{
			QueueUrl: aws.String(row.URL),
			AttributeNames: []sqstypes.QueueAttributeName{
				sqstypes.QueueAttributeNameApproximateNumberOfMessages,
				sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
				sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed,
			},
		})
		if err != nil {
			// One unreachable queue should not hide the others.
			row.Err = fmt.Sprintf("get attributes: %v", err)
		} else {
			row.Visible = atoi(out.Attributes["ApproximateNumberOfMessages"])
			row.InFlight = atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
			row.Delayed = atoi(out.Attributes["ApproximateNumberOfMessagesDelayed"])
		}
		d.Queues = append(d.Queues, row)
	}
	if s.cfg.Gate != nil {
		d.HasMeter = true
		d.Stats = s.cfg.Gate.Stats()
		d.Chart = chart(d.Stats)
		total := 0
		for _, sec := range d.Stats.Seconds {
			total += sec.Requests
		}
		if n := len(d.Stats.Seconds); n > 0 {
			d.MeanRate = float64(total) / float64(n)
		}
		for name, n := range d.Stats.Errors {
			d.Errors = append(d.Errors, errorCount{Name: name, Count: n})
		}
		sort.Slice(d.Errors, func(i, j int) bool {
			if d.Errors[i].Count != d.Errors[j].Count {
				return d.Errors[i].Count > d.Errors[j].Count
			}
			return d.Errors[i].Name < d.Errors[j].Name
		})
		d.Recent = d.Stats.Recent[:min(len(d.Stats.Recent), recentShown)]
	}
	s.render(w, r, http.StatusOK, "gate", page{Title: "Logiwa gate", Nav: "gate", Data: d})
}

// chart draws requests per second over the meter's window as bars, with the
// rate limit as a line; a second above the limit is drawn as such.
func chart(st gate.Stats) rateChart {
	const barW, gap, height = 5.0, 1.0, 120.0
	c := rateChart{Height: height}
	peak := 0
	for _, sec := range st.Seconds {
		peak = max(peak, sec.Requests)
	}
	c.Scale = max(float64(peak), st.RateLimit*1.5, 1)
	c.Width = float64(len(st.Seconds)) * (barW + gap)
	for i, sec := range st.Seconds {
		h := float64(sec.Requests) / c.Scale * height
		over := st.RateLimit > 0 && float64(sec.Requests) > st.RateLimit
		if over {
			c.Over++
		}
		c.Bars = append(c.Bars, rateBar{
			X: float64(i) * (barW + gap), Y: height - h, W: barW, H: h, Over: over,
			Title: fmt.Sprintf("%s: %d requests", sec.At.UTC().Format("15:04:05"), sec.Requests),
		})
	}
	c.LimitY = height - st.RateLimit/c.Scale*height
	return c
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s) // absent or malformed: shown as 0
	return n
}
