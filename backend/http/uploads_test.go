package http_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/blob/disk"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// failingReader serves bytes until limit, then fails, like a connection
// that drops mid-upload.
type failingReader struct {
	data  []byte
	limit int64
}

var errCut = errors.New("connection cut")

func (f *failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= f.limit {
		return 0, errCut
	}
	n := copy(p, f.data[off:min(int64(len(f.data)), f.limit)])
	if off+int64(n) >= f.limit {
		return n, errCut
	}
	return n, nil
}

func TestUploadInterruptedAndResumed(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c, _ := e.signUp("ann", true)
	const chunk = 1 << 20
	data := testmedia.SilentMP3(5*chunk + 12345)
	sum := hexSHA(data)

	u := &mhttp.Upload{SHA256: sum, Size: int64(len(data)), ChunkSize: chunk}
	var confirmed int64
	u.OnProgress = func(off int64) { confirmed = off }
	cutAt := int64(2*chunk + chunk/2)
	sent1, err := c.UploadFile(ctx, &failingReader{data: data, limit: cutAt}, u)
	if err == nil {
		t.Fatal("upload over a cut connection succeeded")
	}
	if u.URL == "" || confirmed != 2*chunk {
		t.Fatalf("after the cut: url %q, confirmed offset %d, want %d", u.URL, confirmed, 2*chunk)
	}
	if ok, _ := c.HasBlob(ctx, sum); ok {
		t.Fatal("a partial upload became a blob")
	}

	// Resume from the URL a restarted client would have persisted.
	resumed := &mhttp.Upload{SHA256: sum, Size: int64(len(data)), ChunkSize: chunk, URL: u.URL}
	sent2, err := c.UploadFile(ctx, bytes.NewReader(data), resumed)
	if err != nil {
		t.Fatal(err)
	}
	if resent := sent1 + sent2 - int64(len(data)); resent > chunk {
		t.Fatalf("re-sent %d bytes after the cut, want at most one chunk (%d)", resent, chunk)
	}
	t.Logf("sent %d + %d bytes for a %d-byte file", sent1, sent2, len(data))
	if ok, err := c.HasBlob(ctx, sum); !ok || err != nil {
		t.Fatalf("HasBlob after resume = %v, %v", ok, err)
	}
	stored, err := os.ReadFile(disk.Path(filepath.Join(e.dir, "blobs"), sum))
	if err != nil || !bytes.Equal(stored, data) {
		t.Fatalf("stored blob differs from the file (err %v)", err)
	}
	// The staging area is empty once the blob is stored.
	left, _ := os.ReadDir(filepath.Join(e.dir, "blobs", "uploads"))
	if len(left) != 0 {
		t.Fatalf("staging still holds %d files", len(left))
	}
}

func TestCorruptUploadRejected(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c, _ := e.signUp("ann", true)
	data := testmedia.SilentMP3(300_000)
	claimed := hexSHA(randomBytes(10))
	u := &mhttp.Upload{SHA256: claimed, Size: int64(len(data)), ChunkSize: 100_000}
	_, err := c.UploadFile(ctx, bytes.NewReader(data), u)
	wantCode(t, err, api.ECHECKSUM)
	if ok, _ := c.HasBlob(ctx, claimed); ok {
		t.Fatal("a blob with a mismatched hash was kept")
	}
	if ok, _ := c.HasBlob(ctx, hexSHA(data)); ok {
		t.Fatal("the mismatched bytes were kept under their real hash")
	}
	// The upload is gone: resuming it starts a new one.
	status, _, _ := e.raw("HEAD", strings.TrimPrefix(u.URL, e.srv.URL), c.Token(), nil, "Tus-Resumable", "1.0.0")
	if status != 404 {
		t.Fatalf("HEAD on the discarded upload: %d, want 404", status)
	}
	entries, _ := os.ReadDir(filepath.Join(e.dir, "blobs", "uploads"))
	if len(entries) != 0 {
		t.Fatalf("%d staging files left after a rejected upload", len(entries))
	}
}

