package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
)

// pageNames are the templates under templates/, each with layout.html
// around it (but embed, a document of its own).
var pageNames = []string{"discover", "artist", "release", "error", "embed", "signin", "signup", "library", "collection", "settings", "redeem", "gift", "gifts", "news", "unsubscribe", "privacy", "download"}

// parsePages parses every page once per language: "t" is bound to the
// language, so templates say {{t "key"}}.
func parsePages(a *assets) map[string]map[string]*template.Template {
	funcs := template.FuncMap{
		"t":     func(key string, args ...any) string { return key },
		"asset": a.url,
	}
	out := map[string]map[string]*template.Template{}
	for lang := range messages {
		out[lang] = map[string]*template.Template{}
		for _, name := range pageNames {
			srcs := []string{"templates/layout.html", "templates/partials.html", "templates/" + name + ".html"}
			if name == "embed" {
				srcs = srcs[1:]
			}
			base := template.Must(template.New(name).Funcs(funcs).ParseFS(files, srcs...))
			l := lang
			base.Funcs(template.FuncMap{"t": func(key string, args ...any) string { return translate(l, key, args...) }})
			out[lang][name] = base
		}
	}
	return out
}

// page is what the layout shows around every page.
type page struct {
	Lang        string
	Title       string // the page's own title
	FullTitle   string // in the window's title bar
	Description string
	Canonical   string
	Image       string // absolute; "" for none
	OGType      string
	Card        string // Twitter card kind
	Langs       []langLink
	OEmbed      string
	Feed        string
	FeedTitle   string
	JSONLD      any
	Body        any
	// The visitor: their name when signed in, the token their forms
	// carry, and this page's path, where signing in comes back to.
	User    string
	CSRF    string
	Here    string
	Refresh bool // reload in a moment: the page waits for something
}

// langLink is one entry of the language switch.
type langLink struct {
	Lang, Label, Href string
	Current           bool
}

// base fills what every page has; path is the page's canonical path.
func (h *Handler) base(r *http.Request, v *visit, title, path string) *page {
	p := &page{Lang: v.lang, Title: title, FullTitle: title + " · Megabox", Canonical: v.origin + path,
		OGType: "website", Card: "summary", Here: localPath(r.URL.RequestURI())}
	if v.caller != nil {
		p.User, p.CSRF = v.caller.Account.DisplayName, sessionCSRF(v.token)
	}
	for _, l := range []string{"en", "fr"} {
		q := r.URL.Query()
		q.Set("lang", l)
		// Only the query changes: a relative "?…" address keeps the page's
		// own path, whatever a visitor typed into it.
		p.Langs = append(p.Langs, langLink{Lang: l, Label: translate(l, "lang.name"), Href: "?" + q.Encode(), Current: l == v.lang})
	}
	return p
}

// render writes a page; a template error is found before any byte is
// sent, so the visitor gets a whole page or an error page.
func (h *Handler) render(w http.ResponseWriter, v *visit, status int, name string, p *page) {
	var buf bytes.Buffer
	t := h.pages[v.lang][name]
	entry := "layout"
	if name == "embed" {
		entry = "embed"
	}
	if err := t.ExecuteTemplate(&buf, entry, p); err != nil {
		h.log.Error("render page", "page", name, "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString("<!doctype html><title>Megabox</title><p>Error / Erreur</p>")
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Language", v.lang)
	if hd.Get("Cache-Control") == "" {
		hd.Set("Cache-Control", "public, max-age=60")
	}
	hd.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // after the status line a failed write has no one to tell
}

// pathEscape escapes one path segment (a handle or slug is already safe;
// this keeps it so).
func pathEscape(s string) string { return url.PathEscape(s) }
