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
	// Chains holds, per forward edge, the nodes it passes: its source, a
	// dummy node in each layer it crosses, its target.
	Chains map[int][]string
	Dummy  map[string]bool
}

func layOut(d definition) layout {
	l := layout{Layer: map[string]int{}, Pos: map[string]int{}, Back: map[int]bool{}, States: d.States}
	out := map[string][]int{} // state -> indexes of its edges
	for _, name := range sortedKeys(d.States) {
		// Several catchers (or rules) with one target are one line, labelled
		// with all of them.
		seen := map[string]int{}
		for _, e := range d.States[name].edges(name) {
			if _, ok := d.States[e.To]; !ok {
				continue // validation elsewhere reports it; draw what exists
			}
			key := e.To + "\x00" + e.Kind
			if i, ok := seen[key]; ok {
				l.Edges[i].Label += "; " + e.Label
				continue
			}
			seen[key] = len(l.Edges)
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
	// An edge that skips layers gets a dummy node in each layer between, so
	// it is routed around the states there rather than through them.
	l.Chains = map[int][]string{}
	l.Dummy = map[string]bool{}
	preds, succs := map[string][]string{}, map[string][]string{}
	link := func(a, b string) {
		preds[b] = append(preds[b], a)
		succs[a] = append(succs[a], b)
	}
	for i, e := range l.Edges {
		if l.Back[i] || e.From == e.To {
			continue
		}
		chain := []string{e.From}
		for r := l.Layer[e.From] + 1; r < l.Layer[e.To]; r++ {
			d := fmt.Sprintf("\x00%d/%d", i, r)
			l.Dummy[d], l.Layer[d] = true, r
			l.Rows[r] = append(l.Rows[r], d)
			chain = append(chain, d)
		}
		chain = append(chain, e.To)
		for j := 1; j < len(chain); j++ {
			link(chain[j-1], chain[j])
		}
		l.Chains[i] = chain
	}
	for _, row := range l.Rows {
		for i, n := range row {
			l.Pos[n] = i
		}
	}
	// Barycentre sweeps down, up and down again: each node moves towards
	// the mean position of its neighbours in the layer before, so edges
	// cross less.
	sweep := func(r int, neighbours map[string][]string) {
		row := l.Rows[r]
		bary := map[string]float64{}
		for i, n := range row {
			ns := neighbours[n]
			if len(ns) == 0 {
				bary[n] = float64(i) - float64(len(row)-1)/2
				continue
			}
			sum := 0.0
			for _, p := range ns {
				sum += centre(l, p)
			}
			bary[n] = sum / float64(len(ns))
		}
		sort.SliceStable(row, func(i, j int) bool { return bary[row[i]] < bary[row[j]] })
		for i, n := range row {
			l.Pos[n] = i
		}
	}
	for r := 1; r < len(l.Rows); r++ {
		sweep(r, preds)
	}
	for r := len(l.Rows) - 2; r >= 0; r-- {
		sweep(r, succs)
	}
	for r := 1; r < len(l.Rows); r++ {
		sweep(r, preds)
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
	dummyW   = 8
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
// line per state (attempts, errors); taken marks the transitions the
// execution made ("from\x00to").
func draw(l layout, status, detail map[string]string, taken map[string]bool) graphView {
	width := func(n string) float64 {
		if l.Dummy[n] {
			return dummyW
		}
		return max(minNodeW, float64(len(n))*charW+28)
	}
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
	backs := len(l.Back)
	g := graphView{Width: widest + 2*margin + float64(backs)*backLane, Legend: statusOrder}
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
			box[n] = svgNode{
				Name: n, Type: l.States[n].Type, Status: st, Class: "node st-" + st, Detail: detail[n],
				X: x, Y: y, W: w, H: nodeH, TextX: x + w/2, TextY: y + nodeH/2,
			}
			x += w + nodeGap
		}
	}
	for _, n := range l.Order {
		g.Nodes = append(g.Nodes, box[n]) // dummy nodes are not drawn
	}
	lane := 0
	for i, e := range l.Edges {
		var path strings.Builder
		if chain, ok := l.Chains[i]; ok {
			// Down through each layer: a curve from the bottom of one node
			// to the top of the next, straight through the dummy nodes.
			for j := 1; j < len(chain); j++ {
				a, b := box[chain[j-1]], box[chain[j]]
				x1, y1 := a.X+a.W/2, a.Y+a.H
				x2, y2 := b.X+b.W/2, b.Y
				if j == 1 {
					fmt.Fprintf(&path, "M%.1f,%.1f ", x1, y1)
				}
				end := y2
				if j == len(chain)-1 {
					end -= 4 // room for the arrowhead
				}
				mid := (y1 + y2) / 2
				fmt.Fprintf(&path, "C%.1f,%.1f %.1f,%.1f %.1f,%.1f ", x1, mid, x2, mid, x2, end)
				if l.Dummy[chain[j]] {
					fmt.Fprintf(&path, "L%.1f,%.1f ", x2, b.Y+b.H)
				}
			}
		} else {
			// Back up along a lane of its own right of the drawing.
			a, b := box[e.From], box[e.To]
			x := margin + widest + float64(lane)*backLane + backLane/2
			lane++
			y1, y2 := a.Y+a.H/2, b.Y+b.H/2
			fmt.Fprintf(&path, "M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f", a.X+a.W, y1, x, y1, x, y2, b.X+b.W+4, y2)
		}
		title := e.From + " → " + e.To
		if e.Label != "" {
			title += " (" + e.Label + ")"
		}
		class := "edge edge-" + e.Kind
		if taken[e.From+"\x00"+e.To] {
			class += " taken"
		}
		g.Edges = append(g.Edges, svgEdge{Path: strings.TrimSpace(path.String()), Class: class, Title: title})
	}
	return g
}
