package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/store"
)

// InsertRelease implements store.Tx: a draft without tracks.
func (t *tx) InsertRelease(ctx context.Context, artistID int64, m api.Manifest, now time.Time) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `INSERT INTO releases (artist_id, title, artist_name, description, release_date, state,
		price_cents, currency, pay_what_you_want, min_cents, cover_sha256, search_text, created_at, updated_at, preview_seconds, full_streaming, preorder)
		VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15) RETURNING id`,
		artistID, m.Title, m.ArtistName, m.Description, m.ReleaseDate, m.PriceCents, m.Currency,
		m.PayWhatYouWant, m.MinCents, nullText(m.CoverSHA256), searchText(m), ms(now), previewOf(m), m.FullStreaming, m.Preorder).Scan(&id)
	return id, wrap("insert release", err)
}

// UpdateRelease implements store.Tx; the tracks are left as they are.
func (t *tx) UpdateRelease(ctx context.Context, id int64, m api.Manifest, now time.Time) error {
	tag, err := t.tx.Exec(ctx, `UPDATE releases SET title = $1, artist_name = $2, description = $3, release_date = $4,
		price_cents = $5, currency = $6, pay_what_you_want = $7, min_cents = $8, cover_sha256 = $9, search_text = $10, updated_at = $11,
		preview_seconds = $13, full_streaming = $14, preorder = $15
		WHERE id = $12`,
		m.Title, m.ArtistName, m.Description, m.ReleaseDate, m.PriceCents, m.Currency, m.PayWhatYouWant, m.MinCents,
		nullText(m.CoverSHA256), searchText(m), ms(now), id, previewOf(m), m.FullStreaming, m.Preorder)
	return affected("update release", tag, err)
}

// DeleteRelease implements store.Tx; its tracks go with it.
func (t *tx) DeleteRelease(ctx context.Context, id int64) error {
	tag, err := t.tx.Exec(ctx, `DELETE FROM releases WHERE id = $1`, id)
	return affected("delete release", tag, err)
}

// SetReleaseState implements store.Tx.
func (t *tx) SetReleaseState(ctx context.Context, id int64, state string, now time.Time) error {
	tag, err := t.tx.Exec(ctx, `UPDATE releases SET state = $1, updated_at = $2,
		published_at = CASE WHEN $1 = 'published' THEN COALESCE(published_at, $2) ELSE published_at END WHERE id = $3`,
		state, ms(now), id)
	return affected("set release state", tag, err)
}

// ReplaceTracks implements store.Tx.
func (t *tx) ReplaceTracks(ctx context.Context, releaseID int64, tracks []api.ManifestTrack) error {
	existing, err := t.trackIDsByAudio(ctx, releaseID)
	if err != nil {
		return err
	}
	// Move every track out of the way so positions can be swapped; what is
	// still there at the end is no longer in the release.
	if _, err := t.tx.Exec(ctx, `UPDATE tracks SET position = -id WHERE release_id = $1`, releaseID); err != nil {
		return wrap("replace tracks", err)
	}
	for _, tr := range tracks {
		if ids := existing[tr.AudioSHA256]; len(ids) > 0 {
			existing[tr.AudioSHA256] = ids[1:]
			_, err = t.tx.Exec(ctx, `UPDATE tracks SET position = $1, title = $2, preorder_available = $3 WHERE id = $4`,
				tr.Position, tr.Title, tr.PreorderAvailable, ids[0])
		} else {
			_, err = t.tx.Exec(ctx, `INSERT INTO tracks (release_id, position, title, audio_sha256, preorder_available) VALUES ($1, $2, $3, $4, $5)`,
				releaseID, tr.Position, tr.Title, tr.AudioSHA256, tr.PreorderAvailable)
		}
		if err != nil {
			return wrap(fmt.Sprintf("write track %d", tr.Position), err)
		}
	}
	_, err = t.tx.Exec(ctx, `DELETE FROM tracks WHERE release_id = $1 AND position < 1`, releaseID)
	return wrap("replace tracks", err)
}

