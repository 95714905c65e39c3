package sync

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
)

// track is an audio file ready for the manifest.
type track struct {
	rel        string
	sha        string
	tags       Tags
	durationMS int64
}

// Defaults for a release whose sidecar sets no price.
type Defaults struct {
	PriceCents int64
	Currency   string
}

// buildManifest orders tracks by disc, track number, then file name and
// fills what tags and the folder do not say from the sidecar.
func buildManifest(dir string, tracks []track, coverSHA string, side Sidecar, def Defaults) api.Manifest {
	sort.SliceStable(tracks, func(i, j int) bool {
		a, b := tracks[i], tracks[j]
		if a.tags.Disc != b.tags.Disc {
			return a.tags.Disc < b.tags.Disc
		}
		an, bn := trackNumber(a), trackNumber(b)
		if an != bn {
			return an < bn
		}
		return naturalLess(a.rel, b.rel)
	})
	tracks = inChosenOrder(dir, tracks, side.Tracks)
	m := api.Manifest{
		Title: side.Title, ArtistName: side.ArtistName, Description: side.Description, ReleaseDate: side.ReleaseDate,
		Currency: side.Currency, PayWhatYouWant: side.PayWhatYouWant, MinCents: side.MinCents, CoverSHA256: coverSHA,
		PriceCents: def.PriceCents, Collaborators: side.Collaborators,
		Slug: side.Slug, PreviewSeconds: side.PreviewSeconds, FullStreaming: side.FullStreaming,
		Preorder: side.Preorder,
	}
	if side.PriceCents != nil {
		m.PriceCents = *side.PriceCents
	}
	if m.Currency == "" {
		m.Currency = def.Currency
	}
	titles, early := chosenTitles(side.Tracks), earlyTracks(side.Tracks)
	for i, t := range tracks {
		title := titles[inRelease(dir, t.rel)]
		if title == "" {
			title = t.tags.Title
		}
		if title == "" {
			title = titleFromName(t.rel)
		}
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: i + 1, Title: title, AudioSHA256: t.sha,
			PreorderAvailable: early[inRelease(dir, t.rel)]})
		if m.Title == "" {
			m.Title = t.tags.Album
		}
		if m.ArtistName == "" {
			m.ArtistName = firstNonEmpty(t.tags.AlbumArtist, t.tags.Artist)
		}
		if m.ReleaseDate == "" && t.tags.Year >= 1000 {
			m.ReleaseDate = strconv.Itoa(t.tags.Year)
		}
	}
	if m.Title == "" {
		m.Title = clean(readable(path.Base(dir)))
	}
	return m
}

// inChosenOrder moves the tracks the creator ordered in megabox.json to
// the front, in that order; the others keep theirs after them. A listed
// file that is not there is passed over.
func inChosenOrder(dir string, tracks []track, chosen []SidecarTrack) []track {
	if len(chosen) == 0 {
		return tracks
	}
	rank := make(map[string]int, len(chosen))
	for i, c := range chosen {
		if _, twice := rank[c.File]; !twice {
			rank[c.File] = i
		}
	}
	sort.SliceStable(tracks, func(i, j int) bool {
		ri, oki := rank[inRelease(dir, tracks[i].rel)]
		rj, okj := rank[inRelease(dir, tracks[j].rel)]
		if oki && okj {
			return ri < rj
		}
		return oki && !okj
	})
	return tracks
}

func chosenTitles(chosen []SidecarTrack) map[string]string {
	out := make(map[string]string, len(chosen))
	for _, c := range chosen {
		if _, twice := out[c.File]; !twice && c.Title != "" {
			out[c.File] = c.Title
		}
	}
	return out
}

// earlyTracks are the files a pre-order's buyers get at once.
func earlyTracks(chosen []SidecarTrack) map[string]bool {
	out := map[string]bool{}
	for _, c := range chosen {
		if c.PreorderAvailable {
			out[c.File] = true
		}
	}
	return out
}

// inRelease is a file's path below its release folder, as megabox.json
// names it.
func inRelease(dir, rel string) string {
	return strings.TrimPrefix(rel, dir+"/")
}

func trackNumber(t track) int {
	if t.tags.Track > 0 {
		return t.tags.Track
	}
	if n := leadingNumber(t.rel); n > 0 {
		return n
	}
	return 1 << 30 // unnumbered files go last, by name
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// naturalLess orders "track 2" before "track 10".
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitsPrefix(a), digitsPrefix(b)
		if da != "" && db != "" {
			na, _ := strconv.Atoi(da)
			nb, _ := strconv.Atoi(db)
			if na != nb {
				return na < nb
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitsPrefix(s string) string {
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// manifestHash fingerprints a manifest to skip updates that change nothing.
func manifestHash(m api.Manifest) string {
	b, _ := json.Marshal(m)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// PlannedTrack is one track as the next sync of its folder sends it.
type PlannedTrack struct {
	File       string `json:"file"` // below the release folder, as megabox.json names it
	Title      string `json:"title"`
	DurationMS int64  `json:"duration_ms"`
}

// Plan is the manifest the next sync of release folder dir sends (the
// cover aside), worked out from the cache's records of its files and its
// megabox.json without reading any audio, and its tracks in play order.
// Files not read yet, or in error, are not in it.
func Plan(dir string, files []cache.File, side Sidecar, def Defaults) (api.Manifest, []PlannedTrack) {
	var tracks []track
	for _, f := range files {
		kind := kindOf(f.Rel)
		if (kind != kindAudio && kind != kindLossless) || f.SHA256 == "" || f.State == StateError {
			continue
		}
		t := track{rel: f.Rel, sha: f.SHA256, tags: tagsFrom(f.Tags), durationMS: f.DurationMS}
		if t.tags.Master != nil {
			t.sha = t.tags.Master.Upload
		}
		tracks = append(tracks, t)
	}
	m := buildManifest(dir, tracks, "", side, def)
	out := make([]PlannedTrack, len(tracks))
	for i, t := range tracks {
		out[i] = PlannedTrack{File: inRelease(dir, t.rel), Title: m.Tracks[i].Title, DurationMS: t.durationMS}
	}
	return m, out
}
