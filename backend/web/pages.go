package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
)

// card is a release in a grid.
type card struct {
	Title, Artist, URL, Cover, Date string
}

// discoverBody is the discover page: the newest releases, or those a
// search finds.
type discoverBody struct {
	Query string
	Cards []card
	More  string // the next page's address; "" on the last
}

// discoverPageSize is how many releases a discover page lists.
const discoverPageSize = 24

func (h *Handler) discover(w http.ResponseWriter, r *http.Request, v *visit) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	res, err := h.releases.SearchReleases(r.Context(), api.ReleaseFilter{Query: q, Limit: discoverPageSize, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	cards, err := h.cards(r.Context(), v, res.Items, nil)
	if err != nil {
		return err
	}
	body := discoverBody{Query: q, Cards: cards}
	if res.NextCursor != "" {
		next := r.URL.Query()
		next.Set("cursor", res.NextCursor)
		next.Del("lang")
		body.More = "/?" + next.Encode()
	}
	title := translate(v.lang, "discover.title")
	if q != "" {
		title = translate(v.lang, "discover.results", q)
	}
	p := h.base(r, v, title, "/")
	p.FullTitle = translate(v.lang, "site.name") + " · " + title
	p.Description = translate(v.lang, "discover.description")
	p.JSONLD = websiteLD(v)
	p.Body = body
	h.render(w, v, http.StatusOK, "discover", p)
	return nil
}

// cards makes grid cards of releases. Their artists' handles are looked up
// once each; a release whose artist has no handle yet has no page to link.
func (h *Handler) cards(ctx context.Context, v *visit, rels []api.Release, artist *api.Profile) ([]card, error) {
	handles := map[int64]string{}
	var out []card
	for _, rel := range rels {
		handle, ok := handles[rel.ArtistID]
		switch {
		case artist != nil:
			handle = artist.Handle
		case !ok:
			p, err := h.dir.Profile(ctx, rel.ArtistID)
			if err != nil {
				return nil, err
			}
			handle, handles[rel.ArtistID] = p.Handle, p.Handle
		}
		c := card{Title: rel.Title, Artist: rel.ArtistName, Date: longDate(v.lang, rel.ReleaseDate)}
		if d, ok := preorderDate(v.lang, rel, h.clock()); ok {
			c.Date = d
		}
		if handle != "" {
			c.URL = releasePath(handle, rel.Slug)
		}
		if rel.CoverSHA256 != "" {
			c.Cover = coverPath(rel.ID)
		}
		out = append(out, c)
	}
	return out, nil
}

func releasePath(handle, slug string) string {
	return "/@" + pathEscape(handle) + "/" + pathEscape(slug)
}

func coverPath(id int64) string { return "/api/v1/releases/" + strconv.FormatInt(id, 10) + "/cover" }

func previewPath(id int64) string { return "/api/v1/tracks/" + strconv.FormatInt(id, 10) + "/preview" }

// artistBody is an artist's page.
type artistBody struct {
	Profile api.Profile
	Handle  string
	Picture string
	Links   []link
	Cards   []card
	News    []newsItem // the newest announcements
	Follow  *followBox // nil on the artist's own page
}

// link is one of an artist's links, shown by its host.
type link struct{ Href, Label string }

func (h *Handler) artist(w http.ResponseWriter, r *http.Request, v *visit) error {
	handle, ok := handleOf(r.PathValue("who"))
	if !ok {
		return api.Errorf(api.ENOTFOUND, "no such page")
	}
	a, err := h.profiles.ArtistByHandle(r.Context(), handle)
	if err != nil {
		return err
	}
	canon := "/@" + pathEscape(a.Profile.Handle)
	if r.URL.Path != canon {
		redirect(w, r, canon)
		return nil
	}
	if len(a.Releases) == 0 && a.Profile.PublicCollection {
		// A fan's page is their collection.
		http.Redirect(w, r, canon+"/collection", http.StatusFound)
		return nil
	}
	cards, err := h.cards(r.Context(), v, a.Releases, &a.Profile)
	if err != nil {
		return err
	}
	body := artistBody{Profile: a.Profile, Handle: a.Profile.Handle, Cards: cards}
	if _, body.News, err = h.artistNewsItems(r.Context(), v, a.ID, a.Profile.Handle, artistNews); err != nil {
		return err
	}
	if body.Follow, err = h.followBox(r, v, a.ID, canon); err != nil {
		return err
	}
	for _, l := range a.Profile.Links {
		body.Links = append(body.Links, link{Href: l, Label: linkLabel(l)})
	}
	p := h.base(r, v, a.Profile.DisplayName, canon)
	p.OGType = "profile"
	p.Description = summary(a.Profile.Bio, translate(v.lang, "artist.description", a.Profile.DisplayName))
	if a.Profile.PictureSHA256 != "" {
		body.Picture = picturePath(a.Profile)
		p.Image = v.origin + body.Picture
	}
	p.Feed = v.origin + canon + "/feed.atom"
	p.FeedTitle = translate(v.lang, "feed.title", a.Profile.DisplayName)
	p.JSONLD = artistLD(v, a, p.Canonical, p.Image)
	p.Body = body
	h.render(w, v, http.StatusOK, "artist", p)
	return nil
}

func picturePath(p api.Profile) string {
	return "/@" + pathEscape(p.Handle) + "/picture/" + p.PictureSHA256
}

// linkLabel shows a link by its host and path, without the scheme.
func linkLabel(l string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(l, "https://"), "http://")
	return strings.TrimSuffix(strings.TrimPrefix(s, "www."), "/")
}

