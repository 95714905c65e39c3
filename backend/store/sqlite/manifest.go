package sqlite

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/megabox-fm/megabox/backend/api"
)

// MaxTracks bounds a release's track list.
const MaxTracks = 500

// normalizeManifest trims and checks a manifest, filling the artist name
// from the account when it is empty. Errors name the field at fault.
func normalizeManifest(m *api.Manifest, defaultArtist string) error {
	m.Title = strings.TrimSpace(m.Title)
	m.ArtistName = strings.TrimSpace(m.ArtistName)
	m.ReleaseDate = strings.TrimSpace(m.ReleaseDate)
	m.Currency = strings.ToUpper(strings.TrimSpace(m.Currency))
	if m.ArtistName == "" {
		m.ArtistName = defaultArtist
	}
	if err := api.CheckName("title", m.Title, api.MaxTitleLen); err != nil {
		return err
	}
	if err := api.CheckName("artist_name", m.ArtistName, api.MaxTitleLen); err != nil {
		return err
	}
	if err := validDescription(m.Description); err != nil {
		return err
	}
	if err := validDate(m.ReleaseDate); err != nil {
		return err
	}
	if err := validPrice(m); err != nil {
		return err
	}
	if m.CoverSHA256 != "" && !api.ValidSHA256(m.CoverSHA256) {
		return api.FieldErrorf("cover_sha256", "must be a lowercase hex sha256")
	}
	return validTracks(m.Tracks)
}

func validDescription(s string) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 5000 {
		return api.FieldErrorf("description", "must be valid UTF-8 of at most 5000 characters")
	}
	bad := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' })
	if bad >= 0 {
		return api.FieldErrorf("description", "must not contain control characters")
	}
	return nil
}

func validDate(s string) error {
	if s == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if _, err := time.Parse(layout, s); err == nil {
			return nil
		}
	}
	return api.FieldErrorf("release_date", "use YYYY-MM-DD, YYYY-MM or YYYY")
}

func validPrice(m *api.Manifest) error {
	switch {
	case !api.ValidCurrency(m.Currency):
		return api.FieldErrorf("currency", "must be one of %s", strings.Join(api.Currencies, ", "))
	case m.PriceCents < 0 || m.PriceCents > api.MaxPriceCents:
		return api.FieldErrorf("price_cents", "must be between 0 and %d", api.MaxPriceCents)
	case m.MinCents < 0:
		return api.FieldErrorf("min_cents", "must not be negative")
	case m.PayWhatYouWant && m.MinCents > m.PriceCents:
		return api.FieldErrorf("min_cents", "must not exceed the suggested price_cents")
	}
	if !m.PayWhatYouWant {
		m.MinCents = 0
	}
	return nil
}

func validTracks(tracks []api.ManifestTrack) error {
	if len(tracks) > MaxTracks {
		return api.FieldErrorf("tracks", "at most %d tracks", MaxTracks)
	}
	seen := make(map[int]bool, len(tracks))
	for i := range tracks {
		t := &tracks[i]
		field := fmt.Sprintf("tracks[%d]", i)
		t.Title = strings.TrimSpace(t.Title)
		if t.Position < 1 || t.Position > MaxTracks {
			return api.FieldErrorf(field+".position", "must be between 1 and %d", MaxTracks)
		}
		if seen[t.Position] {
			return api.FieldErrorf(field+".position", "position %d is used twice", t.Position)
		}
		seen[t.Position] = true
		if err := api.CheckName(field+".title", t.Title, api.MaxTitleLen); err != nil {
			return err
		}
		if !api.ValidSHA256(t.AudioSHA256) {
			return api.FieldErrorf(field+".audio_sha256", "must be a lowercase hex sha256")
		}
	}
	return nil
}
