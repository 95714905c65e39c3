package http_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/payment"
)

// droppingTransport delivers every request but, now and then, throws the
// response away, as a client whose connection died after sending would.
type droppingTransport struct {
	rate    float64
	dropped atomic.Int64
}

var errDropped = errors.New("response dropped")

func (d *droppingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil && rand.Float64() < d.rate {
		resp.Body.Close()
		d.dropped.Add(1)
		return nil, errDropped
	}
	return resp, err
}

// TestConcurrentPurchases makes 1000 purchases in parallel, each sent three
// times under its idempotency key (two of them at once) through a client
// that loses some responses, then audits the ledger.
func TestConcurrentPurchases(t *testing.T) {
	if testing.Short() {
		t.Skip("1000 purchases")
	}
	e := newEnv(t, openSignUps()) // 54 accounts from one address
	ctx := context.Background()
	const fans, releases = 50, 20
	var creators []*mhttp.Client
	var rels []*api.Release
	for i := range 4 {
		c, _ := e.signUp(fmt.Sprint("artist", i), true)
		creators = append(creators, c)
		for j := range releases / 4 {
			pwyw := j%2 == 1
			rels = append(rels, e.published(c, fmt.Sprintf("R%d-%d", i, j), 1, func(m *api.Manifest) {
				m.PriceCents, m.PayWhatYouWant, m.MinCents = int64(99+i*331+j*57), pwyw, int64(50*j)
			}))
		}
	}
	drop := &droppingTransport{rate: 0.15}
	var fanClients []*mhttp.Client
	for i := range fans {
		f, _ := e.signUp(fmt.Sprint("fan", i), false)
		dc, _ := mhttp.NewClient(e.srv.URL, &http.Client{Transport: drop})
		dc.SetToken(f.Token())
		fanClients = append(fanClients, dc)
	}

	type job struct{ fan, rel int }
	jobs := make(chan job)
	var mu sync.Mutex
	ids := map[string]map[int64]bool{} // key → purchase ids seen
	var failures atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				key := fmt.Sprintf("fan%d-rel%d", j.fan, j.rel)
				in := api.PurchaseCreate{ReleaseID: rels[j.rel].ID, AmountCents: rels[j.rel].PriceCents + int64(j.fan), Currency: "EUR",
					Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}}
				attempt := func() {
					p, err := fanClients[j.fan].CreatePurchase(ctx, key, in)
					if err != nil {
						if !errors.Is(err, errDropped) && api.ErrorCode(err) != api.EUNAVAILABLE {
							t.Errorf("%s: %v", key, err)
							failures.Add(1)
						}
						return
					}
					mu.Lock()
					if ids[key] == nil {
						ids[key] = map[int64]bool{}
					}
					ids[key][p.ID] = true
					mu.Unlock()
				}
				var twin sync.WaitGroup
				twin.Add(2)
				go func() { defer twin.Done(); attempt() }()
				go func() { defer twin.Done(); attempt() }()
				twin.Wait()
				attempt()
			}
		}()
	}
	for f := range fans {
		for r := range releases {
			jobs <- job{f, r}
		}
	}
	close(jobs)
	wg.Wait()
	if failures.Load() > 0 {
		t.Fatalf("%d attempts failed", failures.Load())
	}
	t.Logf("%d responses dropped", drop.dropped.Load())

	var sales int
	e.p.DB.ReadDB().QueryRow(`SELECT COUNT(*) FROM purchases`).Scan(&sales)
	if sales != fans*releases {
		t.Fatalf("%d sales for %d keys", sales, fans*releases)
	}
	for key, seen := range ids {
		if len(seen) != 1 {
			t.Errorf("key %s answered with %d different purchases", key, len(seen))
		}
	}
	var debits, credits int64
	e.p.DB.ReadDB().QueryRow(`SELECT COALESCE(SUM(CASE WHEN amount_cents > 0 THEN amount_cents END), 0),
		COALESCE(-SUM(CASE WHEN amount_cents < 0 THEN amount_cents END), 0) FROM postings`).Scan(&debits, &credits)
	_, unbalanced, _ := e.p.DB.LedgerCheck(ctx)
	if debits != credits || debits == 0 || unbalanced != 0 {
		t.Fatalf("Σ debits %d, Σ credits %d, %d unbalanced transactions", debits, credits, unbalanced)
	}
	for _, c := range creators {
		earn, err := c.Earnings(ctx, api.EarningsFilter{})
		if err != nil || earn.Totals.Sales != fans*releases/4 {
			t.Fatalf("creator earnings %+v, %v", earn, err)
		}
		checkCSVMatches(t, c, earn.Totals)
	}
}
