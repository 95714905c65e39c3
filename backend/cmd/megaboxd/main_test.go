package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/megabox-fm/megabox/internal/pgtest"
	"github.com/megabox-fm/megabox/internal/wait"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// slowReader trickles its bytes out over about a second and counts what
// it has given.
type slowReader struct {
	r    io.Reader
	read *atomic.Int64
}

func (s slowReader) Read(p []byte) (int, error) {
	time.Sleep(50 * time.Millisecond) // the sender's pace
	n, err := s.r.Read(p[:min(len(p), 1000)])
	s.read.Add(int64(n))
	return n, err
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
	data := testmedia.SilentMP3(20_000)
	sha := sum(data)
	u := &mhttp.Upload{SHA256: sha, Size: int64(len(data))}
	// Send the upload's body slowly and stop the server midway.
	if _, err := c.UploadFile(bg, &zeroLen{}, &mhttp.Upload{SHA256: sha, Size: 0}); err == nil {
		t.Fatal("empty upload accepted")
	}
	var read atomic.Int64
	resultc := make(chan error, 1)
	go func() {
		_, err := c.UploadFile(bg, readerAt{slowReader{bytes.NewReader(data), &read}}, u)
		resultc <- err
	}()
	// The body is sent only once the server asks for it (Expect:
	// 100-continue), so bytes read from the source mean the server is
	// reading the upload: stop it a quarter of the way in.
	wait.Until(t, time.Minute, "the server is reading the upload", func() bool { return read.Load() >= int64(len(data))/4 })
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

// TestJanitorEndsBeforeDatabaseCloses stops megaboxd while its janitor is
// still working: Run returns only after the janitor ended, and the
// janitor's work never finds the database closed.
func TestJanitorEndsBeforeDatabaseCloses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	result := make(chan error, 1) // the janitor's last error, once it ended
	m := &Main{Stdout: io.Discard, Stderr: io.Discard, Ready: ready}
	m.janitor = func(ctx context.Context, p *platform.Platform) {
		<-ctx.Done()
		// A pass that began just before the stop goes on for a while.
		var err error
		for until := time.Now().Add(300 * time.Millisecond); time.Now().Before(until) && err == nil; {
			_, err = p.Handler.ExpireUploads(context.Background(), time.Now())
		}
		result <- err
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"--data", t.TempDir(), "--addr", "127.0.0.1:0"}) }()
	<-ready
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	select {
	case err := <-result:
		if err != nil {
			t.Fatalf("janitor's work during shutdown: %v", err)
		}
	default:
		t.Fatal("Run returned while the janitor was still working")
	}
}

// TestTrustedProxyFlag: --trusted-proxy (or MEGABOX_TRUSTED_PROXIES)
// makes megaboxd limit sign-ups per client named by that proxy; without
// it the header is ignored. Bad blocks are refused, naming the flag.
func TestTrustedProxyFlag(t *testing.T) {
	signUp := func(addr, email, forwardedFor string) int {
		t.Helper()
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
		tr := &http.Transport{DialContext: d.DialContext}
		defer tr.CloseIdleConnections()
		body := fmt.Sprintf(`{"email":%q,"password":"long enough pw","display_name":"X"}`, email)
		req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/accounts", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", forwardedFor)
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	addr := start(t, "--addr", "127.0.0.1:0", "--signups-per-hour", "1", "--trusted-proxy", "10.0.0.0/8, 127.0.0.2")
	for i, client := range []string{"198.51.100.1", "198.51.100.2"} {
		if got := signUp(addr, fmt.Sprintf("p%d@example.com", i), client); got != 201 {
			t.Fatalf("sign-up for client %s behind a trusted proxy: %d, want 201", client, got)
		}
	}
	t.Setenv("MEGABOX_TRUSTED_PROXIES", "127.0.0.3/32")
	addr = start(t, "--addr", "127.0.0.1:0", "--signups-per-hour", "1")
	if got := signUp(addr, "q0@example.com", "198.51.100.1"); got != 201 {
		t.Fatalf("first sign-up from an untrusted peer: %d, want 201", got)
	}
	if got := signUp(addr, "q1@example.com", "198.51.100.2"); got != 429 {
		t.Fatalf("second sign-up from an untrusted peer naming another client: %d, want 429", got)
	}
	for _, bad := range []string{"nonsense", "10.0.0.0/33", "::ffff:10.0.0.0/8"} {
		err := (&Main{Stdout: io.Discard, Stderr: io.Discard}).Run(context.Background(), []string{"--data", t.TempDir(), "--trusted-proxy", bad})
		if err == nil || !strings.Contains(err.Error(), "--trusted-proxy") {
			t.Errorf("--trusted-proxy %q: %v, want an error naming the flag", bad, err)
		}
	}
}

