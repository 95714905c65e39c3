package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// freePort asks the kernel for a loopback port nobody listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitTCP polls until something accepts connections on addr.
func waitTCP(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listens on %s after %v", addr, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rcloneCopy times `rclone copy src :webdav:` to `rclone serve webdav
// dest` on loopback, rclone's defaults otherwise. rclone reads no config
// file: everything is given on the command line.
func rcloneCopy(work, src string, total int64) (time.Duration, error) {
	if _, err := exec.LookPath("rclone"); err != nil {
		return 0, fmt.Errorf("rclone is not installed (scripts/bench-deps.sh)")
	}
	dest := filepath.Join(work, "rclone-dest")
	os.MkdirAll(dest, 0o755)
	defer os.RemoveAll(dest)
	port, err := freePort()
	if err != nil {
		return 0, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	env := append(os.Environ(), "RCLONE_CONFIG="+filepath.Join(work, "rclone.conf"), "XDG_CACHE_HOME="+filepath.Join(work, "rclone-cache"))
	serve := exec.Command("rclone", "serve", "webdav", dest, "--addr", addr)
	serve.Env = env
	if err := serve.Start(); err != nil {
		return 0, err
	}
	defer func() { serve.Process.Kill(); serve.Wait() }()
	if err := waitTCP(addr, time.Minute); err != nil {
		return 0, err
	}
	cp := exec.Command("rclone", "copy", src, ":webdav:", "--webdav-url", "http://"+addr)
	cp.Env = env
	start := time.Now()
	if out, err := cp.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("rclone copy: %v: %s", err, out)
	}
	d := time.Since(start)
	if got := dirBytes(dest); got != total {
		return 0, fmt.Errorf("rclone stored %d bytes, want %d", got, total)
	}
	return d, nil
}

// stNode is one Syncthing instance with its own home on loopback.
type stNode struct {
	cmd    *exec.Cmd
	home   string
	gui    string
	key    string
	id     string
	listen string
}

// syncthingSync times a two-node Syncthing sync of src: from the moment
// the first node is given the folder (it scans, hashes and announces it)
// until the second reports every file in sync. Setting the nodes up must
// take under a minute; it is not timed.
func syncthingSync(work, src string, files int, total int64) (time.Duration, error) {
	if _, err := exec.LookPath("syncthing"); err != nil {
		return 0, fmt.Errorf("syncthing is not installed (scripts/bench-deps.sh)")
	}
	dest := filepath.Join(work, "st-dest")
	defer os.RemoveAll(dest)
	defer os.RemoveAll(filepath.Join(src, ".stfolder"))
	setup := time.Now().Add(time.Minute)
	a, err := startSyncthing(filepath.Join(work, "st-a"), setup)
	if err != nil {
		return 0, fmt.Errorf("setup: %w", err)
	}
	defer a.stop()
	b, err := startSyncthing(filepath.Join(work, "st-b"), setup)
	if err != nil {
		return 0, fmt.Errorf("setup: %w", err)
	}
	defer b.stop()
	for _, p := range [][2]*stNode{{a, b}, {b, a}} {
		dev := map[string]any{"deviceID": p[1].id, "name": filepath.Base(p[1].home), "addresses": []string{"tcp://" + p[1].listen}}
		if err := p[0].call("POST", "/rest/config/devices", dev, nil); err != nil {
			return 0, fmt.Errorf("setup: %w", err)
		}
	}
	if err := a.waitConnected(b.id, setup); err != nil {
		return 0, fmt.Errorf("setup: %w", err)
	}
	folder := func(path string) map[string]any {
		return map[string]any{"id": "bench", "label": "bench", "path": path, "fsWatcherEnabled": false, "rescanIntervalS": 3600,
			"devices": []map[string]string{{"deviceID": a.id}, {"deviceID": b.id}}}
	}
	if err := b.call("POST", "/rest/config/folders", folder(dest), nil); err != nil {
		return 0, fmt.Errorf("setup: %w", err)
	}
	start := time.Now()
	if err := a.call("POST", "/rest/config/folders", folder(src), nil); err != nil {
		return 0, err
	}
	for {
		var st struct {
			InSyncFiles, NeedFiles, GlobalFiles int
			State                               string
		}
		if err := b.call("GET", "/rest/db/status?folder=bench", nil, &st); err != nil {
			return 0, err
		}
		if st.GlobalFiles == files && st.InSyncFiles == files && st.NeedFiles == 0 && st.State == "idle" {
			break
		}
		if time.Since(start) > 10*time.Minute {
			return 0, fmt.Errorf("not in sync after 10 minutes: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	d := time.Since(start)
	if got := dirBytes(dest); got != total {
		return 0, fmt.Errorf("syncthing stored %d bytes, want %d", got, total)
	}
	return d, nil
}

// startSyncthing generates a home, turns off everything that would reach
// beyond loopback (discovery, relays, NAT, usage and crash reports,
// upgrades), and starts the node.
func startSyncthing(home string, deadline time.Time) (*stNode, error) {
	os.RemoveAll(home)
	gen := exec.Command("syncthing", "generate", "--home="+home, "--no-default-folder", "--skip-port-probing")
	gen.Env = append(os.Environ(), "HOME="+home)
	if out, err := gen.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("syncthing generate: %v: %s", err, out)
	}
	lp, err := freePort()
	if err != nil {
		return nil, err
	}
	gp, err := freePort()
	if err != nil {
		return nil, err
	}
	n := &stNode{home: home, listen: fmt.Sprintf("127.0.0.1:%d", lp), gui: fmt.Sprintf("127.0.0.1:%d", gp), key: "megabox-bench-key"}
	cfgPath := filepath.Join(home, "config.xml")
	cfg, err := os.ReadFile(cfgPath)
	if err != nil {
		return nil, err
	}
	for _, r := range []struct{ tag, val string }{
		{"listenAddress", "tcp://" + n.listen},
		{"globalAnnounceEnabled", "false"},
		{"localAnnounceEnabled", "false"},
		{"relaysEnabled", "false"},
		{"natEnabled", "false"},
		{"urAccepted", "-1"},
		{"crashReportingEnabled", "false"},
		{"autoUpgradeIntervalH", "0"},
		{"startBrowser", "false"},
		{"reconnectionIntervalS", "1"},
	} {
		re := regexp.MustCompile(`<` + r.tag + `>[^<]*</` + r.tag + `>`)
		if !re.Match(cfg) {
			return nil, fmt.Errorf("syncthing config has no <%s>", r.tag)
		}
		cfg = re.ReplaceAll(cfg, []byte("<"+r.tag+">"+r.val+"</"+r.tag+">"))
	}
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		return nil, err
	}
	n.cmd = exec.Command("syncthing", "serve", "--home="+home, "--no-browser", "--no-restart", "--no-upgrade",
		"--gui-address="+n.gui, "--gui-apikey="+n.key, "--logfile="+filepath.Join(home, "log"))
	n.cmd.Env = append(os.Environ(), "HOME="+home, "STNODEFAULTFOLDER=1", "STNOUPGRADE=1")
	if err := n.cmd.Start(); err != nil {
		return nil, err
	}
	for {
		var st struct{ MyID string }
		if err := n.call("GET", "/rest/system/status", nil, &st); err == nil && st.MyID != "" {
			n.id = st.MyID
			return n, nil
		}
		if time.Now().After(deadline) {
			n.stop()
			return nil, fmt.Errorf("syncthing's REST API did not answer within a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (n *stNode) waitConnected(id string, deadline time.Time) error {
	for {
		var c struct {
			Connections map[string]struct{ Connected bool }
		}
		if err := n.call("GET", "/rest/system/connections", nil, &c); err == nil && c.Connections[id].Connected {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the two Syncthing nodes did not connect within a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (n *stNode) call(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://"+n.gui+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("X-API-Key", n.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("syncthing %s %s: %s %s", method, path, resp.Status, strings.TrimSpace(string(b)))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (n *stNode) stop() {
	n.call("POST", "/rest/system/shutdown", nil, nil)
	done := make(chan struct{})
	go func() { n.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		n.cmd.Process.Kill()
		<-done
	}
	os.RemoveAll(n.home)
}
