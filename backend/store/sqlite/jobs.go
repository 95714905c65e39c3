package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/store"
)

const jobColumns = `id, kind, job_key, state, attempts, progress, next_at, lease_till, last_error, created_at, done_at`

// EnqueueJob implements store.Tx.
func (t *tx) EnqueueJob(ctx context.Context, kind, key string, now, retryFailed time.Time) (*store.Job, error) {
	before := int64(-1) // no done_at is before it: never requeue
	if !retryFailed.IsZero() {
		before = millis(retryFailed)
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO jobs (kind, job_key, next_at, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind, job_key) DO UPDATE SET state = 'queued', attempts = 0, progress = 0,
			next_at = excluded.next_at, lease_till = 0, done_at = NULL
		WHERE jobs.state = 'failed' AND jobs.done_at <= ?`, kind, key, millis(now), millis(now), before)
	if err != nil {
		return nil, fmt.Errorf("enqueue job: %w", err)
	}
	return t.JobByKey(ctx, kind, key)
}

// ClaimJobs implements store.Tx: SQLite runs one writer at a time, so
// the select and the update see the same rows.
func (t *tx) ClaimJobs(ctx context.Context, kinds []string, now, leaseTill time.Time, limit int) ([]store.Job, error) {
	if len(kinds) == 0 || limit <= 0 {
		return nil, nil
	}
	in, args := inList(kinds)
	args = append([]any{millis(leaseTill)}, args...)
	args = append(args, millis(now), millis(now), limit)
	rows, err := t.tx.QueryContext(ctx, `UPDATE jobs SET state = 'running', attempts = attempts + 1, progress = 0, lease_till = ?
		WHERE id IN (SELECT id FROM jobs
			WHERE kind IN (`+in+`) AND ((state = 'queued' AND next_at <= ?) OR (state = 'running' AND lease_till <= ?))
			ORDER BY id LIMIT ?)
		RETURNING `+jobColumns, args...)
	if err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	defer rows.Close()
	var out []store.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *j)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING gives no order: oldest first.
	slices.SortFunc(out, func(a, b store.Job) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// JobProgress implements store.Tx.
func (t *tx) JobProgress(ctx context.Context, id int64, attempt int, progress float64, leaseTill time.Time) error {
	return t.sending(ctx, `UPDATE jobs SET progress = ?, lease_till = ? WHERE id = ? AND attempts = ? AND state = 'running'`,
		progress, millis(leaseTill), id, attempt)
}

// JobDone implements store.Tx.
func (t *tx) JobDone(ctx context.Context, id int64, attempt int, at time.Time) error {
	return t.sending(ctx, `UPDATE jobs SET state = 'done', progress = 1, done_at = ?, last_error = ''
		WHERE id = ? AND attempts = ? AND state = 'running'`, millis(at), id, attempt)
}

// JobRetry implements store.Tx.
func (t *tx) JobRetry(ctx context.Context, id int64, attempt int, next time.Time, why string) error {
	return t.sending(ctx, `UPDATE jobs SET state = 'queued', next_at = ?, last_error = ?
		WHERE id = ? AND attempts = ? AND state = 'running'`, millis(next), why, id, attempt)
}

// JobFailed implements store.Tx.
func (t *tx) JobFailed(ctx context.Context, id int64, attempt int, why string, at time.Time) error {
	return t.sending(ctx, `UPDATE jobs SET state = 'failed', last_error = ?, done_at = ?
		WHERE id = ? AND attempts = ? AND state = 'running'`, why, millis(at), id, attempt)
}

// JobRelease implements store.Tx.
func (t *tx) JobRelease(ctx context.Context, id int64, attempt int) error {
	return t.sending(ctx, `UPDATE jobs SET state = 'queued', attempts = attempts - 1, next_at = 0, lease_till = 0
		WHERE id = ? AND attempts = ? AND state = 'running'`, id, attempt)
}

// PutTranscode implements store.Tx.
func (t *tx) PutTranscode(ctx context.Context, tc store.Transcode) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO transcodes (master_sha256, format, version, sha256, size, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		tc.MasterSHA256, tc.Format, tc.Version, tc.SHA256, tc.Size, millis(tc.CreatedAt))
	if err != nil {
		return fmt.Errorf("put transcode: %w", err)
	}
	return nil
}

// TaggedServed implements store.Tx.
func (t *tx) TaggedServed(ctx context.Context, sha string, size int64, at time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO tagged (sha256, size, last_served) VALUES (?, ?, ?)
		ON CONFLICT (sha256) DO UPDATE SET last_served = max(last_served, excluded.last_served)`, sha, size, millis(at))
	if err != nil {
		return fmt.Errorf("tagged served: %w", err)
	}
	return nil
}

