package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/store"
)

const releaseColumns = `r.id, r.title, r.artist_id, r.artist_name, r.description, r.release_date, r.state, r.price_cents,
	r.currency, r.pay_what_you_want, r.min_cents, COALESCE(r.cover_sha256, ''), r.created_at, r.updated_at, r.published_at,
	r.slug, r.preview_seconds, r.full_streaming, r.preorder`

// Release implements store.Reader.
func (r reader) Release(ctx context.Context, id int64) (*api.Release, error) {
	rels, err := r.releases(ctx, `WHERE r.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(rels) == 0 {
		return nil, store.ErrNotFound
	}
	return &rels[0], nil
}

// Releases implements store.Reader.
func (r reader) Releases(ctx context.Context, q store.ReleaseQuery) ([]api.Release, error) {
	where := []string{"1 = 1"}
	var args []any
	if q.ArtistID != 0 {
		where = append(where, "r.artist_id = ?")
		args = append(args, q.ArtistID)
	}
	if q.PublishedOnly {
		where = append(where, "r.state = 'published'")
	}
	for _, word := range q.Words {
		where = append(where, `r.search_text LIKE ? ESCAPE '\'`)
		args = append(args, "%"+escapeLike(word)+"%")
	}
	if q.Before != 0 {
		where = append(where, "r.id < ?")
		args = append(args, q.Before)
	}
	return r.releases(ctx, "WHERE "+strings.Join(where, " AND ")+" ORDER BY r.id DESC LIMIT ?", append(args, q.Limit)...)
}

func (r reader) releases(ctx context.Context, tail string, args ...any) ([]api.Release, error) {
	rows, err := r.q.QueryContext(ctx, "SELECT "+releaseColumns+" FROM releases r "+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("query releases: %w", err)
	}
	defer rows.Close()
	rels := []api.Release{}
	for rows.Next() {
		rel, err := scanRelease(rows)
		if err != nil {
			return nil, err
		}
		rels = append(rels, *rel)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range rels {
		if rels[i].Tracks, err = r.tracks(ctx, rels[i].ID); err != nil {
			return nil, err
		}
		if err := r.fillCatalog(ctx, &rels[i]); err != nil {
			return nil, err
		}
	}
	return rels, nil
}

func scanRelease(rows *sql.Rows) (*api.Release, error) {
	var r api.Release
	var created, updated int64
	var published sql.NullInt64
	err := rows.Scan(&r.ID, &r.Title, &r.ArtistID, &r.ArtistName, &r.Description, &r.ReleaseDate, &r.State, &r.PriceCents,
		&r.Currency, &r.PayWhatYouWant, &r.MinCents, &r.CoverSHA256, &created, &updated, &published,
		&r.Slug, &r.PreviewSeconds, &r.FullStreaming, &r.Preorder)
	if err != nil {
		return nil, fmt.Errorf("scan release: %w", err)
	}
	r.CreatedAt, r.UpdatedAt = fromMillis(created), fromMillis(updated)
	if published.Valid {
		t := fromMillis(published.Int64)
		r.PublishedAt = &t
	}
	return &r, nil
}

func (r reader) tracks(ctx context.Context, releaseID int64) ([]api.Track, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT t.id, t.position, t.title, t.audio_sha256, b.size, b.duration_ms, t.preorder_available,
		b.media_type, b.sample_rate, b.bit_depth, b.channels
		FROM tracks t JOIN blobs b ON b.sha256 = t.audio_sha256 WHERE t.release_id = ? ORDER BY t.position`, releaseID)
	if err != nil {
		return nil, fmt.Errorf("query tracks: %w", err)
	}
	defer rows.Close()
	tracks := []api.Track{}
	for rows.Next() {
		var t api.Track
		var b api.Blob
		if err := rows.Scan(&t.ID, &t.Position, &t.Title, &t.AudioSHA256, &t.Size, &t.DurationMS, &t.PreorderAvailable,
			&b.MediaType, &b.SampleRate, &b.BitDepth, &b.Channels); err != nil {
			return nil, err
		}
		t.Master = api.MasterOf(b)
		tracks = append(tracks, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return tracks, r.fillLoudness(ctx, releaseID, tracks)
}

// Track implements store.Reader.
func (r reader) Track(ctx context.Context, trackID int64) (*store.TrackRecord, error) {
	var t store.TrackRecord
	err := r.q.QueryRowContext(ctx, `SELECT t.id, t.release_id, t.position, t.title, t.audio_sha256, b.size, r.artist_id, r.state, r.price_cents,
		r.release_date, r.preorder, t.preorder_available FROM tracks t JOIN releases r ON r.id = t.release_id JOIN blobs b ON b.sha256 = t.audio_sha256 WHERE t.id = ?`, trackID).
		Scan(&t.TrackID, &t.ReleaseID, &t.Position, &t.Title, &t.AudioSHA256, &t.Size, &t.ArtistID, &t.State, &t.PriceCents,
			&t.ReleaseDate, &t.Preorder, &t.PreorderAvailable)
	if err != nil {
		return nil, none(err)
	}
	return &t, nil
}

// Owns implements store.Reader: some purchase of the release is not fully
// refunded (a free claim always counts).
func (r reader) Owns(ctx context.Context, fanID, releaseID int64) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM purchases p WHERE p.fan_id = ? AND p.release_id = ? AND p.gift_held = 0
		AND (p.gross_cents = 0 OR p.gross_cents > (SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE purchase_id = p.id))`,
		fanID, releaseID).Scan(&n)
	return n > 0, err
}

