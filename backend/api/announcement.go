package api

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Announcements: a creator's news to their fans. Each one shows on the
// artist's web page, in their Atom feed and in the app's feed of every fan
// who follows them; it is also emailed to the fans of its audience who
// chose to get that artist's email. A test send goes to the creator only
// and shows nowhere.

// Audiences of an announcement's email.
const (
	AudienceFollowers = "followers" // everyone who follows the artist
	AudienceBuyers    = "buyers"    // everyone who bought one of their releases
	AudienceReleases  = "releases"  // buyers of the releases in ReleaseIDs
	AudienceMe        = "me"        // a test send to the creator alone
)

// Limits of an announcement.
const (
	MaxAnnouncementTitleLen = 140
	MaxAnnouncementBodyLen  = 20_000 // characters of Markdown
	MaxAudienceReleases     = 50
	MaxAnnouncementPage     = 50 // items in one page of a list
)

// AnnouncementCreate is a new announcement.
type AnnouncementCreate struct {
	Title string `json:"title"`
	// Body is Markdown; it is shown as a safe subset of HTML: paragraphs,
	// emphasis, lists, links, headings, code and quotes.
	Body string `json:"body"`
	// ReleaseID links one of the creator's published releases; 0 for none.
	ReleaseID int64 `json:"release_id,omitempty"`
	// ImageSHA256 is an image the creator uploaded; "" for none.
	ImageSHA256 string `json:"image_sha256,omitempty"`
	// Audience says who gets it by email: AudienceFollowers (the
	// default), AudienceBuyers, AudienceReleases or AudienceMe.
	Audience   string  `json:"audience"`
	ReleaseIDs []int64 `json:"release_ids,omitempty"` // for AudienceReleases
	// Lang is the language of the email's own words (en or fr); the
	// creator's text goes as written.
	Lang string `json:"lang,omitempty"`
}

// Normalize trims the text and lower-cases the audience.
func (in *AnnouncementCreate) Normalize() {
	in.Title = strings.TrimSpace(in.Title)
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	in.Audience = strings.ToLower(strings.TrimSpace(in.Audience))
	if in.Audience == "" {
		in.Audience = AudienceFollowers
	}
	in.ImageSHA256 = strings.ToLower(strings.TrimSpace(in.ImageSHA256))
	if in.Lang != "fr" {
		in.Lang = "en"
	}
}

// Validate checks a normalized announcement; EINVALID names the field.
func (in *AnnouncementCreate) Validate() error {
	if err := CheckName("title", in.Title, MaxAnnouncementTitleLen); err != nil {
		return err
	}
	switch n := utf8.RuneCountInString(in.Body); {
	case !utf8.ValidString(in.Body):
		return FieldErrorf("body", "must be valid UTF-8")
	case n == 0:
		return FieldErrorf("body", "must not be empty")
	case n > MaxAnnouncementBodyLen:
		return FieldErrorf("body", "must be at most %d characters (it has %d)", MaxAnnouncementBodyLen, n)
	}
	if in.ReleaseID < 0 {
		return FieldErrorf("release_id", "must be one of your published releases")
	}
	if in.ImageSHA256 != "" && !ValidSHA256(in.ImageSHA256) {
		return FieldErrorf("image_sha256", "must be a lowercase hex sha256")
	}
	switch in.Audience {
	case AudienceFollowers, AudienceBuyers, AudienceMe:
		if len(in.ReleaseIDs) > 0 {
			return FieldErrorf("release_ids", "name releases only for the audience %q", AudienceReleases)
		}
	case AudienceReleases:
		if len(in.ReleaseIDs) == 0 || len(in.ReleaseIDs) > MaxAudienceReleases {
			return FieldErrorf("release_ids", "name 1 to %d of your releases", MaxAudienceReleases)
		}
		for i, id := range in.ReleaseIDs {
			if id <= 0 {
				return FieldErrorf("release_ids["+strconv.Itoa(i)+"]", "must be a release id")
			}
		}
	default:
		return FieldErrorf("audience", "must be followers, buyers, releases or me")
	}
	return nil
}

// Announcement is a creator's published news.
type Announcement struct {
	ID           int64  `json:"id"`
	ArtistID     int64  `json:"artist_id"`
	ArtistName   string `json:"artist_name"`
	ArtistHandle string `json:"artist_handle"`
	Title        string `json:"title"`
	Body         string `json:"body"`      // Markdown, as written
	BodyHTML     string `json:"body_html"` // the safe HTML it shows as
	ReleaseID    int64  `json:"release_id,omitempty"`
	ReleaseTitle string `json:"release_title,omitempty"`
	ReleaseSlug  string `json:"release_slug,omitempty"`
	ImageSHA256  string `json:"image_sha256,omitempty"`
	// Audience, ReleaseIDs and Recipients (the emails queued) are shown
	// to the creator only.
	Audience   string    `json:"audience,omitempty"`
	ReleaseIDs []int64   `json:"release_ids,omitempty"`
	Recipients int       `json:"recipients"`
	CreatedAt  time.Time `json:"created_at"`
}

// AnnouncementPage is a page of announcements, newest first.
type AnnouncementPage struct {
	Items      []Announcement `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty"` // "" on the last page
}

// MailPrefs are what a fan lets one artist do: send them email, and see
// their address (in the fans list and its CSV). Both are off until the fan
// turns them on.
type MailPrefs struct {
	Email      bool `json:"email"`
	ShareEmail bool `json:"share_email"`
}

// FollowState is whether a fan follows an artist, with their choices.
type FollowState struct {
	Following bool `json:"following"`
	MailPrefs
}

// AnnouncementService is creators' news and fans' choices about it.
type AnnouncementService interface {
	// CreateAnnouncement publishes the caller's announcement and queues
	// its email; origin (https://host) makes the links in the email.
	// EFORBIDDEN for a non-creator, EINVALID naming the field.
	CreateAnnouncement(ctx context.Context, in AnnouncementCreate, origin string) (*Announcement, error)
	// MyAnnouncements lists the caller's announcements, test sends too.
	MyAnnouncements(ctx context.Context, cursor string, limit int) (*AnnouncementPage, error)
	// ArtistAnnouncements lists an artist's public announcements.
	ArtistAnnouncements(ctx context.Context, artistID int64, cursor string, limit int) (*AnnouncementPage, error)
	// PublicAnnouncement is one public announcement of an artist;
	// ENOTFOUND for a test send or another artist's.
	PublicAnnouncement(ctx context.Context, artistID, id int64) (*Announcement, error)
	// Feed lists the announcements of the artists the caller follows.
	Feed(ctx context.Context, cursor string, limit int) (*AnnouncementPage, error)
	// SetFollow follows an artist with the caller's choices about email.
	SetFollow(ctx context.Context, artistID int64, p MailPrefs) (*FollowState, error)
	// FollowState is whether the caller follows an artist, and their
	// choices.
	FollowState(ctx context.Context, artistID int64) (*FollowState, error)
	// UnsubscribeTarget names the artist an unsubscribe token is for;
	// ENOTFOUND for a token the platform did not sign.
	UnsubscribeTarget(ctx context.Context, token string) (*Profile, error)
	// Unsubscribe stops the artist's email to the fan a token names.
	Unsubscribe(ctx context.Context, token string) (*Profile, error)
}
