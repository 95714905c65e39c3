package cache

import (
	"context"
	"errors"
	"path/filepath"
)

// Master is what checking a lossless master found, kept by the sha256 of
// the file in the folder so the same content is never decoded twice.
type Master struct {
	SHA256     string
	Codec      string // of the file in the folder: "flac", "wav" or "aiff"
	SampleRate int
	BitDepth   int
	Channels   int
	DurationMS int64
	Clipped    int64 // runs of full-scale samples
	Silent     bool
	UploadSHA  string // the FLAC uploaded: the file itself or its encode
	UploadSize int64
	Encoded    string // path of the encode made on this computer; "" for none
}

const masterCols = `sha256, codec, sample_rate, bit_depth, channels, duration_ms, clipped, silent, upload_sha256, upload_size, encoded`

// MasterFor returns the check of a master's content; a not-found error
// (IsNotFound) when it was never checked.
func (c *Cache) MasterFor(ctx context.Context, sha string) (*Master, error) {
	var m Master
	err := c.db.QueryRowContext(ctx, `SELECT `+masterCols+` FROM masters WHERE sha256 = ?`, sha).Scan(&m.SHA256, &m.Codec,
		&m.SampleRate, &m.BitDepth, &m.Channels, &m.DurationMS, &m.Clipped, &m.Silent, &m.UploadSHA, &m.UploadSize, &m.Encoded)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// PutMaster records a master's check.
func (c *Cache) PutMaster(ctx context.Context, m Master) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO masters (`+masterCols+`, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (sha256) DO UPDATE SET codec = excluded.codec, sample_rate = excluded.sample_rate, bit_depth = excluded.bit_depth,
		channels = excluded.channels, duration_ms = excluded.duration_ms, clipped = excluded.clipped, silent = excluded.silent,
		upload_sha256 = excluded.upload_sha256, upload_size = excluded.upload_size, encoded = excluded.encoded, checked_at = excluded.checked_at`,
		m.SHA256, m.Codec, m.SampleRate, m.BitDepth, m.Channels, m.DurationMS, m.Clipped, m.Silent, m.UploadSHA, m.UploadSize, m.Encoded, now())
	return err
}

// ForgetMaster drops a master's check.
func (c *Cache) ForgetMaster(ctx context.Context, sha string) error {
	_, err := c.db.ExecContext(ctx, `DELETE FROM masters WHERE sha256 = ?`, sha)
	return err
}

// OrphanEncodes lists the encodes whose source is no longer any file's
// content: the file was deleted or changed, and its encode may go.
func (c *Cache) OrphanEncodes(ctx context.Context) ([]Master, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT `+masterCols+` FROM masters
		WHERE encoded != '' AND NOT EXISTS (SELECT 1 FROM files WHERE files.sha256 = masters.sha256)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Master
	for rows.Next() {
		var m Master
		if err := rows.Scan(&m.SHA256, &m.Codec, &m.SampleRate, &m.BitDepth, &m.Channels, &m.DurationMS, &m.Clipped, &m.Silent,
			&m.UploadSHA, &m.UploadSize, &m.Encoded); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// EncodeDir is the folder beside the cache's database where WAV and AIFF
// masters are kept encoded as FLAC.
func (c *Cache) EncodeDir(ctx context.Context) (string, error) {
	rows, err := c.db.QueryContext(ctx, `PRAGMA database_list`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int
		var name, file string
		if err := rows.Scan(&seq, &name, &file); err != nil {
			return "", err
		}
		if name == "main" && file != "" {
			return filepath.Join(filepath.Dir(file), "masters"), rows.Err()
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return "", errors.New("the cache has no file on disk")
}
