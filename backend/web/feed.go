package web

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// Atom 1.0 (RFC 4287), the parts a feed of releases uses.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomAuthor struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomEntry struct {
	ID        string       `xml:"id"`
	Title     string       `xml:"title"`
	Updated   string       `xml:"updated"`
	Published string       `xml:"published,omitempty"`
	Links     []atomLink   `xml:"link"`
	Summary   string       `xml:"summary,omitempty"`
	Content   *atomContent `xml:"content,omitempty"`
	at        time.Time    // orders the feed: newest first
}

// atomContent is an entry's text; type "html" holds escaped HTML.
type atomContent struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// feedEntries bounds a feed to the newest releases and announcements.
const feedEntries = 50

// feed is an artist's new releases and announcements as Atom, newest
// first. Ids are tag URIs made of the
// site's host and the account's or release's id and creation day, which
// no rename changes.
func (h *Handler) feed(w http.ResponseWriter, r *http.Request, v *visit, handle string) error {
	a, err := h.profiles.ArtistByHandle(r.Context(), handle)
	if err != nil {
		return err
	}
	canon := "/@" + pathEscape(a.Profile.Handle)
	if r.URL.Path != canon+"/feed.atom" {
		redirect(w, r, canon+"/feed.atom")
		return nil
	}
	host := tagHost(r.Host)
	f := atomFeed{Lang: v.lang, ID: "tag:" + host + ",2026:artist/" + strconv.FormatInt(a.ID, 10),
		Title: translate(v.lang, "feed.title", a.Profile.DisplayName),
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: v.origin + canon + "/feed.atom"},
			{Rel: "alternate", Type: "text/html", Href: v.origin + canon}},
		Author: atomAuthor{Name: a.Profile.DisplayName, URI: v.origin + canon}}
	updated := time.Unix(0, 0).UTC()
	for i, rel := range a.Releases {
		if i == feedEntries {
			break
		}
		e := entry(v, host, a.Profile.Handle, rel)
		if line := preorderLine(v.lang, rel, h.clock()); line != "" { // readers see it is sold ahead of its day
			e.Summary = strings.TrimSpace(line + " " + e.Summary)
		}
		f.Entries = append(f.Entries, e)
		updated = later(updated, rel.UpdatedAt)
		if rel.PublishedAt != nil {
			updated = later(updated, *rel.PublishedAt)
		}
	}
	news, _, err := h.artistNewsItems(r.Context(), v, a.ID, a.Profile.Handle, feedEntries)
	if err != nil {
		return err
	}
	for _, n := range news {
		f.Entries = append(f.Entries, newsEntry(v, host, a.Profile.Handle, n))
		updated = later(updated, n.CreatedAt)
	}
	slices.SortStableFunc(f.Entries, func(x, y atomEntry) int { return y.at.Compare(x.at) })
	f.Entries = f.Entries[:min(len(f.Entries), feedEntries)]
	f.Updated = updated.Format(time.RFC3339)
	out, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/atom+xml; charset=utf-8")
	hd.Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(out)
	return nil
}

func entry(v *visit, host, handle string, rel api.Release) atomEntry {
	e := atomEntry{ID: "tag:" + host + "," + rel.CreatedAt.UTC().Format(time.DateOnly) + ":release/" + strconv.FormatInt(rel.ID, 10),
		Title: rel.Title, Updated: rel.UpdatedAt.UTC().Format(time.RFC3339),
		Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: v.origin + releasePath(handle, rel.Slug)}},
		Summary: summary(rel.Description, "")}
	e.at = rel.CreatedAt
	if rel.PublishedAt != nil {
		e.Published = rel.PublishedAt.UTC().Format(time.RFC3339)
		e.at = *rel.PublishedAt
	}
	return e
}

// newsEntry is an announcement in the feed, its body as the sanitized
// HTML the pages show.
func newsEntry(v *visit, host, handle string, a api.Announcement) atomEntry {
	at := a.CreatedAt.UTC().Format(time.RFC3339)
	return atomEntry{ID: "tag:" + host + "," + a.CreatedAt.UTC().Format(time.DateOnly) + ":news/" + strconv.FormatInt(a.ID, 10),
		Title: a.Title, Updated: at, Published: at,
		Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: v.origin + newsPath(handle, a.ID)}},
		Content: &atomContent{Type: "html", Body: a.BodyHTML}, at: a.CreatedAt}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b.UTC()
	}
	return a
}

// tagHost is the host of a tag URI: the site's name without its port.
func tagHost(host string) string {
	if i := strings.LastIndexByte(host, ':'); i > strings.LastIndexByte(host, ']') {
		host = host[:i]
	}
	return strings.Trim(strings.ToLower(host), "[]")
}
