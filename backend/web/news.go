package web

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// announcements are creators' news and fans' choices about their email.
type announcements interface {
	ArtistAnnouncements(ctx context.Context, artistID int64, cursor string, limit int) (*api.AnnouncementPage, error)
	PublicAnnouncement(ctx context.Context, artistID, id int64) (*api.Announcement, error)
	SetFollow(ctx context.Context, artistID int64, p api.MailPrefs) (*api.FollowState, error)
	FollowState(ctx context.Context, artistID int64) (*api.FollowState, error)
	UnsubscribeTarget(ctx context.Context, token string) (*api.Profile, error)
	Unsubscribe(ctx context.Context, token string) (*api.Profile, error)
}

// artistNews is how many announcements an artist's page shows.
const artistNews = 5

// newsItem is an announcement as a page shows it.
type newsItem struct {
	Title, URL, Date, ISODate string
	Body                      template.HTML // sanitized by the service's Markdown policy
	Image                     string
	ReleaseURL, ReleaseTitle  string
}

func newsPath(handle string, id int64) string {
	return "/@" + pathEscape(handle) + "/news/" + strconv.FormatInt(id, 10)
}

func (h *Handler) newsItem(v *visit, handle string, a api.Announcement) newsItem {
	n := newsItem{Title: a.Title, URL: newsPath(handle, a.ID), Date: longDate(v.lang, a.CreatedAt.Format(time.DateOnly)),
		ISODate: a.CreatedAt.UTC().Format(time.RFC3339), Body: template.HTML(a.BodyHTML)} // #nosec: sanitized
	if a.ImageSHA256 != "" {
		n.Image = n.URL + "/image/" + a.ImageSHA256
	}
	if a.ReleaseSlug != "" {
		n.ReleaseURL, n.ReleaseTitle = releasePath(handle, a.ReleaseSlug), a.ReleaseTitle
	}
	return n
}

// artistNewsItems are the newest announcements of an artist; none when
// the platform has no announcements.
func (h *Handler) artistNewsItems(ctx context.Context, v *visit, artistID int64, handle string, limit int) ([]api.Announcement, []newsItem, error) {
	if h.news == nil {
		return nil, nil, nil
	}
	page, err := h.news.ArtistAnnouncements(ctx, artistID, "", limit)
	if err != nil {
		return nil, nil, err
	}
	items := make([]newsItem, 0, len(page.Items))
	for _, a := range page.Items {
		items = append(items, h.newsItem(v, handle, a))
	}
	return page.Items, items, nil
}

// newsBody is an announcement's own page.
type newsBody struct {
	Item      newsItem
	Artist    api.Profile
	ArtistURL string
}

// newsPage shows one announcement at /@handle/news/ID, and its image at
// /@handle/news/ID/image/SHA.
func (h *Handler) newsPage(w http.ResponseWriter, r *http.Request, v *visit, handle string, rest []string) error {
	if h.news == nil || len(rest) < 2 {
		return api.Errorf(api.ENOTFOUND, "no such page")
	}
	id, err := strconv.ParseInt(rest[1], 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != rest[1] {
		return api.Errorf(api.ENOTFOUND, "no such page")
	}
	artistID, _, err := h.dir.AccountByHandle(r.Context(), handle)
	if err != nil {
		return api.Errorf(api.ENOTFOUND, "no such page")
	}
	a, err := h.news.PublicAnnouncement(r.Context(), artistID, id)
	if err != nil {
		return err
	}
	prof, err := h.dir.Profile(r.Context(), artistID)
	if err != nil {
		return err
	}
	canon := newsPath(prof.Handle, a.ID)
	switch {
	case len(rest) == 4 && rest[2] == "image":
		if a.ImageSHA256 == "" || rest[3] != a.ImageSHA256 {
			return api.Errorf(api.ENOTFOUND, "no such image")
		}
		return h.serveImage(w, r, a.ImageSHA256)
	case len(rest) != 2:
		return api.Errorf(api.ENOTFOUND, "no such page")
	case r.URL.EscapedPath() != canon:
		redirect(w, r, canon)
		return nil
	}
	body := newsBody{Item: h.newsItem(v, prof.Handle, *a), Artist: *prof, ArtistURL: "/@" + pathEscape(prof.Handle)}
	p := h.base(r, v, a.Title, canon)
	p.FullTitle = a.Title + " · " + prof.DisplayName + " · Megabox"
	p.OGType = "article"
	p.Description = summary(a.Body, translate(v.lang, "news.description", prof.DisplayName))
	if body.Item.Image != "" {
		p.Image = v.origin + body.Item.Image
		p.Card = "summary_large_image"
	}
	p.Feed = v.origin + body.ArtistURL + "/feed.atom"
	p.FeedTitle = translate(v.lang, "feed.title", prof.DisplayName)
	p.Body = body
	h.render(w, v, http.StatusOK, "news", p)
	return nil
}

// serveImage serves a blob the caller checked may be shown; its address
// names its content, so it never changes.
func (h *Handler) serveImage(w http.ResponseWriter, r *http.Request, sha string) error {
	b, err := h.dir.Blob(r.Context(), sha)
	if err != nil {
		return api.Errorf(api.ENOTFOUND, "no such image")
	}
	obj, err := h.bucket.Open(r.Context(), sha)
	if err != nil {
		return err
	}
	defer obj.Close()
	hd := w.Header()
	hd.Set("Content-Type", b.MediaType)
	hd.Set("ETag", `"`+sha+`"`)
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, obj)
	return nil
}

// unsubscribeBody is the page of an email's unsubscribe link.
type unsubscribeBody struct {
	Artist string
	Action string // where the button posts; "" once done
	Done   bool
}

// unsubscribeForm asks to confirm: a GET changes nothing, since mail
// scanners open links on their own.
func (h *Handler) unsubscribeForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	if h.news == nil {
		return api.Errorf(api.ENOTFOUND, "no such page")
	}
	token := r.PathValue("token")
	p, err := h.news.UnsubscribeTarget(r.Context(), token)
	if err != nil {
		return err
	}
	return h.showUnsubscribe(w, r, v, unsubscribeBody{Artist: p.DisplayName, Action: "/unsubscribe/" + token})
}

// unsubscribe stops an artist's email to the fan the link was made for:
// the one-click POST of RFC 8058, from a mail client or the confirm
// page's button. The signed link is the authority: no session, no form
// token (a mail client has neither).
func (h *Handler) unsubscribe(w http.ResponseWriter, r *http.Request, v *visit) error {
	if h.news == nil {
		return api.Errorf(api.ENOTFOUND, "no such page")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	p, err := h.news.Unsubscribe(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return h.showUnsubscribe(w, r, v, unsubscribeBody{Artist: p.DisplayName, Done: true})
}

func (h *Handler) showUnsubscribe(w http.ResponseWriter, r *http.Request, v *visit, b unsubscribeBody) error {
	// The link is the fan's: never cached, never sent on.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	pg := h.base(r, v, translate(v.lang, "unsubscribe.title", b.Artist), "/")
	pg.Canonical = ""
	pg.Body = b
	h.render(w, v, http.StatusOK, "unsubscribe", pg)
	return nil
}
