package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/api"
	s3blob "github.com/megabox-fm/megabox/backend/blob/s3"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// The scale path runs on the services scripts/services.sh starts:
// PostgreSQL at MEGABOX_TEST_POSTGRES and an S3 server at MEGABOX_TEST_S3.
var errNoServices = errors.New("needs PostgreSQL and S3: run through scripts/services.sh (make bench does)")

func scaleServices() (pg, s3url string, err error) {
	pg, s3url = os.Getenv("MEGABOX_TEST_POSTGRES"), os.Getenv("MEGABOX_TEST_S3")
	if pg == "" || s3url == "" {
		return "", "", errNoServices
	}
	return pg, s3url, nil
}

// unmeasured reports a row the services it needs are missing for.
func unmeasured(rep *Report, row Row) bool {
	if _, _, err := scaleServices(); err != nil {
		row.Ours.Why = err.Error()
		rep.Rows = append(rep.Rows, row)
		return true
	}
	return false
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// newDatabase creates an empty database on the server and returns its
// URL and what drops it.
func newDatabase(ctx context.Context) (string, func(), error) {
	server, _, err := scaleServices()
	if err != nil {
		return "", nil, err
	}
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close(ctx)
	name := randomName("bench_")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(server)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		if c, err := pgx.Connect(context.Background(), server); err == nil {
			c.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	}
	return u.String(), drop, nil
}

// newBucket creates an empty bucket and returns its s3:// URL, a client
// and what empties and removes it.
func newBucket(ctx context.Context) (string, *s3.Client, func(), error) {
	_, endpoint, err := scaleServices()
	if err != nil {
		return "", nil, nil, err
	}
	client, err := s3blob.NewClient(ctx, s3blob.Config{Endpoint: endpoint, Region: "us-east-1", PathStyle: true})
	if err != nil {
		return "", nil, nil, err
	}
	name := randomName("bench-")
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name}); err != nil {
		return "", nil, nil, err
	}
	remove := func() { emptyBucket(context.Background(), client, name) }
	return "s3://" + name + "?endpoint=" + url.QueryEscape(endpoint) + "&region=us-east-1&path_style=true", client, remove, nil
}

func emptyBucket(ctx context.Context, c *s3.Client, name string) {
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: &name})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			break
		}
		var objs []types.ObjectIdentifier
		for _, o := range page.Contents {
			objs = append(objs, types.ObjectIdentifier{Key: o.Key})
		}
		if len(objs) > 0 {
			c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &name, Delete: &types.Delete{Objects: objs, Quiet: aws.Bool(true)}})
		}
	}
	c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &name})
}

// node is one megaboxd over loopback.
type node struct {
	p   *platform.Platform
	srv *httptest.Server
}