// trackIDsByAudio lists a release's track ids per audio blob, in track
// order.
func (t *tx) trackIDsByAudio(ctx context.Context, releaseID int64) (map[string][]int64, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, audio_sha256 FROM tracks WHERE release_id = $1 ORDER BY position, id`, releaseID)
	if err != nil {
		return nil, wrap("tracks", err)
	}
	ids := map[string][]int64{}
	var id int64
	var sha string
	_, err = pgx.ForEachRow(rows, []any{&id, &sha}, func() error {
		ids[sha] = append(ids[sha], id)
		return nil
	})
	return ids, wrap("tracks", err)
}

func searchText(m api.Manifest) string { return strings.ToLower(m.Title + " " + m.ArtistName) }

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

const releaseColumns = `r.id, r.title, r.artist_id, r.artist_name, r.description, r.release_date, r.state, r.price_cents,
	r.currency, r.pay_what_you_want, r.min_cents, COALESCE(r.cover_sha256, ''), r.created_at, r.updated_at, r.published_at,
	r.slug, r.preview_seconds, r.full_streaming, r.preorder`

// releaseWithTracks reads a release and its tracks in one round trip:
// every checkout reads one.
const releaseWithTracks = `SELECT ` + releaseColumns + `, COALESCE((SELECT json_agg(json_build_object('id', t.id, 'position', t.position,
	'title', t.title, 'audio_sha256', t.audio_sha256, 'size', b.size, 'duration_ms', b.duration_ms,
	'preorder_available', t.preorder_available, ` + trackMasterJSON + `) ORDER BY t.position)
	FROM tracks t JOIN blobs b ON b.sha256 = t.audio_sha256 WHERE t.release_id = r.id), '[]') FROM releases r WHERE r.id = $1`

// releaseForSale is releaseWithTracks with the release's payees, in one
// round trip for a checkout.
const releaseForSale = `SELECT ` + releaseColumns + `, COALESCE((SELECT json_agg(json_build_object('id', t.id, 'position', t.position,
	'title', t.title, 'audio_sha256', t.audio_sha256, 'size', b.size, 'duration_ms', b.duration_ms,
	'preorder_available', t.preorder_available, ` + trackMasterJSON + `) ORDER BY t.position)
	FROM tracks t JOIN blobs b ON b.sha256 = t.audio_sha256 WHERE t.release_id = r.id), '[]'),
	COALESCE((SELECT array_agg(s.account_id ORDER BY s.position) FROM release_shares s WHERE s.release_id = r.id), '{}'),
	COALESCE((SELECT array_agg(s.bps ORDER BY s.position) FROM release_shares s WHERE s.release_id = r.id), '{}')
	FROM releases r WHERE r.id = $1`

// ReleaseForSale implements store.Reader.
func (r reader) ReleaseForSale(ctx context.Context, id int64) (*api.Release, []ledger.Share, error) {
	var accts, bps []int64
	rel, err := r.release(ctx, releaseForSale, id, &accts, &bps)
	if err != nil {
		return nil, nil, err
	}
	var shares []ledger.Share
	for i := range accts {
		shares = append(shares, ledger.Share{AccountID: accts[i], Bps: bps[i]})
	}
	return rel, shares, nil
}

// Release implements store.Reader.
func (r reader) Release(ctx context.Context, id int64) (*api.Release, error) {
	rel, err := r.release(ctx, releaseWithTracks, id)
	if err != nil {
		return nil, err
	}
	return rel, r.fillLoudness(ctx, rel)
}

// release reads a release with its tracks by query, and any more columns
// into more.
func (r reader) release(ctx context.Context, query string, id int64, more ...any) (*api.Release, error) {
	var rel api.Release
	var tracks []byte
	err := r.q.QueryRow(ctx, query, id).Scan(append([]any{&rel.ID, &rel.Title, &rel.ArtistID, &rel.ArtistName, &rel.Description,
		&rel.ReleaseDate, &rel.State, &rel.PriceCents, &rel.Currency, &rel.PayWhatYouWant, &rel.MinCents, &rel.CoverSHA256,
		&rel.CreatedAt, &rel.UpdatedAt, &rel.PublishedAt, &rel.Slug, &rel.PreviewSeconds, &rel.FullStreaming, &rel.Preorder, &tracks}, more...)...)
	if err != nil {
		return nil, wrap(fmt.Sprintf("release %d", id), err)
	}
	rel.CreatedAt, rel.UpdatedAt, rel.PublishedAt = rel.CreatedAt.UTC(), rel.UpdatedAt.UTC(), utc(rel.PublishedAt)
	if err := json.Unmarshal(tracks, &rel.Tracks); err != nil {
		return nil, fmt.Errorf("release %d tracks: %w", id, err)
	}
	return &rel, r.fillCatalog(ctx, &rel)
}

// Releases implements store.Reader.
func (r reader) Releases(ctx context.Context, q store.ReleaseQuery) ([]api.Release, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q.ArtistID != 0 {
		where = append(where, "r.artist_id = "+arg(q.ArtistID))
	}
	if q.PublishedOnly {
		where = append(where, "r.state = 'published'")
	}
	for _, w := range q.Words {
		where = append(where, "strpos(r.search_text, "+arg(w)+") > 0")
	}
	if q.Before > 0 {
		where = append(where, "r.id < "+arg(q.Before))
	}
	tail := "ORDER BY r.id DESC"
	if len(where) > 0 {
		tail = "WHERE " + strings.Join(where, " AND ") + " " + tail
	}
	if q.Limit > 0 {
		tail += " LIMIT " + arg(q.Limit)
	}
	return r.releases(ctx, tail, args...)
}

// releases runs a query over releases r and fills in their tracks.
func (r reader) releases(ctx context.Context, tail string, args ...any) ([]api.Release, error) {
	rows, err := r.q.Query(ctx, "SELECT "+releaseColumns+" FROM releases r "+tail, args...)
	if err != nil {
		return nil, wrap("releases", err)
	}
	rels, err := pgx.CollectRows(rows, scanRelease)
	if err != nil {
		return nil, wrap("releases", err)
	}
	if err := r.fillTracks(ctx, rels); err != nil {
		return nil, err
	}
	for i := range rels {
		if err := r.fillCatalog(ctx, &rels[i]); err != nil {
			return nil, err
		}
	}
	ptrs := make([]*api.Release, len(rels))
	for i := range rels {
		ptrs[i] = &rels[i]
	}
	return rels, r.fillLoudness(ctx, ptrs...)
}

func scanRelease(row pgx.CollectableRow) (api.Release, error) {
	var rel api.Release
	err := row.Scan(&rel.ID, &rel.Title, &rel.ArtistID, &rel.ArtistName, &rel.Description, &rel.ReleaseDate, &rel.State, &rel.PriceCents,
		&rel.Currency, &rel.PayWhatYouWant, &rel.MinCents, &rel.CoverSHA256, &rel.CreatedAt, &rel.UpdatedAt, &rel.PublishedAt,
		&rel.Slug, &rel.PreviewSeconds, &rel.FullStreaming, &rel.Preorder)
	rel.CreatedAt, rel.UpdatedAt, rel.PublishedAt = rel.CreatedAt.UTC(), rel.UpdatedAt.UTC(), utc(rel.PublishedAt)
	return rel, err
}

// fillTracks reads the tracks of all rels in one query.
func (r reader) fillTracks(ctx context.Context, rels []api.Release) error {
	if len(rels) == 0 {
		return nil
	}
	at := make(map[int64]int, len(rels))
	ids := make([]int64, len(rels))
	for i := range rels {
		at[rels[i].ID], ids[i] = i, rels[i].ID
		rels[i].Tracks = []api.Track{}
	}
	rows, err := r.q.Query(ctx, `SELECT t.release_id, t.id, t.position, t.title, t.audio_sha256, b.size, b.duration_ms, t.preorder_available,
		b.media_type, b.sample_rate, b.bit_depth, b.channels
		FROM tracks t JOIN blobs b ON b.sha256 = t.audio_sha256 WHERE t.release_id = ANY($1) ORDER BY t.release_id, t.position`, ids)
	if err != nil {
		return wrap("tracks", err)
	}
	var rid int64
	var tr api.Track
	var b api.Blob
	_, err = pgx.ForEachRow(rows, []any{&rid, &tr.ID, &tr.Position, &tr.Title, &tr.AudioSHA256, &tr.Size, &tr.DurationMS, &tr.PreorderAvailable,
		&b.MediaType, &b.SampleRate, &b.BitDepth, &b.Channels}, func() error {
		tr.Master = api.MasterOf(b)
		rels[at[rid]].Tracks = append(rels[at[rid]].Tracks, tr)
		return nil
	})
	return wrap("tracks", err)
}

// ownedSQL is true when purchase p still gives its buyer the release: it
// is not held for a gift's recipient, and is free or not fully refunded.
const ownedSQL = `NOT p.gift_held AND (p.gross_cents = 0 OR p.gross_cents > (SELECT COALESCE(SUM(f.amount_cents), 0) FROM refunds f WHERE f.purchase_id = p.id))`

// Owns implements store.Reader.
func (r reader) Owns(ctx context.Context, fanID, releaseID int64) (bool, error) {
	var owns bool
	err := r.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM purchases p WHERE p.fan_id = $1 AND p.release_id = $2 AND `+ownedSQL+`)`,
		fanID, releaseID).Scan(&owns)
	return owns, wrap("owns", err)
}

