package sqlite

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
)

// ReleaseService implements api.ReleaseService.
type ReleaseService struct {
	db *DB
}

var _ api.ReleaseService = (*ReleaseService)(nil)

// NewReleaseService returns the release service over db.
func NewReleaseService(db *DB) *ReleaseService { return &ReleaseService{db: db} }

// CreateRelease implements api.ReleaseService.
func (s *ReleaseService) CreateRelease(ctx context.Context, m api.Manifest) (*api.Release, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	if err := normalizeManifest(&m, c.Account.DisplayName); err != nil {
		return nil, err
	}
	var id int64
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkBlobs(ctx, tx, c.Account.ID, m); err != nil {
			return err
		}
		now := millis(s.db.now())
		res, err := tx.ExecContext(ctx, `INSERT INTO releases (artist_id, title, artist_name, description, release_date, state,
			price_cents, currency, pay_what_you_want, min_cents, cover_sha256, search_text, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Account.ID, m.Title, m.ArtistName, m.Description, m.ReleaseDate, m.PriceCents, m.Currency,
			m.PayWhatYouWant, m.MinCents, nullable(m.CoverSHA256), searchText(m), now, now)
		if err != nil {
			return fmt.Errorf("insert release: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return replaceTracks(ctx, tx, id, m.Tracks)
	})
	if err != nil {
		return nil, err
	}
	return s.FindRelease(ctx, id)
}

// UpdateRelease implements api.ReleaseService.
func (s *ReleaseService) UpdateRelease(ctx context.Context, id int64, m api.Manifest) (*api.Release, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	if err := normalizeManifest(&m, c.Account.DisplayName); err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		state, err := ownedReleaseState(ctx, tx, c.Account.ID, id)
		if err != nil {
			return err
		}
		if state == api.StatePublished && len(m.Tracks) == 0 {
			return api.FieldErrorf("tracks", "a published release needs at least one track")
		}
		if err := checkBlobs(ctx, tx, c.Account.ID, m); err != nil {
			return err
		}
		if err := checkKeepsSoldAudio(ctx, tx, id, m.Tracks); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE releases SET title = ?, artist_name = ?, description = ?, release_date = ?,
			price_cents = ?, currency = ?, pay_what_you_want = ?, min_cents = ?, cover_sha256 = ?, search_text = ?, updated_at = ?
			WHERE id = ?`,
			m.Title, m.ArtistName, m.Description, m.ReleaseDate, m.PriceCents, m.Currency, m.PayWhatYouWant, m.MinCents,
			nullable(m.CoverSHA256), searchText(m), millis(s.db.now()), id)
		if err != nil {
			return fmt.Errorf("update release: %w", err)
		}
		return replaceTracks(ctx, tx, id, m.Tracks)
	})
	if err != nil {
		return nil, err
	}
	return s.FindRelease(ctx, id)
}

// DeleteRelease implements api.ReleaseService.
func (s *ReleaseService) DeleteRelease(ctx context.Context, id int64) error {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := ownedReleaseState(ctx, tx, c.Account.ID, id); err != nil {
			return err
		}
		if sold, err := releaseHasSales(ctx, tx, id); err != nil {
			return err
		} else if sold {
			return api.Errorf(api.ECONFLICT, "release %d has sales and can never be deleted; unpublish it instead", id)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM releases WHERE id = ?`, id)
		return err
	})
}

// PublishRelease implements api.ReleaseService.
func (s *ReleaseService) PublishRelease(ctx context.Context, id int64) (*api.Release, error) {
	return s.setState(ctx, id, api.StatePublished)
}

// UnpublishRelease implements api.ReleaseService.
func (s *ReleaseService) UnpublishRelease(ctx context.Context, id int64) (*api.Release, error) {
	return s.setState(ctx, id, api.StateDraft)
}

func (s *ReleaseService) setState(ctx context.Context, id int64, state string) (*api.Release, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := ownedReleaseState(ctx, tx, c.Account.ID, id); err != nil {
			return err
		}
		if state == api.StatePublished {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tracks WHERE release_id = ?`, id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return api.Errorf(api.ECONFLICT, "add at least one track before publishing")
			}
		}
		now := millis(s.db.now())
		_, err := tx.ExecContext(ctx, `UPDATE releases SET state = ?, updated_at = ?,
			published_at = CASE WHEN ? = 'published' THEN COALESCE(published_at, ?) ELSE published_at END WHERE id = ?`,
			state, now, state, now, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.FindRelease(ctx, id)
}

