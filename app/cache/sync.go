package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// Root states.
const (
	RootOK      = "ok"
	RootMissing = "missing" // unmounted or renamed: nothing is done about it remotely
)

// Root is a watched folder.
type Root struct {
	ID    int64
	Path  string
	State string
}

// AddRoot watches a folder (an absolute path).
func (c *Cache) AddRoot(ctx context.Context, path string) (*Root, error) {
	path = filepath.Clean(path)
	if !filepath.IsAbs(path) {
		return nil, fmt.Errorf("watched folder must be an absolute path: %q", path)
	}
	_, err := c.db.ExecContext(ctx, `INSERT INTO roots (path, added_at) VALUES (?, ?) ON CONFLICT (path) DO NOTHING`, path, now())
	if err != nil {
		return nil, err
	}
	r := &Root{Path: path}
	err = c.db.QueryRowContext(ctx, `SELECT id, state FROM roots WHERE path = ?`, path).Scan(&r.ID, &r.State)
	return r, err
}

// RemoveRoot stops watching a folder and forgets its local state; nothing
// on the platform changes.
func (c *Cache) RemoveRoot(ctx context.Context, id int64) error {
	_, err := c.db.ExecContext(ctx, `DELETE FROM roots WHERE id = ?`, id)
	return err
}

// Roots lists the watched folders.
func (c *Cache) Roots(ctx context.Context) ([]Root, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT id, path, state FROM roots ORDER BY path`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Root
	for rows.Next() {
		var r Root
		if err := rows.Scan(&r.ID, &r.Path, &r.State); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetRootState records whether a root is present.
func (c *Cache) SetRootState(ctx context.Context, id int64, state string) error {
	_, err := c.db.ExecContext(ctx, `UPDATE roots SET state = ? WHERE id = ?`, state, id)
	return err
}

// File is one local file and what sync knows of it.
type File struct {
	RootID     int64
	Rel        string // slash-separated, below the root
	Dir        string // release folder
	Size       int64
	MtimeNS    int64
	Inode      uint64
	SHA256     string
	DurationMS int64
	Tags       string
	State      string
	Error      string
	UpdatedAt  time.Time
}

// Unchanged reports whether a stat matches what the cache holds, so the
// file need not be read again.
func (f *File) Unchanged(size, mtimeNS int64, inode uint64) bool {
	return f.Size == size && f.MtimeNS == mtimeNS && f.Inode == inode
}

const fileCols = `root_id, rel, dir, size, mtime_ns, inode, sha256, duration_ms, tags, state, error, updated_at`

// The per-file queries. Each names its index (a folder's files are a range
// of the table's own key), so no statistics can turn one into a scan of
// every file: a pass costs in proportion to the folder, not the cache.
const (
	qFile      = `SELECT ` + fileCols + ` FROM files INDEXED BY files_rel WHERE root_id = ? AND rel = ?`
	qFilesIn   = `SELECT ` + fileCols + ` FROM files WHERE root_id = ? AND dir = ? ORDER BY dir, rel`
	qFilesOf   = `SELECT ` + fileCols + ` FROM files WHERE root_id = ? ORDER BY dir, rel`
	qFileState = `UPDATE files INDEXED BY files_rel SET state = ?, error = ?, updated_at = ? WHERE root_id = ? AND rel = ?`
	qFileGone  = `DELETE FROM files INDEXED BY files_rel WHERE root_id = ? AND rel = ?`
	qFileStat  = `SELECT ` + fileCols + ` FROM files INDEXED BY files_stat
		WHERE root_id = ? AND size = ? AND mtime_ns = ? AND inode = ? AND sha256 != '' LIMIT 1`
	qPutFile = `INSERT INTO files (` + fileCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (root_id, rel) DO UPDATE SET dir = excluded.dir, size = excluded.size, mtime_ns = excluded.mtime_ns,
		inode = excluded.inode, sha256 = excluded.sha256, duration_ms = excluded.duration_ms, tags = excluded.tags,
		state = excluded.state, error = excluded.error, updated_at = excluded.updated_at`
)

func scanFile(s interface{ Scan(...any) error }) (*File, error) {
	var f File
	var upd int64
	var inode int64
	if err := s.Scan(&f.RootID, &f.Rel, &f.Dir, &f.Size, &f.MtimeNS, &inode, &f.SHA256, &f.DurationMS, &f.Tags, &f.State, &f.Error, &upd); err != nil {
		return nil, err
	}
	f.Inode = uint64(inode)
	f.UpdatedAt = time.UnixMilli(upd)
	return &f, nil
}

// File returns a file's record. IsNotFound if there is none.
func (c *Cache) File(ctx context.Context, rootID int64, rel string) (*File, error) {
	return scanFile(c.db.QueryRowContext(ctx, qFile, rootID, rel))
}

// FilesIn lists the files of a release folder ("" lists the whole root).
func (c *Cache) FilesIn(ctx context.Context, rootID int64, dir string) ([]File, error) {
	q, args := qFilesIn, []any{rootID, dir}
	if dir == "" {
		q, args = qFilesOf, []any{rootID}
	}
	rows, err := c.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		f, err := scanFile(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *f)
	}
	return out, rows.Err()
}

