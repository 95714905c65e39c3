package web

import (
	"strconv"

	"github.com/megabox-fm/megabox/backend/api"
)

// ld is a JSON-LD node. html/template writes it into its script element
// as JSON with <, > and & escaped, so no text in it can end the element.
type ld = map[string]any

func websiteLD(v *visit) ld {
	return ld{"@context": "https://schema.org", "@type": "WebSite", "name": "Megabox", "url": v.origin + "/",
		"inLanguage":      v.lang,
		"potentialAction": ld{"@type": "SearchAction", "target": v.origin + "/?q={query}", "query-input": "required name=query"}}
}

func artistLD(v *visit, a *api.PublicArtist, canon, image string) ld {
	g := ld{"@context": "https://schema.org", "@type": "MusicGroup", "name": a.Profile.DisplayName, "url": canon}
	if a.Profile.Bio != "" {
		g["description"] = a.Profile.Bio
	}
	if image != "" {
		g["image"] = image
	}
	if len(a.Profile.Links) > 0 {
		g["sameAs"] = a.Profile.Links
	}
	albums := []ld{}
	for _, r := range a.Releases {
		albums = append(albums, ld{"@type": "MusicAlbum", "name": r.Title, "url": v.origin + releasePath(a.Profile.Handle, r.Slug)})
	}
	g["album"] = albums
	return g
}

func releaseLD(v *visit, pr *api.PublicRelease, canon, image string, b *releaseBody) ld {
	rel := pr.Release
	artist := ld{"@type": "MusicGroup", "name": pr.Artist.DisplayName, "url": v.origin + b.ArtistURL}
	a := ld{"@context": "https://schema.org", "@type": "MusicAlbum", "name": rel.Title, "url": canon,
		"byArtist": artist, "numTracks": len(rel.Tracks), "inLanguage": v.lang}
	if rel.ReleaseDate != "" {
		a["datePublished"] = rel.ReleaseDate
	}
	if rel.Description != "" {
		a["description"] = rel.Description
	}
	if image != "" {
		a["image"] = image
	}
	tracks := []ld{}
	for i, t := range rel.Tracks {
		tracks = append(tracks, ld{"@type": "MusicRecording", "name": t.Title, "position": t.Position,
			"duration": b.Tracks[i].ISO, "byArtist": artist, "url": canon + "#track-" + strconv.Itoa(t.Position)})
	}
	a["track"] = ld{"@type": "ItemList", "numberOfItems": len(tracks), "itemListElement": listItems(tracks)}
	a["offers"] = offerLD(rel, canon)
	return a
}

func listItems(tracks []ld) []ld {
	out := []ld{}
	for i, t := range tracks {
		out = append(out, ld{"@type": "ListItem", "position": i + 1, "item": t})
	}
	return out
}

// offerLD is the release's price as schema.org says it: "9.99" in its
// currency; pay what you want offers its minimum as the lowest price.
func offerLD(rel api.Release, canon string) ld {
	o := ld{"@type": "Offer", "url": canon, "priceCurrency": rel.Currency, "availability": "https://schema.org/InStock"}
	if rel.PayWhatYouWant {
		o["@type"] = "AggregateOffer"
		o["lowPrice"] = decimal(rel.MinCents)
		return o
	}
	o["price"] = decimal(rel.PriceCents)
	return o
}

// decimal writes cents as "9.99".
func decimal(cents int64) string {
	return strconv.FormatInt(cents/100, 10) + "." + strconv.FormatInt(cents%100/10, 10) + strconv.FormatInt(cents%10, 10)
}

// collectionLD is a fan's collection: a profile page listing albums.
func collectionLD(v *visit, c *api.PublicCollection, canon string, cards []card) ld {
	items := []ld{}
	for i, cd := range cards {
		album := ld{"@type": "MusicAlbum", "name": cd.Title, "byArtist": ld{"@type": "MusicGroup", "name": cd.Artist}}
		if cd.URL != "" {
			album["url"] = v.origin + cd.URL
		}
		items = append(items, ld{"@type": "ListItem", "position": i + 1, "item": album})
	}
	return ld{"@context": "https://schema.org", "@type": "ProfilePage", "url": canon,
		"mainEntity": ld{"@type": "Person", "name": c.Profile.DisplayName, "alternateName": "@" + c.Profile.Handle},
		"hasPart":    ld{"@type": "ItemList", "numberOfItems": len(items), "itemListElement": items}}
}