// HasSales implements store.Reader.
func (r reader) HasSales(ctx context.Context, releaseID int64) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM purchases WHERE release_id = ? LIMIT 1)`, releaseID).Scan(&n)
	return n > 0, err
}

// SoldTracks implements store.Reader.
func (r reader) SoldTracks(ctx context.Context, releaseID int64) ([]api.ManifestTrack, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT DISTINCT pt.audio_sha256, pt.title FROM purchase_tracks pt
		JOIN purchases p ON p.id = pt.purchase_id WHERE p.release_id = ?`, releaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []api.ManifestTrack
	for rows.Next() {
		var t api.ManifestTrack
		if err := rows.Scan(&t.AudioSHA256, &t.Title); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// InsertRelease implements store.Tx.
func (t *tx) InsertRelease(ctx context.Context, artistID int64, m api.Manifest, now time.Time) (int64, error) {
	return t.insert(ctx, `INSERT INTO releases (artist_id, title, artist_name, description, release_date, state,
		price_cents, currency, pay_what_you_want, min_cents, cover_sha256, search_text, created_at, updated_at,
		preview_seconds, full_streaming, preorder)
		VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		artistID, m.Title, m.ArtistName, m.Description, m.ReleaseDate, m.PriceCents, m.Currency,
		m.PayWhatYouWant, m.MinCents, nullable(m.CoverSHA256), searchText(m), millis(now), millis(now), previewOf(m), m.FullStreaming, m.Preorder)
}

// UpdateRelease implements store.Tx.
func (t *tx) UpdateRelease(ctx context.Context, id int64, m api.Manifest, now time.Time) error {
	return t.exec(ctx, `UPDATE releases SET title = ?, artist_name = ?, description = ?, release_date = ?,
		price_cents = ?, currency = ?, pay_what_you_want = ?, min_cents = ?, cover_sha256 = ?, search_text = ?, updated_at = ?,
		preview_seconds = ?, full_streaming = ?, preorder = ?
		WHERE id = ?`,
		m.Title, m.ArtistName, m.Description, m.ReleaseDate, m.PriceCents, m.Currency, m.PayWhatYouWant, m.MinCents,
		nullable(m.CoverSHA256), searchText(m), millis(now), previewOf(m), m.FullStreaming, m.Preorder, id)
}

// DeleteRelease implements store.Tx.
func (t *tx) DeleteRelease(ctx context.Context, id int64) error {
	if err := t.exec(ctx, `DELETE FROM release_shares WHERE release_id = ?`, id); err != nil {
		return err
	}
	if err := t.exec(ctx, `DELETE FROM release_slugs WHERE release_id = ?`, id); err != nil {
		return err
	}
	return t.exec(ctx, `DELETE FROM releases WHERE id = ?`, id)
}

// SetReleaseShares implements store.Tx.
func (t *tx) SetReleaseShares(ctx context.Context, releaseID int64, shares []ledger.Share) error {
	if err := t.exec(ctx, `DELETE FROM release_shares WHERE release_id = ?`, releaseID); err != nil {
		return err
	}
	for i, sh := range shares {
		if err := t.exec(ctx, `INSERT INTO release_shares (release_id, account_id, bps, position) VALUES (?, ?, ?, ?)`,
			releaseID, sh.AccountID, sh.Bps, i); err != nil {
			return conflict(err)
		}
	}
	return nil
}

// ReleaseShares implements store.Reader.
func (r reader) ReleaseShares(ctx context.Context, releaseID int64) ([]ledger.Share, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT account_id, bps FROM release_shares WHERE release_id = ? ORDER BY position`, releaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ledger.Share
	for rows.Next() {
		var sh ledger.Share
		if err := rows.Scan(&sh.AccountID, &sh.Bps); err != nil {
			return nil, err
		}
		out = append(out, sh)
	}
	return out, rows.Err()
}

// SetReleaseState implements store.Tx.
func (t *tx) SetReleaseState(ctx context.Context, id int64, state string, now time.Time) error {
	return t.exec(ctx, `UPDATE releases SET state = ?, updated_at = ?,
		published_at = CASE WHEN ? = 'published' THEN COALESCE(published_at, ?) ELSE published_at END WHERE id = ?`,
		state, millis(now), state, millis(now), id)
}

// ReplaceTracks implements store.Tx.
func (t *tx) ReplaceTracks(ctx context.Context, releaseID int64, tracks []api.ManifestTrack) error {
	existing, err := t.trackIDsByAudio(ctx, releaseID)
	if err != nil {
		return err
	}
	// Move every track out of the way so positions can be swapped; what is
	// still there at the end is no longer in the release.
	if err := t.exec(ctx, `UPDATE tracks SET position = -id WHERE release_id = ?`, releaseID); err != nil {
		return err
	}
	for _, tr := range tracks {
		if ids := existing[tr.AudioSHA256]; len(ids) > 0 {
			existing[tr.AudioSHA256] = ids[1:]
			err = t.exec(ctx, `UPDATE tracks SET position = ?, title = ?, preorder_available = ? WHERE id = ?`,
				tr.Position, tr.Title, tr.PreorderAvailable, ids[0])
		} else {
			err = t.exec(ctx, `INSERT INTO tracks (release_id, position, title, audio_sha256, preorder_available) VALUES (?, ?, ?, ?, ?)`,
				releaseID, tr.Position, tr.Title, tr.AudioSHA256, tr.PreorderAvailable)
		}
		if err != nil {
			return fmt.Errorf("write track %d: %w", tr.Position, err)
		}
	}
	return t.exec(ctx, `DELETE FROM tracks WHERE release_id = ? AND position < 1`, releaseID)
}

// trackIDsByAudio lists a release's track ids per audio blob, in track
// order.
func (t *tx) trackIDsByAudio(ctx context.Context, releaseID int64) (map[string][]int64, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT id, audio_sha256 FROM tracks WHERE release_id = ? ORDER BY position, id`, releaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := map[string][]int64{}
	for rows.Next() {
		var id int64
		var sha string
		if err := rows.Scan(&id, &sha); err != nil {
			return nil, err
		}
		ids[sha] = append(ids[sha], id)
	}
	return ids, rows.Err()
}

func searchText(m api.Manifest) string { return strings.ToLower(m.Title + " " + m.ArtistName) }

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ReleaseForSale implements store.Reader.
func (r reader) ReleaseForSale(ctx context.Context, id int64) (*api.Release, []ledger.Share, error) {
	rel, err := r.Release(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	shares, err := r.ReleaseShares(ctx, id)
	return rel, shares, err
}

// previewOf is a manifest's preview length, the default when unset.
func previewOf(m api.Manifest) int {
	if m.PreviewSeconds == 0 {
		return api.DefaultPreviewSeconds
	}
	return m.PreviewSeconds
}

// SetReleaseSlug implements store.Tx.
func (t *tx) SetReleaseSlug(ctx context.Context, releaseID, artistID int64, slug string) error {
	var owner int64
	err := t.tx.QueryRowContext(ctx, `SELECT release_id FROM release_slugs WHERE artist_id = ? AND slug = ?`, artistID, slug).Scan(&owner)
	switch {
	case err == nil && owner != releaseID:
		return store.ErrConflict
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return err
	case err != nil:
		if err := t.exec(ctx, `INSERT INTO release_slugs (artist_id, slug, release_id) VALUES (?, ?, ?)`, artistID, slug, releaseID); err != nil {
			return conflict(err)
		}
	}
	return t.exec(ctx, `UPDATE releases SET slug = ? WHERE id = ?`, slug, releaseID)
}

// ReleaseBySlug implements store.Reader.
func (r reader) ReleaseBySlug(ctx context.Context, artistID int64, slug string) (int64, error) {
	var id int64
	err := r.q.QueryRowContext(ctx, `SELECT release_id FROM release_slugs WHERE artist_id = ? AND slug = ?`, artistID, slug).Scan(&id)
	return id, none(err)
}
