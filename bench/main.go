// Command bench runs Megabox's benchmarks and writes BENCHMARKS.md. Every
// figure is the median of interleaved rounds next to a baseline doing the
// same work by the simplest means, and peers where there are any, all
// measured in the same run on the same machine.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

func main() {
	out := flag.String("out", "", "report file (default BENCHMARKS.md when every benchmark runs; with -only the report is only printed)")
	runs := flag.Int("runs", 3, "interleaved rounds per figure (the median is kept)")
	only := flag.String("only", "", "run only these benchmarks (comma-separated): "+strings.Join(names(), ", "))
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here")
	flag.StringVar(&appPath, "app", "build/bin/megabox", "the desktop app's production build, for the desktop benchmark")
	serveRaw := flag.String("serve-raw", "", "internal: serve the raw upload baseline into this directory")
	flag.Func("files", "the files benchmark's sizes, comma-separated (default 1,10,100,1000,10000; flatness needs 100 and 10000)", parseFileSizes)
	flag.Parse()
	if *serveRaw != "" {
		if err := runRawServer(*serveRaw); err != nil {
			fail(err)
		}
		return
	}
	if *runs < 1 {
		fail(fmt.Errorf("-runs must be at least 1"))
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fail(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	want := map[string]bool{}
	for _, n := range strings.Split(*only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			if !slices.Contains(names(), n) {
				fail(fmt.Errorf("no benchmark %q (have %s)", n, strings.Join(names(), ", ")))
			}
			want[n] = true
		}
	}
	if *out == "" && len(want) == 0 {
		*out = "BENCHMARKS.md"
	}
	dir, err := os.MkdirTemp("", "megabox-bench-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	binDir = filepath.Join(dir, "bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		fail(err)
	}

	start := time.Now()
	rep := &Report{}
	for _, b := range benchmarks {
		if len(want) > 0 && !want[b.name] {
			continue
		}
		fmt.Fprintf(os.Stderr, "running %s…\n", b.name)
		t := time.Now()
		if err := b.run(dir, *runs, rep); err != nil {
			os.RemoveAll(dir)
			fail(fmt.Errorf("%s: %w", b.name, err))
		}
		fmt.Fprintf(os.Stderr, "  %s took %s\n", b.name, time.Since(t).Round(time.Second))
	}
	text := render(rep, *runs, time.Since(start))
	fmt.Print(text)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(text), 0o644); err != nil {
			fail(err)
		}
	}
}

var benchmarks = []struct {
	name string
	run  func(dir string, runs int, rep *Report) error
}{
	{"upload", benchUpload},
	{"sync", benchAlbum20},
	{"sync200", benchAlbum200},
	{"files", benchFiles},
	{"rescan", benchRescan},
	{"latency", benchLatency},
	{"library", benchLibrary},
	{"earnings", benchEarnings},
	{"purchases", benchPurchases},
	{"pg-purchases", benchScalePurchases},
	{"pg-earnings", benchScaleEarnings},
	{"s3-upload", benchScaleUpload},
	{"play", benchPlay},
	{"preview", benchPreview},
	{"transcode", benchTranscode},
	{"pages", benchPages},
	{"desktop", benchDesktop},
	{"flac-decode", benchFLACDecode},
	{"flac-encode", benchFLACEncode},
	{"flac-saving", benchFLACSaving},
}

func names() []string {
	var n []string
	for _, b := range benchmarks {
		n = append(n, b.name)
	}
	return n
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
