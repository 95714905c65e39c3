package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	gosync "sync"
	"syscall"
	"time"
)

// binDir holds the programs the run builds; it lives as long as the run.
var binDir string

var megaboxd struct {
	once gosync.Once
	path string
	err  error
}

// megaboxdBin builds the real server once per run, so it runs as its own
// process with its own /proc/PID/io.
func megaboxdBin() (string, error) {
	megaboxd.once.Do(func() {
		megaboxd.path = filepath.Join(binDir, "megaboxd")
		out, err := exec.Command("go", "build", "-o", megaboxd.path, "./backend/cmd/megaboxd").CombinedOutput()
		if err != nil {
			megaboxd.err = fmt.Errorf("build megaboxd: %v: %s", err, out)
		}
	})
	return megaboxd.path, megaboxd.err
}

// proc is a server running as a child process: megaboxd, or the raw
// upload baseline (this binary with -serve-raw), optionally under strace.
type proc struct {
	cmd     *exec.Cmd
	pid     int // the server itself (strace's child when traced)
	url     string
	trace   string // strace output file, "" when not traced
	data    string
	stopped bool
}

// startMegaboxd runs megaboxd on a fresh data directory with no quota.
// With trace set, strace records its fsync and fdatasync calls there.
func startMegaboxd(data, trace string) (*proc, error) {
	bin, err := megaboxdBin()
	if err != nil {
		return nil, err
	}
	return startProc(trace, data, bin, "-data", data, "-addr", "127.0.0.1:0", "-quota", "0", "-log-format", "json")
}

// startRawServer runs the raw upload baseline storing into data.
func startRawServer(data, trace string) (*proc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return startProc(trace, data, self, "-serve-raw", data)
}

func startProc(trace, data, bin string, args ...string) (*proc, error) {
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	p := &proc{trace: trace, data: data}
	if trace != "" {
		args = append([]string{"--seccomp-bpf", "-f", "-qq", "-ttt", "-e", "trace=fsync,fdatasync", "-e", "signal=none", "-o", trace, bin}, args...)
		bin = "strace"
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stderr = io.Discard
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), "http://"); i >= 0 {
				urls <- strings.Fields(sc.Text()[i:])[0]
				break
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case p.url = <-urls:
	case <-time.After(30 * time.Second):
		p.stop()
		return nil, fmt.Errorf("%s did not start within 30 s", filepath.Base(bin))
	}
	p.pid = p.cmd.Process.Pid
	if trace != "" {
		if p.pid, err = onlyChild(p.pid); err != nil {
			p.stop()
			return nil, err
		}
	}
	return p, nil
}

// onlyChild is the single child process of pid.
func onlyChild(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) != 1 {
		return 0, fmt.Errorf("strace has %d children, want 1", len(f))
	}
	return strconv.Atoi(f[0])
}

// stop ends the server gracefully (SIGTERM) and waits for it.
func (p *proc) stop() {
	if p.stopped {
		return
	}
	p.stopped = true
	syscall.Kill(p.pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		syscall.Kill(p.pid, syscall.SIGKILL)
		<-done
	}
}

// stopAndClean stops the server and deletes what it stored.
func (p *proc) stopAndClean() {
	p.stop()
	os.RemoveAll(p.data)
}

// ioCounters are a process's lines of /proc/PID/io.
type ioCounters struct {
	rchar, readBytes, syscr int64
}

func readIO(pid int) (ioCounters, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return ioCounters{}, err
	}
	var c ioCounters
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		switch k {
		case "rchar":
			c.rchar = n
		case "read_bytes":
			c.readBytes = n
		case "syscr":
			c.syscr = n
		}
	}
	return c, nil
}

func (c ioCounters) minus(d ioCounters) ioCounters {
	return ioCounters{c.rchar - d.rchar, c.readBytes - d.readBytes, c.syscr - d.syscr}
}

// syncCalls counts the fsync and fdatasync calls strace recorded between
// from and to (call the server's stop first so the file is complete).
func syncCalls(trace string, from, to time.Time) (int, error) {
	f, err := os.Open(trace)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// "PID SECONDS.MICROS fsync(7) = 0", or a resumed call.
		if len(fields) < 3 || !(strings.HasPrefix(fields[2], "fsync(") || strings.HasPrefix(fields[2], "fdatasync(")) {
			continue
		}
		ts, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			continue
		}
		at := time.Unix(0, int64(ts*1e9))
		if !at.Before(from) && !at.After(to) {
			n++
		}
	}
	return n, sc.Err()
}
