package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/net/html"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// env is a real megaboxd (SQLite and a disk bucket in a temp dir) over
// loopback; data goes in through its API, as the desktop app sends it.
type env struct {
	t   *testing.T
	p   *platform.Platform
	srv *httptest.Server
	n   atomic.Int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	cfg := platform.DefaultConfig
	cfg.SignUpsPerHour = 0
	p, err := platform.Open(context.Background(), t.TempDir(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	t.Cleanup(func() { srv.Close(); p.Close() })
	return &env{t: t, p: p, srv: srv}
}

// creator signs up a creator and gives them a profile.
func (e *env) creator(prof api.Profile) *mhttp.Client {
	e.t.Helper()
	ctx := context.Background()
	c, err := mhttp.NewClient(e.srv.URL, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	email := fmt.Sprintf("creator%d@example.com", e.n.Add(1))
	if _, err := c.CreateAccount(ctx, api.AccountCreate{Email: email, Password: "long enough pw", DisplayName: "Someone", Creator: true}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.CreateSession(ctx, api.Credentials{Email: email, Password: "long enough pw"}); err != nil {
		e.t.Fatal(err)
	}
	if prof.PictureSHA256 == "picture" {
		prof.PictureSHA256 = e.upload(c, testmedia.PNG(48, 48))
	}
	if _, err := c.UpdateProfile(ctx, prof); err != nil {
		e.t.Fatalf("profile: %v", err)
	}
	return c
}

// upload sends bytes through tus and returns their sha256.
func (e *env) upload(c *mhttp.Client, data []byte) string {
	e.t.Helper()
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	if _, err := c.UploadFile(context.Background(), bytes.NewReader(data), &mhttp.Upload{SHA256: sha, Size: int64(len(data)), Filename: "f"}); err != nil {
		e.t.Fatalf("upload: %v", err)
	}
	return sha
}

// publish creates a release of the given tracks (short silent MP3s) with
// a cover, from m's other fields, and publishes it.
func (e *env) publish(c *mhttp.Client, m api.Manifest, titles ...string) *api.Release {
	e.t.Helper()
	ctx := context.Background()
	for i, title := range titles {
		sha := e.upload(c, testmedia.SilentMP3(8_000+2_000*i))
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: i + 1, Title: title, AudioSHA256: sha})
	}
	if m.CoverSHA256 == "" {
		m.CoverSHA256 = e.upload(c, testmedia.PNG(32, 32))
	}
	if m.Currency == "" {
		m.Currency = "EUR"
	}
	r, err := c.CreateRelease(ctx, m)
	if err != nil {
		e.t.Fatalf("create release: %v", err)
	}
	if r, err = c.PublishRelease(ctx, r.ID); err != nil {
		e.t.Fatalf("publish: %v", err)
	}
	return r
}

// resp is an answer read whole.
type resp struct {
	status int
	hdr    http.Header
	body   string
	doc    *html.Node
}

// get fetches path as a browser without JavaScript would, with headers as
// name, value pairs. Redirects are not followed.
func (e *env) get(path string, hdr ...string) resp {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	r := resp{status: res.StatusCode, hdr: res.Header, body: string(b)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		if r.doc, err = html.Parse(bytes.NewReader(b)); err != nil {
			e.t.Fatal(err)
		}
	}
	return r
}

// find returns the elements named tag whose attributes include all of
// attrs (name, value pairs).
func find(n *html.Node, tag string, attrs ...string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag && hasAttrs(n, attrs) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func hasAttrs(n *html.Node, attrs []string) bool {
	for i := 0; i+1 < len(attrs); i += 2 {
		if v, ok := attr(n, attrs[i]); !ok || v != attrs[i+1] {
			return false
		}
	}
	return true
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// one is the attribute of the single element that matches.
func one(t *testing.T, doc *html.Node, want, tag string, attrs ...string) string {
	t.Helper()
	els := find(doc, tag, attrs...)
	if len(els) != 1 {
		t.Fatalf("%d <%s %v> elements, want 1", len(els), tag, attrs)
	}
	v, _ := attr(els[0], want)
	return v
}

// text is an element's text, as a reader sees it.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// meta is the content of <meta property|name=key>.
func meta(t *testing.T, doc *html.Node, key string) string {
	t.Helper()
	if strings.HasPrefix(key, "og:") {
		return one(t, doc, "content", "meta", "property", key)
	}
	return one(t, doc, "content", "meta", "name", key)
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
