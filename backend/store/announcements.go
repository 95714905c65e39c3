package store

import (
	"context"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// AnnouncementsTx writes announcements, fans' choices about an artist's
// email, and the platform's secrets.
type AnnouncementsTx interface {
	// InsertAnnouncement records an announcement; a.ID is ignored.
	InsertAnnouncement(ctx context.Context, a api.Announcement) (int64, error)
	// SetMailPrefs records a fan's choices about an artist's email.
	SetMailPrefs(ctx context.Context, fanID, artistID int64, p api.MailPrefs, now time.Time) error
	// QueueMails adds messages to the mail outbox as QueueMail does, many
	// to a statement; a message whose key was queued before is skipped.
	// It returns how many were queued.
	QueueMails(ctx context.Context, ms []Mail) (int, error)
	// InsertSecret keeps value under name unless the name has one.
	InsertSecret(ctx context.Context, name string, value []byte, now time.Time) error
}

// AnnouncementsReader reads announcements and fans' choices.
type AnnouncementsReader interface {
	// Announcement returns one announcement with its artist's name and
	// handle and its release's title and slug; ErrNotFound.
	Announcement(ctx context.Context, id int64) (*api.Announcement, error)
	// Announcements lists announcements newest first, as Announcement
	// returns them.
	Announcements(ctx context.Context, q AnnouncementQuery) ([]api.Announcement, error)
	// MailPrefs are a fan's choices about an artist's email; all off
	// when the fan made none.
	MailPrefs(ctx context.Context, fanID, artistID int64) (api.MailPrefs, error)
	// MailRecipients lists the fans of an artist's audience who chose to
	// get their email, each once, by account id.
	MailRecipients(ctx context.Context, artistID int64, audience string, releaseIDs []int64) ([]Recipient, error)
	// Secret returns the value kept under name; ErrNotFound.
	Secret(ctx context.Context, name string) ([]byte, error)
}

// AnnouncementQuery selects announcements.
type AnnouncementQuery struct {
	ArtistID   int64 // 0 for any
	FollowerID int64 // only artists this fan follows; 0 for any
	Public     bool  // leave out test sends
	Before     int64 // only ids below this; 0 for no bound
	Limit      int
}

// Recipient is a fan an email goes to.
type Recipient struct {
	FanID int64
	Email string
}
