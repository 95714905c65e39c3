package api

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxTracks bounds a release's track list.
const MaxTracks = 500

// MaxDescriptionLen bounds a release description, in characters.
const MaxDescriptionLen = 5000

// Normalize trims a manifest's text, upper-cases its currency, fills the
// artist name with defaultArtist when empty and drops a minimum that only
// pay-what-you-want uses.
func (m *Manifest) Normalize(defaultArtist string) {
	m.Title = strings.TrimSpace(m.Title)
	m.ArtistName = strings.TrimSpace(m.ArtistName)
	m.ReleaseDate = strings.TrimSpace(m.ReleaseDate)
	m.Currency = strings.ToUpper(strings.TrimSpace(m.Currency))
	if m.ArtistName == "" {
		m.ArtistName = defaultArtist
	}
	if !m.PayWhatYouWant {
		m.MinCents = 0
	}
	for i := range m.Tracks {
		m.Tracks[i].Title = strings.TrimSpace(m.Tracks[i].Title)
	}
	for i := range m.Collaborators {
		m.Collaborators[i].Email = strings.TrimSpace(m.Collaborators[i].Email)
	}
	m.normalizeWeb()
}

// Validate checks a normalized manifest; EINVALID names the field at fault.
func (m *Manifest) Validate() error {
	if err := CheckName("title", m.Title, MaxTitleLen); err != nil {
		return err
	}
	if err := CheckName("artist_name", m.ArtistName, MaxTitleLen); err != nil {
		return err
	}
	if err := CheckDescription(m.Description); err != nil {
		return err
	}
	if err := CheckReleaseDate(m.ReleaseDate); err != nil {
		return err
	}
	if err := CheckPrice(m.PriceCents, m.Currency, m.PayWhatYouWant, m.MinCents); err != nil {
		return err
	}
	if m.CoverSHA256 != "" && !ValidSHA256(m.CoverSHA256) {
		return FieldErrorf("cover_sha256", "must be a lowercase hex sha256")
	}
	if err := CheckCollaborators(m.Collaborators); err != nil {
		return err
	}
	if err := m.checkWeb(); err != nil {
		return err
	}
	if err := m.checkPreorder(); err != nil {
		return err
	}
	return checkTracks(m.Tracks)
}

// CheckDescription: valid UTF-8, at most MaxDescriptionLen characters, no
// control characters but newlines and tabs.
func CheckDescription(s string) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxDescriptionLen {
		return FieldErrorf("description", "must be valid UTF-8 of at most %d characters", MaxDescriptionLen)
	}
	bad := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' })
	if bad >= 0 {
		return FieldErrorf("description", "must not contain control characters")
	}
	return nil
}

// CheckReleaseDate accepts "", YYYY-MM-DD, YYYY-MM or YYYY.
func CheckReleaseDate(s string) error {
	if s == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if _, err := time.Parse(layout, s); err == nil {
			return nil
		}
	}
	return FieldErrorf("release_date", "use YYYY-MM-DD, YYYY-MM or YYYY")
}

// CheckPrice is the rule for a release's price: an accepted currency, a
// price from 0 to MaxPriceCents, and for pay-what-you-want a minimum from
// 0 to the suggested price.
func CheckPrice(priceCents int64, currency string, payWhatYouWant bool, minCents int64) error {
	switch {
	case !ValidCurrency(currency):
		return FieldErrorf("currency", "must be one of %s", strings.Join(Currencies, ", "))
	case priceCents < 0 || priceCents > MaxPriceCents:
		return FieldErrorf("price_cents", "must be between 0 and %s", FormatCents(MaxPriceCents, currency))
	case minCents < 0:
		return FieldErrorf("min_cents", "must not be negative")
	case payWhatYouWant && minCents > priceCents:
		return FieldErrorf("min_cents", "must not exceed the suggested price")
	}
	return nil
}

func checkTracks(tracks []ManifestTrack) error {
	if len(tracks) > MaxTracks {
		return FieldErrorf("tracks", "at most %d tracks", MaxTracks)
	}
	seen := make(map[int]bool, len(tracks))
	for i, t := range tracks {
		field := fmt.Sprintf("tracks[%d]", i)
		if t.Position < 1 || t.Position > MaxTracks {
			return FieldErrorf(field+".position", "must be between 1 and %d", MaxTracks)
		}
		if seen[t.Position] {
			return FieldErrorf(field+".position", "position %d is used twice", t.Position)
		}
		seen[t.Position] = true
		if err := CheckName(field+".title", t.Title, MaxTitleLen); err != nil {
			return err
		}
		if !ValidSHA256(t.AudioSHA256) {
			return FieldErrorf(field+".audio_sha256", "must be a lowercase hex sha256")
		}
	}
	return nil
}