// openNodes opens one server per config, each with a data directory of
// its own under dir; close closes them all.
func openNodes(ctx context.Context, dir string, cfgs ...platform.Config) ([]node, func(), error) {
	var nodes []node
	closeAll := func() {
		for _, n := range nodes {
			n.srv.Close()
			n.p.Close()
		}
		os.RemoveAll(dir)
	}
	for i, cfg := range cfgs {
		cfg.SignUpsPerHour = 0
		p, err := platform.Open(ctx, filepath.Join(dir, fmt.Sprint("node", i)), cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		nodes = append(nodes, node{p: p, srv: httptest.NewServer(p.Handler)})
	}
	return nodes, closeAll, nil
}

// scaleLoad is the scale row's: 2,000 purchases by 100 fans, 32 clients
// at once (enough to keep two servers and the database busy, where eight
// leave them waiting on each other's round trips).
var scaleLoad = purchaseLoad{fans: 100, releases: 20, workers: 32}

// benchScalePurchases: checkout throughput on PostgreSQL with two servers
// sharing the database, beside the embedded SQLite server alone, with the
// same clients and the same audit.
func benchScalePurchases(dir string, runs int, rep *Report) error {
	row := Row{Name: "purchases on PostgreSQL, 2 servers, 32 concurrent clients over HTTP, ledger audited", Unit: "per s", Digits: 0,
		Ours:   Measure{Short: "Megabox", Label: "PostgreSQL, 2 servers"},
		Base:   &Measure{Short: "SQLite", Label: "SQLite, 1 server (the embedded default)"},
		Target: "≥ 1,000/s with 2 servers",
		Note: "2,000 sandbox purchases (100 fans × 20 releases) by 32 goroutines over HTTP, fans spread over both servers, on a fresh database per round, ledger balance checked after; the baseline is the same load on one SQLite server. " +
			"PostgreSQL 15 runs with fsync=on and synchronous_commit=on, like SQLite's synchronous=FULL.",
	}
	if unmeasured(rep, row) {
		return nil
	}
	ctx := context.Background()
	err := interleave(runs,
		contender{m: &row.Ours, run: func(i int) (float64, error) {
			db, drop, err := newDatabase(ctx)
			if err != nil {
				return 0, err
			}
			defer drop()
			cfg := platform.DefaultConfig
			cfg.Database = db
			return purchaseRunOn(filepath.Join(dir, fmt.Sprint("pg-purchases", i)), scaleLoad, cfg, cfg)
		}},
		contender{m: row.Base, run: func(i int) (float64, error) {
			return purchaseRunOn(filepath.Join(dir, fmt.Sprint("sqlite-purchases", i)), scaleLoad, platform.DefaultConfig)
		}},
	)
	if err != nil {
		return err
	}
	row.Met = row.Ours.median() >= 1000
	rep.Rows = append(rep.Rows, row)
	return nil
}

// benchScaleEarnings: the earnings endpoint over 1,000,000 sales on
// PostgreSQL beside SQLite, p50 and p99.
func benchScaleEarnings(dir string, runs int, rep *Report) error {
	p50 := Row{Name: "earnings by month over 1,000,000 sales on PostgreSQL: p50", Unit: "ms", Digits: 2,
		Ours: Measure{Short: "Megabox", Label: "PostgreSQL, over HTTP"}, Base: &Measure{Short: "SQLite", Label: "SQLite, over HTTP"},
		Target: "< 10 ms",
		Note:   "1 of 1,000 creators, 1,000,000 sales over two years, 200 sequential calls per round; the same client and server code on either database.",
	}
	p99 := Row{Name: "earnings by month over 1,000,000 sales on PostgreSQL: p99", Unit: "ms", Digits: 2,
		Ours: Measure{Short: "Megabox", Label: "PostgreSQL, over HTTP"}, Base: &Measure{Short: "SQLite", Label: "SQLite, over HTTP"},
		Target: "–", Met: true,
	}
	if unmeasured(rep, p50) {
		return nil
	}
	ctx := context.Background()
	db, drop, err := newDatabase(ctx)
	if err != nil {
		return err
	}
	defer drop()
	pgCfg := platform.DefaultConfig
	pgCfg.Database = db
	nodes, closeAll, err := openNodes(ctx, filepath.Join(dir, "scale-earnings"), pgCfg, platform.DefaultConfig)
	if err != nil {
		return err
	}
	defer closeAll()
	pgClient, err := seededCreator(ctx, nodes[0], func(id int64) error { return seedPostgres(ctx, db, id) })
	if err != nil {
		return err
	}
	sqliteClient, err := seededCreator(ctx, nodes[1], func(id int64) error {
		return seedSales(filepath.Join(dir, "scale-earnings", "node1", "megabox.db"), id)
	})
	if err != nil {
		return err
	}
	latencies := func(c *mhttp.Client, p int) func(int) (float64, error) {
		return func(int) (float64, error) {
			var lat []time.Duration
			for range 200 {
				start := time.Now()
				if err := checkEarnings(c.Earnings(ctx, api.EarningsFilter{Group: api.GroupMonth, Currency: "EUR"})); err != nil {
					return 0, err
				}
				lat = append(lat, time.Since(start))
			}
			return millis(percentile(lat, p)), nil
		}
	}
	if err := interleave(runs,
		contender{m: &p50.Ours, run: latencies(pgClient, 50)},
		contender{m: p50.Base, run: latencies(sqliteClient, 50)},
		contender{m: &p99.Ours, run: latencies(pgClient, 99)},
		contender{m: p99.Base, run: latencies(sqliteClient, 99)},
	); err != nil {
		return err
	}
	p50.Met = p50.Ours.median() < 10
	rep.Rows = append(rep.Rows, p50, p99)
	return nil
}

// seededCreator signs a creator up on n and fills the database with
// 1,000,000 sales of 1,000 creators, that one among them.
func seededCreator(ctx context.Context, n node, seed func(creatorID int64) error) (*mhttp.Client, error) {
	c, err := signedIn(ctx, n.srv.URL, true)
	if err != nil {
		return nil, err
	}
	me, err := c.Me(ctx)
	if err != nil {
		return nil, err
	}
	return c, seed(me.ID)
}

// seedPostgres writes what seedSales writes into SQLite, in set-based SQL:
// 999 more creators with five releases each, and 1,000,000 sales with
// their journal entries spread over two years.
func seedPostgres(ctx context.Context, db string, realCreator int64) error {
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	steps := []string{
		`INSERT INTO accounts (email, password_hash, display_name, creator, created_at)
			SELECT 'c' || i || '@bench', 'x', 'Creator ' || i, true, now() FROM generate_series(1, 999) i`,
		`INSERT INTO accounts (email, password_hash, display_name, creator, created_at) VALUES ('fan@bench', 'x', 'Fan', false, now())`,
		`CREATE TEMP TABLE bench_creators AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM accounts WHERE creator`,
		`INSERT INTO releases (artist_id, title, artist_name, state, price_cents, currency, created_at, updated_at)
			SELECT c.id, 'Release ' || j, 'A', 'published', 1000, 'EUR', now(), now() FROM bench_creators c, generate_series(0, 4) j`,
		`CREATE TEMP TABLE bench_releases AS SELECT artist_id, array_agg(id ORDER BY id) AS ids FROM releases GROUP BY artist_id`,
		`INSERT INTO purchases (fan_id, release_id, artist_id, gross_cents, creator_cents, platform_cents, rate_bps, currency, provider, payment_ref, created_at)
			SELECT (SELECT id FROM accounts WHERE email = 'fan@bench'), r.ids[1 + ((i * 7919) % 5)::int], c.id, g, g - g / 10, g / 10, 1000, 'EUR', 'sandbox', 'bench',
				now() - ((i * 104729) % 63072000) * interval '1 second'
			FROM generate_series(0::bigint, 999999) i CROSS JOIN LATERAL (SELECT 100 + (i * 31) % 5000 AS g) x
			JOIN bench_creators c ON c.n = i % 1000 JOIN bench_releases r ON r.artist_id = c.id`,
		`INSERT INTO sale_shares (purchase_id, account_id, position, bps, cents, release_id, currency, gross_cents, platform_cents, created_at)
			SELECT id, artist_id, 0, 10000, creator_cents, release_id, currency, gross_cents, platform_cents, created_at FROM purchases`,
		`INSERT INTO ledger_txns (kind, purchase_id, created_at) SELECT 'sale', id, created_at FROM purchases`,
		`INSERT INTO postings (txn_id, account, currency, amount_cents)
			SELECT t.id, x.account, 'EUR', x.amount FROM ledger_txns t JOIN purchases p ON p.id = t.purchase_id,
			LATERAL (VALUES ('provider:sandbox', p.gross_cents), ('creator:' || p.artist_id, -p.creator_cents), ('platform:revenue', -p.platform_cents)) x(account, amount)`,
		`VACUUM ANALYZE`,
	}
	for _, q := range steps {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("seed PostgreSQL: %.50s…: %w", strings.TrimSpace(q), err)
		}
	}
	return nil
}

