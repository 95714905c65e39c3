package service

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/mail"
	"github.com/megabox-fm/megabox/backend/markdown"
	"github.com/megabox-fm/megabox/backend/store"
)

// AnnouncementService implements api.AnnouncementService.
//
// An announcement and its email are written in one transaction: the
// announcement row and one outbox message per recipient, each keyed
// "announce:<id>:<fan>", so the outbox sends each fan one message whatever
// happens to the server meanwhile.
type AnnouncementService struct {
	*env
	md  *markdown.Renderer
	key atomic.Pointer[[]byte] // signs unsubscribe links; read once
}

var _ api.AnnouncementService = (*AnnouncementService)(nil)

func newAnnouncementService(e *env) *AnnouncementService {
	return &AnnouncementService{env: e, md: markdown.New()}
}

// defaultAnnouncementPage is a page's length when the caller names none.
const defaultAnnouncementPage = 20

// CreateAnnouncement implements api.AnnouncementService.
func (s *AnnouncementService) CreateAnnouncement(ctx context.Context, in api.AnnouncementCreate, origin string) (*api.Announcement, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if u, err := url.Parse(origin); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("announcement: bad origin %q", origin)
	}
	key, err := s.unsubscribeKey(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	var id int64
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := s.checkLinks(ctx, tx, c.Account.ID, in); err != nil {
			return err
		}
		to, err := s.recipients(ctx, tx, c, in)
		if err != nil {
			return err
		}
		id, err = tx.InsertAnnouncement(ctx, api.Announcement{ArtistID: c.Account.ID, Title: in.Title, Body: in.Body,
			ReleaseID: in.ReleaseID, ImageSHA256: in.ImageSHA256, Audience: in.Audience, ReleaseIDs: in.ReleaseIDs,
			Recipients: len(to), CreatedAt: now})
		if err != nil || len(to) == 0 {
			return err
		}
		a, err := tx.Announcement(ctx, id)
		if err != nil {
			return err
		}
		return s.queue(ctx, tx, a, to, in.Lang, origin, key)
	})
	if err != nil {
		return nil, err
	}
	s.mailQueued()
	a, err := s.st.Announcement(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.show(a, true), nil
}

