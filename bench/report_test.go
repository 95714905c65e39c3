package main

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestInterleaveRunsContendersInTurnAndDropsAFailingPeer(t *testing.T) {
	var order []string
	ours, base, peer := &Measure{Short: "ours"}, &Measure{Short: "base"}, &Measure{Short: "peer"}
	rec := func(m *Measure, v float64, err error) func(int) (float64, error) {
		return func(int) (float64, error) { order = append(order, m.Short); return v, err }
	}
	err := interleave(3,
		contender{m: ours, run: rec(ours, 1, nil)},
		contender{m: base, run: rec(base, 2, nil)},
		contender{m: peer, optional: true, run: rec(peer, 0, errors.New("no setup"))},
	)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ours", "base", "peer", "ours", "base", "ours", "base"}
	if !slices.Equal(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
	if len(ours.Vals) != 3 || len(base.Vals) != 3 || peer.ok() || peer.Why != "no setup" {
		t.Errorf("ours %v base %v peer %v %q", ours.Vals, base.Vals, peer.Vals, peer.Why)
	}
	if err := interleave(1, contender{m: &Measure{Short: "base"}, run: rec(base, 0, errors.New("broken"))}); err == nil {
		t.Error("a failing baseline must stop the benchmark")
	}
}

func TestRenderShowsMedianRangeAndRatios(t *testing.T) {
	r := Row{Name: "sync", Unit: "MB/s", Ours: Measure{Short: "Megabox", Vals: []float64{120, 100, 110}},
		Base:   &Measure{Short: "raw", Label: "raw PUTs", Vals: []float64{200, 220, 210}},
		Peers:  []*Measure{{Short: "Syncthing", Why: "did not connect"}},
		Target: "≥ 0.85× raw"}
	out := render(&Report{Rows: []Row{r}}, 3, 0)
	for _, want := range []string{"| sync | 110 MB/s (100–120) | 210 MB/s (200–220) raw PUTs | Syncthing: not measured: did not connect | 0.52× raw | ≥ 0.85× raw | **no** |"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// TestNoRatioOfWhatRoundsToZero: a baseline shown as 0.000 gets no ratio,
// however its unshown digits compare.
func TestNoRatioOfWhatRoundsToZero(t *testing.T) {
	r := Row{Digits: 3, Ours: Measure{Vals: []float64{0.000003}}, Base: &Measure{Short: "raw", Vals: []float64{0.000001}}}
	if got := r.ratios(); got != "–" {
		t.Fatalf("ratios = %q, want none", got)
	}
	r = Row{Digits: 2, Ours: Measure{Vals: []float64{3}}, Base: &Measure{Short: "raw", Vals: []float64{2}}}
	if got := r.ratios(); got != "1.50× raw" {
		t.Fatalf("ratios = %q, want 1.50× raw", got)
	}
}
