package api

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Preview lengths, in seconds.
const (
	DefaultPreviewSeconds = 30
	MinPreviewSeconds     = 5
	MaxPreviewSeconds     = 600
)

// MaxSlugLen bounds a release slug; MaxBioLen a profile's bio, in
// characters; MaxLinks its links.
const (
	MaxSlugLen = 80
	MaxBioLen  = 2000
	MaxLinks   = 10
)

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// reservedSlugs are pages of an artist's own: /@handle/collection,
// /@handle/news/ID.
var reservedSlugs = map[string]bool{"collection": true, "news": true}

// CheckSlug: lowercase letters, digits and single dashes, at most
// MaxSlugLen.
func CheckSlug(field, s string) error {
	if len(s) > MaxSlugLen || !slugRE.MatchString(s) {
		return FieldErrorf(field, "use lowercase letters, digits and dashes (like night-drive), at most %d", MaxSlugLen)
	}
	if reservedSlugs[s] {
		return FieldErrorf(field, "%q is a page of the site: choose another", s)
	}
	return nil
}

// Slugify makes a slug from a title: accents dropped, other letters and
// digits kept, anything else a dash; "release" when nothing is left.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(strings.ToLower(title)) {
		if b.Len() >= MaxSlugLen-4 { // room for a "-N" that makes it unique
			break
		}
		switch {
		case unicode.Is(unicode.Mn, r): // an accent, apart from its letter
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" || reservedSlugs[s] {
		return strings.TrimPrefix(s+"-release", "-")
	}
	return s
}

// normalizeWeb fills a manifest's web settings' defaults.
func (m *Manifest) normalizeWeb() {
	m.Slug = strings.ToLower(strings.TrimSpace(m.Slug))
	if m.PreviewSeconds == 0 {
		m.PreviewSeconds = DefaultPreviewSeconds
	}
}

// checkWeb checks a manifest's web settings.
func (m *Manifest) checkWeb() error {
	if m.Slug != "" {
		if err := CheckSlug("slug", m.Slug); err != nil {
			return err
		}
	}
	if m.PreviewSeconds != 0 && (m.PreviewSeconds < MinPreviewSeconds || m.PreviewSeconds > MaxPreviewSeconds) {
		return FieldErrorf("preview_seconds", "a preview lasts %d to %d seconds", MinPreviewSeconds, MaxPreviewSeconds)
	}
	return nil
}

// Profile is what a creator shows on their public page, /@handle.
type Profile struct {
	Handle        string   `json:"handle"` // "" until chosen
	DisplayName   string   `json:"display_name"`
	Bio           string   `json:"bio"`
	Links         []string `json:"links"`
	PictureSHA256 string   `json:"picture_sha256,omitempty"`
	// PublicCollection shows what the account owns at
	// /@handle/collection; off unless its owner turns it on.
	PublicCollection bool `json:"public_collection"`
}

// reservedHandles are paths of the site itself.
var reservedHandles = map[string]bool{"admin": true, "api": true, "embed": true, "static": true, "pay": true, "payments": true,
	"login": true, "logout": true, "signup": true, "signin": true, "account": true, "settings": true, "help": true, "about": true,
	"discover": true, "search": true, "oembed": true, "megabox": true, "www": true, "feed": true, "library": true, "gift": true}

var handleRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{1,28}[a-z0-9])$`)

// Normalize trims a profile and lower-cases its handle.
func (p *Profile) Normalize() {
	p.Handle = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(p.Handle), "@")))
	p.DisplayName = strings.TrimSpace(p.DisplayName)
	p.Bio = strings.TrimSpace(p.Bio)
	for i := range p.Links {
		p.Links[i] = strings.TrimSpace(p.Links[i])
	}
}

// Validate checks a normalized profile; EINVALID names the field.
func (p *Profile) Validate() error {
	if p.Handle != "" && (!handleRE.MatchString(p.Handle) || reservedHandles[p.Handle] || strings.Contains(p.Handle, "--")) {
		return FieldErrorf("handle", "use 3 to 30 lowercase letters, digits and dashes, not starting or ending with a dash (and not a word the site uses)")
	}
	if err := CheckName("display_name", p.DisplayName, MaxDisplayNameLen); err != nil {
		return err
	}
	if err := CheckDescription(p.Bio); err != nil || utf8.RuneCountInString(p.Bio) > MaxBioLen {
		return FieldErrorf("bio", "must be text of at most %d characters", MaxBioLen)
	}
	if len(p.Links) > MaxLinks {
		return FieldErrorf("links", "at most %d links", MaxLinks)
	}
	for i, l := range p.Links {
		u, err := url.Parse(l)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(l) > 500 {
			return FieldErrorf("links["+strconv.Itoa(i)+"]", "enter a full web address, like https://example.com")
		}
	}
	if p.PictureSHA256 != "" && !ValidSHA256(p.PictureSHA256) {
		return FieldErrorf("picture_sha256", "must be a lowercase hex sha256")
	}
	return nil
}

// PublicArtist is what an artist's public page shows.
type PublicArtist struct {
	ID       int64     `json:"id"`
	Profile  Profile   `json:"profile"`
	Releases []Release `json:"releases"` // published, newest first
}

// PublicCollection is what a fan's public collection page shows.
type PublicCollection struct {
	ID       int64     `json:"id"`
	Profile  Profile   `json:"profile"`
	Releases []Release `json:"releases"` // published, last bought first
}

// MaxCollection is how many releases a collection page lists.
const MaxCollection = 500

// PublicRelease is what a release's public page shows.
type PublicRelease struct {
	Artist  Profile `json:"artist"`
	Release Release `json:"release"`
}

// ProfileService is a creator's public face.
type ProfileService interface {
	// MyProfile and UpdateProfile are the caller's; ECONFLICT for a
	// handle someone else has or had.
	MyProfile(ctx context.Context) (*Profile, error)
	UpdateProfile(ctx context.Context, p Profile) (*Profile, error)
	// ArtistByHandle is an artist's page by any handle they have had; the
	// profile's Handle is the current one (pages redirect to it).
	ArtistByHandle(ctx context.Context, handle string) (*PublicArtist, error)
	// CollectionByHandle is the published releases an account owns, by
	// any handle it has had; ENOTFOUND unless it shows its collection.
	CollectionByHandle(ctx context.Context, handle string) (*PublicCollection, error)
	// ReleaseByPath is a published release by its artist's handle and one
	// of its slugs, current or earlier.
	ReleaseByPath(ctx context.Context, handle, slug string) (*PublicRelease, error)
}