// checkLinks checks that the release and image an announcement names are
// the creator's: a published release, an image they uploaded.
func (s *AnnouncementService) checkLinks(ctx context.Context, tx store.Tx, artistID int64, in api.AnnouncementCreate) error {
	if in.ReleaseID != 0 {
		r, err := tx.Release(ctx, in.ReleaseID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if r == nil || r.ArtistID != artistID || r.State != api.StatePublished {
			return api.FieldErrorf("release_id", "must be one of your published releases")
		}
	}
	for i, rid := range in.ReleaseIDs {
		r, err := tx.Release(ctx, rid)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if r == nil || r.ArtistID != artistID {
			return api.FieldErrorf("release_ids["+strconv.Itoa(i)+"]", "release %d is not one of yours", rid)
		}
	}
	if in.ImageSHA256 != "" {
		ok, err := tx.OwnsBlob(ctx, artistID, in.ImageSHA256)
		if err != nil {
			return err
		}
		b, err := tx.Blob(ctx, in.ImageSHA256)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if !ok || b == nil {
			return api.FieldErrorf("image_sha256", "upload the image first")
		}
		if !strings.HasPrefix(b.MediaType, "image/") {
			return api.FieldErrorf("image_sha256", "must be an image (JPEG, PNG or WebP), not %s", b.MediaType)
		}
	}
	return nil
}

// recipients are who gets the email: the fans of the audience who chose
// the creator's email, or the creator alone for a test send.
func (s *AnnouncementService) recipients(ctx context.Context, tx store.Tx, c *api.Caller, in api.AnnouncementCreate) ([]store.Recipient, error) {
	if !s.mailOn() {
		return nil, nil // shown on the web and in apps only
	}
	if in.Audience == api.AudienceMe {
		return []store.Recipient{{FanID: c.Account.ID, Email: c.Account.Email}}, nil
	}
	return tx.MailRecipients(ctx, c.Account.ID, in.Audience, in.ReleaseIDs)
}

// announcementMail is what an announcement's email templates show. Only
// BodyHTML is markup, and only once the sanitizer made it safe.
type announcementMail struct {
	Artist, Title, BodyText  string
	BodyHTML                 template.HTML
	Permalink, ImageURL      string
	ReleaseURL, ReleaseTitle string
	UnsubscribeURL           string
}

// queue renders the announcement's email for each recipient, with their
// own unsubscribe link, and queues it all at once.
func (s *AnnouncementService) queue(ctx context.Context, tx store.Tx, a *api.Announcement, to []store.Recipient, lang, origin string, key []byte) error {
	data := announcementMail{Artist: a.ArtistName, Title: a.Title, BodyText: a.Body,
		BodyHTML: template.HTML(s.md.HTML(a.Body))} // #nosec: sanitized by the markdown package's policy
	if a.ArtistHandle != "" && a.Audience != api.AudienceMe {
		base := origin + "/@" + url.PathEscape(a.ArtistHandle)
		data.Permalink = base + "/news/" + strconv.FormatInt(a.ID, 10)
		if a.ImageSHA256 != "" {
			data.ImageURL = data.Permalink + "/image/" + a.ImageSHA256
		}
		if a.ReleaseSlug != "" {
			data.ReleaseURL, data.ReleaseTitle = base+"/"+url.PathEscape(a.ReleaseSlug), a.ReleaseTitle
		}
	}
	now := s.clock()
	msgs := make([]store.Mail, 0, len(to))
	for _, r := range to {
		unsub := origin + "/unsubscribe/" + signUnsubscribe(key, r.FanID, a.ArtistID)
		d := data
		d.UnsubscribeURL = unsub
		m, err := mail.Render("announcement", lang, d)
		if err != nil {
			return err
		}
		msgs = append(msgs, store.Mail{Key: fmt.Sprintf("announce:%d:%d", a.ID, r.FanID), To: r.Email,
			Subject: m.Subject, Text: m.Text, HTML: m.HTML, NextAt: now, CreatedAt: now,
			Headers: map[string]string{"List-Unsubscribe": "<" + unsub + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}})
	}
	_, err := tx.QueueMails(ctx, msgs)
	return err
}

// MyAnnouncements implements api.AnnouncementService.
func (s *AnnouncementService) MyAnnouncements(ctx context.Context, cursor string, limit int) (*api.AnnouncementPage, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	return s.list(ctx, store.AnnouncementQuery{ArtistID: c.Account.ID}, cursor, limit, true)
}

// ArtistAnnouncements implements api.AnnouncementService.
func (s *AnnouncementService) ArtistAnnouncements(ctx context.Context, artistID int64, cursor string, limit int) (*api.AnnouncementPage, error) {
	return s.list(ctx, store.AnnouncementQuery{ArtistID: artistID, Public: true}, cursor, limit, false)
}

// PublicAnnouncement implements api.AnnouncementService.
func (s *AnnouncementService) PublicAnnouncement(ctx context.Context, artistID, id int64) (*api.Announcement, error) {
	a, err := s.st.Announcement(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if a == nil || a.ArtistID != artistID || a.Audience == api.AudienceMe {
		return nil, api.Errorf(api.ENOTFOUND, "announcement %d not found", id)
	}
	return s.show(a, false), nil
}

// Feed implements api.AnnouncementService.
func (s *AnnouncementService) Feed(ctx context.Context, cursor string, limit int) (*api.AnnouncementPage, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	return s.list(ctx, store.AnnouncementQuery{FollowerID: c.Account.ID, Public: true}, cursor, limit, false)
}

// list reads a page; a cursor is the last id of the page before.
func (s *AnnouncementService) list(ctx context.Context, q store.AnnouncementQuery, cursor string, limit int, mine bool) (*api.AnnouncementPage, error) {
	switch {
	case limit < 0 || limit > api.MaxAnnouncementPage:
		return nil, api.FieldErrorf("limit", "must be 1 to %d", api.MaxAnnouncementPage)
	case limit == 0:
		limit = defaultAnnouncementPage
	}
	if cursor != "" {
		before, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || before <= 0 {
			return nil, api.FieldErrorf("cursor", "use the next_cursor of the page before")
		}
		q.Before = before
	}
	q.Limit = limit + 1 // one more says whether a next page exists
	as, err := s.st.Announcements(ctx, q)
	if err != nil {
		return nil, err
	}
	page := &api.AnnouncementPage{Items: []api.Announcement{}}
	for i := range as {
		if i == limit {
			page.NextCursor = strconv.FormatInt(as[i-1].ID, 10)
			break
		}
		page.Items = append(page.Items, *s.show(&as[i], mine))
	}
	return page, nil
}

// show renders an announcement's body; only its creator sees whom it
// was sent to.
func (s *AnnouncementService) show(a *api.Announcement, mine bool) *api.Announcement {
	a.BodyHTML = s.md.HTML(a.Body)
	if !mine {
		a.Audience, a.ReleaseIDs, a.Recipients = "", nil, 0
	}
	return a
}

// SetFollow implements api.AnnouncementService.
func (s *AnnouncementService) SetFollow(ctx context.Context, artistID int64, p api.MailPrefs) (*api.FollowState, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		a, err := tx.Account(ctx, artistID)
		if err != nil || !a.Creator {
			return notFound(orNotFound(err), "artist %d not found", artistID)
		}
		if artistID == c.Account.ID {
			return api.Errorf(api.ECONFLICT, "you cannot follow yourself")
		}
		now := s.clock()
		if err := tx.InsertFollow(ctx, c.Account.ID, artistID, now); err != nil {
			return err
		}
		return tx.SetMailPrefs(ctx, c.Account.ID, artistID, p, now)
	})
	if err != nil {
		return nil, err
	}
	return &api.FollowState{Following: true, MailPrefs: p}, nil
}

