package library

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestSyncMirrorsPreorderOnReleaseDay: a fan who pre-ordered a five-track
// release the day before it comes out mirrors the two tracks out early
// (as the platform serves them), sees the other three listed for the release day
// and no problem; the first sync after midnight UTC on that day mirrors
// the other three with nothing done by anyone.
func TestSyncMirrorsPreorderOnReleaseDay(t *testing.T) {
	ctx := context.Background()
	var now atomic.Pointer[time.Time]
	before := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	now.Store(&before)
	clock := func() time.Time { return *now.Load() }
	p, err := platform.Open(ctx, t.TempDir(), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	p.SetClock(clock)
	e := &env{t: t, p: p, srv: httptest.NewServer(p.Handler)}
	t.Cleanup(func() { e.srv.Close(); p.Close() })
	e.creator = e.signUp("ann@example.com", "Ann", true)
	e.fan = e.signUp("fan@example.com", "Fan", false)
	m := api.Manifest{Title: "Later", PriceCents: 900, Currency: "EUR", ReleaseDate: "2026-12-05", Preorder: true}
	var masters [][]byte
	for i := range 5 {
		data := testmedia.MP3(t, filepath.Join(t.TempDir(), "t.mp3"), 1, 300+float64(i)*90, testmedia.Tags{})
		masters = append(masters, data)
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: i + 1, Title: fmt.Sprint("Song ", i+1), AudioSHA256: e.upload(data),
			PreorderAvailable: i == 0 || i == 2})
	}
	rel, err := e.creator.CreateRelease(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.creator.PublishRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	e.measured(rel.ID)
	if _, err := e.fan.CreatePurchase(ctx, "k", api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 900, Currency: "EUR",
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}}); err != nil {
		t.Fatal(err)
	}
	c, err := cache.Open(ctx, filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	lib := New(c, filepath.Join(t.TempDir(), "Megabox"), e.fan)
	lib.now = clock
	dir := filepath.Join(lib.Dir(), "Ann", "Later")
	mirrored := func(positions ...int) {
		t.Helper()
		want := map[int]bool{}
		for _, pos := range positions {
			want[pos] = true
		}
		for i := range masters {
			b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%02d - Song %d.mp3", i+1, i+1)))
			if want[i+1] && string(b) != string(e.served(rel.Tracks[i].ID, api.FormatMP3)) || !want[i+1] && !os.IsNotExist(err) {
				t.Fatalf("track %d: %d bytes, %v (mirrored: %v)", i+1, len(b), err, want[i+1])
			}
		}
	}

	rep, err := lib.Sync(ctx)
	if err != nil || rep.Downloaded != 2 || rep.Waiting != 3 || len(rep.Problems) != 0 {
		t.Fatalf("sync the day before: %+v, %v", rep, err)
	}
	mirrored(1, 3)
	rels, err := lib.Releases(ctx)
	if err != nil || len(rels) != 1 || len(rels[0].Tracks) != 2 || !rels[0].Offline {
		t.Fatalf("library the day before: %+v, %v", rels, err)
	}
	pre := rels[0].Preorder
	if pre == nil || pre.TracksNow != 2 || pre.Tracks != 5 || pre.ReleaseDate != "2026-12-05" || len(pre.Waiting) != 3 ||
		pre.Waiting[0].Title != "Song 2" || pre.Waiting[0].DurationMS == 0 || pre.Waiting[0].State != StateWaiting {
		t.Fatalf("pre-order as the library shows it: %+v", pre)
	}
	if rep, err := lib.Check(ctx); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("check: %+v, %v", rep, err)
	}

	released := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	now.Store(&released)
	if rep, err = lib.Sync(ctx); err != nil || rep.Downloaded != 3 || rep.Waiting != 0 || len(rep.Problems) != 0 {
		t.Fatalf("sync on the release day: %+v, %v", rep, err)
	}
	mirrored(1, 2, 3, 4, 5)
	if rels, err = lib.Releases(ctx); err != nil || len(rels[0].Tracks) != 5 || rels[0].Preorder != nil || !rels[0].Offline {
		t.Fatalf("library on the release day: %+v, %v", rels, err)
	}
}