// PutFile inserts or replaces a file's record.
func (c *Cache) PutFile(ctx context.Context, f File) error {
	_, err := c.db.ExecContext(ctx, qPutFile, fileArgs(f)...)
	return err
}

func fileArgs(f File) []any {
	return []any{f.RootID, f.Rel, f.Dir, f.Size, f.MtimeNS, int64(f.Inode), f.SHA256, f.DurationMS, f.Tags, f.State, f.Error, now()}
}

// SetFileState updates a file's state and error only.
func (c *Cache) SetFileState(ctx context.Context, rootID int64, rel, state, msg string) error {
	_, err := c.db.ExecContext(ctx, qFileState, state, msg, now(), rootID, rel)
	return err
}

// DeleteFiles forgets files no longer on disk.
func (c *Cache) DeleteFiles(ctx context.Context, rootID int64, rels []string) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		for _, rel := range rels {
			if _, err := tx.ExecContext(ctx, qFileGone, rootID, rel); err != nil {
				return err
			}
		}
		return nil
	})
}

// Release is a release folder's link to the platform.
type Release struct {
	RootID       int64
	Dir          string
	ReleaseID    int64
	ManifestHash string
	Pending      string
	State        string
	Error        string
	// Scanned fingerprints the folder's listing when a pass last found it
	// all synced; "" when it was not.
	Scanned   string
	UpdatedAt time.Time
}

// Release returns a release folder's record; a zero Release if none yet.
func (c *Cache) Release(ctx context.Context, rootID int64, dir string) (*Release, error) {
	r := Release{RootID: rootID, Dir: dir}
	var upd int64
	err := c.db.QueryRowContext(ctx, `SELECT release_id, manifest_hash, pending, state, error, scanned, updated_at FROM releases WHERE root_id = ? AND dir = ?`,
		rootID, dir).Scan(&r.ReleaseID, &r.ManifestHash, &r.Pending, &r.State, &r.Error, &r.Scanned, &upd)
	if errors.Is(err, sql.ErrNoRows) {
		return &r, nil
	}
	r.UpdatedAt = time.UnixMilli(upd)
	return &r, err
}

// Releases lists every release folder of a root.
func (c *Cache) Releases(ctx context.Context, rootID int64) ([]Release, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT dir, release_id, manifest_hash, pending, state, error, scanned, updated_at
		FROM releases WHERE root_id = ? ORDER BY dir`, rootID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Release
	for rows.Next() {
		r := Release{RootID: rootID}
		var upd int64
		if err := rows.Scan(&r.Dir, &r.ReleaseID, &r.ManifestHash, &r.Pending, &r.State, &r.Error, &r.Scanned, &upd); err != nil {
			return nil, err
		}
		r.UpdatedAt = time.UnixMilli(upd)
		out = append(out, r)
	}
	return out, rows.Err()
}

// PutRelease stores a release folder's record.
func (c *Cache) PutRelease(ctx context.Context, r Release) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO releases (root_id, dir, release_id, manifest_hash, pending, state, error, scanned, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (root_id, dir) DO UPDATE SET release_id = excluded.release_id,
		manifest_hash = excluded.manifest_hash, pending = excluded.pending, state = excluded.state, error = excluded.error,
		scanned = excluded.scanned, updated_at = excluded.updated_at`, r.RootID, r.Dir, r.ReleaseID, r.ManifestHash, r.Pending, r.State, r.Error, r.Scanned, now())
	return err
}