// benchScaleUpload: uploads into the S3 bucket through megaboxd (the
// several-servers set-up: PostgreSQL and S3), beside plain PUTs of the
// same bytes to the same S3 server: an album of 10 MB tracks, each sent
// whole in one request, and one 64 MiB file sent in 16 MiB requests.
func benchScaleUpload(dir string, runs int, rep *Report) error {
	album := Row{Name: "upload of an album (10 × 10 MB) into S3 through megaboxd", Unit: "MB/s", Digits: 0,
		Ours:   Measure{Short: "Megabox", Label: "tus, each track whole in the request that creates it, verified, stored as its blob"},
		Base:   &Measure{Short: "raw", Label: "one PutObject per track, same bytes, same versitygw"},
		Target: "≥ 0.7× raw",
		Note: "versitygw (posix backend) on loopback stands in for S3; megaboxd runs on PostgreSQL + S3 as several servers would. " +
			"Megabox: the Go client's upload of each track (tus creation-with-upload), hashed and identified as it arrives, spooled and stored with one PUT " +
			"that S3 checks against the sha256; raw: PutObject of each file with Content-Length.",
	}
	big := Row{Name: "upload of one 64 MiB file into S3 through megaboxd, in 16 MiB requests", Unit: "MB/s", Digits: 0,
		Ours:   Measure{Short: "Megabox", Label: "tus, 4 requests into a multipart upload, hash state saved per request, copied into its blob's key"},
		Base:   &Measure{Short: "raw", Label: "one PutObject of the same bytes"},
		Target: "– (shown for what resumability costs on this S3 server)", Met: true,
		Note: "Resumable in pieces, so every request's bytes are kept on the S3 server at once: a multipart upload, which versitygw's posix backend " +
			"completes by concatenating the parts, then a copy inside the S3 server to the content address.",
	}
	if unmeasured(rep, album) {
		return nil
	}
	ctx := context.Background()
	db, drop, err := newDatabase(ctx)
	if err != nil {
		return err
	}
	defer drop()
	bucket, client, remove, err := newBucket(ctx)
	if err != nil {
		return err
	}
	defer remove()
	cfg := platform.DefaultConfig
	cfg.Database, cfg.Blobs = db, bucket
	nodes, closeAll, err := openNodes(ctx, filepath.Join(dir, "scale-upload"), cfg)
	if err != nil {
		return err
	}
	defer closeAll()
	c, err := signedIn(ctx, nodes[0].srv.URL, true)
	if err != nil {
		return err
	}
	name := strings.TrimPrefix(bucket[:strings.Index(bucket, "?")], "s3://")
	// files writes n fresh files of size bytes (fresh: none is a
	// duplicate of an earlier round's).
	files := func(n, size int) ([]string, []string, error) {
		var paths, sums []string
		for i := range n {
			data := testmedia.SilentMP3(size)
			path := filepath.Join(dir, fmt.Sprintf("up%d-%d.mp3", size, i))
			if err := os.WriteFile(path, data, 0o644); err != nil {
				return nil, nil, err
			}
			paths, sums = append(paths, path), append(sums, sha256hex(data))
		}
		return paths, sums, nil
	}
	ours := func(n, size int) func(int) (float64, error) {
		return func(int) (float64, error) {
			paths, sums, err := files(n, size)
			if err != nil {
				return 0, err
			}
			start := time.Now()
			for i, path := range paths {
				if err := uploadPath(ctx, c, path, sums[i], int64(size)); err != nil {
					return 0, err
				}
			}
			return float64(n*size) / 1e6 / time.Since(start).Seconds(), removeAll(paths)
		}
	}
	raw := func(n, size int) func(int) (float64, error) {
		return func(round int) (float64, error) {
			paths, _, err := files(n, size)
			if err != nil {
				return 0, err
			}
			start := time.Now()
			for i, path := range paths {
				if err := putPath(ctx, client, name, fmt.Sprintf("raw/%d-%d-%d", size, round, i), path, int64(size)); err != nil {
					return 0, err
				}
			}
			return float64(n*size) / 1e6 / time.Since(start).Seconds(), removeAll(paths)
		}
	}
	if err := interleave(runs,
		contender{m: &album.Ours, run: ours(10, 10_000_000)}, contender{m: album.Base, run: raw(10, 10_000_000)},
		contender{m: &big.Ours, run: ours(1, 64<<20)}, contender{m: big.Base, run: raw(1, 64<<20)},
	); err != nil {
		return err
	}
	album.Met = album.ratio(album.Base) >= 0.7
	rep.Rows = append(rep.Rows, album, big)
	return nil
}

func uploadPath(ctx context.Context, c *mhttp.Client, path, sum string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = c.UploadFile(ctx, f, &mhttp.Upload{SHA256: sum, Size: size, Filename: filepath.Base(path)})
	return err
}

func putPath(ctx context.Context, client *s3.Client, bucket, key, path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: f, ContentLength: aws.Int64(size)})
	return err
}

func removeAll(paths []string) error {
	for _, p := range paths {
		os.Remove(p)
	}
	return nil
}
