package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

const announcementColumns = `n.id, n.artist_id, a.display_name, COALESCE(a.handle, ''), n.title, n.body,
	COALESCE(r.id, 0), COALESCE(r.title, ''), COALESCE(r.slug, ''), n.image_sha256, n.audience, n.release_ids, n.recipients, n.created_at`

// A linked release shows only while it is published.
const announcementFrom = ` FROM announcements n JOIN accounts a ON a.id = n.artist_id
	LEFT JOIN releases r ON r.id = n.release_id AND r.state = 'published' `

// InsertAnnouncement implements store.Tx.
func (t *tx) InsertAnnouncement(ctx context.Context, a api.Announcement) (int64, error) {
	ids := a.ReleaseIDs
	if ids == nil {
		ids = []int64{}
	}
	var id int64
	err := t.tx.QueryRow(ctx, `INSERT INTO announcements (artist_id, title, body, release_id, image_sha256, audience, release_ids,
			recipients, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, a.ArtistID, a.Title, a.Body, nullID(a.ReleaseID), a.ImageSHA256,
		a.Audience, ids, a.Recipients, ms(a.CreatedAt)).Scan(&id)
	return id, wrap("insert announcement", err)
}

// SetMailPrefs implements store.Tx.
func (t *tx) SetMailPrefs(ctx context.Context, fanID, artistID int64, p api.MailPrefs, now time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO mail_prefs (fan_id, artist_id, email, share_email, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (artist_id, fan_id) DO UPDATE SET email = excluded.email, share_email = excluded.share_email,
			updated_at = excluded.updated_at`, fanID, artistID, p.Email, p.ShareEmail, ms(now))
	return wrap("mail prefs", err)
}

// QueueMails implements store.Tx: one statement over arrays, whatever
// their length.
func (t *tx) QueueMails(ctx context.Context, mails []store.Mail) (int, error) {
	if len(mails) == 0 {
		return 0, nil
	}
	n := len(mails)
	keys, tos, subjects, texts, htmls, headers := make([]string, n), make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n)
	nexts, createds := make([]time.Time, n), make([]time.Time, n)
	for i, m := range mails {
		h, err := json.Marshal(m.Headers)
		if err != nil {
			return 0, fmt.Errorf("mail headers: %w", err)
		}
		if m.Headers == nil {
			h = []byte("{}")
		}
		keys[i], tos[i], subjects[i], texts[i], htmls[i], headers[i] = m.Key, m.To, m.Subject, m.Text, m.HTML, string(h)
		nexts[i], createds[i] = ms(m.NextAt), ms(m.CreatedAt)
	}
	tag, err := t.tx.Exec(ctx, `INSERT INTO mail_outbox (dedup_key, to_addr, subject, text_body, html_body, headers, next_at, created_at)
		SELECT k, t, s, tx, h, hd::jsonb, na, ca
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[])
			AS m(k, t, s, tx, h, hd, na, ca)
		ON CONFLICT (dedup_key) DO NOTHING`, keys, tos, subjects, texts, htmls, headers, nexts, createds)
	if err != nil {
		return 0, wrap("queue mails", err)
	}
	return int(tag.RowsAffected()), nil
}

// InsertSecret implements store.Tx.
func (t *tx) InsertSecret(ctx context.Context, name string, value []byte, now time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		name, value, ms(now))
	return wrap("insert secret", err)
}

// Announcement implements store.Reader.
func (r reader) Announcement(ctx context.Context, id int64) (*api.Announcement, error) {
	a, err := scanAnnouncement(r.q.QueryRow(ctx, `SELECT `+announcementColumns+announcementFrom+`WHERE n.id = $1`, id))
	return a, wrap("announcement", err)
}

// Announcements implements store.Reader.
func (r reader) Announcements(ctx context.Context, q store.AnnouncementQuery) ([]api.Announcement, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if q.ArtistID != 0 {
		where = append(where, "n.artist_id = "+arg(q.ArtistID))
	}
	if q.FollowerID != 0 {
		where = append(where, "n.artist_id IN (SELECT artist_id FROM follows WHERE fan_id = "+arg(q.FollowerID)+")")
	}
	if q.Public {
		where = append(where, "n.audience <> 'me'")
	}
	if q.Before != 0 {
		where = append(where, "n.id < "+arg(q.Before))
	}
	query := `SELECT ` + announcementColumns + announcementFrom
	if len(where) > 0 {
		query += "WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY n.id DESC LIMIT " + arg(q.Limit)
	rows, err := r.q.Query(ctx, query, args...)
	if err != nil {
		return nil, wrap("announcements", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (api.Announcement, error) {
		a, err := scanAnnouncement(row)
		if err != nil {
			return api.Announcement{}, err
		}
		return *a, nil
	})
	return out, wrap("announcements", err)
}

func scanAnnouncement(row pgx.Row) (*api.Announcement, error) {
	var a api.Announcement
	err := row.Scan(&a.ID, &a.ArtistID, &a.ArtistName, &a.ArtistHandle, &a.Title, &a.Body, &a.ReleaseID, &a.ReleaseTitle,
		&a.ReleaseSlug, &a.ImageSHA256, &a.Audience, &a.ReleaseIDs, &a.Recipients, &a.CreatedAt)
	if err != nil {
		return nil, err
	}
	if len(a.ReleaseIDs) == 0 {
		a.ReleaseIDs = nil
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

// MailPrefs implements store.Reader.
func (r reader) MailPrefs(ctx context.Context, fanID, artistID int64) (api.MailPrefs, error) {
	var p api.MailPrefs
	err := r.q.QueryRow(ctx, `SELECT email, share_email FROM mail_prefs WHERE artist_id = $1 AND fan_id = $2`, artistID, fanID).
		Scan(&p.Email, &p.ShareEmail)
	if errors.Is(err, pgx.ErrNoRows) {
		return api.MailPrefs{}, nil
	}
	return p, wrap("mail prefs", err)
}

// MailRecipients implements store.Reader.
func (r reader) MailRecipients(ctx context.Context, artistID int64, audience string, releaseIDs []int64) ([]store.Recipient, error) {
	var fans string
	args := []any{artistID}
	switch audience {
	case api.AudienceFollowers:
		fans = `SELECT fan_id FROM follows WHERE artist_id = $1`
	case api.AudienceBuyers:
		fans = `SELECT fan_id FROM purchases WHERE artist_id = $1`
	case api.AudienceReleases:
		fans = `SELECT fan_id FROM purchases WHERE artist_id = $1 AND release_id = ANY($2)`
		args = append(args, releaseIDs)
	default:
		return nil, fmt.Errorf("mail recipients: no audience %q", audience)
	}
	rows, err := r.q.Query(ctx, `SELECT a.id, a.email FROM mail_prefs m JOIN accounts a ON a.id = m.fan_id
		WHERE m.artist_id = $1 AND m.email AND m.fan_id IN (`+fans+`) ORDER BY a.id`, args...)
	if err != nil {
		return nil, wrap("mail recipients", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Recipient, error) {
		var rc store.Recipient
		err := row.Scan(&rc.FanID, &rc.Email)
		return rc, err
	})
	return out, wrap("mail recipients", err)
}

// Secret implements store.Reader.
func (r reader) Secret(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := r.q.QueryRow(ctx, `SELECT value FROM server_secrets WHERE name = $1`, name).Scan(&v)
	return v, wrap("secret", err)
}
