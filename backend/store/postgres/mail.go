package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/store"
)

const mailColumns = `id, dedup_key, to_addr, subject, text_body, html_body, headers, state, attempts, next_at, lease_till,
	last_error, created_at, sent_at`

// QueueMail implements store.Tx; a taken key is ErrConflict and leaves
// the transaction usable.
func (t *tx) QueueMail(ctx context.Context, m store.Mail) (int64, error) {
	headers := m.Headers
	if headers == nil {
		headers = map[string]string{}
	}
	var id int64
	err := t.tx.QueryRow(ctx, `INSERT INTO mail_outbox (dedup_key, to_addr, subject, text_body, html_body, headers, next_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
		m.Key, m.To, m.Subject, m.Text, m.HTML, headers, ms(m.NextAt), ms(m.CreatedAt)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, store.ErrConflict
	}
	return id, wrap("queue mail", err)
}

// ClaimMail implements store.Tx: SKIP LOCKED lets several servers claim
// side by side, each its own rows.
func (t *tx) ClaimMail(ctx context.Context, now, leaseTill time.Time, limit int) ([]store.Mail, error) {
	rows, err := t.tx.Query(ctx, `WITH due AS (SELECT id FROM mail_outbox
			WHERE (state = 'queued' AND next_at <= $2) OR (state = 'sending' AND lease_till <= $2)
			ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED),
		c AS (UPDATE mail_outbox m SET state = 'sending', attempts = attempts + 1, lease_till = $1
			FROM due WHERE m.id = due.id RETURNING m.*)
		SELECT `+mailColumns+` FROM c ORDER BY id`, ms(leaseTill), ms(now), limit)
	if err != nil {
		return nil, wrap("claim mail", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Mail, error) {
		m, err := scanMail(row)
		if err != nil {
			return store.Mail{}, err
		}
		return *m, nil
	})
	return out, wrap("claim mail", err)
}

// MailSent implements store.Tx.
func (t *tx) MailSent(ctx context.Context, id int64, at time.Time) error {
	tag, err := t.tx.Exec(ctx, `UPDATE mail_outbox SET state = 'sent', sent_at = $1, last_error = '' WHERE id = $2 AND state = 'sending'`,
		ms(at), id)
	return affected("mail sent", tag, err)
}

// MailRetry implements store.Tx.
func (t *tx) MailRetry(ctx context.Context, id int64, next time.Time, why string) error {
	tag, err := t.tx.Exec(ctx, `UPDATE mail_outbox SET state = 'queued', next_at = $1, last_error = $2 WHERE id = $3 AND state = 'sending'`,
		ms(next), why, id)
	return affected("mail retry", tag, err)
}

// MailFailed implements store.Tx.
func (t *tx) MailFailed(ctx context.Context, id int64, why string) error {
	tag, err := t.tx.Exec(ctx, `UPDATE mail_outbox SET state = 'failed', last_error = $1 WHERE id = $2 AND state = 'sending'`, why, id)
	return affected("mail failed", tag, err)
}

// MailByKey implements store.Reader.
func (r reader) MailByKey(ctx context.Context, key string) (*store.Mail, error) {
	m, err := scanMail(r.q.QueryRow(ctx, `SELECT `+mailColumns+` FROM mail_outbox WHERE dedup_key = $1`, key))
	return m, wrap("mail", err)
}

// NextMailAt implements store.Reader.
func (r reader) NextMailAt(ctx context.Context) (time.Time, error) {
	var next *time.Time
	err := r.q.QueryRow(ctx, `SELECT LEAST(
		(SELECT MIN(next_at) FROM mail_outbox WHERE state = 'queued'),
		(SELECT MIN(lease_till) FROM mail_outbox WHERE state = 'sending'))`).Scan(&next)
	if err != nil {
		return time.Time{}, wrap("next mail", err)
	}
	if next == nil {
		return time.Time{}, store.ErrNotFound
	}
	return next.UTC(), nil
}

func scanMail(row pgx.Row) (*store.Mail, error) {
	var m store.Mail
	var sent *time.Time
	err := row.Scan(&m.ID, &m.Key, &m.To, &m.Subject, &m.Text, &m.HTML, &m.Headers, &m.State, &m.Attempts, &m.NextAt, &m.LeaseTill,
		&m.LastError, &m.CreatedAt, &sent)
	if err != nil {
		return nil, err
	}
	if len(m.Headers) == 0 {
		m.Headers = nil
	}
	m.NextAt, m.LeaseTill, m.CreatedAt = m.NextAt.UTC(), m.LeaseTill.UTC(), m.CreatedAt.UTC()
	if sent != nil {
		m.SentAt = sent.UTC()
	}
	return &m, nil
}