// summary is text cut for a description tag, or def when there is none.
func summary(text, def string) string {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		return def
	}
	if r := []rune(text); len(r) > 200 {
		return string(r[:199]) + "…"
	}
	return text
}

// underArtist routes /@handle/...: a release, the feed, the picture.
func (h *Handler) underArtist(w http.ResponseWriter, r *http.Request, v *visit) error {
	handle, ok := handleOf(r.PathValue("who"))
	if !ok {
		return api.Errorf(api.ENOTFOUND, "no such page")
	}
	rest := strings.Split(r.PathValue("rest"), "/")
	switch {
	case len(rest) == 1 && rest[0] == "feed.atom":
		return h.feed(w, r, v, handle)
	case len(rest) == 1 && rest[0] == "collection":
		return h.collection(w, r, v, handle)
	case len(rest) == 2 && rest[0] == "picture":
		return h.picture(w, r, handle, rest[1])
	case rest[0] == "news":
		return h.newsPage(w, r, v, handle, rest)
	case len(rest) == 1 && rest[0] != "":
		return h.release(w, r, v, handle, rest[0])
	}
	return api.Errorf(api.ENOTFOUND, "no such page")
}

// releaseBody is a release's page.
type releaseBody struct {
	Release   api.Release
	Artist    api.Profile
	ArtistURL string
	Cover     string
	Date      string
	Tracks    []trackRow
	Price     string
	Split     string
	Preview   string
	Preorder  string // "" unless the release is on pre-order
	Sale      *sale  // the visitor's way to own it; nil in embeds
	Formats   string // what the tracks download as, best first
	Extras    []extraRow
}

// trackRow is one track of a release page.
type trackRow struct {
	Position int
	Title    string
	Duration string
	ISO      string // the duration as ISO 8601, for machines
	Preview  string
	Later    string // when a pre-order holds the track: the day it opens
}

func (h *Handler) release(w http.ResponseWriter, r *http.Request, v *visit, handle, slug string) error {
	pr, err := h.profiles.ReleaseByPath(r.Context(), handle, strings.ToLower(slug))
	if err != nil {
		return err
	}
	canon := releasePath(pr.Artist.Handle, pr.Release.Slug)
	if r.URL.EscapedPath() != canon {
		redirect(w, r, canon)
		return nil
	}
	return h.releasePage(w, r, v, pr, canon, http.StatusOK, nil, nil)
}

// releasePage renders a release's page; in is the buy form, give the
// gift form, as posted when it is shown again with a refusal.
func (h *Handler) releasePage(w http.ResponseWriter, r *http.Request, v *visit, pr *api.PublicRelease, canon string, status int, in *buyInput, give *giveInput) error {
	body, err := h.releaseBody(v, pr)
	if err != nil {
		return err
	}
	if body.Sale, err = h.sale(r, v, pr, canon, in, give); err != nil {
		return err
	}
	p := h.base(r, v, pr.Release.Title, canon)
	p.Refresh = body.Sale.Wait
	p.FullTitle = pr.Release.Title + " · " + pr.Artist.DisplayName + " · Megabox"
	p.OGType = "music.album"
	p.Description = summary(pr.Release.Description, translate(v.lang, "release.description", pr.Release.Title, pr.Artist.DisplayName))
	if body.Cover != "" {
		p.Image = v.origin + body.Cover
		p.Card = "summary_large_image"
	}
	p.OEmbed = v.origin + "/oembed?format=json&url=" + urlQueryEscape(p.Canonical)
	p.JSONLD = releaseLD(v, pr, p.Canonical, p.Image, body)
	p.Body = body
	h.render(w, v, status, "release", p)
	return nil
}

