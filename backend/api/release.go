package api

import (
	"context"
	"time"
)

// Release states.
const (
	StateDraft     = "draft"
	StatePublished = "published"
)

// Release is an album, EP or single.
type Release struct {
	ID             int64   `json:"id"`
	Title          string  `json:"title"`
	ArtistID       int64   `json:"artist_id"`
	ArtistName     string  `json:"artist_name"`
	Description    string  `json:"description"`
	ReleaseDate    string  `json:"release_date"`
	State          string  `json:"state"`
	PriceCents     int64   `json:"price_cents"`
	Currency       string  `json:"currency"`
	PayWhatYouWant bool    `json:"pay_what_you_want"`
	MinCents       int64   `json:"min_cents"`
	CoverSHA256    string  `json:"cover_sha256,omitempty"`
	Tracks         []Track `json:"tracks"`
	// Collaborators are the payees of a release with several, owner
	// first; shown to its owner only.
	Collaborators []Collaborator `json:"collaborators,omitempty"`
	// Slug is the release's name in its web address; earlier slugs
	// redirect to it.
	Slug           string `json:"slug"`
	PreviewSeconds int    `json:"preview_seconds"`
	FullStreaming  bool   `json:"full_streaming"`
	// Preorder sells the release before its release day (ReleaseDate,
	// YYYY-MM-DD, UTC): see InPreorder.
	Preorder bool `json:"preorder"`
	// Formats are what a buyer may download the tracks as, best first;
	// Extras the bonus files that come with a purchase.
	Formats     []Format   `json:"formats"`
	Extras      []Extra    `json:"extras,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

// Track is one audio file of a release.
type Track struct {
	ID          int64  `json:"id"`
	Position    int    `json:"position"`
	Title       string `json:"title"`
	DurationMS  int64  `json:"duration_ms"`
	AudioSHA256 string `json:"audio_sha256"`
	Size        int64  `json:"size"`
	// PreorderAvailable: buyers of a pre-order get this track at once.
	PreorderAvailable bool `json:"preorder_available"`
	// AvailableOn is set, for a buyer, on a track a pre-order still
	// holds: the release day it opens (YYYY-MM-DD, UTC).
	AvailableOn string `json:"available_on,omitempty"`
	// Master is what the creator uploaded: its codec ("flac" or "mp3")
	// and, for lossless masters, its sample rate, bit depth and channels.
	Master AudioFormat `json:"master"`
	// Loudness is measured once from the decoded master; nil until then.
	Loudness *Loudness `json:"loudness,omitempty"`
	// Problem, shown to the release's owner only, says what decoding the
	// master found wrong with it (a FLAC that fails its own MD5 check).
	Problem string `json:"problem,omitempty"`
	// ProblemCode names Problem's kind, for clients that say it in their
	// own words (its text may change; the codes do not): one of the
	// Problem* codes, empty when Problem is.
	ProblemCode string `json:"problem_code,omitempty"`
}

// Codes of Track.ProblemCode. A client meeting a code it does not know
// shows Problem as it is.
const (
	// ProblemFLACChecksum: a FLAC whose decoded audio does not match the
	// MD5 checksum in its STREAMINFO header.
	ProblemFLACChecksum = "flac_checksum"
	// ProblemUndecodable: audio that cannot be decoded to its end.
	ProblemUndecodable = "undecodable"
)

// Manifest is what a creator sends to create or replace a release.
type Manifest struct {
	Title          string          `json:"title"`
	ArtistName     string          `json:"artist_name"`
	Description    string          `json:"description"`
	ReleaseDate    string          `json:"release_date"`
	PriceCents     int64           `json:"price_cents"`
	Currency       string          `json:"currency"`
	PayWhatYouWant bool            `json:"pay_what_you_want"`
	MinCents       int64           `json:"min_cents"`
	CoverSHA256    string          `json:"cover_sha256"`
	Tracks         []ManifestTrack `json:"tracks"`
	// Collaborators share the creator's part of every sale with the
	// release's owner; none: the owner keeps all of it.
	Collaborators []ManifestCollaborator `json:"collaborators,omitempty"`
	// Slug names the release in its web address, /@handle/slug: lowercase
	// letters, digits and dashes. Empty: made from the title when the
	// release is created, kept as it is when it is replaced.
	Slug string `json:"slug,omitempty"`
	// PreviewSeconds is how much of each track anyone may hear before
	// buying (0: DefaultPreviewSeconds); FullStreaming lets them hear all.
	PreviewSeconds int  `json:"preview_seconds,omitempty"`
	FullStreaming  bool `json:"full_streaming,omitempty"`
	// Preorder sells the release before its release day, which it then
	// needs as YYYY-MM-DD; buyers get the tracks marked
	// PreorderAvailable at once and the rest on that day.
	Preorder bool `json:"preorder,omitempty"`
	// Extras are bonus files delivered with a purchase.
	Extras []ManifestExtra `json:"extras,omitempty"`
}

// ManifestCollaborator is an account sharing a release's creator part,
// named by its email address.
type ManifestCollaborator struct {
	Email string `json:"email"`
	// ShareBps is their part of the creator share in basis points
	// (2500 = 25 %). The owner, when not listed, keeps what the others
	// leave; listed, the shares must add up to 10000.
	ShareBps int64 `json:"share_bps"`
}

// Collaborator is one payee of a release, as its owner sees it.
type Collaborator struct {
	AccountID int64  `json:"account_id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	ShareBps  int64  `json:"share_bps"`
	Owner     bool   `json:"owner,omitempty"`
}