// Upload is a resumable upload in progress.
type Upload struct {
	SHA256 string
	URL    string
	Offset int64
	Size   int64
}

// UploadFor returns the upload in progress for a blob, if any.
func (c *Cache) UploadFor(ctx context.Context, sha string) (*Upload, error) {
	u := Upload{SHA256: sha}
	err := c.db.QueryRowContext(ctx, `SELECT url, offset, size FROM uploads WHERE sha256 = ?`, sha).Scan(&u.URL, &u.Offset, &u.Size)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// PutUpload records an upload's URL and confirmed offset.
func (c *Cache) PutUpload(ctx context.Context, u Upload) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO uploads (sha256, url, offset, size, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (sha256) DO UPDATE SET url = excluded.url, offset = excluded.offset, updated_at = excluded.updated_at`,
		u.SHA256, u.URL, u.Offset, u.Size, now())
	return err
}

// FinishFiles records in one transaction that the platform holds each of
// blobs (their uploads forgotten) and that each of rels, files of a root,
// is now in state: a folder's finished uploads cost one commit, not one
// each.
func (c *Cache) FinishFiles(ctx context.Context, rootID int64, blobs, rels []string, state string) error {
	if len(blobs) == 0 && len(rels) == 0 {
		return nil
	}
	return c.inTx(ctx, func(tx *sql.Tx) error {
		if err := execEach(ctx, tx, `DELETE FROM uploads WHERE sha256 = ?`, blobs, func(sha string) []any { return []any{sha} }); err != nil {
			return err
		}
		if err := execEach(ctx, tx, `INSERT INTO remote_blobs (sha256) VALUES (?) ON CONFLICT DO NOTHING`, blobs, func(sha string) []any { return []any{sha} }); err != nil {
			return err
		}
		at := now()
		return execEach(ctx, tx, qFileState, rels, func(rel string) []any { return []any{state, "", at, rootID, rel} })
	})
}

// execEach runs q, prepared once, with the arguments of each item.
func execEach(ctx context.Context, tx *sql.Tx, q string, items []string, args func(string) []any) error {
	if len(items) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, it := range items {
		if _, err := stmt.ExecContext(ctx, args(it)...); err != nil {
			return err
		}
	}
	return nil
}

// ForgetUpload drops an upload the server no longer knows.
func (c *Cache) ForgetUpload(ctx context.Context, sha string) error {
	_, err := c.db.ExecContext(ctx, `DELETE FROM uploads WHERE sha256 = ?`, sha)
	return err
}

// KnownRemote reports whether the platform is known to hold a blob.
func (c *Cache) KnownRemote(ctx context.Context, sha string) bool {
	var one int
	return c.db.QueryRowContext(ctx, `SELECT 1 FROM remote_blobs WHERE sha256 = ?`, sha).Scan(&one) == nil
}

// FileByStat finds a hashed file of a root with the same size, mtime and
// inode: a rename or move, which needs no new hash.
func (c *Cache) FileByStat(ctx context.Context, rootID, size, mtimeNS int64, inode uint64) (*File, error) {
	return scanFile(c.db.QueryRowContext(ctx, qFileStat, rootID, size, mtimeNS, int64(inode)))
}

// ClearRemote forgets which blobs the platform holds (after signing in as
// another account), and that any folder was found all synced: each is
// looked at file by file again.
func (c *Cache) ClearRemote(ctx context.Context) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM remote_blobs`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE releases SET scanned = '' WHERE scanned != ''`)
		return err
	})
}
