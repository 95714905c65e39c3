package http_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/blob/disk"

	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// testTransport has limits small enough for tests: a body must bring 2000
// bytes in every 250 ms.
var testTransport = mhttp.Transport{
	ReadHeaderTimeout: 250 * time.Millisecond,
	IdleTimeout:       time.Second,
	MinBodyRate:       8000,
	BodyRateWindow:    250 * time.Millisecond,
}

// newTransportEnv is a platform served by its own http.Server (header and
// idle timeouts included), with t's limits, optionally behind wrap.
func newTransportEnv(t *testing.T, tr mhttp.Transport, wrap func(http.Handler) http.Handler) *env {
	t.Helper()
	dir := t.TempDir()
	p, err := platform.Open(context.Background(), dir, platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	p.Handler.SetTransport(tr)
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = p.Handler.HTTPServer()
	if wrap != nil {
		srv.Config.Handler = wrap(p.Handler)
	}
	srv.Start()
	t.Cleanup(func() { srv.Close(); p.Close() })
	return &env{t: t, dir: dir, p: p, srv: srv}
}

func (e *env) dial() net.Conn {
	e.t.Helper()
	conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { conn.Close() })
	return conn
}

// readUntilClosed reads what the server sends until it closes the
// connection, and reports how long that took; it fails the test if the
// connection is still open after limit.
func readUntilClosed(t *testing.T, conn net.Conn, limit time.Duration) ([]byte, time.Duration) {
	t.Helper()
	start := time.Now()
	conn.SetReadDeadline(start.Add(limit))
	got, err := io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection still open after %v (received %q)", limit, got)
	}
	return got, time.Since(start)
}

func (e *env) healthy() {
	e.t.Helper()
	if status, _, _ := e.raw("GET", "/healthz", "", nil); status != 200 {
		e.t.Fatalf("healthz after the cut: %d", status)
	}
}

// createUpload starts a tus upload of size bytes and returns its path.
func (e *env) createUpload(token string, size int, sum string) string {
	e.t.Helper()
	status, body, hdr := e.raw("POST", "/api/v1/uploads/", token, nil, "Tus-Resumable", "1.0.0",
		"Upload-Length", strconv.Itoa(size), "Upload-Metadata", "sha256 "+b64(sum))
	if status != 201 {
		e.t.Fatalf("create upload: %d %s", status, body)
	}
	loc, _ := url(hdr.Get("Location"))
	return loc
}

func url(raw string) (string, error) {
	i := strings.Index(raw, "/api/")
	if i < 0 {
		return "", fmt.Errorf("no path in %q", raw)
	}
	return raw[i:], nil
}

func (e *env) uploadOffset(token, p string) int64 {
	e.t.Helper()
	status, _, hdr := e.raw("HEAD", p, token, nil, "Tus-Resumable", "1.0.0")
	off, err := strconv.ParseInt(hdr.Get("Upload-Offset"), 10, 64)
	if status != 200 || err != nil {
		e.t.Fatalf("HEAD %s: %d, offset %q", p, status, hdr.Get("Upload-Offset"))
	}
	return off
}

func patchHead(host, p, token string, offset, length int) string {
	return fmt.Sprintf("PATCH %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nTus-Resumable: 1.0.0\r\n"+
		"Content-Type: application/offset+octet-stream\r\nUpload-Offset: %d\r\nContent-Length: %d\r\n\r\n", p, host, token, offset, length)
}

// TestHeadersThenSilenceIsCut: a client that sends its headers and then
// nothing is cut within the rate window, and the server stays responsive.
func TestHeadersThenSilenceIsCut(t *testing.T) {
	e := newTransportEnv(t, testTransport, nil)
	conn := e.dial()
	fmt.Fprintf(conn, "POST /api/v1/sessions HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n", e.srv.Listener.Addr())
	got, took := readUntilClosed(t, conn, 20*time.Second)
	if took > 15*time.Second {
		t.Fatalf("silent body held for %v, want a cut after about %v", took, testTransport.BodyRateWindow)
	}
	if len(got) > 0 && !bytes.Contains(got, []byte("Connection: close")) {
		t.Fatalf("answer to a cut body keeps the connection: %q", got)
	}
	e.healthy()
}

