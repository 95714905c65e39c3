package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/platform"
)

const (
	earningsSales    = 1_000_000
	earningsCreators = 1_000
)

// benchEarnings times the earnings endpoint for one creator among 1000
// whose 1,000,000 sales fill the database, next to the bare SQLite
// aggregate over the same rows.
func benchEarnings(dir string, runs int) ([]Result, error) {
	ctx := context.Background()
	pdir := filepath.Join(dir, "earnings")
	p, err := platform.Open(ctx, pdir, platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	defer p.Close()
	defer os.RemoveAll(pdir)
	srv := httptest.NewServer(p.Handler)
	defer srv.Close()
	creator, err := signedIn(ctx, srv.URL, true)
	if err != nil {
		return nil, err
	}
	me, _ := creator.Me(ctx)
	if err := seedSales(filepath.Join(pdir, "megabox.db"), me.ID); err != nil {
		return nil, err
	}
	raw, err := sql.Open("sqlite3", "file:"+filepath.Join(pdir, "megabox.db")+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	const n = 200
	var base []time.Duration
	for range n * runs / 3 {
		start := time.Now()
		var s int64
		if err := raw.QueryRow(`SELECT SUM(gross_cents) FROM purchases WHERE artist_id = ? AND currency = 'EUR'`, me.ID).Scan(&s); err != nil {
			return nil, err
		}
		base = append(base, time.Since(start))
	}
	var out []Result
	for _, group := range []string{api.GroupMonth, api.GroupRelease} {
		var lat []time.Duration
		for range n * runs / 3 {
			start := time.Now()
			e, err := creator.Earnings(ctx, api.EarningsFilter{Group: group, Currency: "EUR"})
			if err != nil {
				return nil, err
			}
			lat = append(lat, time.Since(start))
			if e.Totals.Sales != earningsSales/earningsCreators {
				return nil, fmt.Errorf("earnings saw %d sales, want %d", e.Totals.Sales, earningsSales/earningsCreators)
			}
		}
		p50, p99 := percentile(lat, 50), percentile(lat, 99)
		out = append(out, Result{
			Name:     fmt.Sprintf("earnings by %s, 1 of 1,000 creators, 1,000,000 sales (HTTP)", group),
			Value:    fmt.Sprintf("p50 %s, p99 %s", ms(p50), ms(p99)),
			Baseline: fmt.Sprintf("p50 %s bare SQL SUM over the creator's sales", ms(percentile(base, 50))),
			Ratio:    percentile(base, 50).Seconds() / p50.Seconds(), Target: "p50 < 50 ms", Pass: p50 < 50*time.Millisecond,
		})
	}
	return out, nil
}

// seedSales writes a million sales with their journal entries straight
// into SQLite: 1000 creators (one of them real), 5 releases each, sales
// spread over two years.
func seedSales(path string, realCreator int64) error {
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=off&_journal_mode=WAL&_synchronous=OFF")
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UnixMilli()
	creators := []int64{realCreator}
	for i := 1; i < earningsCreators; i++ {
		res, err := tx.Exec(`INSERT INTO accounts (email, password_hash, display_name, creator, created_at) VALUES (?, 'x', ?, 1, ?)`,
			fmt.Sprintf("c%d@bench", i), fmt.Sprint("Creator ", i), now)
		if err != nil {
			return err
		}
		id, _ := res.LastInsertId()
		creators = append(creators, id)
	}
	fanRes, err := tx.Exec(`INSERT INTO accounts (email, password_hash, display_name, creator, created_at) VALUES ('fan@bench', 'x', 'Fan', 0, ?)`, now)
	if err != nil {
		return err
	}
	fan, _ := fanRes.LastInsertId()
	releases := map[int64][]int64{}
	for _, c := range creators {
		for j := range 5 {
			res, err := tx.Exec(`INSERT INTO releases (artist_id, title, artist_name, state, price_cents, currency, created_at, updated_at)
				VALUES (?, ?, 'A', 'published', 1000, 'EUR', ?, ?)`, c, fmt.Sprint("Release ", j), now, now)
			if err != nil {
				return err
			}
			id, _ := res.LastInsertId()
			releases[c] = append(releases[c], id)
		}
	}
	ins, _ := tx.Prepare(`INSERT INTO purchases (fan_id, release_id, artist_id, gross_cents, creator_cents, platform_cents, rate_bps, currency,
		provider, payment_ref, created_at) VALUES (?, ?, ?, ?, ?, ?, 1000, 'EUR', 'sandbox', 'bench', ?)`)
	txn, _ := tx.Prepare(`INSERT INTO ledger_txns (kind, purchase_id, created_at) VALUES ('sale', ?, ?)`)
	post, _ := tx.Prepare(`INSERT INTO postings (txn_id, account, currency, amount_cents) VALUES (?, ?, 'EUR', ?), (?, ?, 'EUR', ?), (?, 'platform:revenue', 'EUR', ?)`)
	rng := rand.New(rand.NewPCG(7, 7))
	twoYears := int64(2 * 365 * 24 * time.Hour / time.Millisecond)
	for i := range earningsSales {
		c := creators[i%earningsCreators]
		gross := 100 + rng.Int64N(5000)
		platform := gross / 10
		at := now - rng.Int64N(twoYears)
		res, err := ins.Exec(fan, releases[c][rng.IntN(5)], c, gross, gross-platform, platform, at)
		if err != nil {
			return err
		}
		pid, _ := res.LastInsertId()
		res, err = txn.Exec(pid, at)
		if err != nil {
			return err
		}
		tid, _ := res.LastInsertId()
		if _, err := post.Exec(tid, "provider:sandbox", gross, tid, fmt.Sprint("creator:", c), -(gross - platform), tid, -platform); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.Exec(`ANALYZE`)
	return err
}

// benchPurchases measures checkout throughput with 8 concurrent clients,
// next to 8 goroutines committing bare one-row SQLite transactions with the
// same durability (synchronous=FULL).
func benchPurchases(dir string, runs int) ([]Result, error) {
	var ours, base []float64
	for i := range runs {
		r, err := purchaseRun(filepath.Join(dir, fmt.Sprint("purchases", i)))
		if err != nil {
			return nil, err
		}
		ours = append(ours, r)
		b, err := rawCommits(filepath.Join(dir, fmt.Sprint("raw", i, ".db")), 2000)
		if err != nil {
			return nil, err
		}
		base = append(base, b)
	}
	o, b := medianF(ours), medianF(base)
	return []Result{{
		Name:     "purchases, 8 concurrent clients over HTTP, ledger audited",
		Value:    fmt.Sprintf("%.0f purchases/s", o),
		Baseline: fmt.Sprintf("%.0f bare one-row SQLite commits/s (8 writers, synchronous=FULL)", b),
		Ratio:    o / b, Target: "≥ 500/s", Pass: o >= 500,
	}}, nil
}

func purchaseRun(dir string) (float64, error) {
	ctx := context.Background()
	p, err := platform.Open(ctx, dir, platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		return 0, err
	}
	defer p.Close()
	defer os.RemoveAll(dir)
	srv := httptest.NewServer(p.Handler)
	defer srv.Close()
	const fans, releases = 40, 50
	rels, err := benchReleases(ctx, srv.URL, dir, releases)
	if err != nil {
		return 0, err
	}
	clients := make([]*mhttp.Client, fans)
	for i := range clients {
		if clients[i], err = signedIn(ctx, srv.URL, false); err != nil {
			return 0, err
		}
	}
	jobs := make(chan [2]int, fans*releases)
	for f := range fans {
		for r := range releases {
			jobs <- [2]int{f, r}
		}
	}
	close(jobs)
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				_, err := clients[j[0]].CreatePurchase(ctx, fmt.Sprint("k", j[1]), api.PurchaseCreate{ReleaseID: rels[j[1]], AmountCents: 1000,
					Currency: "EUR", Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}})
				if err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	d := time.Since(start)
	if failed.Load() > 0 {
		return 0, fmt.Errorf("%d purchases failed", failed.Load())
	}
	sums, unbalanced, err := p.DB.LedgerCheck(ctx)
	if err != nil || unbalanced != 0 || sums["EUR"] != 0 {
		return 0, fmt.Errorf("ledger out of balance after the run: %v %d %v", sums, unbalanced, err)
	}
	return float64(fans*releases) / d.Seconds(), nil
}

// benchReleases publishes n one-track releases by one creator.
func benchReleases(ctx context.Context, url, dir string, n int) ([]int64, error) {
	c, err := signedIn(ctx, url, true)
	if err != nil {
		return nil, err
	}
	mp3 := filepath.Join(dir, "bench.mp3")
	data, err := encodeMP3(mp3)
	if err != nil {
		return nil, err
	}
	sum := sha256hex(data)
	f, _ := os.Open(mp3)
	defer f.Close()
	if _, err := c.UploadFile(ctx, f, &mhttp.Upload{SHA256: sum, Size: int64(len(data))}); err != nil {
		return nil, err
	}
	var ids []int64
	for i := range n {
		r, err := c.CreateRelease(ctx, api.Manifest{Title: fmt.Sprint("Bench ", i), PriceCents: 1000, Currency: "EUR",
			Tracks: []api.ManifestTrack{{Position: 1, Title: "T", AudioSHA256: sum}}})
		if err != nil {
			return nil, err
		}
		if _, err := c.PublishRelease(ctx, r.ID); err != nil {
			return nil, err
		}
		ids = append(ids, r.ID)
	}
	return ids, nil
}

func rawCommits(path string, n int) (float64, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000&_txlock=immediate")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	defer os.Remove(path)
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)`); err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	start := time.Now()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				tx, _ := db.Begin()
				tx.Exec(`INSERT INTO t (v) VALUES (1)`)
				tx.Commit()
			}
		}()
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds(), nil
}

func percentile(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}

func medianF(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
