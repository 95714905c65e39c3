package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/store"
)

const jobColumns = `id, kind, job_key, state, attempts, progress, next_at, lease_till, last_error, created_at, done_at`

// EnqueueJob implements store.Tx.
func (t *tx) EnqueueJob(ctx context.Context, kind, key string, now, retryFailed time.Time) (*store.Job, error) {
	var before *time.Time // NULL: never requeue
	if !retryFailed.IsZero() {
		b := ms(retryFailed)
		before = &b
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO jobs (kind, job_key, next_at, created_at) VALUES ($1, $2, $3, $3)
		ON CONFLICT (kind, job_key) DO UPDATE SET state = 'queued', attempts = 0, progress = 0,
			next_at = excluded.next_at, lease_till = 'epoch', done_at = NULL
		WHERE jobs.state = 'failed' AND jobs.done_at <= $4`, kind, key, ms(now), before)
	if err != nil {
		return nil, wrap("enqueue job", err)
	}
	return t.JobByKey(ctx, kind, key)
}

// ClaimJobs implements store.Tx: SKIP LOCKED lets several servers claim
// side by side, each its own rows.
func (t *tx) ClaimJobs(ctx context.Context, kinds []string, now, leaseTill time.Time, limit int) ([]store.Job, error) {
	if len(kinds) == 0 || limit <= 0 {
		return nil, nil
	}
	rows, err := t.tx.Query(ctx, `WITH due AS (SELECT id FROM jobs
			WHERE kind = ANY($3) AND ((state = 'queued' AND next_at <= $2) OR (state = 'running' AND lease_till <= $2))
			ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED),
		c AS (UPDATE jobs j SET state = 'running', attempts = attempts + 1, progress = 0, lease_till = $1
			FROM due WHERE j.id = due.id RETURNING j.*)
		SELECT `+jobColumns+` FROM c ORDER BY id`, ms(leaseTill), ms(now), kinds, limit)
	if err != nil {
		return nil, wrap("claim jobs", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Job, error) {
		j, err := scanJob(row)
		if err != nil {
			return store.Job{}, err
		}
		return *j, nil
	})
	return out, wrap("claim jobs", err)
}

// JobProgress implements store.Tx.
func (t *tx) JobProgress(ctx context.Context, id int64, attempt int, progress float64, leaseTill time.Time) error {
	tag, err := t.tx.Exec(ctx, `UPDATE jobs SET progress = $1, lease_till = $2 WHERE id = $3 AND attempts = $4 AND state = 'running'`,
		progress, ms(leaseTill), id, attempt)
	return affected("job progress", tag, err)
}

// JobDone implements store.Tx.
func (t *tx) JobDone(ctx context.Context, id int64, attempt int, at time.Time) error {
	tag, err := t.tx.Exec(ctx, `UPDATE jobs SET state = 'done', progress = 1, done_at = $1, last_error = ''
		WHERE id = $2 AND attempts = $3 AND state = 'running'`, ms(at), id, attempt)
	return affected("job done", tag, err)
}

// JobRetry implements store.Tx.
func (t *tx) JobRetry(ctx context.Context, id int64, attempt int, next time.Time, why string) error {
	tag, err := t.tx.Exec(ctx, `UPDATE jobs SET state = 'queued', next_at = $1, last_error = $2
		WHERE id = $3 AND attempts = $4 AND state = 'running'`, ms(next), why, id, attempt)
	return affected("job retry", tag, err)
}

// JobFailed implements store.Tx.
func (t *tx) JobFailed(ctx context.Context, id int64, attempt int, why string, at time.Time) error {
	tag, err := t.tx.Exec(ctx, `UPDATE jobs SET state = 'failed', last_error = $1, done_at = $2
		WHERE id = $3 AND attempts = $4 AND state = 'running'`, why, ms(at), id, attempt)
	return affected("job failed", tag, err)
}

// JobRelease implements store.Tx.
func (t *tx) JobRelease(ctx context.Context, id int64, attempt int) error {
	tag, err := t.tx.Exec(ctx, `UPDATE jobs SET state = 'queued', attempts = attempts - 1, next_at = 'epoch', lease_till = 'epoch'
		WHERE id = $1 AND attempts = $2 AND state = 'running'`, id, attempt)
	return affected("job release", tag, err)
}

// PutTranscode implements store.Tx.
func (t *tx) PutTranscode(ctx context.Context, tc store.Transcode) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO transcodes (master_sha256, format, version, sha256, size, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		tc.MasterSHA256, tc.Format, tc.Version, tc.SHA256, tc.Size, ms(tc.CreatedAt))
	return wrap("put transcode", err)
}

// TaggedServed implements store.Tx.
func (t *tx) TaggedServed(ctx context.Context, sha string, size int64, at time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO tagged (sha256, size, last_served) VALUES ($1, $2, $3)
		ON CONFLICT (sha256) DO UPDATE SET last_served = GREATEST(tagged.last_served, excluded.last_served)`, sha, size, ms(at))
	return wrap("tagged served", err)
}

