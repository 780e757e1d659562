package console

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The graph view: a definition's top-level states laid out in layers from
// StartAt (a simple Sugiyama-style layering: back edges found by a depth-first
// walk, layers by longest path over the remaining edges, one barycentre pass
// to untangle each layer), drawn as inline SVG with each state coloured by
// what happened to it. Map and Parallel states are drawn as one node: what
// happened inside them is in the history table.

// definition is the part of an ASL document the graph needs.
type definition struct {
	Comment string              `json:"Comment"`
	StartAt string              `json:"StartAt"`
	States  map[string]defState `json:"States"`
}

type defState struct {
	Type    string `json:"Type"`
	Comment string `json:"Comment"`
	Next    string `json:"Next"`
	End     bool   `json:"End"`
	Default string `json:"Default"`
	Choices []struct {
		Next string `json:"Next"`
	} `json:"Choices"`
	Catch []struct {
		ErrorEquals []string `json:"ErrorEquals"`
		Next        string   `json:"Next"`
	} `json:"Catch"`
	Retry []struct {
		ErrorEquals []string `json:"ErrorEquals"`
	} `json:"Retry"`
	ItemProcessor *definition  `json:"ItemProcessor"`
	Iterator      *definition  `json:"Iterator"`
	Branches      []definition `json:"Branches"`
}

// Edge kinds, which the SVG styles differently.
const (
	edgeNext   = "next"
	edgeChoice = "choice"
	edgeCatch  = "catch"
)

type edge struct {
	From, To, Kind, Label string
}

func parseDefinition(raw string) (definition, error) {
	var d definition
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return d, fmt.Errorf("read state machine definition: %w", err)
	}
	if _, ok := d.States[d.StartAt]; !ok {
		return d, fmt.Errorf("read state machine definition: StartAt %q is not a state", d.StartAt)
	}
	return d, nil
}

// edges lists a state's transitions in the order the definition gives them.
func (st defState) edges(from string) []edge {
	var out []edge
	for i, c := range st.Choices {
		out = append(out, edge{From: from, To: c.Next, Kind: edgeChoice, Label: fmt.Sprintf("rule %d", i+1)})
	}
	if st.Default != "" {
		out = append(out, edge{From: from, To: st.Default, Kind: edgeChoice, Label: "default"})
	}
	if st.Next != "" {
		out = append(out, edge{From: from, To: st.Next, Kind: edgeNext})
	}
	for _, c := range st.Catch {
		out = append(out, edge{From: from, To: c.Next, Kind: edgeCatch, Label: "catch " + strings.Join(c.ErrorEquals, ", ")})
	}
	return out
}

// layout is the positioned graph.
type layout struct {
	Order  []string       // every state, in depth-first order from StartAt
	Layer  map[string]int // layer of each state
	Pos    map[string]int // position within its layer
	Rows   [][]string     // states per layer, in drawing order
	Edges  []edge         // every transition to an existing state
	Back   map[int]bool   // indexes into Edges of edges that point back up
	States map[string]defState
}

func layOut(d definition) layout {
	l := layout{Layer: map[string]int{}, Pos: map[string]int{}, Back: map[int]bool{}, States: d.States}
	out := map[string][]int{} // state -> indexes of its edges
	for _, name := range sortedKeys(d.States) {
		for _, e := range d.States[name].edges(name) {
			if _, ok := d.States[e.To]; !ok {
				continue // validation elsewhere reports it; draw what exists
			}
			out[name] = append(out[name], len(l.Edges))
			l.Edges = append(l.Edges, e)
		}
	}

	// Depth-first from StartAt: discovery order, back edges, finishing order.
	const (
		unseen = iota
		onStack
		done
	)
	mark := map[string]int{}
	var finished []string
	var visit func(string)
	visit = func(n string) {
		mark[n] = onStack
		l.Order = append(l.Order, n)
		for _, i := range out[n] {
			switch mark[l.Edges[i].To] {
			case unseen:
				visit(l.Edges[i].To)
			case onStack:
				l.Back[i] = true
			}
		}
		mark[n] = done
		finished = append(finished, n)
	}
	visit(d.StartAt)
	// States nothing reaches still get drawn, after the rest.
	for _, n := range sortedKeys(d.States) {
		if mark[n] == unseen {
			visit(n)
		}
	}

	// Longest path over forward edges, in topological order (reverse
	// finishing order of the walk that found the back edges).
	for _, n := range l.Order {
		l.Layer[n] = 0
	}
	for i := len(finished) - 1; i >= 0; i-- {
		n := finished[i]
		for _, e := range out[n] {
			if !l.Back[e] {
				l.Layer[l.Edges[e].To] = max(l.Layer[l.Edges[e].To], l.Layer[n]+1)
			}
		}
	}
	depth := 0
	for _, n := range l.Order {
		depth = max(depth, l.Layer[n]+1)
	}
	l.Rows = make([][]string, depth)
	for _, n := range l.Order {
		l.Rows[l.Layer[n]] = append(l.Rows[l.Layer[n]], n)
	}
	for i, n := range l.Rows[0] {
		l.Pos[n] = i
	}
	// One barycentre pass: each state sits under the mean position of the
	// states that lead to it, so edges cross less.
	preds := map[string][]string{}
	for i, e := range l.Edges {
		if !l.Back[i] && e.From != e.To {
			preds[e.To] = append(preds[e.To], e.From)
		}
	}
	for r := 1; r < len(l.Rows); r++ {
		row := l.Rows[r]
		bary := map[string]float64{}
		for i, n := range row {
			ps := preds[n]
			if len(ps) == 0 {
				bary[n] = float64(i) - float64(len(row)-1)/2
				continue
			}
			sum := 0.0
			for _, p := range ps {
				sum += centre(l, p)
			}
			bary[n] = sum / float64(len(ps))
		}
		sort.SliceStable(row, func(i, j int) bool { return bary[row[i]] < bary[row[j]] })
		for i, n := range row {
			l.Pos[n] = i
		}
	}
	return l
}