// ManifestTrack places one uploaded audio blob in a release.
type ManifestTrack struct {
	Position    int    `json:"position"`
	Title       string `json:"title"`
	AudioSHA256 string `json:"audio_sha256"`
	// PreorderAvailable: a pre-order's buyers get this track at once.
	PreorderAvailable bool `json:"preorder_available,omitempty"`
}

// Artist is the public face of a creator account.
type Artist struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// The artist's public profile: handle ("" until chosen), bio, links
	// and picture (served at /@handle/picture/SHA256).
	Handle        string    `json:"handle"`
	Bio           string    `json:"bio"`
	Links         []string  `json:"links"`
	PictureSHA256 string    `json:"picture_sha256,omitempty"`
	Releases      []Release `json:"releases"`
}

// ReleaseFilter selects published releases in the catalog.
type ReleaseFilter struct {
	Query    string // words matched against title and artist name
	ArtistID int64
	Limit    int
	Cursor   string
}

// ReleasePage is one page of a listing; NextCursor is empty on the last.
type ReleasePage struct {
	Items      []Release `json:"items"`
	NextCursor string    `json:"next_cursor"`
}

// Listing limits.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// ReleaseService manages releases. Drafts are visible only to their
// creator: to anyone else they do not exist (ENOTFOUND).
type ReleaseService interface {
	// CreateRelease stores a new draft. EINVALID names the field at fault;
	// EFORBIDDEN for non-creators.
	CreateRelease(ctx context.Context, m Manifest) (*Release, error)
	// UpdateRelease replaces a release's manifest. ECONFLICT when the change
	// would take audio away from buyers.
	UpdateRelease(ctx context.Context, id int64, m Manifest) (*Release, error)
	// DeleteRelease removes a release that has never been sold. ECONFLICT
	// once it has sales.
	DeleteRelease(ctx context.Context, id int64) error
	// PublishRelease makes a draft public. ECONFLICT when it has no tracks.
	PublishRelease(ctx context.Context, id int64) (*Release, error)
	// UnpublishRelease takes a release out of the catalog; buyers keep it.
	UnpublishRelease(ctx context.Context, id int64) (*Release, error)
	// FindRelease returns a published release, or the caller's own draft.
	FindRelease(ctx context.Context, id int64) (*Release, error)
	// MyReleases lists the caller's releases, drafts included, newest first.
	MyReleases(ctx context.Context, limit int, cursor string) (*ReleasePage, error)
	// SearchReleases lists published releases, newest first.
	SearchReleases(ctx context.Context, f ReleaseFilter) (*ReleasePage, error)
	// FindArtist returns a creator with their published releases.
	FindArtist(ctx context.Context, id int64) (*Artist, error)
}

// TrackFile locates the audio of a track for download.
type TrackFile struct {
	TrackID     int64
	ReleaseID   int64
	Position    int
	Title       string
	AudioSHA256 string
	Size        int64
	// What a pre-order's hold needs: the release's date and flag, and
	// whether this track is out before it.
	ReleaseDate       string
	Preorder          bool
	PreorderAvailable bool
}

// DownloadService decides who may fetch a track's audio.
type DownloadService interface {
	// AuthorizeTrack returns a track's file if the caller may download it:
	// the release's creator, a buyer, or anyone signed in for a free
	// published release. EUNAUTHORIZED for anonymous callers, ENOTFOUND
	// when the track is not visible to the caller, EFORBIDDEN when it is
	// visible but not theirs.
	AuthorizeTrack(ctx context.Context, trackID int64) (*TrackFile, error)
}