// HasSales implements store.Reader.
func (r reader) HasSales(ctx context.Context, releaseID int64) (bool, error) {
	var sold bool
	err := r.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM purchases WHERE release_id = $1)`, releaseID).Scan(&sold)
	return sold, wrap("has sales", err)
}

// SoldTracks implements store.Reader: each audio buyers received under
// each title; positions are left out (reordering keeps what was sold).
func (r reader) SoldTracks(ctx context.Context, releaseID int64) ([]api.ManifestTrack, error) {
	rows, err := r.q.Query(ctx, `SELECT DISTINCT pt.audio_sha256, pt.title FROM purchase_tracks pt
		JOIN purchases p ON p.id = pt.purchase_id WHERE p.release_id = $1 ORDER BY 1, 2`, releaseID)
	if err != nil {
		return nil, wrap("sold tracks", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (api.ManifestTrack, error) {
		var t api.ManifestTrack
		return t, row.Scan(&t.AudioSHA256, &t.Title)
	})
	return out, wrap("sold tracks", err)
}

// Track implements store.Reader.
func (r reader) Track(ctx context.Context, trackID int64) (*store.TrackRecord, error) {
	var t store.TrackRecord
	f := &t.TrackFile
	err := r.q.QueryRow(ctx, `SELECT t.id, t.release_id, t.position, t.title, t.audio_sha256, b.size, r.artist_id, r.state, r.price_cents,
		r.release_date, r.preorder, t.preorder_available FROM tracks t JOIN releases r ON r.id = t.release_id JOIN blobs b ON b.sha256 = t.audio_sha256 WHERE t.id = $1`, trackID).
		Scan(&f.TrackID, &f.ReleaseID, &f.Position, &f.Title, &f.AudioSHA256, &f.Size, &t.ArtistID, &t.State, &t.PriceCents,
			&f.ReleaseDate, &f.Preorder, &f.PreorderAvailable)
	if err != nil {
		return nil, wrap("track", err)
	}
	return &t, nil
}

// SetReleaseShares implements store.Tx.
func (t *tx) SetReleaseShares(ctx context.Context, releaseID int64, shares []ledger.Share) error {
	accts, bps := make([]int64, len(shares)), make([]int64, len(shares))
	for i, sh := range shares {
		accts[i], bps[i] = sh.AccountID, sh.Bps
	}
	// Two statements: rows deleted and inserted by one statement would
	// meet on the primary key.
	if _, err := t.tx.Exec(ctx, `DELETE FROM release_shares WHERE release_id = $1`, releaseID); err != nil {
		return wrap("set release shares", err)
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO release_shares (release_id, account_id, bps, position)
		SELECT $1, u.account, u.bps, u.n - 1 FROM unnest($2::int8[], $3::int8[]) WITH ORDINALITY AS u(account, bps, n)`,
		releaseID, accts, bps)
	return wrap("set release shares", err)
}

