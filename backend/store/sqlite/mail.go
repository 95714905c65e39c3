package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/store"
)

const mailColumns = `id, dedup_key, to_addr, subject, text_body, html_body, headers, state, attempts, next_at, lease_till,
	last_error, created_at, sent_at`

// QueueMail implements store.Tx.
func (t *tx) QueueMail(ctx context.Context, m store.Mail) (int64, error) {
	headers, err := json.Marshal(m.Headers)
	if err != nil {
		return 0, fmt.Errorf("mail headers: %w", err)
	}
	if m.Headers == nil {
		headers = []byte("{}")
	}
	return t.insert(ctx, `INSERT INTO mail_outbox (dedup_key, to_addr, subject, text_body, html_body, headers, next_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.Key, m.To, m.Subject, m.Text, m.HTML, string(headers), millis(m.NextAt), millis(m.CreatedAt))
}

// ClaimMail implements store.Tx: SQLite runs one writer at a time, so
// the select and the update see the same rows.
func (t *tx) ClaimMail(ctx context.Context, now, leaseTill time.Time, limit int) ([]store.Mail, error) {
	rows, err := t.tx.QueryContext(ctx, `UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1, lease_till = ?
		WHERE id IN (SELECT id FROM mail_outbox
			WHERE (state = 'queued' AND next_at <= ?) OR (state = 'sending' AND lease_till <= ?)
			ORDER BY id LIMIT ?)
		RETURNING `+mailColumns, millis(leaseTill), millis(now), millis(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	defer rows.Close()
	var out []store.Mail
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING gives no order: oldest first.
	slices.SortFunc(out, func(a, b store.Mail) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// MailSent implements store.Tx.
func (t *tx) MailSent(ctx context.Context, id int64, at time.Time) error {
	return t.sending(ctx, `UPDATE mail_outbox SET state = 'sent', sent_at = ?, last_error = '' WHERE id = ? AND state = 'sending'`, millis(at), id)
}

// MailRetry implements store.Tx.
func (t *tx) MailRetry(ctx context.Context, id int64, next time.Time, why string) error {
	return t.sending(ctx, `UPDATE mail_outbox SET state = 'queued', next_at = ?, last_error = ? WHERE id = ? AND state = 'sending'`,
		millis(next), why, id)
}

// MailFailed implements store.Tx.
func (t *tx) MailFailed(ctx context.Context, id int64, why string) error {
	return t.sending(ctx, `UPDATE mail_outbox SET state = 'failed', last_error = ? WHERE id = ? AND state = 'sending'`, why, id)
}

// sending runs an update of a sending message; ErrNotFound when it
// matched none.
func (t *tx) sending(ctx context.Context, query string, args ...any) error {
	res, err := t.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// MailByKey implements store.Reader.
func (r reader) MailByKey(ctx context.Context, key string) (*store.Mail, error) {
	return scanMail(r.q.QueryRowContext(ctx, `SELECT `+mailColumns+` FROM mail_outbox WHERE dedup_key = ?`, key))
}

// NextMailAt implements store.Reader.
func (r reader) NextMailAt(ctx context.Context) (time.Time, error) {
	var next sql.NullInt64
	err := r.q.QueryRowContext(ctx, `SELECT MIN(t) FROM (
		SELECT MIN(next_at) AS t FROM mail_outbox WHERE state = 'queued'
		UNION ALL SELECT MIN(lease_till) FROM mail_outbox WHERE state = 'sending')`).Scan(&next)
	if err != nil {
		return time.Time{}, err
	}
	if !next.Valid {
		return time.Time{}, store.ErrNotFound
	}
	return fromMillis(next.Int64), nil
}

type rowScanner interface{ Scan(dest ...any) error }

func scanMail(row rowScanner) (*store.Mail, error) {
	var m store.Mail
	var headers string
	var next, lease, created int64
	var sent sql.NullInt64
	err := row.Scan(&m.ID, &m.Key, &m.To, &m.Subject, &m.Text, &m.HTML, &headers, &m.State, &m.Attempts, &next, &lease,
		&m.LastError, &created, &sent)
	if err != nil {
		return nil, none(err)
	}
	if err := json.NewDecoder(strings.NewReader(headers)).Decode(&m.Headers); err != nil {
		return nil, fmt.Errorf("mail %d headers: %w", m.ID, err)
	}
	if len(m.Headers) == 0 {
		m.Headers = nil
	}
	m.NextAt, m.LeaseTill, m.CreatedAt = fromMillis(next), fromMillis(lease), fromMillis(created)
	if sent.Valid {
		m.SentAt = fromMillis(sent.Int64)
	}
	return &m, nil
}
