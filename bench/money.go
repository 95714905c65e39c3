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

// benchEarnings: the earnings endpoint for one creator among 1,000 whose
// 1,000,000 sales fill the database, against the endpoint's own SQL run
// directly (the store method, without HTTP, auth or JSON) and, as the
// limit, a bare SUM over the same rows.
func benchEarnings(dir string, runs int, rep *Report) error {
	ctx := context.Background()
	pdir := filepath.Join(dir, "earnings")
	cfg := platform.DefaultConfig
	cfg.SignUpsPerHour = 0
	p, err := platform.Open(ctx, pdir, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer p.Close()
	defer os.RemoveAll(pdir)
	srv := httptest.NewServer(p.Handler)
	defer srv.Close()
	creator, err := signedIn(ctx, srv.URL, true)
	if err != nil {
		return err
	}
	me, err := creator.Me(ctx)
	if err != nil {
		return err
	}
	if err := seedSales(filepath.Join(pdir, "megabox.db"), me.ID); err != nil {
		return err
	}
	raw, err := sql.Open("sqlite3", "file:"+filepath.Join(pdir, "megabox.db")+"?mode=ro")
	if err != nil {
		return err
	}
	defer raw.Close()
	direct := api.NewContextWithCaller(ctx, &api.Caller{Account: *me})
	const n = 200
	overHTTP := func(group string) func() error {
		return func() error {
			return checkEarnings(creator.Earnings(ctx, api.EarningsFilter{Group: group, Currency: "EUR"}))
		}
	}
	inStore := func(group string) func() error {
		return func() error {
			return checkEarnings(p.Earnings.Earnings(direct, api.EarningsFilter{Group: group, Currency: "EUR"}))
		}
	}
	bareSum := func() error {
		var s int64
		return raw.QueryRow(`SELECT SUM(gross_cents) FROM sale_shares WHERE account_id = ? AND currency = 'EUR'`, me.ID).Scan(&s)
	}
	p50 := func(f func() error) func(int) (float64, error) {
		return func(int) (float64, error) {
			var lat []time.Duration
			for range n {
				start := time.Now()
				if err := f(); err != nil {
					return 0, err
				}
				lat = append(lat, time.Since(start))
			}
			return millis(percentile(lat, 50)), nil
		}
	}
	for _, group := range []string{api.GroupMonth, api.GroupRelease} {
		row := Row{Name: fmt.Sprintf("earnings by %s, 1 of 1,000 creators, 1,000,000 sales: p50", group), Unit: "ms", Digits: 2,
			Ours:   Measure{Short: "Megabox", Label: "over HTTP"},
			Base:   &Measure{Short: "own SQL", Label: "the endpoint's own SQL run directly (store method, no HTTP/auth/JSON)"},
			Peers:  []*Measure{{Short: "bare SUM", Label: "limit: one SUM over the creator's sales"}},
			Target: "≤ 1.5× own SQL and < 2 ms",
		}
		if err := interleave(runs,
			contender{m: &row.Ours, run: p50(overHTTP(group))},
			contender{m: row.Base, run: p50(inStore(group))},
			contender{m: row.Peers[0], run: p50(bareSum)},
		); err != nil {
			return err
		}
		row.Met = row.ratio(row.Base) <= 1.5 && row.Ours.median() < 2
		if group == api.GroupMonth {
			row.Note = fmt.Sprintf("p50 of %d sequential calls per round. HTTP: the Go client against the server over loopback (auth, JSON both ways). "+
				"Own SQL: sqlite.EarningsService.Earnings called in the same process with the creator in the context, the exact queries the endpoint runs. "+
				"Bare SUM: `SELECT SUM(gross_cents) FROM sale_shares WHERE account_id = ? AND currency = 'EUR'`, the least any answer costs.", n)
		}
		rep.Rows = append(rep.Rows, row)
	}
	tput := Row{Name: "earnings by month, 8 concurrent clients", Unit: "req/s", Digits: 0,
		Ours:   Measure{Short: "Megabox", Label: "over HTTP"},
		Base:   &Measure{Short: "own SQL", Label: "store method, 8 goroutines"},
		Target: "≥ 1,000 req/s",
		Note:   "2,000 calls per round shared by 8 goroutines, over HTTP with one signed-in client, and directly on the store.",
	}
	rate := func(f func() error) func(int) (float64, error) {
		return func(int) (float64, error) { return concurrently(8, 2000, f) }
	}
	if err := interleave(runs,
		contender{m: &tput.Ours, run: rate(overHTTP(api.GroupMonth))},
		contender{m: tput.Base, run: rate(inStore(api.GroupMonth))},
	); err != nil {
		return err
	}
	tput.Met = tput.Ours.median() >= 1000
	rep.Rows = append(rep.Rows, tput)
	return nil
}

// checkEarnings fails unless the answer counts the creator's 1,000 sales
// in its totals and in its rows.
func checkEarnings(e *api.Earnings, err error) error {
	if err != nil {
		return err
	}
	want := int64(earningsSales / earningsCreators)
	var rows int64
	for _, r := range e.Rows {
		rows += int64(r.Sales)
	}
	if int64(e.Totals.Sales) != want || rows != want {
		return fmt.Errorf("earnings saw %d sales (%d in rows), want %d", e.Totals.Sales, rows, want)
	}
	return nil
}

// concurrently runs f n times over workers goroutines and returns calls/s.
func concurrently(workers, n int, f func() error) (float64, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := f(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	d := time.Since(start)
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	return float64(n) / d.Seconds(), nil
}

// seedSales writes a million sales with their journal entries straight
// into SQLite: 1000 creators (one of them real), 5 releases each, sales
// spread over two years.
func seedSales(path string, realCreator int64) error {
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=off&_journal_mode=WAL&_synchronous=OFF&_cache_size=-1000000")
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
	// Each sale pays its artist alone, as the services write them.
	if _, err := tx.Exec(`INSERT INTO sale_shares (purchase_id, account_id, position, bps, cents, release_id, currency, gross_cents, platform_cents, created_at)
		SELECT id, artist_id, 0, 10000, creator_cents, release_id, currency, gross_cents, platform_cents, created_at FROM purchases`); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.Exec(`ANALYZE`)
	return err
}

// benchPurchases: checkout throughput with 8 concurrent clients, next to 8
// goroutines committing bare one-row SQLite transactions with the same
// durability (synchronous=FULL).
func benchPurchases(dir string, runs int, rep *Report) error {
	row := Row{Name: "purchases, 8 concurrent clients over HTTP, ledger audited", Unit: "per s", Digits: 0,
		Ours:   Measure{Short: "Megabox"},
		Base:   &Measure{Short: "commits", Label: "bare one-row SQLite commits (8 writers, synchronous=FULL)"},
		Target: "≥ 500/s",
		Note:   "2,000 sandbox purchases (40 fans × 50 releases) by 8 goroutines over HTTP, ledger balance checked after; the baseline is the floor of any durable write, not the same work.",
	}
	err := interleave(runs,
		contender{m: &row.Ours, run: func(i int) (float64, error) {
			return purchaseRunOn(filepath.Join(dir, fmt.Sprint("purchases", i)), checkoutLoad, platform.DefaultConfig)
		}},
		contender{m: row.Base, run: func(i int) (float64, error) {
			return rawCommits(filepath.Join(dir, fmt.Sprint("raw", i, ".db")), 2000)
		}},
	)
	if err != nil {
		return err
	}
	row.Met = row.Ours.median() >= 500
	rep.Rows = append(rep.Rows, row)
	return nil
}

// purchaseLoad is who buys what: every fan buys every release, with
// workers clients at once.
type purchaseLoad struct{ fans, releases, workers int }

// checkoutLoad is the purchases row's: 2,000 purchases, 8 clients.
var checkoutLoad = purchaseLoad{fans: 40, releases: 50, workers: 8}

// purchaseRunOn makes the load's purchases through servers opened with
// cfgs (fans spread over them) and returns purchases per second.
func purchaseRunOn(dir string, load purchaseLoad, cfgs ...platform.Config) (float64, error) {
	ctx := context.Background()
	nodes, closeAll, err := openNodes(ctx, dir, cfgs...)
	if err != nil {
		return 0, err
	}
	defer closeAll()
	fans, releases := load.fans, load.releases
	rels, err := benchReleases(ctx, nodes[0].srv.URL, dir, releases)
	if err != nil {
		return 0, err
	}
	clients := make([]*mhttp.Client, fans)
	for i := range clients {
		if clients[i], err = signedIn(ctx, nodes[i%len(nodes)].srv.URL, false); err != nil {
			return 0, err
		}
	}
	jobs := make(chan [2]int, fans*releases)
	// Fan after fan, as sales come in: one fan's purchases one after the
	// other would queue behind that fan's lock.
	for r := range releases {
		for f := range fans {
			jobs <- [2]int{f, r}
		}
	}
	close(jobs)
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range load.workers {
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
	sums, unbalanced, err := nodes[0].p.Store.LedgerCheck(ctx)
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