func TestDedupByHead(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("ann", true)
	bob, _ := e.signUp("bob", true)
	data := testmedia.SilentMP3(50_000)
	sum := hexSHA(data)
	if ok, _ := ann.HasBlob(ctx, sum); ok {
		t.Fatal("HasBlob before upload = true")
	}
	e.upload(ann, data)
	if ok, _ := ann.HasBlob(ctx, sum); !ok {
		t.Fatal("HasBlob after upload = false")
	}
	// Owning a blob takes uploading it: knowing the hash is not enough.
	if ok, _ := bob.HasBlob(ctx, sum); ok {
		t.Fatal("another account owns the blob without uploading it")
	}
	e.upload(bob, data)
	if ok, _ := bob.HasBlob(ctx, sum); !ok {
		t.Fatal("second uploader does not own the blob")
	}
	for _, p := range []string{"/api/v1/blobs/" + strings.ToUpper(sum), "/api/v1/blobs/..%2f..%2fetc", "/api/v1/blobs/" + sum[:10]} {
		if status, _, _ := e.raw("HEAD", p, ann.Token(), nil); status != 404 {
			t.Errorf("HEAD %s: %d, want 404", p, status)
		}
	}
	if status, _, _ := e.raw("HEAD", "/api/v1/blobs/"+sum, "", nil); status != 401 {
		t.Errorf("anonymous HEAD: %d, want 401", status)
	}
}

func TestUploadLimits(t *testing.T) {
	e := newEnv(t, platform.Config{MaxUploadSize: 1 << 20, Quota: 3 << 20})
	ctx := context.Background()
	c, _ := e.signUp("ann", true)

	// Over the per-file limit: refused at creation, before any byte.
	_, err := c.UploadFile(ctx, bytes.NewReader(nil), &mhttp.Upload{SHA256: hexSHA(nil), Size: 2 << 20})
	if api.ErrorCode(err) != api.ETOOLARGE {
		t.Fatalf("oversized upload: %v, want too_large", err)
	}
	// Quota: three 1 MiB files fit, a fourth does not.
	for range 3 {
		e.upload(c, testmedia.SilentMP3(1<<20))
	}
	_, err = c.UploadFile(ctx, bytes.NewReader(randomBytes(1000)), &mhttp.Upload{SHA256: hexSHA([]byte("x")), Size: 1000})
	wantCode(t, err, api.EQUOTA)

	// Metadata the server requires.
	for _, meta := range []string{"", "sha256 " + b64("nothex"), "filename " + b64("a.mp3")} {
		status, body, _ := e.raw("POST", "/api/v1/uploads/", c.Token(), nil, "Tus-Resumable", "1.0.0", "Upload-Length", "10", "Upload-Metadata", meta)
		if status != 400 || !strings.Contains(string(body), "sha256") {
			t.Errorf("metadata %q: %d %s, want 400 about sha256", meta, status, body)
		}
	}
	status, _, _ := e.raw("POST", "/api/v1/uploads/", c.Token(), nil, "Tus-Resumable", "1.0.0", "Upload-Defer-Length", "1", "Upload-Metadata", "sha256 "+b64(hexSHA(nil)))
	if status != 501 {
		t.Errorf("deferred length: %d, want 501 (the extension is not offered)", status)
	}
}

func b64(s string) string { return encodeStd(s) }

