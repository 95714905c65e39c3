package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/atomicfile"
)

// AssetHandler serves what the window shows that is not in the bundle:
// cover images, fetched here so the window itself never loads remote
// content. Paths: /covers/release/ID/SHA256 (cached by content, so a new
// cover is a new file) and /covers/library/PURCHASE.
func (a *App) AssetHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/covers/"), "/")
		id, err := strconv.ParseInt(parts[min(1, len(parts)-1)], 10, 64)
		switch {
		case err != nil || id <= 0 || !a.started():
			http.NotFound(w, r)
		case parts[0] == "release" && len(parts) == 3 && api.ValidSHA256(parts[2]):
			a.serveReleaseCover(w, r, id, parts[2])
		case parts[0] == "library" && len(parts) == 2:
			a.serveLibraryCover(w, r, id)
		default:
			http.NotFound(w, r)
		}
	})
}

func (a *App) serveReleaseCover(w http.ResponseWriter, r *http.Request, id int64, sha string) {
	p := filepath.Join(a.cfg.Home, "covers", sha)
	if _, err := os.Stat(p); err != nil {
		var buf bytes.Buffer
		if _, err := a.client.DownloadCover(r.Context(), id, &buf); err != nil {
			http.NotFound(w, r)
			return
		}
		sum := sha256.Sum256(buf.Bytes())
		if hex.EncodeToString(sum[:]) != sha { // the release changed meanwhile: show it, keep nothing
			_, _ = w.Write(buf.Bytes()) // a client gone mid-write needs no answer
			return
		}
		err := os.MkdirAll(filepath.Dir(p), 0o700)
		if err == nil {
			err = atomicfile.Write(p, buf.Bytes(), 0o600)
		}
		if err != nil { // no cache this time: serve what was fetched
			slog.Warn("cover cache", "err", err)
			w.Header().Set("Content-Type", http.DetectContentType(buf.Bytes()))
			_, _ = w.Write(buf.Bytes())
			return
		}
	}
	w.Header().Set("Cache-Control", "max-age=31536000, immutable")
	http.ServeFile(w, r, p)
}

func (a *App) serveLibraryCover(w http.ResponseWriter, r *http.Request, purchaseID int64) {
	rels, err := a.library.Releases(r.Context())
	if err != nil {
		http.NotFound(w, r)
		return
	}
	for _, rel := range rels {
		if rel.PurchaseID == purchaseID && rel.CoverPath != "" {
			http.ServeFile(w, r, rel.CoverPath) // a path the library made, inside its folder
			return
		}
	}
	http.NotFound(w, r)
}