// ReleaseShares implements store.Reader.
func (r reader) ReleaseShares(ctx context.Context, releaseID int64) ([]ledger.Share, error) {
	rows, err := r.q.Query(ctx, `SELECT account_id, bps FROM release_shares WHERE release_id = $1 ORDER BY position`, releaseID)
	if err != nil {
		return nil, wrap("release shares", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ledger.Share, error) {
		var sh ledger.Share
		return sh, row.Scan(&sh.AccountID, &sh.Bps)
	})
	return out, wrap("release shares", err)
}

// previewOf is a manifest's preview length, the default when unset.
func previewOf(m api.Manifest) int {
	if m.PreviewSeconds == 0 {
		return api.DefaultPreviewSeconds
	}
	return m.PreviewSeconds
}

// SetReleaseSlug implements store.Tx: the slug's row is taken, or found
// to be this release's already, in one statement.
func (t *tx) SetReleaseSlug(ctx context.Context, releaseID, artistID int64, slug string) error {
	var owner int64
	err := t.tx.QueryRow(ctx, `WITH ins AS (
			INSERT INTO release_slugs (artist_id, slug, release_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING release_id)
		SELECT release_id FROM ins UNION ALL SELECT release_id FROM release_slugs WHERE artist_id = $1 AND slug = $2 LIMIT 1`,
		artistID, slug, releaseID).Scan(&owner)
	if errors.Is(err, pgx.ErrNoRows) { // taken by a transaction that committed meanwhile
		return fmt.Errorf("set release slug: %w", store.ErrConflict)
	} else if err != nil {
		return wrap("set release slug", err)
	}
	if owner != releaseID {
		return fmt.Errorf("set release slug: %w", store.ErrConflict)
	}
	_, err = t.tx.Exec(ctx, `UPDATE releases SET slug = $1 WHERE id = $2`, slug, releaseID)
	return wrap("set release slug", err)
}

// ReleaseBySlug implements store.Reader.
func (r reader) ReleaseBySlug(ctx context.Context, artistID int64, slug string) (int64, error) {
	var id int64
	err := r.q.QueryRow(ctx, `SELECT release_id FROM release_slugs WHERE artist_id = $1 AND slug = $2`, artistID, slug).Scan(&id)
	return id, wrap("release by slug", err)
}