func TestUploadsAreTheirOwners(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("ann", true)
	bob, _ := e.signUp("bob", true)
	data := testmedia.SilentMP3(200_000)
	u := &mhttp.Upload{SHA256: hexSHA(data), Size: int64(len(data)), ChunkSize: 100_000}
	ann.UploadFile(ctx, &failingReader{data: data, limit: 100_000}, u)
	path := strings.TrimPrefix(u.URL, e.srv.URL)
	for _, req := range []struct{ method, token string }{{"HEAD", bob.Token()}, {"PATCH", bob.Token()}, {"DELETE", bob.Token()}, {"HEAD", ""}} {
		status, _, _ := e.raw(req.method, path, req.token, strings.NewReader("zzzz"), "Tus-Resumable", "1.0.0", "Upload-Offset", "100000", "Content-Type", "application/offset+octet-stream")
		if status != 404 && !(req.token == "" && status == 401) {
			t.Errorf("%s by another account: %d, want 404", req.method, status)
		}
	}
	// The owner can still finish it.
	if _, err := ann.UploadFile(ctx, bytes.NewReader(data), u); err != nil {
		t.Fatal(err)
	}
	// Made-up ids never reach the file system.
	for _, id := range []string{"..%2f..%2fmegabox.db", "abc", strings.Repeat("0", 32)} {
		if status, _, _ := e.raw("HEAD", "/api/v1/uploads/"+id, ann.Token(), nil, "Tus-Resumable", "1.0.0"); status != 404 {
			t.Errorf("HEAD upload %q: %d, want 404", id, status)
		}
	}
}

func TestUploadCancel(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c, _ := e.signUp("ann", true)
	data := testmedia.SilentMP3(200_000)
	u := &mhttp.Upload{SHA256: hexSHA(data), Size: int64(len(data)), ChunkSize: 50_000}
	c.UploadFile(ctx, &failingReader{data: data, limit: 60_000}, u)
	if err := c.CancelUpload(ctx, u.URL); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := e.raw("HEAD", strings.TrimPrefix(u.URL, e.srv.URL), c.Token(), nil, "Tus-Resumable", "1.0.0"); status != 404 {
		t.Fatalf("HEAD after cancel: %d, want 404", status)
	}
}

// TestTusJSClient uploads with tus-js-client, the protocol's reference
// client, proving any standard tus client works against megaboxd.
func TestTusJSClient(t *testing.T) {
	if _, err := os.Stat("testdata/tusjs/node_modules/tus-js-client"); err != nil {
		t.Fatal("tus-js-client is not installed: run .ci/deps test (or npm install in backend/http/testdata/tusjs)")
	}
	e := mustEnv(t)
	c, _ := e.signUp("ann", true)
	data := testmedia.SilentMP3(3<<20 + 17)
	file := filepath.Join(t.TempDir(), "data.bin")
	os.WriteFile(file, data, 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "node", "testdata/tusjs/upload.mjs", e.srv.URL+"/api/v1/uploads/", c.Token(), file, hexSHA(data), fmt.Sprint(1<<20)).CombinedOutput()
	if err != nil {
		t.Fatalf("tus-js-client: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "/api/v1/uploads/") {
		t.Fatalf("tus-js-client printed %q, want the upload URL", out)
	}
	if ok, _ := c.HasBlob(ctx, hexSHA(data)); !ok {
		t.Fatal("the blob uploaded by tus-js-client is missing")
	}
	// And a mismatched hash is refused to it as well.
	out, err = exec.CommandContext(ctx, "node", "testdata/tusjs/upload.mjs", e.srv.URL+"/api/v1/uploads/", c.Token(), file, hexSHA([]byte("x")), fmt.Sprint(1<<20)).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "460") {
		t.Fatalf("tus-js-client with a wrong hash: err %v, output %q; want a 460 failure", err, out)
	}
}

// TestOversizedBodyRefusedBeforeReading declares a huge body and sends
// none: the server must answer 413 without waiting for it.
func TestOversizedBodyRefusedBeforeReading(t *testing.T) {
	e := mustEnv(t)
	c, _ := e.signUp("ann", true)
	for _, req := range []string{
		"POST /api/v1/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n",
		"POST /api/v1/releases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + c.Token() + "\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n",
		"POST /api/v1/uploads/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + c.Token() + "\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 99999999999\r\nUpload-Metadata: sha256 " + b64(hexSHA(nil)) + "\r\nContent-Length: 0\r\n\r\n",
	} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(conn, req)
		line := make([]byte, 12)
		_, err = io.ReadFull(conn, line)
		conn.Close()
		if err != nil || string(line) != "HTTP/1.1 413" {
			t.Errorf("%s…: got %q, %v; want an immediate 413", req[:30], line, err)
		}
	}
}

