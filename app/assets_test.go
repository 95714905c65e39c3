package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Covers reach the window only as PNG or JPEG, by their bytes, with
// nosniff: whatever else the platform sends in a cover's place (a page
// with script) is not found, on every path the handler takes.
func TestCoversAreOnlyImages(t *testing.T) {
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	page := []byte("<html><body><script>fetch('/api/v1/sessions')</script></body></html>")
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	covers := map[string][]byte{"/api/v1/releases/1/cover": page, "/api/v1/releases/2/cover": pngBuf.Bytes(),
		"/@ann/picture/" + sum(page): page, "/@bo/picture/" + sum(pngBuf.Bytes()): pngBuf.Bytes(),
		"/api/v1/artists/3": []byte(`{"id":3,"name":"Ann","handle":"ann"}`), "/api/v1/artists/4": []byte(`{"id":4,"name":"Bo","handle":"bo"}`)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v1/artists/") {
			w.Header().Set("Content-Type", "application/json")
			w.Write(covers[r.URL.Path])
			return
		}
		b, ok := covers[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png") // what it says is not what it is
		w.Write(b)
	}))
	defer srv.Close()
	other := strings.Repeat("ab", 32)

	for _, tc := range []struct {
		name    string
		noCache bool // the cover cache cannot be written
	}{{"cached", false}, {"uncached", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HOME", t.TempDir())
			home := t.TempDir()
			if tc.noCache {
				if err := os.WriteFile(filepath.Join(home, "covers"), nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			a := New(Config{Home: home, PlatformURL: srv.URL, Output: quietOutput{}})
			if err := a.Open(); err != nil {
				t.Fatal(err)
			}
			defer a.Shutdown(t.Context())
			h := a.AssetHandler()
			for _, path := range []string{"/covers/release/1/" + sum(page), "/covers/release/1/" + other, "/covers/artist/3/" + sum(page)} {
				for range 2 { // the second time from the cache, if any
					w := httptest.NewRecorder()
					h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
					if w.Code != http.StatusNotFound {
						t.Errorf("%s: a page in place of a cover: %d %q, want 404", path, w.Code, w.Header().Get("Content-Type"))
					}
				}
			}
			for _, path := range []string{"/covers/release/2/" + sum(pngBuf.Bytes()), "/covers/release/2/" + other, "/covers/artist/4/" + sum(pngBuf.Bytes())} {
				for range 2 {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
					if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/png" ||
						w.Header().Get("X-Content-Type-Options") != "nosniff" || !bytes.Equal(w.Body.Bytes(), pngBuf.Bytes()) {
						t.Errorf("%s: a PNG cover: %d %q nosniff=%q, %d bytes; want 200 image/png nosniff, %d bytes", path,
							w.Code, w.Header().Get("Content-Type"), w.Header().Get("X-Content-Type-Options"), w.Body.Len(), pngBuf.Len())
					}
				}
			}
		})
	}
}
