//go:build desktop

package platform_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/platform"
)

func TestDesktopRefusesScaleParts(t *testing.T) {
	tests := []struct {
		name, field string
		cfg         func(*platform.Config)
	}{
		{"PostgreSQL", "database", func(c *platform.Config) { c.Database = "postgres://127.0.0.1:1/megabox" }},
		{"S3", "blobs", func(c *platform.Config) { c.Blobs = "s3://megabox?endpoint=http://127.0.0.1:1" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := platform.DefaultConfig
			tt.cfg(&cfg)
			p, err := platform.Open(context.Background(), t.TempDir(), cfg, slog.New(slog.DiscardHandler))
			if err == nil {
				p.Close()
				t.Fatal("opened")
			}
			if got := api.ErrorCode(err); got != api.EINVALID {
				t.Errorf("code %q, want %q", got, api.EINVALID)
			}
			if !strings.HasPrefix(api.ErrorMessage(err), tt.field+":") {
				t.Errorf("message %q does not name %s", api.ErrorMessage(err), tt.field)
			}
		})
	}
}
