//go:build !desktop

package platform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/megabox-fm/megabox/backend/blob/s3"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/store/postgres"
)

// The parts for several servers behind one address: PostgreSQL and an S3
// bucket. The desktop app's build leaves them out (scale_desktop.go).

// openPostgres opens the PostgreSQL database at url as the store.
func (p *Platform) openPostgres(ctx context.Context, url string) error {
	db, err := postgres.Open(ctx, url)
	if err != nil {
		return err
	}
	p.Store = db
	p.closers = append(p.closers, func() { db.Close() })
	return nil
}

// openS3 opens the S3 bucket at url and returns the readiness check of it.
func (p *Platform) openS3(ctx context.Context, url string) (map[string]func(context.Context) error, error) {
	b, err := s3.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	p.Bucket = b
	return map[string]func(context.Context) error{"blobs": b.Ping}, nil
}

// sharedUploads keeps uploads in progress in the S3 bucket, if there is
// one, held across servers through PostgreSQL when there is that too.
func (p *Platform) sharedUploads(ctx context.Context, dir string, cfg Config) (*mhttp.SharedUploads, error) {
	b, ok := p.Bucket.(*s3.Bucket)
	if !ok {
		return nil, nil
	}
	parts := filepath.Join(dir, "parts")
	if err := os.MkdirAll(parts, 0o700); err != nil {
		return nil, fmt.Errorf("parts dir: %w", err)
	}
	shared := &mhttp.SharedUploads{Client: b.Client(), Bucket: b.Name(), Prefix: b.Prefix(), TempDir: parts, Blobs: b}
	if cfg.Database != "" {
		locks, err := postgres.OpenUploadLocks(ctx, cfg.Database, maxUploadsAtOnce)
		if err != nil {
			return nil, err
		}
		p.closers = append(p.closers, locks.Close)
		shared.Locks = locks
	}
	return shared, nil
}

// maxUploadsAtOnce bounds the uploads one server writes at once when
// servers share them: each holds a database connection for its lock.
const maxUploadsAtOnce = 64

// MigrateDatabase brings the PostgreSQL database at url to the newest
// schema and returns the versions before and after.
func MigrateDatabase(ctx context.Context, url string) (from, to int64, err error) {
	if from, err = postgres.Version(ctx, url); err != nil {
		return 0, 0, err
	}
	to, err = postgres.Migrate(ctx, url)
	return from, to, err
}