// TestIgnoredBodyIsCut: a handler that answers without reading the body
// (here, an unauthenticated publish) is not held by a client that sends
// its body slowly, nor is the connection.
func TestIgnoredBodyIsCut(t *testing.T) {
	e := newTransportEnv(t, testTransport, nil)
	conn := e.dial()
	fmt.Fprintf(conn, "POST /api/v1/releases/1/publish HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", e.srv.Listener.Addr())
	got, took := readUntilClosed(t, conn, 20*time.Second)
	if took > 15*time.Second {
		t.Fatalf("ignored body held the connection for %v", took)
	}
	if !bytes.HasPrefix(got, []byte("HTTP/1.1 401")) || !bytes.Contains(got, []byte("Connection: close")) {
		t.Fatalf("answer %q, want 401 with Connection: close", got)
	}
	e.healthy()
}

// TestSlowHeadersAreCut: headers must arrive within ReadHeaderTimeout.
func TestSlowHeadersAreCut(t *testing.T) {
	e := newTransportEnv(t, testTransport, nil)
	conn := e.dial()
	io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
	if _, took := readUntilClosed(t, conn, 20*time.Second); took > 15*time.Second {
		t.Fatalf("unfinished headers held for %v", took)
	}
	e.healthy()
}

// TestTrickledBodyIsCut sends a tus PATCH one byte every 10 ms, far under
// the floor: it is cut, and the bytes that arrived are kept.
func TestTrickledBodyIsCut(t *testing.T) {
	e := newTransportEnv(t, testTransport, nil)
	c, _ := e.signUp("ann", true)
	data := testmedia.SilentMP3(10_000)
	p := e.createUpload(c.Token(), len(data), hexSHA(data))
	conn := e.dial()
	io.WriteString(conn, patchHead(e.srv.Listener.Addr().String(), p, c.Token(), 0, len(data)))
	var wg gosync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range data {
			if _, err := conn.Write(data[i : i+1]); err != nil {
				return
			}
			time.Sleep(10 * time.Millisecond) // the trickle's pace
		}
	}()
	got, took := readUntilClosed(t, conn, 20*time.Second)
	conn.Close()
	wg.Wait()
	if took > 15*time.Second { // uncut, the trickle would take 100 s
		t.Fatalf("trickle cut after %v", took)
	}
	// The answer may be lost to a reset, as the trickle still arrives.
	if len(got) > 0 && !bytes.Contains(got, []byte("Connection: close")) {
		t.Fatalf("answer to a cut body keeps the connection: %q", got)
	}
	if off := e.uploadOffset(c.Token(), p); off <= 0 || off >= int64(len(data)) {
		t.Fatalf("offset after the cut = %d, want the bytes that arrived kept", off)
	}
	e.healthy()
}

// pacedReader serves data at about rate bytes per second.
type pacedReader struct {
	data []byte
	step int
	rate int
	// stallAt, if set, drops the pace to one byte per 20 ms from this offset.
	stallAt int64
}

func (r *pacedReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(r.data)) {
		return 0, io.EOF
	}
	n := min(len(p), r.step, len(r.data)-int(off))
	pause := time.Duration(n) * time.Second / time.Duration(r.rate)
	if r.stallAt > 0 && off >= r.stallAt {
		n, pause = 1, 20*time.Millisecond
	}
	time.Sleep(pause) // the sender's pace
	copy(p, r.data[off:off+int64(n)])
	return n, nil
}

// TestSlowUploadCompletes uploads slowly, ten times above the floor over
// one-second windows (a window's bytes arrive in its first tenth, so only a
// stall of 0.9 s could cut it): it is never cut and arrives whole. The
// first PATCH outlasts a window, so the window must move on with the bytes.
func TestSlowUploadCompletes(t *testing.T) {
	tr := testTransport
	tr.MinBodyRate, tr.BodyRateWindow = 4000, time.Second
	e := newTransportEnv(t, tr, nil)
	c, _ := e.signUp("ann", true)
	data := testmedia.SilentMP3(64_000)
	sum := hexSHA(data)
	u := &mhttp.Upload{SHA256: sum, Size: int64(len(data)), ChunkSize: 48_000}
	if _, err := c.UploadFile(context.Background(), &pacedReader{data: data, step: 400, rate: 10 * 4000}, u); err != nil {
		t.Fatalf("upload at ten times the floor: %v", err)
	}
	e.wantBlob(c, data)
}

