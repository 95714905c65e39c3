package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// PutAudioAnalysis implements store.Tx.
func (t *tx) PutAudioAnalysis(ctx context.Context, a store.AudioAnalysis) error {
	return t.exec(ctx, `INSERT INTO audio_analyses (sha256, lufs, peak, problem, problem_code, analyzed_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (sha256) DO UPDATE SET lufs = excluded.lufs, peak = excluded.peak, problem = excluded.problem, problem_code = excluded.problem_code, analyzed_at = excluded.analyzed_at`,
		a.SHA256, a.LUFS, a.Peak, a.Problem, a.ProblemCode, millis(a.AnalyzedAt))
}

// PutAlbumLoudness implements store.Tx.
func (t *tx) PutAlbumLoudness(ctx context.Context, a store.AlbumLoudness) error {
	return t.exec(ctx, `INSERT INTO album_loudness (release_id, tracks_hash, lufs, peak, measured_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (release_id) DO UPDATE SET tracks_hash = excluded.tracks_hash, lufs = excluded.lufs, peak = excluded.peak, measured_at = excluded.measured_at`,
		a.ReleaseID, a.TracksHash, a.LUFS, a.Peak, millis(a.MeasuredAt))
}

// AudioAnalysis implements store.Reader.
func (r reader) AudioAnalysis(ctx context.Context, sha string) (*store.AudioAnalysis, error) {
	a := store.AudioAnalysis{SHA256: sha}
	var at int64
	err := r.q.QueryRowContext(ctx, `SELECT lufs, peak, problem, problem_code, analyzed_at FROM audio_analyses WHERE sha256 = ?`, sha).
		Scan(&a.LUFS, &a.Peak, &a.Problem, &a.ProblemCode, &at)
	if err != nil {
		return nil, none(err)
	}
	a.AnalyzedAt = fromMillis(at)
	return &a, nil
}

// AlbumLoudness implements store.Reader.
func (r reader) AlbumLoudness(ctx context.Context, releaseID int64) (*store.AlbumLoudness, error) {
	a := store.AlbumLoudness{ReleaseID: releaseID}
	var at int64
	err := r.q.QueryRowContext(ctx, `SELECT tracks_hash, lufs, peak, measured_at FROM album_loudness WHERE release_id = ?`, releaseID).
		Scan(&a.TracksHash, &a.LUFS, &a.Peak, &at)
	if err != nil {
		return nil, none(err)
	}
	a.MeasuredAt = fromMillis(at)
	return &a, nil
}

// fillLoudness sets the loudness of a release's tracks from what was
// measured.
func (r reader) fillLoudness(ctx context.Context, releaseID int64, tracks []api.Track) error {
	if len(tracks) == 0 {
		return nil
	}
	shas := make([]any, len(tracks))
	for i, t := range tracks {
		shas[i] = t.AudioSHA256
	}
	rows, err := r.q.QueryContext(ctx, `SELECT sha256, lufs, peak, problem FROM audio_analyses WHERE sha256 IN (?`+
		strings.Repeat(", ?", len(shas)-1)+`)`, shas...)
	if err != nil {
		return fmt.Errorf("query loudness: %w", err)
	}
	defer rows.Close()
	analyses := map[string]store.AudioAnalysis{}
	for rows.Next() {
		var a store.AudioAnalysis
		if err := rows.Scan(&a.SHA256, &a.LUFS, &a.Peak, &a.Problem); err != nil {
			return err
		}
		analyses[a.SHA256] = a
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(analyses) == 0 {
		return nil
	}
	album, err := r.AlbumLoudness(ctx, releaseID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("query album loudness: %w", err)
	}
	store.FillLoudness(tracks, analyses, album)
	return nil
}