// FindRelease implements api.ReleaseService. Buyers keep seeing what they
// own after it is unpublished.
func (s *ReleaseService) FindRelease(ctx context.Context, id int64) (*api.Release, error) {
	caller := api.AccountIDFromContext(ctx)
	rels, err := s.query(ctx, `WHERE r.id = ?1 AND (r.state = 'published' OR r.artist_id = ?2 OR EXISTS (
		SELECT 1 FROM purchases p WHERE p.release_id = r.id AND p.fan_id = ?2 AND (p.gross_cents = 0 OR
		p.gross_cents > (SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE purchase_id = p.id))))`, id, caller)
	if err != nil {
		return nil, err
	}
	if len(rels) == 0 {
		return nil, api.Errorf(api.ENOTFOUND, "release %d not found", id)
	}
	return &rels[0], nil
}

// MyReleases implements api.ReleaseService.
func (s *ReleaseService) MyReleases(ctx context.Context, limit int, cursor string) (*api.ReleasePage, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	return s.page(ctx, "r.artist_id = ?", []any{c.Account.ID}, limit, cursor)
}

// SearchReleases implements api.ReleaseService.
func (s *ReleaseService) SearchReleases(ctx context.Context, f api.ReleaseFilter) (*api.ReleasePage, error) {
	where := []string{"r.state = 'published'"}
	var args []any
	if f.ArtistID != 0 {
		where = append(where, "r.artist_id = ?")
		args = append(args, f.ArtistID)
	}
	if len(f.Query) > 200 {
		return nil, api.FieldErrorf("q", "search text must be at most 200 characters")
	}
	for _, word := range strings.Fields(strings.ToLower(f.Query)) {
		where = append(where, `r.search_text LIKE ? ESCAPE '\'`)
		args = append(args, "%"+escapeLike(word)+"%")
	}
	return s.page(ctx, strings.Join(where, " AND "), args, f.Limit, f.Cursor)
}