// TestAbandonedUploadsExpire checks a week-old unfinished upload is
// removed with its staging bytes and gives its quota back.
func TestAbandonedUploadsExpire(t *testing.T) {
	e := newEnv(t, platform.Config{MaxUploadSize: 1 << 20, Quota: 1 << 20})
	ctx := context.Background()
	c, _ := e.signUp("ann", true)
	data := testmedia.SilentMP3(900_000)
	u := &mhttp.Upload{SHA256: hexSHA(data), Size: int64(len(data)), ChunkSize: 300_000}
	c.UploadFile(ctx, &failingReader{data: data, limit: 300_000}, u)
	// The quota is taken by the unfinished upload.
	_, err := c.UploadFile(ctx, bytes.NewReader(data[:200_000]), &mhttp.Upload{SHA256: hexSHA(data[:200_000]), Size: 200_000})
	wantCode(t, err, api.EQUOTA)
	if n, _ := e.p.Handler.ExpireUploads(ctx, time.Now()); n != 0 {
		t.Fatalf("a fresh upload expired (%d)", n)
	}
	n, err := e.p.Handler.ExpireUploads(ctx, time.Now().Add(mhttp.UploadLifetime+time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("ExpireUploads = %d, %v; want 1", n, err)
	}
	if entries, _ := os.ReadDir(filepath.Join(e.dir, "blobs", "uploads")); len(entries) != 0 {
		t.Fatalf("%d staging files left", len(entries))
	}
	if status, _, _ := e.raw("HEAD", strings.TrimPrefix(u.URL, e.srv.URL), c.Token(), nil, "Tus-Resumable", "1.0.0"); status != 404 {
		t.Fatalf("expired upload answers %d", status)
	}
	if _, err := c.UploadFile(ctx, bytes.NewReader(data[:200_000]), &mhttp.Upload{SHA256: hexSHA(data[:200_000]), Size: 200_000}); err != nil {
		t.Fatalf("quota not given back: %v", err)
	}
}

// TestUploadURLScheme: behind a trusted proxy that ends TLS the upload's
// URL says https; nobody else can change its scheme or host.
func TestUploadURLScheme(t *testing.T) {
	cfg := platform.DefaultConfig
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	trusted := newEnv(t, cfg)
	untrusted := mustEnv(t)
	for _, tc := range []struct {
		e    *env
		hdr  []string
		want string
	}{
		{trusted, []string{"X-Forwarded-Proto", "https"}, "https://"},
		{trusted, []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example"}, "https://127.0.0.1"},
		{trusted, []string{"Forwarded", "proto=https;host=evil.example"}, "http://127.0.0.1"},
		{untrusted, []string{"X-Forwarded-Proto", "https"}, "http://127.0.0.1"},
		{untrusted, []string{"X-Forwarded-Host", "evil.example"}, "http://127.0.0.1"},
	} {
		c, _ := tc.e.signUp("nova", true)
		data := []byte("0123456789")
		hdr := append([]string{"Tus-Resumable", "1.0.0", "Upload-Length", "10", "Upload-Metadata", "sha256 " + b64(hexSHA(data))}, tc.hdr...)
		status, body, h := tc.e.raw("POST", "/api/v1/uploads/", c.Token(), nil, hdr...)
		loc := h.Get("Location")
		if status != 201 || !strings.HasPrefix(loc, tc.want) || strings.Contains(loc, "evil") {
			t.Errorf("%v: %d %s, Location %q, want it to start with %q", tc.hdr, status, body, loc, tc.want)
		}
	}
}
