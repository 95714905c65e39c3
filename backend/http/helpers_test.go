package http_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

// env is a real megaboxd (SQLite + disk bucket in a temp dir) over loopback.
type env struct {
	t   *testing.T
	dir string
	p   *platform.Platform
	srv *httptest.Server
	n   atomic.Int64
}

func newEnv(t *testing.T, cfg platform.Config) *env {
	t.Helper()
	dir := t.TempDir()
	p, err := platform.Open(context.Background(), dir, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	t.Cleanup(func() { srv.Close(); p.Close() })
	return &env{t: t, dir: dir, p: p, srv: srv}
}

func mustEnv(t *testing.T) *env { return newEnv(t, platform.DefaultConfig) }

func (e *env) client() *mhttp.Client {
	c, err := mhttp.NewClient(e.srv.URL, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// signUp creates an account and returns a client signed in as it.
func (e *env) signUp(name string, creator bool) (*mhttp.Client, *api.Account) {
	e.t.Helper()
	c := e.client()
	email := fmt.Sprintf("%s%d@example.com", name, e.n.Add(1))
	a, err := c.CreateAccount(context.Background(), api.AccountCreate{Email: email, Password: "long enough pw", DisplayName: name, Creator: creator})
	if err != nil {
		e.t.Fatalf("sign up %s: %v", name, err)
	}
	if _, err := c.CreateSession(context.Background(), api.Credentials{Email: email, Password: "long enough pw"}); err != nil {
		e.t.Fatalf("sign in %s: %v", name, err)
	}
	return c, a
}

// upload sends data through tus and returns its sha256.
func (e *env) upload(c *mhttp.Client, data []byte) string {
	e.t.Helper()
	sum := hexSHA(data)
	u := &mhttp.Upload{SHA256: sum, Size: int64(len(data)), Filename: "f"}
	if _, err := c.UploadFile(context.Background(), bytes.NewReader(data), u); err != nil {
		e.t.Fatalf("upload: %v", err)
	}
	return sum
}

func hexSHA(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// raw sends a request with an optional bearer token and headers given as
// name, value pairs ("Host" sets the request's host) and returns status,
// body and headers.
func (e *env) raw(method, path, token string, body io.Reader, hdr ...string) (int, []byte, http.Header) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil && !strings.HasPrefix(path, mhttp.UploadsPath) {
		req.Header.Set("Content-Type", "application/json") // unless hdr says otherwise
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if http.CanonicalHeaderKey(hdr[i]) == "Host" {
			req.Host = hdr[i+1]
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// album uploads n short MP3s and a cover and returns a manifest for them.
func (e *env) album(c *mhttp.Client, title string, n int) (api.Manifest, [][]byte) {
	e.t.Helper()
	m := api.Manifest{Title: title, PriceCents: 1000, Currency: "EUR"}
	var files [][]byte
	for i := range n {
		data := testmedia.MP3(e.t, filepath.Join(e.t.TempDir(), "t.mp3"), 1+float64(i)/2, 220+float64(i)*110+float64(e.n.Add(1)), testmedia.Tags{})
		files = append(files, data)
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: i + 1, Title: fmt.Sprintf("Track %d", i+1), AudioSHA256: e.upload(c, data)})
	}
	m.CoverSHA256 = e.upload(c, testmedia.PNG(64, 64))
	return m, files
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := api.ErrorCode(err); got != code {
		t.Fatalf("err = %v (code %q), want code %q", err, got, code)
	}
}

func encodeStd(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// jobDone waits for the platform's job (kind, key) to be done.
func (e *env) jobDone(kind, key string) {
	e.t.Helper()
	wait.For(e.t, 2*time.Minute, func() bool {
		st, err := e.p.Jobs.Status(context.Background(), kind, key)
		return err == nil && st.State == jobs.Done
	}, func() string { return kind + " " + key + " done" })
}
