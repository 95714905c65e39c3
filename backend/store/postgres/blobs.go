package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/api"
)

// InsertUpload implements store.Tx; ErrConflict if the id is taken.
func (t *tx) InsertUpload(ctx context.Context, u api.Upload) error {
	tag, err := t.tx.Exec(ctx, `INSERT INTO uploads (id, account_id, sha256, size, filename, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT DO NOTHING`, u.ID, u.AccountID, u.SHA256, u.Size, u.Filename, ms(u.CreatedAt))
	return inserted("insert upload", tag, err)
}

// DeleteUpload implements store.Tx.
func (t *tx) DeleteUpload(ctx context.Context, id string) (int64, error) {
	var account int64
	err := t.tx.QueryRow(ctx, `DELETE FROM uploads WHERE id = $1 RETURNING account_id`, id).Scan(&account)
	return account, wrap("delete upload", err)
}

// OwnBlob implements store.Tx.
func (t *tx) OwnBlob(ctx context.Context, accountID int64, b api.Blob, now time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO blobs (sha256, size, media_type, duration_ms, width, height, sample_rate, bit_depth, channels, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (sha256) DO NOTHING`,
		b.SHA256, b.Size, b.MediaType, b.DurationMS, b.Width, b.Height, b.SampleRate, b.BitDepth, b.Channels, ms(now))
	if err != nil {
		return wrap("insert blob", err)
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO account_blobs (account_id, sha256, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		accountID, b.SHA256, ms(now))
	return wrap("own blob", err)
}

// Blob implements store.Reader.
func (r reader) Blob(ctx context.Context, sha256 string) (*api.Blob, error) {
	var b api.Blob
	err := r.q.QueryRow(ctx, `SELECT sha256, size, media_type, duration_ms, width, height, sample_rate, bit_depth, channels, created_at FROM blobs WHERE sha256 = $1`, sha256).
		Scan(&b.SHA256, &b.Size, &b.MediaType, &b.DurationMS, &b.Width, &b.Height, &b.SampleRate, &b.BitDepth, &b.Channels, &b.CreatedAt)
	if err != nil {
		return nil, wrap("blob", err)
	}
	b.CreatedAt = b.CreatedAt.UTC()
	return &b, nil
}

// OwnsBlob implements store.Reader.
func (r reader) OwnsBlob(ctx context.Context, accountID int64, sha256 string) (bool, error) {
	var owns bool
	err := r.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM account_blobs WHERE account_id = $1 AND sha256 = $2)`, accountID, sha256).Scan(&owns)
	return owns, wrap("owns blob", err)
}

const uploadColumns = `id, account_id, sha256, size, filename, created_at`

func scanUpload(row pgx.CollectableRow) (api.Upload, error) {
	var u api.Upload
	err := row.Scan(&u.ID, &u.AccountID, &u.SHA256, &u.Size, &u.Filename, &u.CreatedAt)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

// Upload implements store.Reader.
func (r reader) Upload(ctx context.Context, id string) (*api.Upload, error) {
	rows, err := r.q.Query(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE id = $1`, id)
	if err != nil {
		return nil, wrap("upload", err)
	}
	u, err := pgx.CollectExactlyOneRow(rows, scanUpload)
	if err != nil {
		return nil, wrap("upload", err)
	}
	return &u, nil
}

// StaleUploads implements store.Reader: uploads begun before the time,
// oldest first.
func (r reader) StaleUploads(ctx context.Context, before time.Time) ([]api.Upload, error) {
	rows, err := r.q.Query(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE created_at < $1 ORDER BY created_at, id`, before)
	if err != nil {
		return nil, wrap("stale uploads", err)
	}
	out, err := pgx.CollectRows(rows, scanUpload)
	return out, wrap("stale uploads", err)
}

// UsedBytes implements store.Reader: one row, kept by triggers.
func (r reader) UsedBytes(ctx context.Context, accountID int64) (int64, error) {
	var used int64
	err := r.q.QueryRow(ctx, `SELECT COALESCE((SELECT used_bytes FROM account_usage WHERE account_id = $1), 0)`, accountID).Scan(&used)
	return used, wrap("used bytes", err)
}
