package multinode

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/megabox-fm/megabox/backend/api"
)

// amounts are what fans pay: prices whose 10 % leaves a remainder (999,
// 1001, 7 …), the minimum, and large ones.
var amounts = []int64{7, 19, 101, 999, 1001, 1009, 12_345, 99_999, 1_000_001}

// purchase is one checkout a fan sends three times under one key.
type purchase struct {
	fan    *user
	rel    release
	amount int64
	key    string
	nodes  [3]int // the node each send goes to
	// together: 0 sends one after another, 1 sends all three at once,
	// 2 sends one and then two at once.
	together int

	got  [3]*api.Purchase
	errs [3]error
}

func (p *purchase) body() api.PurchaseCreate {
	return api.PurchaseCreate{ReleaseID: p.rel.id, AmountCents: p.amount, Currency: p.rel.currency,
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: "4242424242424242"}}
}

// send makes send i of the purchase.
func (p *purchase) send(ctx context.Context, i int) {
	p.got[i], p.errs[i] = p.fan.on[p.nodes[i]].CreatePurchase(ctx, p.key, p.body())
}

// run sends the purchase three times as planned.
func (p *purchase) run(ctx context.Context) {
	var wg sync.WaitGroup
	switch p.together {
	case 0:
		for i := range 3 {
			p.send(ctx, i)
		}
	case 1:
		for i := range 3 {
			wg.Go(func() { p.send(ctx, i) })
		}
	case 2:
		p.send(ctx, 0)
		wg.Go(func() { p.send(ctx, 1) })
		wg.Go(func() { p.send(ctx, 2) })
	}
	wg.Wait()
}