// FindArtist implements api.ReleaseService.
func (s *ReleaseService) FindArtist(ctx context.Context, id int64) (*api.Artist, error) {
	var a api.Artist
	err := s.db.read.QueryRowContext(ctx, `SELECT id, display_name FROM accounts WHERE id = ? AND creator = 1`, id).Scan(&a.ID, &a.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, api.Errorf(api.ENOTFOUND, "artist %d not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("find artist: %w", err)
	}
	a.Releases, err = s.query(ctx, `WHERE r.artist_id = ? AND r.state = 'published' ORDER BY r.id DESC LIMIT 500`, id)
	return &a, err
}

// page runs a keyset-paginated listing, newest first.
func (s *ReleaseService) page(ctx context.Context, where string, args []any, limit int, cursor string) (*api.ReleasePage, error) {
	if limit <= 0 {
		limit = api.DefaultPageSize
	}
	if limit > api.MaxPageSize {
		return nil, api.FieldErrorf("limit", "must be at most %d", api.MaxPageSize)
	}
	if cursor != "" {
		before, err := decodeCursor(cursor)
		if err != nil {
			return nil, err
		}
		where += " AND r.id < ?"
		args = append(args, before)
	}
	rels, err := s.query(ctx, "WHERE "+where+" ORDER BY r.id DESC LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, err
	}
	p := &api.ReleasePage{Items: rels}
	if len(rels) > limit {
		p.Items = rels[:limit]
		p.NextCursor = encodeCursor(rels[limit-1].ID)
	}
	return p, nil
}

const releaseColumns = `r.id, r.title, r.artist_id, r.artist_name, r.description, r.release_date, r.state, r.price_cents,
	r.currency, r.pay_what_you_want, r.min_cents, COALESCE(r.cover_sha256, ''), r.created_at, r.updated_at, r.published_at`

func (s *ReleaseService) query(ctx context.Context, tail string, args ...any) ([]api.Release, error) {
	rows, err := s.db.read.QueryContext(ctx, "SELECT "+releaseColumns+" FROM releases r "+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("query releases: %w", err)
	}
	defer rows.Close()
	rels := []api.Release{}
	for rows.Next() {
		r, err := scanRelease(rows)
		if err != nil {
			return nil, err
		}
		rels = append(rels, *r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range rels {
		if rels[i].Tracks, err = releaseTracks(ctx, s.db.read, rels[i].ID); err != nil {
			return nil, err
		}
	}
	return rels, nil
}

func scanRelease(row scanner) (*api.Release, error) {
	var r api.Release
	var created, updated int64
	var published sql.NullInt64
	err := row.Scan(&r.ID, &r.Title, &r.ArtistID, &r.ArtistName, &r.Description, &r.ReleaseDate, &r.State, &r.PriceCents,
		&r.Currency, &r.PayWhatYouWant, &r.MinCents, &r.CoverSHA256, &created, &updated, &published)
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

type rowsQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func releaseTracks(ctx context.Context, q rowsQueryer, releaseID int64) ([]api.Track, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.position, t.title, t.audio_sha256, b.size, b.duration_ms
		FROM tracks t JOIN blobs b ON b.sha256 = t.audio_sha256 WHERE t.release_id = ? ORDER BY t.position`, releaseID)
	if err != nil {
		return nil, fmt.Errorf("query tracks: %w", err)
	}
	defer rows.Close()
	tracks := []api.Track{}
	for rows.Next() {
		var t api.Track
		if err := rows.Scan(&t.ID, &t.Position, &t.Title, &t.AudioSHA256, &t.Size, &t.DurationMS); err != nil {
			return nil, err
		}
		tracks = append(tracks, t)
	}
	return tracks, rows.Err()
}

// ownedReleaseState returns the state of the caller's release; another
// creator's release does not exist for them.
func ownedReleaseState(ctx context.Context, tx *sql.Tx, accountID, id int64) (string, error) {
	var state string
	err := tx.QueryRowContext(ctx, `SELECT state FROM releases WHERE id = ? AND artist_id = ?`, id, accountID).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", api.Errorf(api.ENOTFOUND, "release %d not found", id)
	}
	return state, err
}

// checkBlobs verifies every blob a manifest names belongs to the caller and
// has the right media type.
func checkBlobs(ctx context.Context, tx *sql.Tx, accountID int64, m api.Manifest) error {
	if m.CoverSHA256 != "" {
		b, err := ownedBlob(ctx, tx, accountID, m.CoverSHA256, "cover_sha256")
		if err != nil {
			return err
		}
		if b.MediaType != api.MediaJPEG && b.MediaType != api.MediaPNG {
			return api.FieldErrorf("cover_sha256", "cover must be a JPEG or PNG image, got %s", b.MediaType)
		}
	}
	for i, t := range m.Tracks {
		field := fmt.Sprintf("tracks[%d].audio_sha256", i)
		b, err := ownedBlob(ctx, tx, accountID, t.AudioSHA256, field)
		if err != nil {
			return err
		}
		if b.MediaType != api.MediaMP3 {
			return &api.Error{Code: api.EUNSUPPORTED, Field: field, Message: fmt.Sprintf("track %d is not MP3 audio (%s)", t.Position, b.MediaType)}
		}
	}
	return nil
}

func ownedBlob(ctx context.Context, tx *sql.Tx, accountID int64, sha, field string) (*api.Blob, error) {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM account_blobs WHERE account_id = ? AND sha256 = ?`, accountID, sha).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, api.FieldErrorf(field, "no uploaded file with sha256 %s: upload it first", sha)
	} else if err != nil {
		return nil, err
	}
	return findBlob(ctx, tx, sha)
}

// replaceTracks makes a release's track list exactly tracks, keeping the
// ids of tracks whose audio is unchanged. The same audio may fill several
// positions (two identical files in one folder are two tracks): each kept
// id is used once.
func replaceTracks(ctx context.Context, tx *sql.Tx, releaseID int64, tracks []api.ManifestTrack) error {
	existing, err := trackIDsByAudio(ctx, tx, releaseID)
	if err != nil {
		return err
	}
	// Move every track out of the way so positions can be swapped; what is
	// still there at the end is no longer in the release.
	if _, err := tx.ExecContext(ctx, `UPDATE tracks SET position = -id WHERE release_id = ?`, releaseID); err != nil {
		return err
	}
	for _, t := range tracks {
		if ids := existing[t.AudioSHA256]; len(ids) > 0 {
			existing[t.AudioSHA256] = ids[1:]
			_, err = tx.ExecContext(ctx, `UPDATE tracks SET position = ?, title = ? WHERE id = ?`, t.Position, t.Title, ids[0])
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO tracks (release_id, position, title, audio_sha256) VALUES (?, ?, ?, ?)`,
				releaseID, t.Position, t.Title, t.AudioSHA256)
		}
		if err != nil {
			return fmt.Errorf("write track %d: %w", t.Position, err)
		}
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM tracks WHERE release_id = ? AND position < 1`, releaseID)
	return err
}

// trackIDsByAudio lists a release's track ids per audio blob, in track
// order.
func trackIDsByAudio(ctx context.Context, tx *sql.Tx, releaseID int64) (map[string][]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, audio_sha256 FROM tracks WHERE release_id = ? ORDER BY position, id`, releaseID)
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

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		if id, err := strconv.ParseInt(string(b), 10, 64); err == nil && id > 0 {
			return id, nil
		}
	}
	return 0, api.FieldErrorf("cursor", "not a cursor from a previous page")
}