// FollowState implements api.AnnouncementService.
func (s *AnnouncementService) FollowState(ctx context.Context, artistID int64) (*api.FollowState, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	var st api.FollowState
	if st.Following, err = s.st.Follows(ctx, c.Account.ID, artistID); err != nil {
		return nil, err
	}
	if st.MailPrefs, err = s.st.MailPrefs(ctx, c.Account.ID, artistID); err != nil {
		return nil, err
	}
	return &st, nil
}

// UnsubscribeTarget implements api.AnnouncementService.
func (s *AnnouncementService) UnsubscribeTarget(ctx context.Context, token string) (*api.Profile, error) {
	_, artistID, err := s.readUnsubscribe(ctx, token)
	if err != nil {
		return nil, err
	}
	return s.st.Profile(ctx, artistID)
}

// Unsubscribe implements api.AnnouncementService. It needs no session:
// the signed link is the fan's say-so (RFC 8058), and it only ever turns
// email off. Whether the fan shares their address stays as it was.
func (s *AnnouncementService) Unsubscribe(ctx context.Context, token string) (*api.Profile, error) {
	fanID, artistID, err := s.readUnsubscribe(ctx, token)
	if err != nil {
		return nil, err
	}
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		p, err := tx.MailPrefs(ctx, fanID, artistID)
		if err != nil {
			return err
		}
		p.Email = false
		return tx.SetMailPrefs(ctx, fanID, artistID, p, s.clock())
	})
	if err != nil {
		return nil, err
	}
	return s.st.Profile(ctx, artistID)
}

// Unsubscribe links carry the fan's and the artist's ids and an HMAC of
// both under the platform's own key: no session, nothing to guess.
const (
	unsubscribeSecret = "unsubscribe"
	unsubscribeMACLen = 16
)

func signUnsubscribe(key []byte, fanID, artistID int64) string {
	b := make([]byte, 16, 16+unsubscribeMACLen)
	binary.BigEndian.PutUint64(b, uint64(fanID))
	binary.BigEndian.PutUint64(b[8:], uint64(artistID))
	return base64.RawURLEncoding.EncodeToString(append(b, unsubscribeMAC(key, b)...))
}

func unsubscribeMAC(key, ids []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("megabox unsubscribe v1\x00"))
	m.Write(ids)
	return m.Sum(nil)[:unsubscribeMACLen]
}

func (s *AnnouncementService) readUnsubscribe(ctx context.Context, token string) (fanID, artistID int64, err error) {
	bad := api.Errorf(api.ENOTFOUND, "this unsubscribe link is not valid: use the link of a recent email")
	b, derr := base64.RawURLEncoding.DecodeString(token)
	if derr != nil || len(b) != 16+unsubscribeMACLen {
		return 0, 0, bad
	}
	key, err := s.unsubscribeKey(ctx)
	if err != nil {
		return 0, 0, err
	}
	if !hmac.Equal(b[16:], unsubscribeMAC(key, b[:16])) {
		return 0, 0, bad
	}
	return int64(binary.BigEndian.Uint64(b)), int64(binary.BigEndian.Uint64(b[8:])), nil
}

// unsubscribeKey is the key unsubscribe links are signed with, made on
// first use and kept in the database, so links outlive restarts and work
// on every server sharing it.
func (s *AnnouncementService) unsubscribeKey(ctx context.Context) ([]byte, error) {
	if k := s.key.Load(); k != nil {
		return *k, nil
	}
	k, err := s.st.Secret(ctx, unsubscribeSecret)
	if errors.Is(err, store.ErrNotFound) {
		fresh := make([]byte, 32)
		_, _ = rand.Read(fresh) // never fails (crypto/rand)
		err = s.st.WithTx(ctx, func(tx store.Tx) error {
			if err := tx.InsertSecret(ctx, unsubscribeSecret, fresh, s.clock()); err != nil {
				return err
			}
			k, err = tx.Secret(ctx, unsubscribeSecret) // another server's, if it was first
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("unsubscribe key: %w", err)
	}
	s.key.Store(&k)
	return k, nil
}
