package cache

import (
	"context"
	"time"
)

// LibraryItem is an owned release as last seen on the platform.
type LibraryItem struct {
	PurchaseID  int64
	ReleaseID   int64
	Artist      string
	Title       string
	ReleaseJSON string
	Receipt     string
	ReceiptOK   bool
	ReceiptErr  string
	PurchasedAt time.Time
	CoverPath   string
}

// LibraryFile is one owned track on disk.
type LibraryFile struct {
	TrackID    int64
	PurchaseID int64
	ReleaseID  int64
	Position   int
	Title      string
	SHA256     string
	Size       int64
	DurationMS int64
	Path       string
	State      string
	MtimeNS    int64
}

// PutLibraryItem stores an owned release.
func (c *Cache) PutLibraryItem(ctx context.Context, it LibraryItem) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO library_items (purchase_id, release_id, artist, title, release_json, receipt, receipt_ok,
		receipt_err, purchased_at, cover_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (purchase_id) DO UPDATE SET
		release_id = excluded.release_id, artist = excluded.artist, title = excluded.title, release_json = excluded.release_json,
		receipt = excluded.receipt, receipt_ok = excluded.receipt_ok, receipt_err = excluded.receipt_err, cover_path = excluded.cover_path`,
		it.PurchaseID, it.ReleaseID, it.Artist, it.Title, it.ReleaseJSON, it.Receipt, it.ReceiptOK, it.ReceiptErr, it.PurchasedAt.UnixMilli(), it.CoverPath)
	return err
}

// LibraryItems lists owned releases by artist and title.
func (c *Cache) LibraryItems(ctx context.Context) ([]LibraryItem, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT purchase_id, release_id, artist, title, release_json, receipt, receipt_ok, receipt_err,
		purchased_at, cover_path FROM library_items ORDER BY artist COLLATE NOCASE, title COLLATE NOCASE`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LibraryItem
	for rows.Next() {
		var it LibraryItem
		var at int64
		if err := rows.Scan(&it.PurchaseID, &it.ReleaseID, &it.Artist, &it.Title, &it.ReleaseJSON, &it.Receipt, &it.ReceiptOK, &it.ReceiptErr, &at, &it.CoverPath); err != nil {
			return nil, err
		}
		it.PurchasedAt = time.UnixMilli(at)
		out = append(out, it)
	}
	return out, rows.Err()
}

// DeleteLibraryItem forgets a release no longer owned (fully refunded);
// its files stay on disk.
func (c *Cache) DeleteLibraryItem(ctx context.Context, purchaseID int64) error {
	_, err := c.db.ExecContext(ctx, `DELETE FROM library_items WHERE purchase_id = ?`, purchaseID)
	return err
}

// PutLibraryFile stores an owned track's file record.
func (c *Cache) PutLibraryFile(ctx context.Context, f LibraryFile) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO library_files (track_id, purchase_id, release_id, position, title, sha256, size, duration_ms,
		path, state, mtime_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (track_id) DO UPDATE SET purchase_id = excluded.purchase_id,
		position = excluded.position, title = excluded.title, sha256 = excluded.sha256, size = excluded.size, duration_ms = excluded.duration_ms,
		path = excluded.path, state = excluded.state, mtime_ns = excluded.mtime_ns`,
		f.TrackID, f.PurchaseID, f.ReleaseID, f.Position, f.Title, f.SHA256, f.Size, f.DurationMS, f.Path, f.State, f.MtimeNS)
	return err
}

// LibraryFiles lists the tracks of an owned release (all if releaseID is 0).
func (c *Cache) LibraryFiles(ctx context.Context, releaseID int64) ([]LibraryFile, error) {
	q, args := `SELECT track_id, purchase_id, release_id, position, title, sha256, size, duration_ms, path, state, mtime_ns FROM library_files`, []any{}
	if releaseID != 0 {
		q += ` WHERE release_id = ?`
		args = append(args, releaseID)
	}
	rows, err := c.db.QueryContext(ctx, q+` ORDER BY release_id, position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LibraryFile
	for rows.Next() {
		var f LibraryFile
		if err := rows.Scan(&f.TrackID, &f.PurchaseID, &f.ReleaseID, &f.Position, &f.Title, &f.SHA256, &f.Size, &f.DurationMS, &f.Path, &f.State, &f.MtimeNS); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// LibraryFileByTrack returns one track's file record. IsNotFound if none.
func (c *Cache) LibraryFileByTrack(ctx context.Context, trackID int64) (*LibraryFile, error) {
	var f LibraryFile
	err := c.db.QueryRowContext(ctx, `SELECT track_id, purchase_id, release_id, position, title, sha256, size, duration_ms, path, state, mtime_ns
		FROM library_files WHERE track_id = ?`, trackID).
		Scan(&f.TrackID, &f.PurchaseID, &f.ReleaseID, &f.Position, &f.Title, &f.SHA256, &f.Size, &f.DurationMS, &f.Path, &f.State, &f.MtimeNS)
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// LoadPlayerState returns the player's saved queue and position.
func (c *Cache) LoadPlayerState(ctx context.Context) []byte {
	return []byte(c.Setting(ctx, "player_state", ""))
}

// SavePlayerState stores the player's queue and position.
func (c *Cache) SavePlayerState(ctx context.Context, b []byte) error {
	return c.SetSetting(ctx, "player_state", string(b))
}