// planPurchases gives every fan one purchase of every release, in a
// random order, with random amounts, nodes and timing.
func planPurchases(rng *rand.Rand, fans []*user, releases []release) []*purchase {
	var out []*purchase
	for _, f := range fans {
		for _, r := range releases {
			p := &purchase{fan: f, rel: r, amount: amounts[rng.IntN(len(amounts))],
				key: fmt.Sprintf("buy-%d-%d", f.id, r.id), together: rng.IntN(3)}
			for i := range p.nodes {
				p.nodes[i] = rng.IntN(2)
			}
			out = append(out, p)
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// runPurchases sends every purchase with workers at once and returns
// how long it took.
func runPurchases(ps []*purchase, workers int) time.Duration {
	start := time.Now()
	g := errgroup.Group{}
	g.SetLimit(workers)
	ctx := context.Background()
	for _, p := range ps {
		g.Go(func() error { p.run(ctx); return nil })
	}
	g.Wait()
	return time.Since(start)
}

// TestPurchasesThroughTwoNodes: 1,000 purchases (20 fans × 50 releases),
// each sent three times under one idempotency key to either node at
// random, some twins at once, make exactly 1,000 sales; every send gets
// the same purchase back, the split and the journal hold, and both nodes
// state every creator's earnings byte for byte alike.
func TestPurchasesThroughTwoNodes(t *testing.T) {
	c := newCluster(t)
	creators := c.signUpMany(t, "creator", 5, true)
	fans := c.signUpMany(t, "fan", 20, false)
	releases := c.publishReleases(t, creators, 10)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	ps := planPurchases(rand.New(rand.NewPCG(seed, 0)), fans, releases)
	if len(ps) != 1000 {
		t.Fatalf("planned %d purchases; want 1000", len(ps))
	}

	took := runPurchases(ps, 16)
	t.Logf("1000 purchases, 3000 requests through 2 nodes in %v: %.0f purchases/s, %.0f requests/s",
		took.Round(time.Millisecond), 1000/took.Seconds(), 3000/took.Seconds())

	ids := map[int64]bool{}
	for _, p := range ps {
		checkReplies(t, p)
		if p.got[0] != nil {
			ids[p.got[0].ID] = true
		}
	}
	if len(ids) != 1000 {
		t.Errorf("%d distinct purchase ids; want 1000", len(ids))
	}
	if t.Failed() {
		t.FailNow()
	}

	sales := c.sales(t)
	if len(sales) != 1000 {
		t.Fatalf("%d sales in the database; want 1000", len(sales))
	}
	for _, p := range ps {
		s := sales[[2]int64{p.fan.id, p.rel.id}]
		want := sale{id: p.got[0].ID, fan: p.fan.id, release: p.rel.id, artist: p.rel.creator.id,
			gross: p.amount, creator: s.creator, platform: s.platform, currency: p.rel.currency}
		if s != want {
			t.Errorf("sale of release %d to fan %d: %+v; want %+v", p.rel.id, p.fan.id, s, want)
		}
		checkSplit(t, s)
	}
	var keys, keyed int64
	if err := c.db.QueryRow(context.Background(),
		`SELECT count(*), count(purchase_id) FROM idempotency_keys`).Scan(&keys, &keyed); err != nil {
		t.Fatal(err)
	}
	if keys != 1000 || keyed != 1000 {
		t.Errorf("%d idempotency keys, %d with a purchase; want 1000 and 1000", keys, keyed)
	}
	c.checkLedger(t, sales)
	c.checkEarnings(t, creators, releases, sales)

	var ok float64
	for _, n := range c.nodes {
		ok += n.metric(t, "megabox_purchases_total", `outcome="ok"`)
	}
	if ok != 3000 {
		t.Errorf("the nodes counted %v purchase requests answered; want 3000", ok)
	}
}

// checkReplies asserts that the three sends of a purchase all succeeded
// with one and the same purchase, and that it is what was asked for.
func checkReplies(t *testing.T, p *purchase) {
	t.Helper()
	var first []byte
	for i, got := range p.got {
		if p.errs[i] != nil {
			t.Errorf("key %s, send %d to node %d: %v", p.key, i, p.nodes[i], p.errs[i])
			return
		}
		b, _ := json.Marshal(got)
		if i == 0 {
			first = b
		} else if !bytes.Equal(b, first) {
			t.Errorf("key %s: send %d returned %s; send 0 returned %s", p.key, i, b, first)
		}
	}
	g := p.got[0]
	if g.ReleaseID != p.rel.id || g.GrossCents != p.amount || g.CreatorCents != p.amount-p.amount/10 ||
		g.PlatformCents != p.amount/10 || g.Currency != p.rel.currency {
		t.Errorf("key %s: purchase %+v; want release %d, %d %s split %d/%d", p.key, g, p.rel.id, p.amount,
			p.rel.currency, p.amount-p.amount/10, p.amount/10)
	}
}

// checkEarnings asserts that both nodes answer each creator's earnings
// with the same bytes, and that the totals are the database's.
func (c *cluster) checkEarnings(t *testing.T, creators []*user, releases []release, sales map[[2]int64]sale) {
	t.Helper()
	ctx := context.Background()
	currency := map[int64]string{}
	for _, r := range releases {
		currency[r.creator.id] = r.currency
	}
	for _, cr := range creators {
		var want api.EarningsTotals
		for _, s := range sales {
			if s.artist == cr.id {
				want.Sales++
				want.GrossCents += s.gross
				want.CreatorCents += s.creator
				want.PlatformCents += s.platform
			}
		}
		want.AvailableCents = want.CreatorCents
		for _, query := range []string{"?currency=" + currency[cr.id], "?currency=" + currency[cr.id] + "&group=release"} {
			path := "/api/v1/me/earnings" + query
			a, err := get(ctx, cr.on[0], path)
			if err != nil {
				t.Fatal(err)
			}
			b, err := get(ctx, cr.on[1], path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("creator %d, %s: node A answered\n%s\nnode B answered\n%s", cr.id, path, a, b)
			}
			var e api.Earnings
			if err := json.Unmarshal(a, &e); err != nil {
				t.Fatalf("creator %d, %s: %v", cr.id, path, err)
			}
			if e.Totals != want || e.Currency != currency[cr.id] {
				t.Errorf("creator %d, %s: %s totals %+v; want %s %+v", cr.id, path, e.Currency, e.Totals, currency[cr.id], want)
			}
		}
	}
}
