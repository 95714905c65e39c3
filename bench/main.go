// Command bench runs Megabox's benchmarks and writes BENCHMARKS.md. Every
// figure is the median of several runs and sits next to a baseline measured
// in the same run on the same machine, so the ratio is what matters.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

// Result is one benchmark line of the report.
type Result struct {
	Name     string
	Value    string // the figure, formatted
	Baseline string // what it is compared with, formatted
	Ratio    float64
	Target   string
	Pass     bool
}

func main() {
	out := flag.String("out", "BENCHMARKS.md", "report file")
	runs := flag.Int("runs", 3, "runs per figure (the median is kept)")
	only := flag.String("only", "", "run only the benchmark with this name")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fail(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	dir, err := os.MkdirTemp("", "megabox-bench-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)

	var results []Result
	for _, b := range benchmarks {
		if *only != "" && b.name != *only {
			continue
		}
		fmt.Fprintf(os.Stderr, "running %s…\n", b.name)
		r, err := b.run(dir, *runs)
		if err != nil {
			fail(fmt.Errorf("%s: %w", b.name, err))
		}
		results = append(results, r...)
	}
	report := render(results, *runs)
	fmt.Print(report)
	if err := os.WriteFile(*out, []byte(report), 0o644); err != nil {
		fail(err)
	}
	pprof.StopCPUProfile()
}

var benchmarks = []struct {
	name string
	run  func(dir string, runs int) ([]Result, error)
}{
	{"upload", benchUpload},
	{"earnings", benchEarnings},
	{"purchases", benchPurchases},
	{"sync", benchSync},
	{"rescan", benchRescan},
	{"latency", benchLatency},
	{"library", benchLibrary},
	{"play", benchPlay},
	{"desktop", benchDesktop},
}

func render(results []Result, runs int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Megabox benchmarks\n\n")
	fmt.Fprintf(&b, "Machine: %s, %d CPUs, %s/%s, %s. Each figure is the median of %d runs.\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), runs)
	fmt.Fprintf(&b, "Reproduce with `make bench`. Generated %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "| benchmark | Megabox | baseline (same run) | ratio | target | met |\n|---|---|---|---|---|---|\n")
	for _, r := range results {
		met := "yes"
		if !r.Pass {
			met = "**no**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.2f | %s | %s |\n", r.Name, r.Value, r.Baseline, r.Ratio, r.Target, met)
	}
	return b.String()
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}
