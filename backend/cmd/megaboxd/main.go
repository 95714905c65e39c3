// Command megaboxd is the Megabox platform server. With no configuration it
// keeps everything (SQLite database and uploaded files) in the user's data
// directory and listens on 127.0.0.1:8080.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := (&Main{Stdout: os.Stdout, Stderr: os.Stderr}).Run(ctx, os.Args[1:]); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "megaboxd:", err)
		os.Exit(1)
	}
}

// Main is the program, separated from process globals so tests can run it.
type Main struct {
	Stdout, Stderr io.Writer
	// Ready, if set, receives the listening address once serving.
	Ready chan<- string
	// MetricsReady, if set, receives the metrics listener's address once
	// serving (only with --metrics-addr).
	MetricsReady chan<- string
	// janitor, if set, replaces the platform's upload janitor (tests).
	janitor func(ctx context.Context, p *platform.Platform)
}

type options struct {
	data, addr, logFormat string
	metricsAddr           string
	hosts                 []string
	cfg                   platform.Config
}

func (m *Main) parse(args []string) (*options, error) {
	o := &options{cfg: platform.DefaultConfig}
	fs := flag.NewFlagSet("megaboxd", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.StringVar(&o.data, "data", envOr("MEGABOX_DATA", platform.DefaultDataDir()), "data directory (env MEGABOX_DATA)")
	fs.StringVar(&o.addr, "addr", envOr("MEGABOX_ADDR", "127.0.0.1:8080"), "listen address (env MEGABOX_ADDR)")
	fs.StringVar(&o.metricsAddr, "metrics-addr", os.Getenv("MEGABOX_METRICS_ADDR"), "listen address for Prometheus metrics at /metrics, e.g. 127.0.0.1:9090; keep it loopback or private: the API address never serves them (env MEGABOX_METRICS_ADDR; default: off)")
	hosts := fs.String("public-host", os.Getenv("MEGABOX_HOSTS"), "comma-separated host names clients use, e.g. megabox.example or megabox.example:8443 (env MEGABOX_HOSTS; default: the listen address, and localhost when it is loopback)")
	fs.StringVar(&o.cfg.Database, "database", os.Getenv("MEGABOX_DATABASE"), "PostgreSQL URL, postgres://user@host/db; keep the password out of it and in PGPASSWORD or ~/.pgpass (env MEGABOX_DATABASE; default: SQLite in the data directory)")
	fs.StringVar(&o.cfg.Blobs, "blobs", os.Getenv("MEGABOX_BLOBS"), "S3 bucket URL, s3://bucket/prefix?endpoint=https://…&region=…&path_style=true; credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (env MEGABOX_BLOBS; default: files in the data directory)")
	fs.StringVar(&o.logFormat, "log-format", "text", "log format: text or json")
	fs.Int64Var(&o.cfg.MaxUploadSize, "max-upload", o.cfg.MaxUploadSize, "largest accepted upload, bytes")
	fs.Int64Var(&o.cfg.Quota, "quota", o.cfg.Quota, "storage per account, bytes (0: unlimited)")
	fs.IntVar(&o.cfg.SignUpsPerHour, "signups-per-hour", o.cfg.SignUpsPerHour, "sign-ups accepted from one address in an hour (0: unlimited)")
	proxies := fs.String("trusted-proxy", os.Getenv("MEGABOX_TRUSTED_PROXIES"), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client, e.g. 127.0.0.1/32 (env MEGABOX_TRUSTED_PROXIES; default: none, the header is ignored)")
	fs.Int64Var(&o.cfg.Hashing.Memory, "hash-memory", 0, "memory password checks may use at once, bytes; each takes 19 MiB (0: an eighth of this machine's, at most one check per CPU)")
	fs.StringVar(&o.cfg.Mail.URL, "smtp-url", os.Getenv("MEGABOX_SMTP_URL"), "SMTP server email goes through: smtp://user:pass@host:587 (STARTTLS required) or smtps://user:pass@host:465; add ?tls=none only for a relay on loopback (env MEGABOX_SMTP_URL; default: no email, and gift links are shown to the giver)")
	fs.StringVar(&o.cfg.Mail.From, "mail-from", os.Getenv("MEGABOX_MAIL_FROM"), "sender of the platform's email, e.g. \"Megabox <hello@megabox.example>\" (env MEGABOX_MAIL_FROM; needed with --smtp-url)")
	fs.Float64Var(&o.cfg.Mail.PerSecond, "mail-rate", envFloat("MEGABOX_MAIL_RATE", 0), "most email messages sent a second (env MEGABOX_MAIL_RATE; 0: 5)")
	var pay paymentFlags
	pay.register(fs)
	err := fs.Parse(args)
	if err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.cfg.Payments, err = pay.provider(); err != nil {
		return nil, err
	}
	for _, h := range strings.Split(*hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			o.hosts = append(o.hosts, h)
		}
	}
	if o.cfg.TrustedProxies, err = parsePrefixes(*proxies); err != nil {
		return nil, fmt.Errorf("--trusted-proxy: %w", err)
	}
	if err := o.cfg.Mail.Check(); err != nil {
		return nil, fmt.Errorf("--smtp-url, --mail-from, --mail-rate: %w", err)
	}
	if o.logFormat != "text" && o.logFormat != "json" {
		return nil, fmt.Errorf("--log-format must be text or json")
	}
	if o.cfg.MaxUploadSize <= 0 || o.cfg.Quota < 0 {
		return nil, fmt.Errorf("--max-upload must be positive and --quota not negative")
	}
	if o.cfg.SignUpsPerHour < 0 || o.cfg.Hashing.Memory < 0 {
		return nil, fmt.Errorf("--signups-per-hour and --hash-memory must not be negative")
	}
	return o, nil
}

// Run serves until ctx ends.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "admin":
			return m.admin(ctx, args[1:])
		case "migrate":
			return m.migrate(ctx, args[1:])
		}
	}
	o, err := m.parse(args)
	if err != nil {
		return err
	}
	var h slog.Handler = slog.NewTextHandler(m.Stderr, nil)
	if o.logFormat == "json" {
		h = slog.NewJSONHandler(m.Stderr, nil)
	}
	log := slog.New(h)
	p, err := platform.Open(ctx, o.data, o.cfg, log)
	if err != nil {
		return err
	}
	defer p.Close()
	l, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	hosts := o.hosts
	if len(hosts) == 0 {
		if hosts = mhttp.HostsFor(l.Addr().String()); len(hosts) == 0 {
			l.Close()
			return fmt.Errorf("listening on %s, megaboxd needs --public-host: the host names clients reach it by", l.Addr())
		}
	}
	p.Handler.AllowHosts(hosts...)
	url := "http://" + l.Addr().String()
	log.Info("megaboxd listening", "url", url, "data", o.data, "hosts", strings.Join(hosts, ","),
		"database", engine(o.cfg.Database, "sqlite", "postgres"), "blobs", engine(o.cfg.Blobs, "disk", "s3"),
		"mail", engine(o.cfg.Mail.URL, "off", "smtp"))
	fmt.Fprintf(m.Stdout, "Megabox platform running at %s (data in %s). Press Ctrl+C to stop.\n", url, o.data)
	if m.Ready != nil {
		m.Ready <- l.Addr().String()
	}
	janitor := m.janitor
	if janitor == nil {
		janitor = func(ctx context.Context, p *platform.Platform) { p.Handler.Janitor(ctx) }
	}
	var wg sync.WaitGroup
	if o.metricsAddr != "" {
		ml, err := net.Listen("tcp", o.metricsAddr)
		if err != nil {
			l.Close()
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		log.Info("metrics listening", "url", "http://"+ml.Addr().String()+"/metrics")
		if m.MetricsReady != nil {
			m.MetricsReady <- ml.Addr().String()
		}
		wg.Go(func() { serveMetrics(ctx, ml, p.Handler.Metrics(), log) })
	}
	wg.Go(func() { janitor(ctx, p) })
	err = p.Handler.Serve(ctx, l, 30*time.Second)
	wg.Wait() // the deferred Close must not pull the database from under it
	log.Info("megaboxd stopped")
	return err
}

// engine names what a URL option chose, never the URL (it may carry a
// password).
func engine(url, embedded, named string) string {
	if url == "" {
		return embedded
	}
	return named
}

// serveMetrics serves /metrics on l until ctx ends. It is a listener of
// its own so the counts stay off the public address: an operator binds it
// to loopback or a private network the scraper reaches.
func serveMetrics(ctx context.Context, l net.Listener, h http.Handler, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		log.Error("metrics listener stopped", "err", err)
		return
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("metrics listener shutdown", "err", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		log.Warn("metrics listener", "err", err)
	}
}

// parsePrefixes reads comma-separated CIDRs; a bare address is its own
// block. IPv4-mapped IPv6 blocks are read as IPv4, as client addresses are.
func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("%q is not a CIDR block or an address", f)
			}
			p = netip.PrefixFrom(a.WithZone(""), a.BitLen())
		}
		if a := p.Addr(); a.Is4In6() {
			if p.Bits() < 96 {
				return nil, fmt.Errorf("%q mixes IPv4 and IPv6", f)
			}
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// envFloat reads a number from the environment; def when unset, and
// NaN (refused by the checks) when it is not a number.
func envFloat(key string, def float64) float64 {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
