package drills

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// cutProxy forwards TCP to target and cuts each connection after a random
// number of bytes, while cutting is on.
type cutProxy struct {
	l      net.Listener
	target string
	cut    atomic.Bool
	cuts   atomic.Int64
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{l: l, target: target}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *cutProxy) serve(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer s.Close()
	var up io.Reader = c
	var down io.Reader = s
	if p.cut.Load() {
		limit := int64(64<<10 + mrand.IntN(2<<20))
		up, down = &cutReader{r: c, left: limit, p: p}, &cutReader{r: s, left: limit, p: p}
	}
	go func() { io.Copy(s, up); s.Close() }()
	io.Copy(c, down)
}

type cutReader struct {
	r    io.Reader
	left int64
	p    *cutProxy
}

func (c *cutReader) Read(b []byte) (int, error) {
	if c.left <= 0 {
		c.p.cuts.Add(1)
		return 0, io.EOF
	}
	n, err := c.r.Read(b[:min(int64(len(b)), c.left)])
	c.left -= int64(n)
	return n, err
}

func (p *cutProxy) url() string { return "http://" + p.l.Addr().String() }

// TestCutConnections uploads and downloads through a proxy that cuts
// connections at random offsets: files arrive byte-identical, and each cut
// costs at most one chunk of re-sent upload.
func TestCutConnections(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, build(t, t.TempDir(), "./backend/cmd/megaboxd"), filepath.Join(dir, "data"), "")
	signUp(t, srv.url(), "ann@example.com", true)
	proxy := newCutProxy(t, srv.addr)
	// A new connection per request, so every request meets a cutting proxy.
	ann, _ := mhttp.NewClient(proxy.url(), &http.Client{Transport: &http.Transport{DisableKeepAlives: true}})
	ctx := context.Background()
	if _, err := ann.CreateSession(ctx, api.Credentials{Email: "ann@example.com", Password: "password1"}); err != nil {
		t.Fatal(err)
	}
	proxy.cut.Store(true)

	data := testmedia.SilentMP3(12 << 20)
	h := sha256.Sum256(data)
	sum := hex.EncodeToString(h[:])
	const chunk = 1 << 20
	u := &mhttp.Upload{SHA256: sum, Size: int64(len(data)), ChunkSize: chunk}
	var sent int64
	attempts := 0
	for ; attempts < 200; attempts++ {
		n, err := ann.UploadFile(ctx, bytes.NewReader(data), u)
		sent += n
		if err == nil {
			break
		}
	}
	cuts := proxy.cuts.Load()
	if ok, _ := ann.HasBlob(ctx, sum); !ok {
		t.Fatalf("upload never completed after %d attempts", attempts)
	}
	// The client goes on after a cut itself, so a cut need not end an
	// attempt: count the cuts.
	if resent := sent - int64(len(data)); resent > (cuts+1)*chunk {
		t.Fatalf("re-sent %d bytes over %d cut streams: more than a chunk each", resent, cuts)
	}
	t.Logf("upload: %d attempts, %d cut streams, %d bytes re-sent", attempts+1, cuts, sent-int64(len(data)))

	// Download a track the same way, resuming from what arrived.
	mp3 := testmedia.MP3Bytes(t, 60, 440)
	hm := sha256.Sum256(mp3)
	msum := hex.EncodeToString(hm[:])
	proxy.cut.Store(false)
	ann.UploadFile(ctx, bytes.NewReader(mp3), &mhttp.Upload{SHA256: msum, Size: int64(len(mp3))})
	rel, err := ann.CreateRelease(ctx, api.Manifest{Title: "Cut", PriceCents: 100, Currency: "EUR", Tracks: []api.ManifestTrack{{Position: 1, Title: "T", AudioSHA256: msum}}})
	if err != nil {
		t.Fatal(err)
	}
	proxy.cut.Store(true)
	var got bytes.Buffer
	for i := 0; got.Len() < len(mp3) && i < 200; i++ {
		ann.DownloadTrack(ctx, rel.Tracks[0].ID, int64(got.Len()), &got)
	}
	if !bytes.Equal(got.Bytes(), mp3) {
		t.Fatalf("downloaded %d bytes that differ from the %d uploaded", got.Len(), len(mp3))
	}
}