// releaseBody is what release pages and embeds show of a release.
func (h *Handler) releaseBody(v *visit, pr *api.PublicRelease) (*releaseBody, error) {
	rel := pr.Release
	b := &releaseBody{Release: rel, Artist: pr.Artist, ArtistURL: "/@" + pathEscape(pr.Artist.Handle),
		Date: longDate(v.lang, rel.ReleaseDate)}
	if rel.CoverSHA256 != "" {
		b.Cover = coverPath(rel.ID)
	}
	now := h.clock()
	b.Preorder = preorderLine(v.lang, rel, now)
	for _, t := range rel.Tracks {
		row := trackRow{Position: t.Position, Title: t.Title, Duration: duration(t.DurationMS),
			ISO: isoDuration(t.DurationMS), Preview: previewPath(t.ID)}
		if b.Preorder != "" && !t.PreorderAvailable {
			row.Later = translate(v.lang, "preorder.later", longDate(v.lang, rel.ReleaseDate))
		}
		b.Tracks = append(b.Tracks, row)
	}
	price, split, err := h.priceNote(v.lang, rel)
	if err != nil {
		return nil, err
	}
	b.Price, b.Split = price, split
	b.Formats, b.Extras = formatsLine(v.lang, rel), extraRows(v.lang, rel.Extras)
	if rel.FullStreaming {
		b.Preview = translate(v.lang, "release.full_streaming")
	} else {
		b.Preview = translate(v.lang, "release.preview", rel.PreviewSeconds)
	}
	return b, nil
}

// priceNote is a release's price and how a sale of it divides, by the
// ledger's rule: for pay what you want, at the minimum.
func (h *Handler) priceNote(lang string, rel api.Release) (price, split string, err error) {
	amount := rel.PriceCents
	switch {
	case rel.PayWhatYouWant && rel.MinCents > 0:
		amount = rel.MinCents
		price = translate(lang, "price.pwyw_min", money(lang, amount, rel.Currency))
	case rel.PayWhatYouWant:
		return translate(lang, "price.pwyw_free"), "", nil
	case amount == 0:
		return translate(lang, "price.free"), "", nil
	default:
		price = money(lang, amount, rel.Currency)
	}
	s, err := ledger.SplitGross(amount, h.cfg.RateBps)
	if err != nil {
		return "", "", err
	}
	return price, translate(lang, "price.split", money(lang, s.Creator, rel.Currency), money(lang, s.Platform, rel.Currency)), nil
}

// picture serves an artist's picture: only the blob that is that
// profile's picture now, so the route reaches no other upload.
func (h *Handler) picture(w http.ResponseWriter, r *http.Request, handle, sha string) error {
	id, _, err := h.dir.AccountByHandle(r.Context(), handle)
	if err != nil {
		return api.Errorf(api.ENOTFOUND, "no such picture")
	}
	p, err := h.dir.Profile(r.Context(), id)
	if err != nil {
		return err
	}
	if p.PictureSHA256 == "" || p.PictureSHA256 != sha {
		return api.Errorf(api.ENOTFOUND, "no such picture")
	}
	return h.serveImage(w, r, sha)
}

// longDate writes a release date (YYYY-MM-DD) the language's way.
func longDate(lang, date string) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	month := translate(lang, "month."+strconv.Itoa(int(d.Month())))
	if lang == "fr" {
		return strconv.Itoa(d.Day()) + " " + month + " " + strconv.Itoa(d.Year())
	}
	return month + " " + strconv.Itoa(d.Day()) + ", " + strconv.Itoa(d.Year())
}

// isoDuration is a duration as ISO 8601 (PT3M25S).
func isoDuration(ms int64) string {
	s := (ms + 500) / 1000
	return "PT" + strconv.FormatInt(s/60, 10) + "M" + strconv.FormatInt(s%60, 10) + "S"
}
