package app

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// AssetHandler serves what the window shows that is not in the bundle:
// cover images, fetched here so the window itself never loads remote
// content. Paths: /covers/release/ID and /covers/library/PURCHASE.
func (a *App) AssetHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind, idText, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/covers/"), "/")
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil || id <= 0 || a.client == nil {
			http.NotFound(w, r)
			return
		}
		switch kind {
		case "release":
			a.serveReleaseCover(w, r, id)
		case "library":
			a.serveLibraryCover(w, r, id)
		default:
			http.NotFound(w, r)
		}
	})
}

func (a *App) serveReleaseCover(w http.ResponseWriter, r *http.Request, id int64) {
	dir := filepath.Join(a.cfg.Home, "covers")
	p := filepath.Join(dir, strconv.FormatInt(id, 10))
	if b, err := os.ReadFile(p); err == nil {
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Write(b)
		return
	}
	var buf bytes.Buffer
	if _, err := a.client.DownloadCover(r.Context(), id, &buf); err != nil {
		http.NotFound(w, r)
		return
	}
	os.MkdirAll(dir, 0o700)
	os.WriteFile(p, buf.Bytes(), 0o600)
	w.Write(buf.Bytes())
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
