// Package platform assembles a complete Megabox platform from its embedded
// defaults (SQLite and a disk bucket under one data directory). megaboxd,
// the desktop app's local platform and the tests all start it this way.
package platform

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"

	"github.com/megabox-fm/megabox/backend/auth"
	"github.com/megabox-fm/megabox/backend/blob/disk"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/service"
	"github.com/megabox-fm/megabox/backend/store/sqlite"
)

// Config sets the platform's limits.
type Config struct {
	MaxUploadSize  int64
	Quota          int64
	SignUpsPerHour int         // per client address; 0 for no limit
	Hashing        auth.Limits // memory for password hashing; zero for this machine's default
	// TrustedProxies are reverse proxies whose X-Forwarded-For names the
	// client; none by default, and the header is then ignored.
	TrustedProxies []netip.Prefix
}

// Defaults: a 2 GiB file, 50 GiB per account, 10 sign-ups an hour from one
// address.
var DefaultConfig = Config{MaxUploadSize: 2 << 30, Quota: 50 << 30, SignUpsPerHour: 10}

// Platform is an open platform.
type Platform struct {
	*service.Services
	DB      *sqlite.DB
	Handler *mhttp.Server
	Bucket  *disk.Bucket
}

// Open opens or creates the platform in dir.
func Open(ctx context.Context, dir string, cfg Config, log *slog.Logger) (*Platform, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, dbFile))
	if err != nil {
		return nil, err
	}
	blobRoot := filepath.Join(dir, "blobs")
	bucket, err := disk.Open(blobRoot)
	if err != nil {
		db.Close()
		return nil, err
	}
	s := service.New(db, auth.NewHasher(auth.DefaultParams, cfg.Hashing), payment.NewSandbox())
	svc := mhttp.Services{
		Accounts:    s.Accounts,
		Auth:        s.Accounts,
		Releases:    s.Releases,
		Downloads:   s.Downloads,
		Blobs:       s.Blobs,
		Uploads:     s.Blobs,
		Bucket:      bucket,
		Purchases:   s.Purchases,
		Earnings:    s.Earnings,
		ReceiptKeys: s.Receipts,
		Checks:      readiness(db.ReadDB(), blobRoot),
		LedgerCheck: ledgerCheck(db),
	}
	srv, err := mhttp.NewServer(svc, mhttp.Config{
		MaxUploadSize:  cfg.MaxUploadSize,
		Quota:          cfg.Quota,
		SignUpsPerHour: cfg.SignUpsPerHour,
		UploadDir:      filepath.Join(dir, "blobs", "uploads"),
		TrustedProxies: cfg.TrustedProxies,
	}, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Platform{Services: s, DB: db, Handler: srv, Bucket: bucket}, nil
}

// Close closes the database.
func (p *Platform) Close() error { return p.DB.Close() }

// DefaultDataDir is where the platform keeps its data when not told:
// the user's data directory, following each OS's convention.
func DefaultDataDir() string {
	home, _ := os.UserHomeDir()
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "Megabox", "platform")
		}
	case "darwin":
		return filepath.Join(home, "Library", "Application Support", "Megabox", "platform")
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "megabox", "platform")
	}
	return filepath.Join(home, ".local", "share", "megabox", "platform")
}
