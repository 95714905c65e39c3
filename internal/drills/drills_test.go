// Package drills kills and cuts the real programs at random moments and
// checks nothing is lost or corrupted. `make test` runs the short drills;
// `make drills` (MEGABOX_DRILLS=long) the long ones.
package drills

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
)

func long() bool { return os.Getenv("MEGABOX_DRILLS") == "long" }

// build compiles a command of this module into dir.
func build(t *testing.T, dir, pkg string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = "../.."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// server is megaboxd running as a process, killable.
type server struct {
	t    *testing.T
	bin  string
	data string
	addr string
	args []string // more flags
	cmd  *exec.Cmd
}

func startServer(t *testing.T, bin, data, addr string, args ...string) *server {
	t.Helper()
	if addr == "" {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		addr = l.Addr().String()
		l.Close()
	}
	s := &server{t: t, bin: bin, data: data, addr: addr, args: args}
	s.start()
	t.Cleanup(func() { s.kill() })
	return s
}

func (s *server) start() {
	// The drills sign many accounts up from one address, and the
	// cut-connection drill reaches the server through a proxy on another port.
	s.cmd = exec.Command(s.bin, append([]string{"--data", s.data, "--addr", s.addr, "--signups-per-hour", "0", "--public-host", "127.0.0.1"}, s.args...)...)
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, io.Discard
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	for range 200 {
		if c, err := net.Dial("tcp", s.addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	s.t.Fatal("megaboxd did not start")
}

func (s *server) kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill() // SIGKILL: no graceful anything
		s.cmd.Wait()
	}
}

func (s *server) url() string { return "http://" + s.addr }

func signUp(t *testing.T, url, email string, creator bool) *mhttp.Client {
	t.Helper()
	c, _ := mhttp.NewClient(url, nil)
	ctx := context.Background()
	if _, err := c.CreateAccount(ctx, api.AccountCreate{Email: email, Password: "password1", DisplayName: strings.Split(email, "@")[0], Creator: creator}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSession(ctx, api.Credentials{Email: email, Password: "password1"}); err != nil {
		t.Fatal(err)
	}
	return c
}

func fileSHA(t *testing.T, p string) string {
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil))
}

// blobsIntact checks every stored blob hashes to its name and returns them.
func blobsIntact(t *testing.T, data string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	base := filepath.Join(data, "blobs")
	filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(base, p)
		if err != nil || d.IsDir() || strings.HasPrefix(rel, "uploads") || strings.HasPrefix(rel, "tmp") || rel == "layout" {
			return nil // staging, and the bucket's layout marker
		}
		if got := fileSHA(t, p); got != d.Name() {
			t.Errorf("corrupt blob %s (hashes to %s)", d.Name(), got)
		}
		out[d.Name()] = true
		return nil
	})
	return out
}

func login(t *testing.T, url, email string) *mhttp.Client {
	t.Helper()
	c, _ := mhttp.NewClient(url, nil)
	if _, err := c.CreateSession(context.Background(), api.Credentials{Email: email, Password: "password1"}); err != nil {
		t.Fatal(err)
	}
	return c
}
