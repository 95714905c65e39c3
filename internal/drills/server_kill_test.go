package drills

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestKillServerUnderLoad SIGKILLs megaboxd while uploads, purchases and
// refunds pour in, restarts it, and checks: the database passes
// integrity_check, the ledger balances, and every purchase and refund the
// server acknowledged is still there.
func TestKillServerUnderLoad(t *testing.T) {
	rounds := 4
	if long() {
		rounds = 40
	}
	dir := t.TempDir()
	bin := build(t, t.TempDir(), "./backend/cmd/megaboxd")
	data := filepath.Join(dir, "data")
	srv := startServer(t, bin, data, "")
	ctx := context.Background()
	ann := signUp(t, srv.url(), "ann@example.com", true)
	mp3 := testmedia.MP3Bytes(t, 1, 440)
	h := sha256.Sum256(mp3)
	sum := hex.EncodeToString(h[:])
	ann.UploadFile(ctx, bytes.NewReader(mp3), &mhttp.Upload{SHA256: sum, Size: int64(len(mp3))})
	var rels []int64
	for i := range 40 {
		r, err := ann.CreateRelease(ctx, api.Manifest{Title: fmt.Sprint("Load ", i), PriceCents: int64(100 + i*37), Currency: "EUR",
			Tracks: []api.ManifestTrack{{Position: 1, Title: "T", AudioSHA256: sum}}})
		if err != nil {
			t.Fatal(err)
		}
		ann.PublishRelease(ctx, r.ID)
		rels = append(rels, r.ID)
	}
	var fans []*mhttp.Client
	for i := range 16 {
		fans = append(fans, signUp(t, srv.url(), fmt.Sprintf("fan%d@example.com", i), false))
	}

	type ack struct {
		fan      int
		purchase int64
	}
	var mu gosync.Mutex
	var purchases []ack
	refunds := map[int64]int64{} // purchase → cents refunded, acknowledged
	next := atomic.Int64{}
	for round := range rounds {
		stop := make(chan struct{})
		var wg gosync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					switch i % 4 {
					case 0: // an upload of fresh bytes
						b := testmedia.SilentMP3(64 << 10)
						s := sha256.Sum256(b)
						ann.UploadFile(ctx, bytes.NewReader(b), &mhttp.Upload{SHA256: hex.EncodeToString(s[:]), Size: int64(len(b))})
					case 3: // a one-cent refund of an acknowledged purchase
						mu.Lock()
						if len(purchases) == 0 {
							mu.Unlock()
							continue
						}
						p := purchases[int(next.Add(1))%len(purchases)].purchase
						mu.Unlock()
						if _, err := ann.RefundPurchase(ctx, p, 1); err == nil {
							mu.Lock()
							refunds[p]++
							mu.Unlock()
						}
					default: // a purchase
						n := int(next.Add(1))
						f, r := n%len(fans), (n/len(fans))%len(rels)
						pur, err := fans[f].CreatePurchase(ctx, fmt.Sprintf("r%d-%d-%d", round, w, i), api.PurchaseCreate{ReleaseID: rels[r],
							AmountCents: int64(100 + r*37), Currency: "EUR", Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}})
						if err == nil {
							mu.Lock()
							purchases = append(purchases, ack{f, pur.ID})
							mu.Unlock()
						}
					}
				}
			}()
		}
		time.Sleep(time.Duration(300+round*97%700) * time.Millisecond)
		srv.kill()
		close(stop)
		wg.Wait()
		srv.start()
		check(t, bin, data)
	}
	// Every acknowledged purchase and refund survived.
	for _, a := range purchases {
		lib, err := fans[a.fan].Library(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, it := range lib.Items {
			found = found || it.PurchaseID == a.purchase
		}
		if !found {
			t.Fatalf("acknowledged purchase %d is gone", a.purchase)
		}
	}
	e, _ := ann.Earnings(ctx, api.EarningsFilter{Currency: "EUR"})
	var refunded int64
	for _, c := range refunds {
		refunded += c
	}
	if e.Totals.RefundedCents < refunded || e.Totals.Sales < int64(len(purchases)) {
		t.Fatalf("earnings %+v lost acknowledged work (%d purchases, %d cents refunded)", e.Totals, len(purchases), refunded)
	}
	t.Logf("%d rounds, %d acknowledged purchases, %d cents of refunds survived", rounds, len(purchases), refunded)
}

// check runs megaboxd admin check: integrity_check and the ledger balance.
func check(t *testing.T, bin, data string) {
	t.Helper()
	out, err := exec.Command(bin, "admin", "--data", data, "check").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "database: ok") || !strings.Contains(string(out), "0 unbalanced") {
		t.Fatalf("after a kill: %v\n%s", err, out)
	}
}
