// Package platform assembles a complete Megabox platform: by default from
// its embedded parts (SQLite and a disk bucket under one data directory),
// or on PostgreSQL and an S3 bucket for several servers behind one
// address. megaboxd, the desktop app's local platform and the tests all
// start it this way.
package platform

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/megabox-fm/megabox/backend/auth"
	"github.com/megabox-fm/megabox/backend/blob"
	"github.com/megabox-fm/megabox/backend/blob/disk"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/mail"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/service"
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/backend/store/sqlite"
	"github.com/megabox-fm/megabox/backend/transcode"
	"github.com/megabox-fm/megabox/backend/web"
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
	// Database is a postgres:// URL; empty for SQLite in the data
	// directory.
	Database string
	// Blobs is an s3:// URL; empty for a bucket on disk in the data
	// directory.
	Blobs string
	// Payments is the payment provider; nil for the embedded sandbox.
	Payments payment.Provider
	// Mail is the SMTP server email goes through; without one the
	// platform sends no email and everything else works the same.
	Mail mail.Config
}

// PageTTL is how long a public page may be served to anonymous visitors
// from memory: a creator's edit shows within it.
const PageTTL = 5 * time.Second

// Defaults: a 2 GiB file, 50 GiB per account, 10 sign-ups an hour from one
// address.
var DefaultConfig = Config{MaxUploadSize: 2 << 30, Quota: 50 << 30, SignUpsPerHour: 10}

// Platform is an open platform.
type Platform struct {
	*service.Services
	Store      store.Store
	DB         *sqlite.DB // the embedded database; nil on PostgreSQL
	Handler    *mhttp.Server
	Bucket     blob.Bucket
	Disk       *disk.Bucket       // the embedded bucket; nil on S3
	Mail       *mail.Outbox       // sends queued email; nil when email is off
	Jobs       *jobs.Queue        // background work: transcodes, loudness
	Transcodes *transcode.Service // downloads in the formats buyers choose
	closers    []func()
	activity   *jobs.Activity // uploads arriving, which measurements yield to
}

// Open opens or creates the platform in dir, which holds the embedded
// database and bucket when cfg names no others, and scratch space.
func Open(ctx context.Context, dir string, cfg Config, log *slog.Logger) (*Platform, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	p := &Platform{}
	if err := p.open(ctx, dir, cfg, log); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Platform) open(ctx context.Context, dir string, cfg Config, log *slog.Logger) error {
	if err := p.openStore(ctx, dir, cfg.Database); err != nil {
		return err
	}
	checks, err := p.openBucket(ctx, dir, cfg.Blobs)
	if err != nil {
		return err
	}
	shared, err := p.sharedUploads(ctx, dir, cfg)
	if err != nil {
		return err
	}
	provider := cfg.Payments
	if provider == nil {
		provider = payment.NewSandbox()
	}
	p.Services = service.New(p.Store, auth.NewHasher(auth.DefaultParams, cfg.Hashing), provider)
	checks["database"] = p.Store.Ping
	if err := p.startMail(cfg.Mail, log); err != nil {
		return err
	}
	if err := p.startJobs(dir, log); err != nil {
		return err
	}
	if err := service.NewAnalysis(p.Services, p.Bucket, p.Jobs, log).Backfill(ctx); err != nil {
		return err
	}
	svc := mhttp.Services{
		Accounts:      p.Accounts,
		Auth:          p.Accounts,
		Releases:      p.Releases,
		Downloads:     p.Downloads,
		Previews:      service.NewPreviewService(p.Services, p.Bucket),
		Blobs:         p.Blobs,
		Uploads:       p.Blobs,
		Bucket:        p.Bucket,
		Purchases:     p.Purchases,
		Payments:      p.Purchases,
		Gifts:         p.Purchases,
		Profiles:      p.Profiles,
		Web:           web.Cache(web.New(p.Services, p.Bucket, web.Config{TrustedProxies: cfg.TrustedProxies, Log: log, Formats: p.Transcodes}), PageTTL),
		Archives:      p.Purchases,
		Formats:       p.Transcodes,
		Earnings:      p.Earnings,
		Codes:         p.Codes,
		Announcements: p.Announcements,
		Privacy:       p.Privacy,
		Insight:       service.NewInsightService(p.Services),
		ReceiptKeys:   p.Receipts,
		Checks:        checks,
		LedgerCheck:   ledgerCheck(p.Store),
	}
	p.Handler, err = mhttp.NewServer(svc, mhttp.Config{
		MaxUploadSize:  cfg.MaxUploadSize,
		Quota:          cfg.Quota,
		SignUpsPerHour: cfg.SignUpsPerHour,
		UploadDir:      filepath.Join(dir, "blobs", "uploads"),
		Busy:           p.activity,
		Shared:         shared,
		TrustedProxies: cfg.TrustedProxies,
	}, log)
	return err
}

// startMail runs the mail outbox when cfg names an SMTP server; Close
// stops it, letting a message being sent finish, before the database
// closes.
func (p *Platform) startMail(cfg mail.Config, log *slog.Logger) error {
	if !cfg.Enabled() {
		return nil
	}
	sender, err := mail.NewSMTP(cfg)
	if err != nil {
		return err
	}
	p.Mail = mail.NewOutbox(p.Store, sender, cfg.PerSecond, log)
	p.Services.SetMail(p.Mail.Wake)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Mail.Run(ctx)
	}()
	p.closers = append(p.closers, func() { cancel(); <-done })
	return nil
}

// openStore opens PostgreSQL at url, or SQLite in dir.
func (p *Platform) openStore(ctx context.Context, dir, url string) error {
	if url == "" {
		db, err := sqlite.Open(ctx, filepath.Join(dir, dbFile))
		if err != nil {
			return err
		}
		p.DB, p.Store = db, db
		p.closers = append(p.closers, func() { db.Close() })
		return nil
	}
	return p.openPostgres(ctx, url)
}

// openBucket opens the S3 bucket at url, or a bucket on disk in dir, and
// returns the readiness check of it.
func (p *Platform) openBucket(ctx context.Context, dir, url string) (map[string]func(context.Context) error, error) {
	if url == "" {
		root := filepath.Join(dir, "blobs")
		b, err := disk.Open(root)
		if err != nil {
			return nil, err
		}
		p.Disk, p.Bucket = b, b
		return map[string]func(context.Context) error{"blobs": func(context.Context) error { return dirReady(root) }}, nil
	}
	return p.openS3(ctx, url)
}

// Close closes the database and whatever else the platform opened.
func (p *Platform) Close() error {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
	p.closers = nil
	return nil
}

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
