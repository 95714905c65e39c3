package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// On a machine without a GPU the app's own process never loads Mesa:
// WebKitGTK would open EGL there only to learn that no device renders,
// GTK would open GLX on a display no GTK program used before (a fresh
// Xvfb, as here), and Mesa's driver brings all of LLVM with it (about
// 50 MB of the app's memory).
func TestAppWithoutGPULoadsNoMesa(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and opens the app")
	}
	if nodes, _ := filepath.Glob("/dev/dri/renderD*"); len(nodes) > 0 {
		t.Skip("this machine has a GPU: WebKit renders with it")
	}
	if _, err := exec.LookPath("Xvfb"); err != nil {
		t.Skip("needs Xvfb")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "megabox")
	build := exec.Command("go", "build", "-buildvcs=false", "-tags", "desktop,production,webkit2_41", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	display := startXvfb(t)
	home := filepath.Join(dir, "home")
	app := exec.Command(bin)
	app.Env = append(withoutWebKitEnv(os.Environ()), "DISPLAY="+display, "MEGABOX_HOME="+home, "HOME="+home,
		"MEGABOX_NO_KEYRING=1", "MEGABOX_STARTUP_TRACE=1")
	stderr, err := app.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	loaded := make(chan struct{})
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		signal := loaded
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "startup page-loaded ") && signal != nil {
				close(signal)
				signal = nil
			}
		}
	}()
	defer func() {
		app.Process.Signal(os.Interrupt)
		<-drained
		app.Wait()
	}()
	// WebKit asks EGL for the render device while it starts the page's
	// process, before the page loads.
	select {
	case <-loaded:
	case <-time.After(60 * time.Second):
		t.Fatal("the page did not load within 60 s")
	}
	maps, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(app.Process.Pid), "maps"))
	if err != nil {
		t.Fatal(err)
	}
	for _, lib := range []string{"libLLVM", "_dri.so"} {
		if strings.Contains(string(maps), lib) {
			t.Errorf("the app's process maps %s", lib)
		}
	}
}

// startXvfb starts a virtual screen for the test and returns its display.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x900x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { x.Process.Kill(); x.Wait() })
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("Xvfb gave no display: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}

// withoutWebKitEnv drops WebKit's and GTK's rendering variables, so that
// the app chooses, not the environment the test runs in.
func withoutWebKitEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "WEBKIT_") && !strings.HasPrefix(kv, "GDK_GL=") {
			out = append(out, kv)
		}
	}
	return out
}
