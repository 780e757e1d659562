package console

import (
	"strings"
	"testing"

	"github.com/logiwaflow/logiwaflow/statemachines"
)

func mustDef(t *testing.T, raw string) definition {
	t.Helper()
	d, err := parseDefinition(raw)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLayOutLayers(t *testing.T) {
	tests := []struct {
		name   string
		def    string
		layers map[string]int
		back   []string // "From->To" of edges that must be drawn as going back up
		edges  []string // "From->To Label" of every edge, when given
	}{
		{
			name:   "chain",
			def:    `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"C"},"C":{"Type":"Succeed"}}}`,
			layers: map[string]int{"A": 0, "B": 1, "C": 2},
		},
		{
			name: "choice joins below the longer branch",
			def: `{"StartAt":"A","States":{
				"A":{"Type":"Choice","Choices":[{"Next":"B"}],"Default":"D"},
				"B":{"Type":"Pass","Next":"C"},"C":{"Type":"Pass","Next":"D"},"D":{"Type":"Succeed"}}}`,
			layers: map[string]int{"A": 0, "B": 1, "C": 2, "D": 3},
		},
		{
			name: "loop is a back edge, not a deeper layer",
			def: `{"StartAt":"Fetch","States":{
				"Fetch":{"Type":"Task","Resource":"x","Next":"More"},
				"More":{"Type":"Choice","Choices":[{"Next":"Fetch"}],"Default":"Done"},
				"Done":{"Type":"Succeed"}}}`,
			layers: map[string]int{"Fetch": 0, "More": 1, "Done": 2},
			back:   []string{"More->Fetch"},
		},
		{
			name: "catch target goes below the state that catches",
			def: `{"StartAt":"T","States":{
				"T":{"Type":"Task","Resource":"x","Next":"Ok","Catch":[{"ErrorEquals":["States.ALL"],"Next":"Bad"}]},
				"Ok":{"Type":"Succeed"},"Bad":{"Type":"Fail"}}}`,
			layers: map[string]int{"T": 0, "Ok": 1, "Bad": 1},
		},
		{
			name: "catchers with one target are one edge",
			def: `{"StartAt":"T","States":{
				"T":{"Type":"Task","Resource":"x","End":true,"Catch":[{"ErrorEquals":["A"],"Next":"P"},{"ErrorEquals":["States.ALL"],"Next":"P"}]},
				"P":{"Type":"Fail"}}}`,
			layers: map[string]int{"T": 0, "P": 1},
			edges:  []string{"T->P catch A; catch States.ALL"},
		},
		{
			name:   "unreachable state still drawn",
			def:    `{"StartAt":"A","States":{"A":{"Type":"Succeed"},"Orphan":{"Type":"Pass","End":true}}}`,
			layers: map[string]int{"A": 0, "Orphan": 0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := layOut(mustDef(t, tc.def))
			for n, want := range tc.layers {
				if got, ok := l.Layer[n]; !ok || got != want {
					t.Errorf("layer of %s = %d (present %v), want %d", n, got, ok, want)
				}
			}
			var back []string
			for i := range l.Back {
				back = append(back, l.Edges[i].From+"->"+l.Edges[i].To)
			}
			if strings.Join(back, ",") != strings.Join(tc.back, ",") {
				t.Errorf("back edges %v, want %v", back, tc.back)
			}
			if tc.edges != nil {
				var edges []string
				for _, e := range l.Edges {
					edges = append(edges, e.From+"->"+e.To+" "+e.Label)
				}
				if strings.Join(edges, "|") != strings.Join(tc.edges, "|") {
					t.Errorf("edges %q, want %q", edges, tc.edges)
				}
			}
			if len(l.Order) != len(l.States) {
				t.Errorf("order %v misses states", l.Order)
			}
		})
	}
}

// TestLayOutWorkflows lays out every shipped definition: the happy path of
// the inbound flows reads top to bottom and the parking branch sits below
// it, the sync and redrive loops are back edges.
func TestLayOutWorkflows(t *testing.T) {
	for _, name := range statemachines.Names() {
		t.Run(name, func(t *testing.T) {
			raw, err := statemachines.Raw(name)
			if err != nil {
				t.Fatal(err)
			}
			l := layOut(mustDef(t, string(raw)))
			for i, e := range l.Edges {
				if !l.Back[i] && l.Layer[e.To] <= l.Layer[e.From] {
					t.Errorf("forward edge %s->%s does not go down (%d->%d)", e.From, e.To, l.Layer[e.From], l.Layer[e.To])
				}
			}
			for i, chain := range l.Chains {
				for j := 1; j < len(chain); j++ {
					if l.Layer[chain[j]] != l.Layer[chain[j-1]]+1 {
						t.Errorf("edge %d (%s->%s) jumps a layer at %d", i, l.Edges[i].From, l.Edges[i].To, j)
					}
				}
			}
			g := draw(l, nil, nil, nil)
			if len(g.Nodes) != len(l.States) || g.Width <= 0 || g.Height <= 0 {
				t.Fatalf("drawing: %d nodes for %d states, %vx%v", len(g.Nodes), len(l.States), g.Width, g.Height)
			}
			// No two nodes overlap.
			for i, a := range g.Nodes {
				for _, b := range g.Nodes[i+1:] {
					if a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H {
						t.Errorf("%s and %s overlap", a.Name, b.Name)
					}
				}
			}
		})
	}
	raw, _ := statemachines.Raw("orders")
	l := layOut(mustDef(t, string(raw)))
	order := []string{"Validate", "IsStale", "CallLogiwa", "CheckLatency", "UpdateDB"}
	for i := 1; i < len(order); i++ {
		if l.Layer[order[i]] <= l.Layer[order[i-1]] {
			t.Errorf("orders: %s (layer %d) not below %s (layer %d)", order[i], l.Layer[order[i]], order[i-1], l.Layer[order[i-1]])
		}
	}
	for i, e := range l.Edges {
		if e.From == "Validate" && e.To == "Park" && len(l.Chains[i]) != l.Layer["Park"]+1 {
			t.Errorf("orders: the Validate->Park catch passes %v, want a dummy node per layer between", l.Chains[i])
		}
	}
	if l.Layer["Park"] <= l.Layer["CheckLatency"] || l.Layer["Parked.outage"] <= l.Layer["WhyParked"] {
		t.Errorf("orders: parking branch not below the happy path: %v", l.Layer)
	}
	raw, _ = statemachines.Raw("redrive")
	l = layOut(mustDef(t, string(raw)))
	if len(l.Back) != 1 {
		t.Errorf("redrive: want the MoreParked->ListParked loop as the one back edge, got %d", len(l.Back))
	}
}

func TestParseDefinitionErrors(t *testing.T) {
	for _, raw := range []string{`not json`, `{"StartAt":"X","States":{"A":{"Type":"Succeed"}}}`} {
		if _, err := parseDefinition(raw); err == nil {
			t.Errorf("%s: no error", raw)
		}
	}
}

func TestDrawColoursStates(t *testing.T) {
	l := layOut(mustDef(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Succeed"}}}`))
	g := draw(l, map[string]string{"A": statusCaught}, map[string]string{"A": "2 attempts"}, map[string]bool{"A\x00B": true})
	got := map[string]string{}
	for _, n := range g.Nodes {
		got[n.Name] = n.Class
	}
	if got["A"] != "node st-caught" || got["B"] != "node st-not-reached" {
		t.Errorf("classes %v", got)
	}
	if len(g.Edges) != 1 || !strings.HasPrefix(g.Edges[0].Path, "M") || g.Edges[0].Class != "edge edge-next taken" {
		t.Errorf("edges %+v", g.Edges)
	}
}
