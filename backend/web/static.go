package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static templates
var files embed.FS

// asset is one static file, named in pages by its content's hash so it
// can be cached for good.
type asset struct {
	body   []byte
	hashed string // name.<hash>.ext
	etag   string
	ctype  string
}

// assets are the static files by their plain and hashed names.
type assets struct {
	byName map[string]*asset
}

// bundles are served files made of several sources, in order: the design
// tokens shared with the desktop app, then the pages' own rules.
var bundles = map[string][]string{
	"site.css":  {"static/tokens.css", "static/web.css"},
	"player.js": {"static/player.js"},
	"icon.svg":  {"static/icon.svg"},
}

func loadAssets() *assets {
	a := &assets{byName: map[string]*asset{}}
	for name, srcs := range bundles {
		var body bytes.Buffer
		for _, s := range srcs {
			b, err := files.ReadFile(s)
			if err != nil {
				panic(err) // embedded at build time: a missing file is a build error
			}
			body.Write(b)
			body.WriteByte('\n')
		}
		sum := sha256.Sum256(body.Bytes())
		h := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(name)
		as := &asset{body: body.Bytes(), hashed: strings.TrimSuffix(name, ext) + "." + h + ext, etag: `"` + h + `"`,
			ctype: mime.TypeByExtension(ext)}
		if ext == ".js" {
			as.ctype = "text/javascript; charset=utf-8"
		}
		a.byName[name] = as
		a.byName[as.hashed] = as
	}
	return a
}

// url is where pages load a static file from.
func (a *assets) url(name string) string {
	if as, ok := a.byName[name]; ok {
		return "/static/" + as.hashed
	}
	return "/static/" + name
}

// static serves a static file: for good under its hashed name, checked
// by ETag under its plain one.
func (h *Handler) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	as, ok := h.assets.byName[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", as.ctype)
	hd.Set("ETag", as.etag)
	if name == as.hashed {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "public, max-age=300")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(as.body))
}
