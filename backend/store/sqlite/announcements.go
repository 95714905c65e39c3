package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

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
	ids, err := json.Marshal(a.ReleaseIDs)
	if a.ReleaseIDs == nil {
		ids = []byte("[]")
	}
	if err != nil {
		return 0, err
	}
	var release any
	if a.ReleaseID != 0 {
		release = a.ReleaseID
	}
	return t.insert(ctx, `INSERT INTO announcements (artist_id, title, body, release_id, image_sha256, audience, release_ids, recipients, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ArtistID, a.Title, a.Body, release, a.ImageSHA256, a.Audience, string(ids),
		a.Recipients, millis(a.CreatedAt))
}

// SetMailPrefs implements store.Tx.
func (t *tx) SetMailPrefs(ctx context.Context, fanID, artistID int64, p api.MailPrefs, now time.Time) error {
	return t.exec(ctx, `INSERT INTO mail_prefs (fan_id, artist_id, email, share_email, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (artist_id, fan_id) DO UPDATE SET email = excluded.email, share_email = excluded.share_email,
			updated_at = excluded.updated_at`, fanID, artistID, p.Email, p.ShareEmail, millis(now))
}

// mailBatch is how many messages one statement queues: 8 values each,
// well under SQLite's bound on a statement's parameters.
const mailBatch = 500

// QueueMails implements store.Tx.
func (t *tx) QueueMails(ctx context.Context, ms []store.Mail) (int, error) {
	queued := 0
	for len(ms) > 0 {
		n := min(len(ms), mailBatch)
		var q strings.Builder
		q.WriteString(`INSERT INTO mail_outbox (dedup_key, to_addr, subject, text_body, html_body, headers, next_at, created_at) VALUES `)
		args := make([]any, 0, 8*n)
		for i, m := range ms[:n] {
			headers, err := json.Marshal(m.Headers)
			if err != nil {
				return queued, fmt.Errorf("mail headers: %w", err)
			}
			if m.Headers == nil {
				headers = []byte("{}")
			}
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, m.Key, m.To, m.Subject, m.Text, m.HTML, string(headers), millis(m.NextAt), millis(m.CreatedAt))
		}
		q.WriteString(` ON CONFLICT (dedup_key) DO NOTHING`)
		res, err := t.tx.ExecContext(ctx, q.String(), args...)
		if err != nil {
			return queued, fmt.Errorf("queue mails: %w", err)
		}
		added, err := res.RowsAffected()
		if err != nil {
			return queued, err
		}
		queued += int(added)
		ms = ms[n:]
	}
	return queued, nil
}

// InsertSecret implements store.Tx.
func (t *tx) InsertSecret(ctx context.Context, name string, value []byte, now time.Time) error {
	return t.exec(ctx, `INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		name, value, millis(now))
}

// Announcement implements store.Reader.
func (r reader) Announcement(ctx context.Context, id int64) (*api.Announcement, error) {
	return scanAnnouncement(r.q.QueryRowContext(ctx, `SELECT `+announcementColumns+announcementFrom+`WHERE n.id = ?`, id))
}

// Announcements implements store.Reader.
func (r reader) Announcements(ctx context.Context, q store.AnnouncementQuery) ([]api.Announcement, error) {
	var where []string
	var args []any
	if q.ArtistID != 0 {
		where, args = append(where, "n.artist_id = ?"), append(args, q.ArtistID)
	}
	if q.FollowerID != 0 {
		where = append(where, "n.artist_id IN (SELECT artist_id FROM follows WHERE fan_id = ?)")
		args = append(args, q.FollowerID)
	}
	if q.Public {
		where = append(where, "n.audience <> 'me'")
	}
	if q.Before != 0 {
		where, args = append(where, "n.id < ?"), append(args, q.Before)
	}
	query := `SELECT ` + announcementColumns + announcementFrom
	if len(where) > 0 {
		query += "WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY n.id DESC LIMIT ?"
	rows, err := r.q.QueryContext(ctx, query, append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("announcements: %w", err)
	}
	defer rows.Close()
	var out []api.Announcement
	for rows.Next() {
		a, err := scanAnnouncement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

func scanAnnouncement(row rowScanner) (*api.Announcement, error) {
	var a api.Announcement
	var ids string
	var created int64
	err := row.Scan(&a.ID, &a.ArtistID, &a.ArtistName, &a.ArtistHandle, &a.Title, &a.Body, &a.ReleaseID, &a.ReleaseTitle,
		&a.ReleaseSlug, &a.ImageSHA256, &a.Audience, &ids, &a.Recipients, &created)
	if err != nil {
		return nil, none(err)
	}
	if err := json.Unmarshal([]byte(ids), &a.ReleaseIDs); err != nil {
		return nil, fmt.Errorf("announcement %d releases: %w", a.ID, err)
	}
	if len(a.ReleaseIDs) == 0 {
		a.ReleaseIDs = nil
	}
	a.CreatedAt = fromMillis(created)
	return &a, nil
}

// MailPrefs implements store.Reader.
func (r reader) MailPrefs(ctx context.Context, fanID, artistID int64) (api.MailPrefs, error) {
	var p api.MailPrefs
	err := r.q.QueryRowContext(ctx, `SELECT email, share_email FROM mail_prefs WHERE artist_id = ? AND fan_id = ?`, artistID, fanID).
		Scan(&p.Email, &p.ShareEmail)
	if err == sql.ErrNoRows {
		return api.MailPrefs{}, nil
	}
	return p, err
}

// MailRecipients implements store.Reader.
func (r reader) MailRecipients(ctx context.Context, artistID int64, audience string, releaseIDs []int64) ([]store.Recipient, error) {
	var fans string
	args := []any{artistID}
	switch audience {
	case api.AudienceFollowers:
		fans = `SELECT fan_id FROM follows WHERE artist_id = ?1`
	case api.AudienceBuyers:
		fans = `SELECT fan_id FROM purchases WHERE artist_id = ?1`
	case api.AudienceReleases:
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(releaseIDs)), ", ")
		fans = `SELECT fan_id FROM purchases WHERE artist_id = ?1 AND release_id IN (` + marks + `)`
		for _, id := range releaseIDs {
			args = append(args, id)
		}
	default:
		return nil, fmt.Errorf("mail recipients: no audience %q", audience)
	}
	rows, err := r.q.QueryContext(ctx, `SELECT a.id, a.email FROM mail_prefs m JOIN accounts a ON a.id = m.fan_id
		WHERE m.artist_id = ?1 AND m.email = 1 AND m.fan_id IN (`+fans+`) ORDER BY a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("mail recipients: %w", err)
	}
	defer rows.Close()
	var out []store.Recipient
	for rows.Next() {
		var rc store.Recipient
		if err := rows.Scan(&rc.FanID, &rc.Email); err != nil {
			return nil, err
		}
		out = append(out, rc)
	}
	return out, rows.Err()
}

// Secret implements store.Reader.
func (r reader) Secret(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := r.q.QueryRowContext(ctx, `SELECT value FROM server_secrets WHERE name = ?`, name).Scan(&v)
	return v, none(err)
}