func TestParsePrefixes(t *testing.T) {
	got, err := parsePrefixes(" 10.1.2.3/8, 192.0.2.1 ,2001:db8::1/48,::ffff:172.16.0.0/108, fe80::1%eth0")
	want := "[10.0.0.0/8 192.0.2.1/32 2001:db8::/48 172.16.0.0/12 fe80::1/128]"
	if err != nil || fmt.Sprint(got) != want {
		t.Fatalf("parsePrefixes = %v, %v; want %s", got, err, want)
	}
}

// TestAdminOnPostgres: the operator's commands and migrate work against
// the PostgreSQL database several servers share, named by the
// environment as the servers are.
func TestAdminOnPostgres(t *testing.T) {
	db := pgtest.NewDatabase(t)
	t.Setenv("MEGABOX_DATABASE", db)
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := (&Main{Stdout: &out, Stderr: io.Discard}).Run(context.Background(), args)
		return out.String(), err
	}
	if out, err := run("migrate", "--data", t.TempDir()); err != nil || !strings.Contains(out, "from version 0 to") {
		t.Fatalf("migrate: %q, %v", out, err)
	}
	if out, err := run("migrate", "--data", t.TempDir()); err != nil || !strings.Contains(out, "nothing to migrate") {
		t.Fatalf("migrate again: %q, %v", out, err)
	}
	out, err := run("admin", "--data", t.TempDir(), "check")
	if err != nil || !strings.Contains(out, "database: ok\nledger: 0 unbalanced transactions") {
		t.Fatalf("check: %q, %v", out, err)
	}
	if out, err := run("admin", "--data", t.TempDir(), "rotate-receipt-key"); err != nil || !strings.Contains(out, "mbx-") {
		t.Fatalf("rotate: %q, %v", out, err)
	}
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var keys int
	if err := conn.QueryRow(context.Background(), `SELECT COUNT(*) FROM receipt_keys`).Scan(&keys); err != nil || keys != 1 {
		t.Fatalf("receipt keys in PostgreSQL: %d, %v; want the one rotate made", keys, err)
	}
}

// TestPaymentSettings: Stripe is on only with both secrets, each of the
// right kind; reconcile needs a day and a provider with a balance.
func TestPaymentSettings(t *testing.T) {
	for _, c := range []struct{ key, secret, want string }{
		{"", "whsec_1", "without MEGABOX_STRIPE_SECRET_KEY"},
		{"pk_test_1", "whsec_1", "secret or restricted key"},
		{"sk_test_1", "", "signing secret"},
		{"sk_test_1", "sk_test_2", "signing secret"},
	} {
		t.Setenv("MEGABOX_STRIPE_SECRET_KEY", c.key)
		t.Setenv("MEGABOX_STRIPE_WEBHOOK_SECRET", c.secret)
		err := (&Main{Stdout: io.Discard, Stderr: io.Discard}).Run(context.Background(), []string{"--data", t.TempDir(), "--addr", "127.0.0.1:0"})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("key %q, secret %q: %v; want %q", c.key, c.secret, err, c.want)
		}
	}
	t.Setenv("MEGABOX_STRIPE_SECRET_KEY", "")
	t.Setenv("MEGABOX_STRIPE_WEBHOOK_SECRET", "")
	dir := t.TempDir()
	run := func(args ...string) error {
		return (&Main{Stdout: io.Discard, Stderr: io.Discard}).Run(context.Background(), append([]string{"admin", "--data", dir}, args...))
	}
	if err := run("reconcile"); err == nil || !strings.Contains(err.Error(), "--since must be a day") {
		t.Errorf("reconcile without --since: %v", err)
	}
	if err := run("reconcile", "--since", "2026-11-01"); err == nil || !strings.Contains(err.Error(), "sandbox keeps no balance") {
		t.Errorf("reconcile on the sandbox: %v", err)
	}
}
