//go:build desktop

package platform

import (
	"context"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
)

// The desktop app runs the embedded platform only, on SQLite and a disk
// bucket. Leaving the PostgreSQL and S3 clients out of its build keeps
// them out of the app's memory: their code and the tables their packages
// build when they start (scale.go has them for megaboxd).

func (p *Platform) openPostgres(context.Context, string) error {
	return api.Errorf(api.EINVALID, "database: this build runs the embedded platform only; PostgreSQL needs megaboxd")
}

func (p *Platform) openS3(context.Context, string) (map[string]func(context.Context) error, error) {
	return nil, api.Errorf(api.EINVALID, "blobs: this build runs the embedded platform only; an S3 bucket needs megaboxd")
}

// sharedUploads: without S3 uploads in progress stay on this machine.
func (p *Platform) sharedUploads(context.Context, string, Config) (*mhttp.SharedUploads, error) {
	return nil, nil
}
