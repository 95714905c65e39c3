package cache

import (
	"context"
	"database/sql"
)

// Leftover is a file a format switch replaced: removed once its release
// is complete in the new format, if the fan has not changed it.
type Leftover struct {
	Path       string
	PurchaseID int64
	SHA256     string
}

// LibraryExtra is one bonus file of an owned release on disk.
type LibraryExtra struct {
	PurchaseID int64
	Name       string
	Path       string
	SHA256     string
	Size       int64
	State      string
	MtimeNS    int64
}

// Mirror says what an owned track's file is: its format ("" for files
// mirrored before formats) and the master it was made from ("" when the
// file is the master itself, as those were).
type Mirror struct {
	Format       string
	MasterSHA256 string
}

// PutMirroredFile stores an owned track's file record with what it is
// (see Mirror) and, in the same transaction, the file it replaced (if any), so a
// switch interrupted at any point knows what is still to remove.
func (c *Cache) PutMirroredFile(ctx context.Context, f LibraryFile, m Mirror, replaced *Leftover) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO library_files (track_id, purchase_id, release_id, position, title, sha256, size,
			duration_ms, path, state, mtime_ns, format, master_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (track_id) DO UPDATE SET
			purchase_id = excluded.purchase_id, position = excluded.position, title = excluded.title, sha256 = excluded.sha256,
			size = excluded.size, duration_ms = excluded.duration_ms, path = excluded.path, state = excluded.state,
			mtime_ns = excluded.mtime_ns, format = excluded.format, master_sha256 = excluded.master_sha256`,
			f.TrackID, f.PurchaseID, f.ReleaseID, f.Position, f.Title, f.SHA256, f.Size, f.DurationMS, f.Path, f.State, f.MtimeNS, m.Format, m.MasterSHA256); err != nil {
			return err
		}
		// The new file may sit where a leftover was (MP3 320 and V0 share a name).
		if _, err := tx.ExecContext(ctx, `DELETE FROM library_leftovers WHERE path = ?`, f.Path); err != nil {
			return err
		}
		if replaced == nil || replaced.Path == f.Path {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO library_leftovers (path, purchase_id, sha256) VALUES (?, ?, ?)
			ON CONFLICT (path) DO UPDATE SET purchase_id = excluded.purchase_id, sha256 = excluded.sha256`,
			replaced.Path, replaced.PurchaseID, replaced.SHA256)
		return err
	})
}

// LibraryMirrors maps each track of an owned release (all if releaseID is
// 0) to what its file is.
func (c *Cache) LibraryMirrors(ctx context.Context, releaseID int64) (map[int64]Mirror, error) {
	q, args := `SELECT track_id, format, master_sha256 FROM library_files`, []any{}
	if releaseID != 0 {
		q += ` WHERE release_id = ?`
		args = append(args, releaseID)
	}
	rows, err := c.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]Mirror{}
	for rows.Next() {
		var id int64
		var m Mirror
		if err := rows.Scan(&id, &m.Format, &m.MasterSHA256); err != nil {
			return nil, err
		}
		out[id] = m
	}
	return out, rows.Err()
}

// Leftovers lists the files a format switch left for a purchase.
func (c *Cache) Leftovers(ctx context.Context, purchaseID int64) ([]Leftover, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT path, purchase_id, sha256 FROM library_leftovers WHERE purchase_id = ? ORDER BY path`, purchaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Leftover
	for rows.Next() {
		var l Leftover
		if err := rows.Scan(&l.Path, &l.PurchaseID, &l.SHA256); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// DeleteLeftover forgets a leftover file (removed, gone, or kept).
func (c *Cache) DeleteLeftover(ctx context.Context, path string) error {
	_, err := c.db.ExecContext(ctx, `DELETE FROM library_leftovers WHERE path = ?`, path)
	return err
}

// SetLibraryItemFormat records the format a release is fully mirrored in.
func (c *Cache) SetLibraryItemFormat(ctx context.Context, purchaseID int64, format string) error {
	_, err := c.db.ExecContext(ctx, `UPDATE library_items SET format = ? WHERE purchase_id = ?`, format, purchaseID)
	return err
}

// LibraryItemFormats maps each owned release's purchase to the format it
// is fully mirrored in ("" before formats or before its first mirror).
func (c *Cache) LibraryItemFormats(ctx context.Context) (map[int64]string, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT purchase_id, format FROM library_items`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var f string
		if err := rows.Scan(&id, &f); err != nil {
			return nil, err
		}
		out[id] = f
	}
	return out, rows.Err()
}

// PutLibraryExtra stores a bonus file's record.
func (c *Cache) PutLibraryExtra(ctx context.Context, e LibraryExtra) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO library_extras (purchase_id, name, path, sha256, size, state, mtime_ns)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (purchase_id, name) DO UPDATE SET path = excluded.path, sha256 = excluded.sha256,
		size = excluded.size, state = excluded.state, mtime_ns = excluded.mtime_ns`,
		e.PurchaseID, e.Name, e.Path, e.SHA256, e.Size, e.State, e.MtimeNS)
	return err
}

// LibraryExtras lists the bonus files of a purchase (all if purchaseID is 0).
func (c *Cache) LibraryExtras(ctx context.Context, purchaseID int64) ([]LibraryExtra, error) {
	q, args := `SELECT purchase_id, name, path, sha256, size, state, mtime_ns FROM library_extras`, []any{}
	if purchaseID != 0 {
		q += ` WHERE purchase_id = ?`
		args = append(args, purchaseID)
	}
	rows, err := c.db.QueryContext(ctx, q+` ORDER BY purchase_id, name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LibraryExtra
	for rows.Next() {
		var e LibraryExtra
		if err := rows.Scan(&e.PurchaseID, &e.Name, &e.Path, &e.SHA256, &e.Size, &e.State, &e.MtimeNS); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
