package web

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
)

// Embed sizes, in CSS pixels: what oEmbed announces and the frame gets.
const (
	embedWidth         = 400
	embedCompactHeight = 120
	embedFullHeight    = 480
)

// embedBody is a release in a frame on another site.
type embedBody struct {
	R       *releaseBody
	Page    string // the release page, absolute
	Compact bool
}

// embed shows a published release in a frame, compact or full; any site
// may frame it.
func (h *Handler) embed(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return api.Errorf(api.ENOTFOUND, "no such release")
	}
	pr, err := h.publicRelease(r, id)
	if err != nil {
		return err
	}
	b, err := h.releaseBody(v, pr)
	if err != nil {
		return err
	}
	canon := releasePath(pr.Artist.Handle, pr.Release.Slug)
	p := h.base(r, v, pr.Release.Title, canon)
	p.FullTitle = pr.Release.Title + " · " + pr.Artist.DisplayName
	p.Body = embedBody{R: b, Page: v.origin + canon, Compact: r.URL.Query().Get("size") != "full"}
	w.Header().Set("Content-Security-Policy", csp(true))
	w.Header().Del("X-Frame-Options")
	h.render(w, v, http.StatusOK, "embed", p)
	return nil
}

// publicRelease is a published release with its artist's profile, when
// the artist has a page to link to.
func (h *Handler) publicRelease(r *http.Request, id int64) (*api.PublicRelease, error) {
	rel, err := h.releases.FindRelease(api.NewContextWithCaller(r.Context(), nil), id)
	if err != nil {
		return nil, err
	}
	if rel.State != api.StatePublished {
		return nil, api.Errorf(api.ENOTFOUND, "no such release")
	}
	p, err := h.dir.Profile(r.Context(), rel.ArtistID)
	if err != nil {
		return nil, err
	}
	if p.Handle == "" {
		return nil, api.Errorf(api.ENOTFOUND, "no such release")
	}
	return &api.PublicRelease{Artist: *p, Release: *rel}, nil
}

// oembedAnswer is an oEmbed 1.0 "rich" response.
type oembedAnswer struct {
	Version      string `json:"version"`
	Type         string `json:"type"`
	ProviderName string `json:"provider_name"`
	ProviderURL  string `json:"provider_url"`
	Title        string `json:"title"`
	AuthorName   string `json:"author_name"`
	AuthorURL    string `json:"author_url"`
	HTML         string `json:"html"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	ThumbnailURL string `json:"thumbnail_url,omitempty"`
}

// oembed answers oEmbed for this site's release pages: the embed in an
// iframe. Only JSON is offered (501 for other formats, as the spec says).
func (h *Handler) oembed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if f := q.Get("format"); f != "" && f != "json" {
		http.Error(w, "format not offered: use format=json", http.StatusNotImplemented)
		return
	}
	origin := h.scheme(r) + "://" + r.Host
	pr, err := h.oembedRelease(r, q.Get("url"))
	if err != nil {
		if api.ErrorCode(err) == api.ENOTFOUND {
			http.Error(w, "no release at this address", http.StatusNotFound)
			return
		}
		h.log.ErrorContext(r.Context(), "oembed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	full := q.Get("size") == "full"
	width, height := embedWidth, embedCompactHeight
	if full {
		height = embedFullHeight
	}
	if mw, err := strconv.Atoi(q.Get("maxwidth")); err == nil && mw > 0 && mw < width {
		width = mw
	}
	src := origin + "/embed/release/" + strconv.FormatInt(pr.Release.ID, 10)
	if full {
		src += "?size=full"
	}
	a := oembedAnswer{Version: "1.0", Type: "rich", ProviderName: "Megabox", ProviderURL: origin + "/",
		Title: pr.Release.Title, AuthorName: pr.Artist.DisplayName, AuthorURL: origin + "/@" + pathEscape(pr.Artist.Handle),
		Width: width, Height: height,
		HTML: `<iframe src="` + html.EscapeString(src) + `" width="` + strconv.Itoa(width) + `" height="` + strconv.Itoa(height) +
			`" style="border:0" loading="lazy" title="` + html.EscapeString(pr.Release.Title+" · "+pr.Artist.DisplayName) + `"></iframe>`}
	if pr.Release.CoverSHA256 != "" {
		a.ThumbnailURL = origin + coverPath(pr.Release.ID)
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", "public, max-age=300")
	hd.Set("Access-Control-Allow-Origin", "*")
	_ = json.NewEncoder(w).Encode(a)
}

// oembedRelease finds the release a page address of this site names.
func (h *Handler) oembedRelease(r *http.Request, raw string) (*api.PublicRelease, error) {
	u, err := url.Parse(raw)
	if err != nil || !strings.EqualFold(u.Host, r.Host) {
		return nil, api.Errorf(api.ENOTFOUND, "not a page of this site")
	}
	parts := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	if len(parts) != 2 {
		return nil, api.Errorf(api.ENOTFOUND, "not a release page")
	}
	handle, ok := handleOf(parts[0])
	if !ok {
		return nil, api.Errorf(api.ENOTFOUND, "not a release page")
	}
	return h.profiles.ReleaseByPath(r.Context(), handle, strings.ToLower(parts[1]))
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
