package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// BlobService implements api.BlobService and api.UploadService.
type BlobService struct {
	db      *DB
	commits atomic.Int64
}

var (
	_ api.BlobService   = (*BlobService)(nil)
	_ api.UploadService = (*BlobService)(nil)
)

// NewBlobService returns the blob service over db.
func NewBlobService(db *DB) *BlobService { return &BlobService{db: db} }

// HasBlob implements api.BlobService.
func (s *BlobService) HasBlob(ctx context.Context, sha256 string) (bool, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return false, err
	}
	var one int
	err = s.db.read.QueryRowContext(ctx, `SELECT 1 FROM account_blobs WHERE account_id = ? AND sha256 = ?`, c.Account.ID, sha256).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// BeginUpload implements api.UploadService.
func (s *BlobService) BeginUpload(ctx context.Context, u api.Upload, quota int64) error {
	return s.inUploadTx(ctx, func(tx *sql.Tx) error {
		used, err := usedBytes(ctx, tx, u.AccountID)
		if err != nil {
			return err
		}
		if quota > 0 && used+u.Size > quota {
			return api.Errorf(api.EQUOTA, "storage quota exceeded: %d of %d bytes used, upload needs %d", used, quota, u.Size)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO uploads (id, account_id, sha256, size, filename, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			u.ID, u.AccountID, u.SHA256, u.Size, u.Filename, millis(s.db.now()))
		return err
	})
}

// UsedBytes implements api.UploadService.
func (s *BlobService) UsedBytes(ctx context.Context, accountID int64) (int64, error) {
	return usedBytes(ctx, s.db.read, accountID)
}

// usedBytesQuery reads what an account stores plus what it is uploading:
// one row, kept by triggers in the transactions that change either.
const usedBytesQuery = `SELECT used_bytes FROM account_usage WHERE account_id = ?1`

// usedBytes counts what an account stores plus what it is uploading.
func usedBytes(ctx context.Context, q queryer, accountID int64) (int64, error) {
	var used int64
	err := q.QueryRowContext(ctx, usedBytesQuery, accountID).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("quota: %w", err)
	}
	return used, nil
}

// FindUpload implements api.UploadService.
func (s *BlobService) FindUpload(ctx context.Context, id string) (*api.Upload, error) {
	var u api.Upload
	var created int64
	err := s.db.read.QueryRowContext(ctx, `SELECT id, account_id, sha256, size, filename, created_at FROM uploads WHERE id = ?`, id).
		Scan(&u.ID, &u.AccountID, &u.SHA256, &u.Size, &u.Filename, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, api.Errorf(api.ENOTFOUND, "upload not found")
	} else if err != nil {
		return nil, fmt.Errorf("find upload: %w", err)
	}
	u.CreatedAt = fromMillis(created)
	return &u, nil
}

// FinishUpload implements api.UploadService.
func (s *BlobService) FinishUpload(ctx context.Context, uploadID string, b api.Blob) error {
	return s.inUploadTx(ctx, func(tx *sql.Tx) error {
		var accountID int64
		err := tx.QueryRowContext(ctx, `DELETE FROM uploads WHERE id = ? RETURNING account_id`, uploadID).Scan(&accountID)
		if errors.Is(err, sql.ErrNoRows) {
			return api.Errorf(api.ENOTFOUND, "upload not found")
		} else if err != nil {
			return fmt.Errorf("finish upload: %w", err)
		}
		return s.own(ctx, tx, accountID, b)
	})
}

// StoreBlob implements api.UploadService.
func (s *BlobService) StoreBlob(ctx context.Context, accountID int64, b api.Blob) error {
	return s.inUploadTx(ctx, func(tx *sql.Tx) error { return s.own(ctx, tx, accountID, b) })
}

// own records a blob, if new, and gives an account ownership of it.
func (s *BlobService) own(ctx context.Context, tx *sql.Tx, accountID int64, b api.Blob) error {
	now := millis(s.db.now())
	_, err := tx.ExecContext(ctx, `INSERT INTO blobs (sha256, size, media_type, duration_ms, width, height, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
		b.SHA256, b.Size, b.MediaType, b.DurationMS, b.Width, b.Height, now)
	if err != nil {
		return fmt.Errorf("insert blob: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO account_blobs (account_id, sha256, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		accountID, b.SHA256, now)
	return err
}

// AbortUpload implements api.UploadService.
func (s *BlobService) AbortUpload(ctx context.Context, uploadID string) error {
	return s.inUploadTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM uploads WHERE id = ?`, uploadID)
		return err
	})
}

// Commits returns how many write transactions the upload methods have
// committed.
func (s *BlobService) Commits() int64 { return s.commits.Load() }

// inUploadTx runs fn in a write transaction committed with
// synchronous=NORMAL: no fsync of its own. Upload bookkeeping can afford
// that: the bytes a blob row names are fsynced into the bucket before the
// row is written, a row lost to a power cut only makes the client upload
// again, and the WAL fsync of the next FULL commit (a release that uses
// the blob, any money) makes every earlier commit durable with it.
func (s *BlobService) inUploadTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	conn, err := s.db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// The connection goes back to the pool only as it came: FULL. If
	// that cannot be restored it is closed, never reused.
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = FULL`); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.commits.Add(1)
	return nil
}

// StaleUploads implements api.UploadService.
func (s *BlobService) StaleUploads(ctx context.Context, before time.Time) ([]api.Upload, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, account_id, sha256, size, filename, created_at FROM uploads WHERE created_at < ? ORDER BY created_at`, millis(before))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []api.Upload
	for rows.Next() {
		var u api.Upload
		var created int64
		if err := rows.Scan(&u.ID, &u.AccountID, &u.SHA256, &u.Size, &u.Filename, &created); err != nil {
			return nil, err
		}
		u.CreatedAt = fromMillis(created)
		out = append(out, u)
	}
	return out, rows.Err()
}

// FindBlob implements api.UploadService.
func (s *BlobService) FindBlob(ctx context.Context, sha256 string) (*api.Blob, error) {
	return findBlob(ctx, s.db.read, sha256)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func findBlob(ctx context.Context, q queryer, sha256 string) (*api.Blob, error) {
	var b api.Blob
	var created int64
	err := q.QueryRowContext(ctx, `SELECT sha256, size, media_type, duration_ms, width, height, created_at FROM blobs WHERE sha256 = ?`, sha256).
		Scan(&b.SHA256, &b.Size, &b.MediaType, &b.DurationMS, &b.Width, &b.Height, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, api.Errorf(api.ENOTFOUND, "blob %s not found", sha256)
	} else if err != nil {
		return nil, fmt.Errorf("find blob: %w", err)
	}
	b.CreatedAt = fromMillis(created)
	return &b, nil
}
