package main

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Measure is one contender's figures over the rounds: Megabox, the
// baseline or a peer. A contender that could not run says why instead.
type Measure struct {
	Short string // name in the ratio column: "raw", "rclone"
	Label string // what was measured, in a few words
	Vals  []float64
	Why   string // set when there are no figures
}

func (m *Measure) ok() bool { return m != nil && len(m.Vals) > 0 }

func (m *Measure) median() float64 {
	s := slices.Clone(m.Vals)
	slices.Sort(s)
	return s[len(s)/2]
}

// Row is one line of the report.
type Row struct {
	Name   string
	Unit   string // "MB/s", "ms", "ms/file", "%", "" for a bare number
	Digits int    // decimals shown
	Ours   Measure
	Base   *Measure // the same work by the simplest means; nil when there is none
	Peers  []*Measure
	Target string
	Met    bool
	Note   string // how it is measured, printed under the table
	// Breakdown marks rows whose other columns split the figure up
	// rather than compare it: no ratio is shown.
	Breakdown bool
}

// ratio is Megabox's median divided by m's, in the row's unit: above 1
// means more of it (faster for a rate, slower for a time). A median shown
// as zero has no ratio: dividing what rounds away says nothing.
func (r *Row) ratio(m *Measure) float64 {
	if !r.Ours.ok() || !m.ok() || math.Abs(m.median()) < 0.5*math.Pow10(-r.Digits) {
		return math.NaN()
	}
	return r.Ours.median() / m.median()
}

func (r *Row) figure(m *Measure) string {
	if m == nil {
		return "–"
	}
	if !m.ok() {
		return "not measured: " + m.Why
	}
	lo, hi := slices.Min(m.Vals), slices.Max(m.Vals)
	unit := ""
	if r.Unit != "" {
		unit = " " + r.Unit
	}
	s := fmt.Sprintf("%.*f%s (%.*f–%.*f)", r.Digits, m.median(), unit, r.Digits, lo, r.Digits, hi)
	if m.Label != "" {
		s += " " + m.Label
	}
	return s
}

func (r *Row) ratios() string {
	if r.Breakdown {
		return "–"
	}
	var out []string
	for _, m := range append([]*Measure{r.Base}, r.Peers...) {
		if m == nil {
			continue
		}
		if x := r.ratio(m); !math.IsNaN(x) {
			out = append(out, fmt.Sprintf("%.2f× %s", x, m.Short))
		}
	}
	if len(out) == 0 {
		return "–"
	}
	return strings.Join(out, "<br>")
}

// Details are free-form sections printed after the table, such as the
// desktop start-up profile.
type Details struct {
	Title, Text string
}

// Report is everything one run produced.
type Report struct {
	Rows    []Row
	Details []Details
}

func render(rep *Report, runs int, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Megabox benchmarks\n\n")
	fmt.Fprintf(&b, "Machine: %s, %d CPUs, %s/%s, %s. Reproduce with `make bench` (took %s). Generated %s.\n\n",
		cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), took.Round(time.Second), time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "Each figure is the median of %d interleaved rounds (Megabox, baseline, peers, Megabox, baseline, peers, …), "+
		"with the lowest and highest round in parentheses. The **baseline** does the same work by the simplest means; "+
		"**peers** are other programs doing the same job. A ratio is Megabox's median divided by the other's, in the row's unit: "+
		"for a rate above 1 is faster, for a time or a cost below 1 is faster.\n\n", runs)
	fmt.Fprintf(&b, "| benchmark | Megabox | baseline (same run) | peers (same run) | ratio | target | met |\n|---|---|---|---|---|---|---|\n")
	for i := range rep.Rows {
		r := &rep.Rows[i]
		var peers []string
		for _, p := range r.Peers {
			peers = append(peers, p.Short+": "+r.figure(p))
		}
		ps := "–"
		if len(peers) > 0 {
			ps = strings.Join(peers, "<br>")
		}
		met := "yes"
		if !r.Met {
			met = "**no**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", r.Name, r.figure(&r.Ours), r.figure(r.Base), ps, r.ratios(), r.Target, met)
	}
	fmt.Fprintf(&b, "\n## How each row is measured\n\n")
	for _, r := range rep.Rows {
		if r.Note != "" {
			fmt.Fprintf(&b, "- **%s**: %s\n", r.Name, r.Note)
		}
	}
	for _, d := range rep.Details {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", d.Title, d.Text)
	}
	return b.String()
}
