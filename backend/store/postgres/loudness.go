package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// PutAudioAnalysis implements store.Tx.
func (t *tx) PutAudioAnalysis(ctx context.Context, a store.AudioAnalysis) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO audio_analyses (sha256, lufs, peak, problem, problem_code, analyzed_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (sha256) DO UPDATE SET lufs = excluded.lufs, peak = excluded.peak, problem = excluded.problem, problem_code = excluded.problem_code, analyzed_at = excluded.analyzed_at`,
		a.SHA256, a.LUFS, a.Peak, a.Problem, a.ProblemCode, ms(a.AnalyzedAt))
	return wrap("put audio analysis", err)
}

// PutAlbumLoudness implements store.Tx.
func (t *tx) PutAlbumLoudness(ctx context.Context, a store.AlbumLoudness) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO album_loudness (release_id, tracks_hash, lufs, peak, measured_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (release_id) DO UPDATE SET tracks_hash = excluded.tracks_hash, lufs = excluded.lufs, peak = excluded.peak, measured_at = excluded.measured_at`,
		a.ReleaseID, a.TracksHash, a.LUFS, a.Peak, ms(a.MeasuredAt))
	return wrap("put album loudness", err)
}

// AudioAnalysis implements store.Reader.
func (r reader) AudioAnalysis(ctx context.Context, sha string) (*store.AudioAnalysis, error) {
	a := store.AudioAnalysis{SHA256: sha}
	err := r.q.QueryRow(ctx, `SELECT lufs, peak, problem, problem_code, analyzed_at FROM audio_analyses WHERE sha256 = $1`, sha).
		Scan(&a.LUFS, &a.Peak, &a.Problem, &a.ProblemCode, &a.AnalyzedAt)
	if err != nil {
		return nil, wrap("audio analysis", err)
	}
	a.AnalyzedAt = a.AnalyzedAt.UTC()
	return &a, nil
}

// AlbumLoudness implements store.Reader.
func (r reader) AlbumLoudness(ctx context.Context, releaseID int64) (*store.AlbumLoudness, error) {
	a := store.AlbumLoudness{ReleaseID: releaseID}
	err := r.q.QueryRow(ctx, `SELECT tracks_hash, lufs, peak, measured_at FROM album_loudness WHERE release_id = $1`, releaseID).
		Scan(&a.TracksHash, &a.LUFS, &a.Peak, &a.MeasuredAt)
	if err != nil {
		return nil, wrap("album loudness", err)
	}
	a.MeasuredAt = a.MeasuredAt.UTC()
	return &a, nil
}

// fillLoudness sets the loudness of rels' tracks from what was measured,
// in one round trip.
func (r reader) fillLoudness(ctx context.Context, rels ...*api.Release) error {
	var ids []int64
	for _, rel := range rels {
		if len(rel.Tracks) > 0 {
			ids = append(ids, rel.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := r.q.Query(ctx, `SELECT a.sha256, a.lufs, a.peak, a.problem, 0::bigint, '' FROM audio_analyses a
			WHERE a.sha256 IN (SELECT audio_sha256 FROM tracks WHERE release_id = ANY($1))
		UNION ALL SELECT '', l.lufs, l.peak, '', l.release_id, l.tracks_hash FROM album_loudness l WHERE l.release_id = ANY($1)`, ids)
	if err != nil {
		return wrap("loudness", err)
	}
	analyses := map[string]store.AudioAnalysis{}
	albums := map[int64]*store.AlbumLoudness{}
	var a store.AudioAnalysis
	var album store.AlbumLoudness
	_, err = pgx.ForEachRow(rows, []any{&a.SHA256, &a.LUFS, &a.Peak, &a.Problem, &album.ReleaseID, &album.TracksHash}, func() error {
		if album.ReleaseID != 0 {
			albums[album.ReleaseID] = &store.AlbumLoudness{ReleaseID: album.ReleaseID, TracksHash: album.TracksHash, LUFS: a.LUFS, Peak: a.Peak}
		} else {
			analyses[a.SHA256] = a
		}
		return nil
	})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return wrap("loudness", err)
	}
	for _, rel := range rels {
		store.FillLoudness(rel.Tracks, analyses, albums[rel.ID])
	}
	return nil
}
