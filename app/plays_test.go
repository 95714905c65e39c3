package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/player"
	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

// playing is a status of the player playing key at second sec of a track
// of the given length.
func playing(key string, sec, length int, state string) player.Status {
	return player.Status{State: state, PositionMS: int64(sec) * 1000,
		Track: &player.Item{Key: key, DurationMS: int64(length) * 1000}}
}

// A listen is a play once 30 seconds (or half a short track) were heard,
// once per start of the track; seeks and pauses hear nothing, and a
// preview is never a play.
func TestPlayThreshold(t *testing.T) {
	type step struct {
		key        string
		sec, len   int
		state      string
		wantPlayed bool
	}
	run := func(name string, steps []step) {
		var l listening
		for i, s := range steps {
			state := s.state
			if state == "" {
				state = player.StatePlaying
			}
			id, ok := l.hear(playing(s.key, s.sec, s.len, state))
			if ok != s.wantPlayed || (ok && strconv.FormatInt(id, 10) != s.key) {
				t.Fatalf("%s: step %d (%s at %ds): played %v (%d), want %v", name, i, s.key, s.sec, ok, id, s.wantPlayed)
			}
		}
	}
	seconds := func(key string, from, to, length int, playedAt int) []step {
		var out []step
		for s := from; s <= to; s++ {
			out = append(out, step{key: key, sec: s, len: length, wantPlayed: s == playedAt})
		}
		return out
	}
	run("30 seconds of a long track", seconds("7", 0, 100, 240, 30))
	run("half of a short track", seconds("7", 0, 40, 40, 20))
	run("a seek hears nothing", append(seconds("7", 0, 10, 240, -1),
		append([]step{{key: "7", sec: 100, len: 240}}, seconds("7", 101, 121, 240, 120)...)...))
	paused := seconds("7", 0, 20, 240, -1)
	for s := 21; s <= 60; s++ {
		paused = append(paused, step{key: "7", sec: s, len: 240, state: player.StatePaused})
	}
	run("paused is not heard", paused)
	run("a preview is never a play", seconds(PreviewKeyPrefix+"7", 0, 60, 240, -1))
	run("played again from the start", append(seconds("7", 0, 40, 40, 20), seconds("7", 0, 40, 40, 20)...))
	run("the next track starts a new listen", append(seconds("7", 0, 25, 240, -1), seconds("8", 0, 30, 240, 30)...))
}

// flaky serves h, or drops every connection while offline.
type flaky struct {
	h       http.Handler
	offline atomic.Bool
	dropped atomic.Int64
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.offline.Load() {
		f.dropped.Add(1)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	f.h.ServeHTTP(w, r)
}

// signedIn is a new account's client on the platform at url.
func signedIn(t *testing.T, url, name string, creator bool) *mhttp.Client {
	t.Helper()
	c, err := mhttp.NewClient(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	email := name + "@example.com"
	if _, err := c.CreateAccount(ctx, api.AccountCreate{Email: email, Password: "a long enough password", DisplayName: name, Creator: creator}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSession(ctx, api.Credentials{Email: email, Password: "a long enough password"}); err != nil {
		t.Fatal(err)
	}
	return c
}

// publishOne publishes a one-track release and returns it.
func publishOne(t *testing.T, c *mhttp.Client, title string, freq float64) *api.Release {
	t.Helper()
	ctx := context.Background()
	audio := testmedia.MP3(t, filepath.Join(t.TempDir(), "t.mp3"), 1, freq, testmedia.Tags{})
	sum := sha256.Sum256(audio)
	u := &mhttp.Upload{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(audio)), Filename: "t.mp3"}
	if _, err := c.UploadFile(ctx, bytes.NewReader(audio), u); err != nil {
		t.Fatal(err)
	}
	rel, err := c.CreateRelease(ctx, api.Manifest{Title: title, PriceCents: 500, Currency: "EUR",
		Tracks: []api.ManifestTrack{{Position: 1, Title: title, AudioSHA256: u.SHA256}}})
	if err != nil {
		t.Fatal(err)
	}
	if rel, err = c.PublishRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	return rel
}

// Plays heard while the platform cannot be reached are kept in the cache
// and reach it once it answers again, each once; a play of a track the
// account does not own is refused and dropped, not retried forever.
func TestPlaysReachThePlatformAfterOffline(t *testing.T) {
	p, err := platform.Open(context.Background(), t.TempDir(), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	net := &flaky{h: p.Handler}
	srv := httptest.NewServer(net)
	t.Cleanup(func() { srv.Close(); p.Close() })
	ann := signedIn(t, srv.URL, "ann", true)
	fan := signedIn(t, srv.URL, "fan", false)
	owned := publishOne(t, ann, "Owned", 440)
	other := publishOne(t, ann, "Other", 550)
	ctx := context.Background()
	if _, err := fan.CreatePurchase(ctx, "k1", api.PurchaseCreate{ReleaseID: owned.ID, AmountCents: 500, Currency: "EUR",
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}}); err != nil {
		t.Fatal(err)
	}
	c, err := cache.Open(ctx, filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	r := newPlayReporter(c, fan.ReportPlay)
	r.retry, r.maxRetry = 5*time.Millisecond, 40*time.Millisecond
	serveCtx, stop := context.WithCancel(ctx)
	var work gosync.WaitGroup
	work.Go(func() { r.serve(serveCtx) })
	t.Cleanup(func() { stop(); work.Wait(); c.Close() })

	pending := func() int {
		ps, err := c.PendingPlays(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(ps)
	}
	plays := func() int64 {
		in, err := ann.Insight(ctx, api.InsightFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return in.Totals.Plays
	}
	listen := func(trackID int64) {
		key := strconv.FormatInt(trackID, 10)
		for s := 0; s <= 31; s++ {
			r.hear(playing(key, s, 240, player.StatePlaying))
		}
	}

	net.offline.Store(true)
	listen(owned.Tracks[0].ID)
	wait.Until(t, 2*time.Minute, "the play kept while offline and tried", func() bool { return pending() == 1 && net.dropped.Load() >= 2 })
	net.offline.Store(false)
	wait.Until(t, 2*time.Minute, "the play reported once online", func() bool { return pending() == 0 })
	if got := plays(); got != 1 {
		t.Fatalf("plays = %d, want 1", got)
	}

	listen(other.Tracks[0].ID) // not the fan's
	listen(owned.Tracks[0].ID)
	wait.Until(t, 2*time.Minute, "both sent", func() bool { return pending() == 0 && plays() == 2 })
	if got := plays(); got != 2 {
		t.Fatalf("plays = %d, want 2 (the track not owned counts nothing)", got)
	}
}
