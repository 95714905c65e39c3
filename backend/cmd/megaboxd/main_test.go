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
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
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