func (e *env) wantBlob(c *mhttp.Client, data []byte) {
	e.t.Helper()
	sum := hexSHA(data)
	if ok, err := c.HasBlob(context.Background(), sum); !ok || err != nil {
		e.t.Fatalf("HasBlob = %v, %v", ok, err)
	}
	stored, err := os.ReadFile(disk.Path(filepath.Join(e.dir, "blobs"), sum))
	if err != nil || hexSHA(stored) != sum {
		e.t.Fatalf("stored blob does not hash to %s (err %v)", sum, err)
	}
}

// TestCutUploadResumes: an upload that stalls is cut, keeps what arrived,
// and a second attempt sends only the rest.
func TestCutUploadResumes(t *testing.T) {
	e := newTransportEnv(t, testTransport, nil)
	c, _ := e.signUp("ann", true)
	data := testmedia.SilentMP3(40_000)
	u := &mhttp.Upload{SHA256: hexSHA(data), Size: int64(len(data)), ChunkSize: int64(len(data))}
	_, err := c.UploadFile(context.Background(), &pacedReader{data: data, step: 1000, rate: 100_000, stallAt: 16_000}, u)
	if err == nil {
		t.Fatal("a stalled upload was not cut")
	}
	kept := e.uploadOffset(c.Token(), strings.TrimPrefix(u.URL, e.srv.URL))
	if kept < 8_000 || kept >= int64(len(data)) {
		t.Fatalf("kept %d bytes of a cut upload, want about 16000", kept)
	}
	resumed := &mhttp.Upload{SHA256: u.SHA256, Size: u.Size, ChunkSize: u.ChunkSize, URL: u.URL}
	sent, err := c.UploadFile(context.Background(), bytes.NewReader(data), resumed)
	if err != nil {
		t.Fatal(err)
	}
	if sent != int64(len(data))-kept {
		t.Fatalf("resumed upload sent %d bytes, want the %d after the offset", sent, int64(len(data))-kept)
	}
	e.wantBlob(c, data)
}

// overtaker holds the PATCH of a cut connection until the client's resumed
// PATCH arrives, lets it finish, then passes the resumed one on: on a real
// network the stale request is simply dispatched late.
type overtaker struct {
	next     http.Handler
	stale    int // which PATCH is the cut one
	patches  atomic.Int32
	release  chan struct{}
	done     chan struct{}
	statuses gosync.Map // PATCH number → status
}

func (o *overtaker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPatch {
		o.next.ServeHTTP(w, r)
		return
	}
	n := int(o.patches.Add(1))
	rec := &statusOf{ResponseWriter: w}
	switch n {
	case o.stale:
		select {
		case <-o.release:
		case <-time.After(10 * time.Second):
		}
		o.next.ServeHTTP(rec, r)
		close(o.done)
	case o.stale + 1:
		close(o.release)
		select {
		case <-o.done:
		case <-time.After(10 * time.Second):
		}
		o.next.ServeHTTP(rec, r)
	default:
		o.next.ServeHTTP(rec, r)
	}
	o.statuses.Store(n, rec.status)
}

type statusOf struct {
	http.ResponseWriter
	status int
}

func (s *statusOf) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

func (s *statusOf) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// TestResumeAfterOvertakenPatch: the cut PATCH moves the offset after the
// client read it; the resumed PATCH gets 409 and the client asks again.
func TestResumeAfterOvertakenPatch(t *testing.T) {
	o := &overtaker{stale: 2, release: make(chan struct{}), done: make(chan struct{})}
	e := newTransportEnv(t, mhttp.DefaultTransport, func(h http.Handler) http.Handler { o.next = h; return o })
	c, _ := e.signUp("ann", true)
	data := testmedia.SilentMP3(300_000)
	u := &mhttp.Upload{SHA256: hexSHA(data), Size: int64(len(data)), ChunkSize: 100_000}
	if _, err := c.UploadFile(context.Background(), &failingReader{data: data, limit: 150_000}, u); err == nil {
		t.Fatal("upload over a cut connection succeeded")
	}
	// The server has the cut PATCH, held, before the client resumes.
	for deadline := time.Now().Add(5 * time.Second); o.patches.Load() < 2; {
		if time.Now().After(deadline) {
			t.Fatal("the cut PATCH never reached the server")
		}
		time.Sleep(5 * time.Millisecond) // polling the server's count
	}
	resumed := &mhttp.Upload{SHA256: u.SHA256, Size: u.Size, ChunkSize: u.ChunkSize, URL: u.URL}
	if _, err := c.UploadFile(context.Background(), bytes.NewReader(data), resumed); err != nil {
		t.Fatalf("resume after the cut PATCH overtook: %v", err)
	}
	if s, _ := o.statuses.Load(3); s != http.StatusConflict {
		t.Fatalf("resumed PATCH answered %v, want 409 (the overtaking did not happen)", s)
	}
	e.wantBlob(c, data)
}

