package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/atomicfile"
)

// AssetHandler serves what the window shows that is not in the bundle:
// cover images, fetched here so the window itself never loads remote
// content. Paths: /covers/release/ID/SHA256 and /covers/artist/ID/SHA256
// (cached by content, so a new picture is a new file) and
// /covers/library/PURCHASE.
func (a *App) AssetHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/covers/"), "/")
		id, err := strconv.ParseInt(parts[min(1, len(parts)-1)], 10, 64)
		switch {
		case err != nil || id <= 0 || !a.started():
			http.NotFound(w, r)
		case parts[0] == "release" && len(parts) == 3 && api.ValidSHA256(parts[2]):
			a.serveCached(w, r, parts[2], func(buf *bytes.Buffer) error {
				_, err := a.client.DownloadCover(r.Context(), id, buf)
				return err
			})
		case parts[0] == "artist" && len(parts) == 3 && api.ValidSHA256(parts[2]):
			a.serveCached(w, r, parts[2], func(buf *bytes.Buffer) error {
				artist, err := a.client.FindArtist(r.Context(), id)
				if err != nil {
					return err
				}
				return a.client.DownloadPicture(r.Context(), artist.Handle, parts[2], buf)
			})
		case parts[0] == "library" && len(parts) == 2:
			a.serveLibraryCover(w, r, id)
		default:
			http.NotFound(w, r)
		}
	})
}

// serveCached serves the image whose sha256 is sha from the app's image
// cache, fetching it with fetch the first time.
func (a *App) serveCached(w http.ResponseWriter, r *http.Request, sha string, fetch func(*bytes.Buffer) error) {
	p := filepath.Join(a.cfg.Home, "covers", sha)
	if _, err := os.Stat(p); err != nil {
		var buf bytes.Buffer
		if err := fetch(&buf); err != nil {
			http.NotFound(w, r)
			return
		}
		sum := sha256.Sum256(buf.Bytes())
		if hex.EncodeToString(sum[:]) != sha { // the release changed meanwhile: show it, keep nothing
			serveImage(w, r, bytes.NewReader(buf.Bytes()))
			return
		}
		err := os.MkdirAll(filepath.Dir(p), 0o700)
		if err == nil {
			err = atomicfile.Write(p, buf.Bytes(), 0o600)
		}
		if err != nil { // no cache this time: serve what was fetched
			slog.Warn("cover cache", "err", err)
			serveImage(w, r, bytes.NewReader(buf.Bytes()))
			return
		}
	}
	w.Header().Set("Cache-Control", "max-age=31536000, immutable")
	serveImageFile(w, r, p)
}

func (a *App) serveLibraryCover(w http.ResponseWriter, r *http.Request, purchaseID int64) {
	rels, err := a.library.Releases(r.Context())
	if err != nil {
		http.NotFound(w, r)
		return
	}
	for _, rel := range rels {
		if rel.PurchaseID == purchaseID && rel.CoverPath != "" {
			serveImageFile(w, r, rel.CoverPath) // a path the library made, inside its folder
			return
		}
	}
	http.NotFound(w, r)
}

// serveImageFile serves the image at path, or not found.
func serveImageFile(w http.ResponseWriter, r *http.Request, path string) {
	f, err := os.Open(path)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	serveImage(w, r, f)
}

// serveImage serves content only if it is a PNG or a JPEG, by its bytes,
// and tells the window not to guess otherwise: a cover comes from the
// platform, and anything else in its place (HTML, SVG with script) must
// never run in the window.
func serveImage(w http.ResponseWriter, r *http.Request, content io.ReadSeeker) {
	head := make([]byte, 512)
	n, err := io.ReadFull(content, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		http.NotFound(w, r)
		return
	}
	typ := http.DetectContentType(head[:n])
	if typ != api.MediaPNG && typ != api.MediaJPEG {
		w.Header().Del("Cache-Control")
		http.NotFound(w, r)
		return
	}
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", time.Time{}, content)
}