// EvictTagged implements store.Tx.
func (t *tx) EvictTagged(ctx context.Context, sha string, servedBefore time.Time) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM tagged WHERE sha256 = ? AND last_served < ?`, sha, millis(servedBefore))
	if err != nil {
		return false, fmt.Errorf("evict tagged: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	var shared bool
	err = t.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM blobs WHERE sha256 = ?)
		OR EXISTS (SELECT 1 FROM transcodes WHERE sha256 = ?)`, sha, sha).Scan(&shared)
	if err != nil {
		return false, fmt.Errorf("evict tagged: %w", err)
	}
	return !shared, nil
}

// StaleTagged implements store.Reader.
func (r reader) StaleTagged(ctx context.Context, servedBefore time.Time, limit int) ([]string, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT sha256 FROM tagged WHERE last_served < ?
		ORDER BY last_served, sha256 LIMIT ?`, millis(servedBefore), limit)
	if err != nil {
		return nil, fmt.Errorf("stale tagged: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			return nil, err
		}
		out = append(out, sha)
	}
	return out, rows.Err()
}

// JobByKey implements store.Reader.
func (r reader) JobByKey(ctx context.Context, kind, key string) (*store.Job, error) {
	return scanJob(r.q.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE kind = ? AND job_key = ?`, kind, key))
}

// NextJobAt implements store.Reader.
func (r reader) NextJobAt(ctx context.Context, kinds []string) (time.Time, error) {
	if len(kinds) == 0 {
		return time.Time{}, store.ErrNotFound
	}
	in, args := inList(kinds)
	var next sql.NullInt64
	err := r.q.QueryRowContext(ctx, `SELECT MIN(CASE state WHEN 'queued' THEN next_at ELSE lease_till END)
		FROM jobs WHERE state IN ('queued', 'running') AND kind IN (`+in+`)`, args...).Scan(&next)
	if err != nil {
		return time.Time{}, err
	}
	if !next.Valid {
		return time.Time{}, store.ErrNotFound
	}
	return fromMillis(next.Int64), nil
}

// Transcode implements store.Reader.
func (r reader) Transcode(ctx context.Context, master, format string, version int) (*store.Transcode, error) {
	tc := store.Transcode{MasterSHA256: master, Format: format, Version: version}
	var created int64
	err := r.q.QueryRowContext(ctx, `SELECT sha256, size, created_at FROM transcodes
		WHERE master_sha256 = ? AND format = ? AND version = ?`, master, format, version).Scan(&tc.SHA256, &tc.Size, &created)
	if err != nil {
		return nil, none(err)
	}
	tc.CreatedAt = fromMillis(created)
	return &tc, nil
}

// inList is placeholders and arguments for an IN list of strings.
func inList(ss []string) (string, []any) {
	args := make([]any, len(ss))
	for i, s := range ss {
		args[i] = s
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(ss)), ", "), args
}

func scanJob(row rowScanner) (*store.Job, error) {
	var j store.Job
	var next, lease, created int64
	var done sql.NullInt64
	err := row.Scan(&j.ID, &j.Kind, &j.Key, &j.State, &j.Attempts, &j.Progress, &next, &lease, &j.LastError, &created, &done)
	if err != nil {
		return nil, none(err)
	}
	j.NextAt, j.LeaseTill, j.CreatedAt = fromMillis(next), fromMillis(lease), fromMillis(created)
	if done.Valid {
		j.DoneAt = fromMillis(done.Int64)
	}
	return &j, nil
}