// TestInterruptedPatchClosesConnection: a PATCH interrupted by another
// request for its upload is answered with Connection: close and its
// connection is closed, so no later request is served on it.
func TestInterruptedPatchClosesConnection(t *testing.T) {
	e := newTransportEnv(t, mhttp.DefaultTransport, nil)
	c, _ := e.signUp("ann", true)
	data := testmedia.SilentMP3(600_000)
	p := e.createUpload(c.Token(), len(data), hexSHA(data))
	conn := e.dial()
	io.WriteString(conn, patchHead(e.srv.Listener.Addr().String(), p, c.Token(), 0, len(data)))
	conn.Write(data[:300_000])
	// Wait until the first PATCH is writing its bytes, holding the upload
	// (they reach the staging file in whole buffers of 256 KiB).
	staged := filepath.Join(e.dir, "blobs", "uploads", path.Base(p))
	for deadline := time.Now().Add(5 * time.Second); ; {
		if fi, err := os.Stat(staged); err == nil && fi.Size() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first PATCH never wrote its first bytes")
		}
		time.Sleep(5 * time.Millisecond) // polling the staging file
	}
	status, body, _ := e.raw("PATCH", p, c.Token(), bytes.NewReader(data), "Tus-Resumable", "1.0.0",
		"Upload-Offset", "0", "Content-Type", "application/offset+octet-stream")
	if status != http.StatusConflict {
		t.Fatalf("second PATCH: %d %s, want 409 (the first one kept its bytes)", status, body)
	}
	got, _ := readUntilClosed(t, conn, 20*time.Second)
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(got)), nil)
	if err != nil {
		t.Fatalf("interrupted PATCH's answer %q: %v", got, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !resp.Close || !strings.HasPrefix(string(b), "ERR_UPLOAD_INTERRUPTED") {
		t.Fatalf("interrupted PATCH: %d close=%v %q, want 400 ERR_UPLOAD_INTERRUPTED with Connection: close", resp.StatusCode, resp.Close, b)
	}
}

// connKiller drops the connection of the first PATCH part way through its
// body, as a server that dies mid-request does.
type connKiller struct {
	next    http.Handler
	patches atomic.Int32
}

func (k *connKiller) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPatch && k.patches.Add(1) == 1 {
		io.CopyN(io.Discard, r.Body, 50_000)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	k.next.ServeHTTP(w, r)
}

// TestUploadGoesOnAfterTheConnectionBreaks: a PATCH whose connection
// breaks (behind one address, the server it reached died) is not the end
// of the upload: the client asks for the offset and sends the rest.
func TestUploadGoesOnAfterTheConnectionBreaks(t *testing.T) {
	k := &connKiller{}
	e := newTransportEnv(t, mhttp.DefaultTransport, func(h http.Handler) http.Handler { k.next = h; return k })
	c, _ := e.signUp("ann", true)
	data := testmedia.SilentMP3(300_000)
	u := &mhttp.Upload{SHA256: hexSHA(data), Size: int64(len(data)), ChunkSize: 100_000}
	if _, err := c.UploadFile(context.Background(), &sectionOnly{data}, u); err != nil {
		t.Fatalf("upload after a broken connection: %v", err)
	}
	if n := k.patches.Load(); n < 4 {
		t.Fatalf("%d PATCHes, want the broken one and the 3 chunks", n)
	}
	if b, err := e.p.Blobs.FindBlob(context.Background(), u.SHA256); err != nil || b.Size != int64(len(data)) {
		t.Fatalf("blob = %+v, %v", b, err)
	}
}

// sectionOnly is a ReaderAt that is not a file, so chunks go through
// ReadAt rather than sendfile.
type sectionOnly struct{ b []byte }

func (s *sectionOnly) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(s.b).ReadAt(p, off)
}
