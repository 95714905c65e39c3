package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// OwnsBlob implements store.Reader.
func (r reader) OwnsBlob(ctx context.Context, accountID int64, sha256 string) (bool, error) {
	var one int
	err := r.q.QueryRowContext(ctx, `SELECT 1 FROM account_blobs WHERE account_id = ? AND sha256 = ?`, accountID, sha256).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Blob implements store.Reader.
func (r reader) Blob(ctx context.Context, sha256 string) (*api.Blob, error) {
	var b api.Blob
	var created int64
	err := r.q.QueryRowContext(ctx, `SELECT sha256, size, media_type, duration_ms, width, height, sample_rate, bit_depth, channels, created_at FROM blobs WHERE sha256 = ?`, sha256).
		Scan(&b.SHA256, &b.Size, &b.MediaType, &b.DurationMS, &b.Width, &b.Height, &b.SampleRate, &b.BitDepth, &b.Channels, &created)
	if err != nil {
		return nil, none(err)
	}
	b.CreatedAt = fromMillis(created)
	return &b, nil
}

// UsedBytes implements store.Reader: one row, kept by triggers in the
// transactions that change what an account stores or uploads.
func (r reader) UsedBytes(ctx context.Context, accountID int64) (int64, error) {
	var used int64
	err := r.q.QueryRowContext(ctx, usedBytesQuery, accountID).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return used, err
}

const usedBytesQuery = `SELECT used_bytes FROM account_usage WHERE account_id = ?1`

const uploadColumns = `id, account_id, sha256, size, filename, created_at`

// Upload implements store.Reader.
func (r reader) Upload(ctx context.Context, id string) (*api.Upload, error) {
	u, err := scanUpload(r.q.QueryRowContext(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find upload: %w", none(err))
	}
	return u, nil
}

// StaleUploads implements store.Reader.
func (r reader) StaleUploads(ctx context.Context, before time.Time) ([]api.Upload, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE created_at < ? ORDER BY created_at`, millis(before))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []api.Upload
	for rows.Next() {
		u, err := scanUpload(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanUpload(row scanner) (*api.Upload, error) {
	var u api.Upload
	var created int64
	if err := row.Scan(&u.ID, &u.AccountID, &u.SHA256, &u.Size, &u.Filename, &created); err != nil {
		return nil, err
	}
	u.CreatedAt = fromMillis(created)
	return &u, nil
}

// InsertUpload implements store.Tx.
func (t *tx) InsertUpload(ctx context.Context, u api.Upload) error {
	return t.exec(ctx, `INSERT INTO uploads (id, account_id, sha256, size, filename, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		u.ID, u.AccountID, u.SHA256, u.Size, u.Filename, millis(u.CreatedAt))
}

// DeleteUpload implements store.Tx.
func (t *tx) DeleteUpload(ctx context.Context, id string) (int64, error) {
	var accountID int64
	err := t.tx.QueryRowContext(ctx, `DELETE FROM uploads WHERE id = ? RETURNING account_id`, id).Scan(&accountID)
	return accountID, none(err)
}

// OwnBlob implements store.Tx.
func (t *tx) OwnBlob(ctx context.Context, accountID int64, b api.Blob, now time.Time) error {
	err := t.exec(ctx, `INSERT INTO blobs (sha256, size, media_type, duration_ms, width, height, sample_rate, bit_depth, channels, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
		b.SHA256, b.Size, b.MediaType, b.DurationMS, b.Width, b.Height, b.SampleRate, b.BitDepth, b.Channels, millis(now))
	if err != nil {
		return fmt.Errorf("insert blob: %w", err)
	}
	return t.exec(ctx, `INSERT INTO account_blobs (account_id, sha256, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		accountID, b.SHA256, millis(now))
}

var _ store.Tx = (*tx)(nil)