// EvictTagged implements store.Tx.
func (t *tx) EvictTagged(ctx context.Context, sha string, servedBefore time.Time) (bool, error) {
	var shared bool
	err := t.tx.QueryRow(ctx, `WITH gone AS (DELETE FROM tagged WHERE sha256 = $1 AND last_served < $2 RETURNING sha256)
		SELECT EXISTS (SELECT 1 FROM blobs WHERE sha256 = $1) OR EXISTS (SELECT 1 FROM transcodes WHERE sha256 = $1)
		FROM gone`, sha, ms(servedBefore)).Scan(&shared)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil // not there, or served since
	}
	if err != nil {
		return false, wrap("evict tagged", err)
	}
	return !shared, nil
}

// StaleTagged implements store.Reader.
func (r reader) StaleTagged(ctx context.Context, servedBefore time.Time, limit int) ([]string, error) {
	rows, err := r.q.Query(ctx, `SELECT sha256 FROM tagged WHERE last_served < $1
		ORDER BY last_served, sha256 LIMIT $2`, ms(servedBefore), limit)
	if err != nil {
		return nil, wrap("stale tagged", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, wrap("stale tagged", err)
}

// JobByKey implements store.Reader.
func (r reader) JobByKey(ctx context.Context, kind, key string) (*store.Job, error) {
	j, err := scanJob(r.q.QueryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE kind = $1 AND job_key = $2`, kind, key))
	return j, wrap("job", err)
}

// NextJobAt implements store.Reader.
func (r reader) NextJobAt(ctx context.Context, kinds []string) (time.Time, error) {
	var next *time.Time
	err := r.q.QueryRow(ctx, `SELECT MIN(CASE state WHEN 'queued' THEN next_at ELSE lease_till END)
		FROM jobs WHERE state IN ('queued', 'running') AND kind = ANY($1)`, kinds).Scan(&next)
	if err != nil {
		return time.Time{}, wrap("next job", err)
	}
	if next == nil {
		return time.Time{}, store.ErrNotFound
	}
	return next.UTC(), nil
}

// Transcode implements store.Reader.
func (r reader) Transcode(ctx context.Context, master, format string, version int) (*store.Transcode, error) {
	tc := store.Transcode{MasterSHA256: master, Format: format, Version: version}
	err := r.q.QueryRow(ctx, `SELECT sha256, size, created_at FROM transcodes
		WHERE master_sha256 = $1 AND format = $2 AND version = $3`, master, format, version).Scan(&tc.SHA256, &tc.Size, &tc.CreatedAt)
	if err != nil {
		return nil, wrap("transcode", err)
	}
	tc.CreatedAt = tc.CreatedAt.UTC()
	return &tc, nil
}

func scanJob(row pgx.Row) (*store.Job, error) {
	var j store.Job
	var done *time.Time
	err := row.Scan(&j.ID, &j.Kind, &j.Key, &j.State, &j.Attempts, &j.Progress, &j.NextAt, &j.LeaseTill, &j.LastError, &j.CreatedAt, &done)
	if err != nil {
		return nil, err
	}
	j.NextAt, j.LeaseTill, j.CreatedAt = j.NextAt.UTC(), j.LeaseTill.UTC(), j.CreatedAt.UTC()
	if done != nil {
		j.DoneAt = done.UTC()
	}
	return &j, nil
}
