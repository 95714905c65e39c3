package postgres

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5/pgxpool"
)

// UploadLocks hold tus uploads across servers with session advisory locks
// (the one-bigint form, apart from the two-int account locks), each on a
// connection of its own that the lock keeps until it is released. A
// server that dies loses its connections, and PostgreSQL releases its
// locks with them. Requests to let an upload go travel by NOTIFY.
type UploadLocks struct {
	pool   *pgxpool.Pool // one connection per held lock
	signal *pgxpool.Pool // the listener and requests to let go: never queued behind held locks
}

// releaseChannel carries the ids of uploads a server wants another to let go.
const releaseChannel = "megabox_upload_release"

// OpenUploadLocks connects a pool of at most maxHeld connections (no more
// uploads than that can be written through this server at once) and two
// more to listen and to ask.
func OpenUploadLocks(ctx context.Context, url string, maxHeld int32) (*UploadLocks, error) {
	pool, err := lockPool(ctx, url, maxHeld)
	if err != nil {
		return nil, err
	}
	signal, err := lockPool(ctx, url, 2)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &UploadLocks{pool: pool, signal: signal}, nil
}

func lockPool(ctx context.Context, url string, size int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	cfg.MaxConns = size
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("upload locks: %w", err)
	}
	return pool, nil
}

// Close closes the pools.
func (l *UploadLocks) Close() {
	l.pool.Close()
	l.signal.Close()
}

func lockKey(id string) int64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return int64(h.Sum64())
}

// TryAcquire takes id's lock if no server holds it.
func (l *UploadLocks) TryAcquire(ctx context.Context, id string) (func(), bool, error) {
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("upload lock: %w", err)
	}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, lockKey(id)).Scan(&ok); err != nil {
		conn.Release()
		return nil, false, fmt.Errorf("upload lock: %w", err)
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	release := func() {
		ctx := context.WithoutCancel(ctx)
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, lockKey(id)); err != nil {
			// A connection that may still hold the lock must not be reused.
			_ = conn.Conn().Close(ctx)
		}
		conn.Release()
	}
	return release, true, nil
}

// AskRelease asks whichever server holds id to let it go.
func (l *UploadLocks) AskRelease(ctx context.Context, id string) error {
	_, err := l.signal.Exec(ctx, `SELECT pg_notify($1, $2)`, releaseChannel, id)
	return err
}

// Listen calls fn with each id another server asks about, until ctx ends.
func (l *UploadLocks) Listen(ctx context.Context, fn func(id string)) error {
	conn, err := l.signal.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `LISTEN `+releaseChannel); err != nil {
		return err
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			if ctx.Err() != nil {
				// The connection is mid-wait: close it rather than reuse it.
				_ = conn.Conn().Close(context.WithoutCancel(ctx))
				return nil
			}
			return err
		}
		fn(n.Payload)
	}
}
