package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
)

// slowReader trickles its bytes out over about a second.
type slowReader struct{ r io.Reader }

func (s slowReader) Read(p []byte) (int, error) {
	time.Sleep(50 * time.Millisecond)
	return s.r.Read(p[:min(len(p), 1000)])
}

// TestGracefulShutdown stops the server while an upload is in flight: the
// request completes and the blob is stored before Run returns.
func TestGracefulShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	var out bytes.Buffer
	m := &Main{Stdout: &out, Stderr: io.Discard, Ready: ready}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"--data", t.TempDir(), "--addr", "127.0.0.1:0"}) }()
	addr := <-ready
	if !strings.Contains(out.String(), "http://"+addr) {
		t.Fatalf("startup message %q does not name the URL", out.String())
	}
	c, _ := mhttp.NewClient("http://"+addr, nil)
	bg := context.Background()
	c.CreateAccount(bg, api.AccountCreate{Email: "a@example.com", Password: "password1", DisplayName: "A", Creator: true})
	if _, err := c.CreateSession(bg, api.Credentials{Email: "a@example.com", Password: "password1"}); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("x"), 20_000)
	sha := sum(data)
	u := &mhttp.Upload{SHA256: sha, Size: int64(len(data))}
	// Create the upload, then PATCH its body slowly and stop the server midway.
	if _, err := c.UploadFile(bg, &zeroLen{}, &mhttp.Upload{SHA256: sha, Size: 0}); err == nil {
		t.Fatal("empty upload accepted")
	}
	resultc := make(chan error, 1)
	go func() {
		_, err := c.UploadFile(bg, readerAt{slowReader{bytes.NewReader(data)}}, u)
		resultc <- err
	}()
	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-resultc; err != nil {
		t.Fatalf("in-flight upload failed during shutdown: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("server still answering after shutdown")
	}
}

type zeroLen struct{}

func (zeroLen) ReadAt(p []byte, off int64) (int, error) { return 0, io.EOF }

// readerAt serves sequential ReadAt calls from a stream, as one chunk.
type readerAt struct{ r io.Reader }

func (r readerAt) ReadAt(p []byte, off int64) (int, error) { return r.r.Read(p) }

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--log-format", "xml"}, {"--max-upload", "0"}, {"extra"}, {"--nope"}} {
		m := &Main{Stdout: io.Discard, Stderr: io.Discard}
		if err := m.Run(context.Background(), args); err == nil {
			t.Errorf("Run(%v) accepted bad flags", args)
		}
	}
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestAdminCommands(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := (&Main{Stdout: &out, Stderr: io.Discard}).Run(context.Background(), append([]string{"admin", "--data", dir}, args...))
		return out.String(), err
	}
	if out, err := run("check"); err != nil || !strings.Contains(out, "database: ok") {
		t.Fatalf("check on a new platform: %q, %v", out, err)
	}
	if out, err := run("rotate-receipt-key"); err != nil || !strings.Contains(out, "mbx-") {
		t.Fatalf("rotate: %q, %v", out, err)
	}
	for _, bad := range [][]string{{"refund", "1"}, {"refund", "x", "5"}, {"pay-payout", "7"}, {"refund", "9", "100"}, {"nope"}, {}} {
		if _, err := run(bad...); err == nil {
			t.Errorf("admin %v succeeded", bad)
		}
	}
}

// start runs megaboxd with args until the test ends and returns its address.
func start(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	m := &Main{Stdout: io.Discard, Stderr: io.Discard, Ready: ready}
	go func() { done <- m.Run(ctx, append([]string{"--data", t.TempDir()}, args...)) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case addr := <-ready:
		return addr
	case err := <-done:
		t.Fatalf("megaboxd %v: %v", args, err)
	}
	return ""
}

func statusFor(t *testing.T, addr, host string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/releases", nil)
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestPublicHosts: megaboxd answers to the names it is reached by and
// refuses any other Host (DNS rebinding).
func TestPublicHosts(t *testing.T) {
	addr := start(t, "--addr", "127.0.0.1:0")
	_, port, _ := strings.Cut(addr, ":")
	for host, want := range map[string]int{addr: 200, "localhost:" + port: 200, "evil.example:" + port: 421, "evil.example": 421} {
		if got := statusFor(t, addr, host); got != want {
			t.Errorf("default hosts, Host %s: %d, want %d", host, got, want)
		}
	}
	addr = start(t, "--addr", "127.0.0.1:0", "--public-host", "megabox.example, files.megabox.example:8443")
	for host, want := range map[string]int{"megabox.example": 200, "megabox.example:443": 200, "files.megabox.example:8443": 200, "files.megabox.example": 421, addr: 421} {
		if got := statusFor(t, addr, host); got != want {
			t.Errorf("--public-host, Host %s: %d, want %d", host, got, want)
		}
	}
	err := (&Main{Stdout: io.Discard, Stderr: io.Discard}).Run(context.Background(), []string{"--data", t.TempDir(), "--addr", "0.0.0.0:0"})
	if err == nil || !strings.Contains(err.Error(), "--public-host") {
		t.Fatalf("wildcard address without --public-host: %v, want an error naming the flag", err)
	}
}
