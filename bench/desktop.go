package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
)

// benchDesktop: cold start of the production app to its first painted
// frame, and its idle memory with a 1,000-track library. It needs
// build/bin/megabox (make app) and Xvfb.
func benchDesktop(dir string, runs int) ([]Result, error) {
	bin, err := filepath.Abs("build/bin/megabox")
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("build the app first (make app): %w", err)
	}
	// Xvfb picks a free display and writes its number once ready.
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	xvfb := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x900x24", "-nolisten", "tcp")
	xvfb.ExtraFiles = []*os.File{pw}
	if err := xvfb.Start(); err != nil {
		return nil, err
	}
	defer xvfb.Process.Kill()
	pw.Close()
	buf := make([]byte, 16)
	n, _ := pr.Read(buf)
	display := ":" + strings.TrimSpace(string(buf[:n]))
	home := filepath.Join(dir, "desktop-home")
	if err := warmHome(bin, display, home); err != nil {
		return nil, err
	}
	var paint, mapped []time.Duration
	var rss, anon, pss []float64
	for range runs {
		m, p, r, a, t, err := coldStart(bin, display, home)
		if err != nil {
			return nil, err
		}
		mapped, paint, rss, anon, pss = append(mapped, m), append(paint, p), append(rss, r), append(anon, a), append(pss, t)
	}
	p, m, r, a, t := median(paint), median(mapped), medianF(rss), medianF(anon), medianF(pss)
	return []Result{{
		Name:     "desktop app cold start to first painted frame",
		Value:    ms(p),
		Baseline: ms(m) + " until the empty window is mapped",
		Ratio:    m.Seconds() / p.Seconds(), Target: "< 1 s", Pass: p < time.Second,
	}, {
		Name:     "desktop app idle memory, 1,000-track library: RSS of the app process (anonymous part)",
		Value:    fmt.Sprintf("%.0f MB (%.0f MB)", r, a),
		Baseline: fmt.Sprintf("%.0f MB PSS of app + WebKit web and network processes", t),
		Ratio:    r / 150, Target: "< 150 MB", Pass: r < 150,
	}}, nil
}

// warmHome runs the app once so the local platform exists and is seeded,
// then fills the library with 1,000 tracks.
func warmHome(bin, display, home string) error {
	cmd := appCmd(bin, display, home)
	if err := cmd.Start(); err != nil {
		return err
	}
	if _, err := waitWindow(display, 30*time.Second); err != nil {
		cmd.Process.Kill()
		return err
	}
	time.Sleep(2 * time.Second)
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	c, err := cache.Open(context.Background(), filepath.Join(home, "cache.db"))
	if err != nil {
		return err
	}
	defer c.Close()
	ctx := context.Background()
	for r := range 100 {
		pid := int64(100000 + r)
		if err := c.PutLibraryItem(ctx, cache.LibraryItem{PurchaseID: pid, ReleaseID: pid, Artist: fmt.Sprint("Artist ", r%37), Title: fmt.Sprint("Album ", r), ReleaseJSON: "{}", PurchasedAt: time.Now()}); err != nil {
			return err
		}
		for t := range 10 {
			c.PutLibraryFile(ctx, cache.LibraryFile{TrackID: pid*100 + int64(t), PurchaseID: pid, ReleaseID: pid, Position: t + 1, Title: fmt.Sprint("Track ", t+1),
				SHA256: strings.Repeat("0", 64), Size: 1, DurationMS: 200_000, Path: fmt.Sprintf("A/%d/%02d.mp3", r, t), State: "ok"})
		}
	}
	return nil
}

func appCmd(bin, display, home string) *exec.Cmd {
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "MEGABOX_HOME="+home, "HOME="+home, "MEGABOX_NO_KEYRING=1")
	return cmd
}

// coldStart times a start to a mapped window and to a non-blank frame,
// then measures idle RSS.
func coldStart(bin, display, home string) (time.Duration, time.Duration, float64, float64, float64, error) {
	cmd := appCmd(bin, display, home)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, 0, 0, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	wid, err := waitWindow(display, 20*time.Second)
	if err != nil {
		return 0, 0, 0, 0, 0, err
	}
	mapped := time.Since(start)
	for !painted(display, wid) {
		if time.Since(start) > 20*time.Second {
			return 0, 0, 0, 0, 0, fmt.Errorf("the window never painted")
		}
		time.Sleep(20 * time.Millisecond)
	}
	paint := time.Since(start)
	time.Sleep(3 * time.Second) // idle
	pid := cmd.Process.Pid
	return mapped, paint, memKB(pid, "VmRSS:", "status") / 1024, memKB(pid, "RssAnon:", "status") / 1024, treePSS(pid), nil
}

// memKB reads one kB figure of a process from /proc.
func memKB(pid int, key, file string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, key) {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb
		}
	}
	return 0
}

func waitWindow(display string, limit time.Duration) (string, error) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^Megabox$")
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		out, _ := cmd.Output()
		if w := strings.Fields(string(out)); len(w) > 0 {
			return w[0], nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "", fmt.Errorf("no window within %v", limit)
}

// painted reports whether the window shows more than a flat background.
func painted(display, wid string) bool {
	cmd := exec.Command("sh", "-c", "import -window "+wid+" png:- 2>/dev/null | convert png:- -colorspace Gray -format '%[fx:standard_deviation]' info:")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.Output()
	if err != nil {
		return false
	}
	sd, _ := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	return sd > 0.05
}

// treePSS sums the proportional memory of a process and its descendants
// (shared libraries counted once), in MB.
func treePSS(pid int) float64 {
	total := 0.0
	pids := []int{pid}
	for len(pids) > 0 {
		p := pids[0]
		pids = pids[1:]
		total += memKB(p, "Pss:", "smaps_rollup") / 1024
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", p))
		for _, t := range tasks {
			b, _ := os.ReadFile(t)
			for _, c := range strings.Fields(string(b)) {
				if n, err := strconv.Atoi(c); err == nil {
					pids = append(pids, n)
				}
			}
		}
	}
	return total
}
