package multinode

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/wait"
)

// TestKillNodeUnderLoad: purchases go to both nodes at once and node B is
// killed (SIGKILL) a third of the way through. Every purchase a node
// acknowledged is in the database with the id it was acknowledged with,
// the journal balances, and sending each failed one again through node A
// under its key makes one sale, never two; the acknowledged ones replay.
func TestKillNodeUnderLoad(t *testing.T) {
	c := newCluster(t)
	creators := c.signUpMany(t, "creator", 2, true)
	fans := c.signUpMany(t, "fan", 10, false)
	releases := c.publishReleases(t, creators, 15)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	ps := planPurchases(rand.New(rand.NewPCG(seed, 0)), fans, releases)
	total := len(ps)

	var answered atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		g := make(chan struct{}, 12) // purchases in flight
		var each sync.WaitGroup
		for _, p := range ps {
			g <- struct{}{}
			each.Go(func() {
				p.send(context.Background(), 0)
				answered.Add(1)
				<-g
			})
		}
		each.Wait()
	})
	start := time.Now()
	wait.For(t, 60*time.Second, func() bool { return answered.Load() >= int64(total/3) },
		func() string { return "a third of the purchases to be answered" })
	before := time.Since(start)
	killedAfter := answered.Load()
	c.nodes[1].kill()
	wg.Wait()

	var acked, failed []*purchase
	for _, p := range ps {
		if p.errs[0] == nil {
			acked = append(acked, p)
		} else {
			failed = append(failed, p)
		}
	}
	t.Logf("%d purchases: node B killed after %d answers (%v, %.0f/s), %d acknowledged, %d failed",
		total, killedAfter, before.Round(time.Millisecond), float64(killedAfter)/before.Seconds(), len(acked), len(failed))
	if len(failed) == 0 {
		t.Fatal("no purchase failed: the kill came too late to test anything")
	}

	sales := c.sales(t)
	for _, p := range acked {
		s, ok := sales[[2]int64{p.fan.id, p.rel.id}]
		if !ok || s.id != p.got[0].ID || s.gross != p.amount {
			t.Errorf("purchase %d (key %s, %d cents) was acknowledged by node %d; the database holds %+v",
				p.got[0].ID, p.key, p.amount, p.nodes[0], s)
		}
	}
	c.checkLedger(t, sales)
	unacked := len(sales) - len(acked)
	t.Logf("%d sales were made but never acknowledged (in flight on node B when it died)", unacked)

	// Every purchase again, through the survivor, under the same key.
	runPurchasesOn(ps, 0, 8)
	for _, p := range ps {
		if p.errs[1] != nil {
			t.Errorf("key %s again through node A: %v", p.key, p.errs[1])
		} else if p.errs[0] == nil && p.got[1].ID != p.got[0].ID {
			t.Errorf("key %s: acknowledged as purchase %d, replayed as %d", p.key, p.got[0].ID, p.got[1].ID)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	sales = c.sales(t)
	if len(sales) != total {
		t.Errorf("%d sales after the retries; want %d, one per key", len(sales), total)
	}
	for _, p := range ps {
		if s := sales[[2]int64{p.fan.id, p.rel.id}]; s.id != p.got[1].ID || s.gross != p.amount {
			t.Errorf("key %s answered purchase %d (%d cents); the database holds %+v", p.key, p.got[1].ID, p.amount, s)
		}
		checkSplit(t, sales[[2]int64{p.fan.id, p.rel.id}])
	}
	c.checkLedger(t, sales)
}

// runPurchasesOn sends every purchase once more (its second send) through
// node i, workers at a time.
func runPurchasesOn(ps []*purchase, i, workers int) {
	g := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for _, p := range ps {
		p.nodes[1] = i
		g <- struct{}{}
		wg.Go(func() {
			p.send(context.Background(), 1)
			<-g
		})
	}
	wg.Wait()
}
