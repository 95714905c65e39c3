// Package dbustest runs a private D-Bus session bus for tests, so code
// that talks to the desktop (media players, notifications) is tested over
// a real bus without touching the user's.
package dbustest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// config is a session bus that starts no services of its own: what a test
// talks to is only what the test exported.
const config = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// Start runs dbus-daemon for the test and returns its address; the bus
// stops when the test ends. Without dbus-daemon the test is skipped, or
// fails when MEGABOX_REQUIRE_SERVICES=1.
func Start(tb testing.TB) string {
	tb.Helper()
	bin, err := exec.LookPath("dbus-daemon")
	if err != nil {
		if os.Getenv("MEGABOX_REQUIRE_SERVICES") == "1" {
			tb.Fatal("dbus-daemon is not installed: run .ci/deps test")
		}
		tb.Skip("dbus-daemon is not installed")
	}
	dir := tb.TempDir()
	conf := filepath.Join(dir, "session.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(config, dir)), 0o644); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, "--config-file="+conf, "--print-address", "--nofork")
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		r := bufio.NewReader(out)
		line, _ := r.ReadString('\n')
		addr <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, r) // keep the pipe drained
	}()
	select {
	case a := <-addr:
		if a == "" {
			tb.Fatal("dbus-daemon printed no address")
		}
		return a
	case <-time.After(10 * time.Second):
		tb.Fatal("dbus-daemon did not print its address within 10 s")
	}
	return ""
}

// Connect opens a new connection to the bus at addr, closed when the test
// ends.
func Connect(tb testing.TB, addr string) *dbus.Conn {
	tb.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	return conn
}