// centre is a state's position relative to its layer's middle, so layers of
// different widths line up around one axis.
func centre(l layout, n string) float64 {
	return float64(l.Pos[n]) - float64(len(l.Rows[l.Layer[n]])-1)/2
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Drawing sizes in SVG user units.
const (
	nodeH    = 44
	layerGap = 46
	nodeGap  = 22
	margin   = 24
	charW    = 7.4
	minNodeW = 120
	backLane = 28
)

type svgNode struct {
	Name, Type, Class, Status, Detail string
	X, Y, W, H                        float64
	TextX, TextY                      float64
}

type svgEdge struct {
	Path, Class, Title string
}

// graphView is what the SVG template draws.
type graphView struct {
	Width, Height float64
	Nodes         []svgNode
	Edges         []svgEdge
	Legend        []string
}

// draw positions the nodes and routes the edges. status maps a state to
// its status class (statusNotReached when absent); detail adds a tooltip
// line per state (attempts, errors).
func draw(l layout, status map[string]string, detail map[string]string) graphView {
	width := func(n string) float64 { return max(minNodeW, float64(len(n))*charW+28) }
	rowW := make([]float64, len(l.Rows))
	widest := 0.0
	for r, row := range l.Rows {
		for i, n := range row {
			if i > 0 {
				rowW[r] += nodeGap
			}
			rowW[r] += width(n)
		}
		widest = max(widest, rowW[r])
	}
	g := graphView{Width: widest + 2*margin + 2*backLane, Legend: statusOrder}
	g.Height = float64(len(l.Rows))*(nodeH+layerGap) - layerGap + 2*margin
	box := map[string]svgNode{}
	for r, row := range l.Rows {
		x := margin + (widest-rowW[r])/2
		y := margin + float64(r)*(nodeH+layerGap)
		for _, n := range row {
			st := status[n]
			if st == "" {
				st = statusNotReached
			}
			w := width(n)
			node := svgNode{
				Name: n, Type: l.States[n].Type, Status: st, Class: "node st-" + st, Detail: detail[n],
				X: x, Y: y, W: w, H: nodeH, TextX: x + w/2, TextY: y + nodeH/2,
			}
			box[n] = node
			x += w + nodeGap
		}
	}
	for _, n := range l.Order {
		g.Nodes = append(g.Nodes, box[n])
	}
	for i, e := range l.Edges {
		a, b := box[e.From], box[e.To]
		var path string
		switch {
		case e.From == e.To || l.Back[i] || l.Layer[e.To] <= l.Layer[e.From]:
			// Loop back up along the right-hand side of both states.
			x1, y1 := a.X+a.W, a.Y+a.H/2
			x2, y2 := b.X+b.W, b.Y+b.H/2
			lane := max(x1, x2) + backLane
			path = fmt.Sprintf("M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f", x1, y1, lane, y1, lane, y2, x2+4, y2)
		default:
			x1, y1 := a.X+a.W/2, a.Y+a.H
			x2, y2 := b.X+b.W/2, b.Y
			mid := (y1 + y2) / 2
			path = fmt.Sprintf("M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f", x1, y1, x1, mid, x2, mid, x2, y2-4)
		}
		title := e.From + " → " + e.To
		if e.Label != "" {
			title += " (" + e.Label + ")"
		}
		g.Edges = append(g.Edges, svgEdge{Path: path, Class: "edge edge-" + e.Kind, Title: title})
	}
	return g
}
