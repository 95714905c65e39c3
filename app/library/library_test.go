package library

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

type env struct {
	t       *testing.T
	srv     *httptest.Server
	p       *platform.Platform
	fan     *mhttp.Client
	creator *mhttp.Client
	rel     *api.Release
	lib     *Library
	cache   *cache.Cache
}

// newEnv runs a platform where Ann published a 3-track album and a fan
// bought it, and gives the fan a library.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	p, err := platform.Open(ctx, t.TempDir(), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, p: p, srv: httptest.NewServer(p.Handler)}
	t.Cleanup(func() { e.srv.Close(); p.Close() })
	e.creator = e.signUp("ann@example.com", "Ann / The Band", true)
	e.fan = e.signUp("fan@example.com", "Fan", false)
	m := api.Manifest{Title: "Night: Drive?", PriceCents: 900, Currency: "EUR"}
	for i := range 3 {
		data := testmedia.MP3(t, filepath.Join(t.TempDir(), "t.mp3"), 1, 300+float64(i)*90, testmedia.Tags{Title: fmt.Sprint("Song ", i+1)})
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: i + 1, Title: []string{"Intro", "../../etc/passwd", "CON"}[i], AudioSHA256: e.upload(data)})
	}
	m.CoverSHA256 = e.upload(testmedia.JPEG(100, 100))
	rel, err := e.creator.CreateRelease(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	e.rel, _ = e.creator.PublishRelease(ctx, rel.ID)
	e.measured(rel.ID)
	if _, err := e.fan.CreatePurchase(ctx, "k", api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 900, Currency: "EUR",
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}}); err != nil {
		t.Fatal(err)
	}
	e.cache, err = cache.Open(ctx, filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.cache.Close() })
	e.lib = New(e.cache, filepath.Join(t.TempDir(), "Music", "Megabox"), e.fan)
	return e
}

func (e *env) signUp(email, name string, creator bool) *mhttp.Client {
	c, _ := mhttp.NewClient(e.srv.URL, nil)
	ctx := context.Background()
	if _, err := c.CreateAccount(ctx, api.AccountCreate{Email: email, Password: "password1", DisplayName: name, Creator: creator}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.CreateSession(ctx, api.Credentials{Email: email, Password: "password1"}); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// measured waits for the platform to measure a release's loudness, which
// downloads carry as ReplayGain tags: before, the bytes it serves change.
func (e *env) measured(releaseID int64) {
	e.t.Helper()
	wait.For(e.t, 2*time.Minute, func() bool {
		r, err := e.creator.FindRelease(context.Background(), releaseID)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, tr := range r.Tracks {
			if tr.Loudness == nil || tr.Loudness.AlbumLUFS == 0 {
				return false
			}
		}
		return true
	}, func() string { return fmt.Sprintf("release %d's loudness measured", releaseID) })
}

// served is what the platform serves the fan for a track in a format,
// once it is made.
func (e *env) served(trackID int64, f api.Format) []byte {
	e.t.Helper()
	var b []byte
	wait.For(e.t, 2*time.Minute, func() bool {
		res, err := e.fan.FetchTrackFormat(context.Background(), trackID, f, 0)
		if err != nil {
			e.t.Fatalf("fetch track %d as %s: %v", trackID, f, err)
		}
		if res.Pending != nil {
			return false
		}
		defer res.Body.Close()
		b, err = io.ReadAll(res.Body)
		return err == nil
	}, func() string { return fmt.Sprintf("track %d as %s to be made", trackID, f) })
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func (e *env) upload(data []byte) string {
	h := sha256.Sum256(data)
	sum := hex.EncodeToString(h[:])
	if _, err := e.creator.UploadFile(context.Background(), strings.NewReader(string(data)), &mhttp.Upload{SHA256: sum, Size: int64(len(data))}); err != nil {
		e.t.Fatal(err)
	}
	return sum
}

func TestSyncMirrorsPurchasesAndWorksOffline(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rep, err := e.lib.Sync(ctx)
	if err != nil || rep.Downloaded != 3 || len(rep.Problems) != 0 {
		t.Fatalf("first sync: %+v, %v", rep, err)
	}
	dir := filepath.Join(e.lib.Dir(), "Ann _ The Band", "Night_ Drive_")
	for i, name := range []string{"01 - Intro.mp3", "02 - _.._etc_passwd.mp3", "03 - _CON.mp3"} {
		sum, err := fileSHA(filepath.Join(dir, name))
		if want := sha(e.served(e.rel.Tracks[i].ID, api.FormatMP3)); err != nil || sum != want {
			t.Fatalf("%s: sha %s, %v; want %s", name, sum, err, want)
		}
	}
	if sum, _ := fileSHA(filepath.Join(dir, "cover.jpg")); sum != e.rel.CoverSHA256 {
		t.Fatal("cover.jpg does not match")
	}
	rf := filepath.Join(e.lib.Dir(), "receipts", "1.json")
	if p, err := VerifyReceiptFile(rf, nil); err != nil || p.ReleaseID != e.rel.ID || len(p.Tracks) != 3 {
		t.Fatalf("standalone receipt: %+v, %v", p, err)
	}
	// Incremental: nothing new, nothing fetched.
	before := e.lib.BytesDownloaded()
	if rep, _ := e.lib.Sync(ctx); rep.Downloaded != 0 || e.lib.BytesDownloaded() != before {
		t.Fatalf("second sync downloaded %d files", rep.Downloaded)
	}

	// The platform goes away.
	e.srv.Close()
	if _, err := e.lib.Sync(ctx); !errors.Is(err, ErrOffline) {
		t.Fatalf("sync offline: %v, want ErrOffline", err)
	}
	if e.lib.OfflineSince(ctx).IsZero() {
		t.Fatal("offline since is not recorded")
	}
	rels, err := e.lib.Releases(ctx)
	if err != nil || len(rels) != 1 || !rels[0].Offline || !rels[0].ReceiptOK || len(rels[0].Tracks) != 3 {
		t.Fatalf("offline listing: %+v, %v", rels, err)
	}
	for _, tr := range rels[0].Tracks {
		if _, err := os.Stat(tr.Path); err != nil {
			t.Fatalf("offline track %s: %v", tr.Path, err)
		}
	}
	if rep, err := e.lib.Check(ctx); err != nil || len(rep.Problems) != 0 || rep.Tracks != 3 {
		t.Fatalf("offline check: %+v, %v", rep, err)
	}
}

func TestTamperingIsDetectedAndRepaired(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.lib.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	rels, _ := e.lib.Releases(ctx)
	victim := rels[0].Tracks[1].Path
	b, _ := os.ReadFile(victim)
	b[len(b)/2] ^= 0x01
	os.WriteFile(victim, b, 0o644)
	rf := filepath.Join(e.lib.Dir(), "receipts", "1.json")
	rb, _ := os.ReadFile(rf)
	i := strings.Index(string(rb), `"receipt": "`) + 40 // a byte inside the JWS
	rb[i] ^= 0x02
	os.WriteFile(rf, rb, 0o644)

	rep, err := e.lib.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var sawFile, sawReceipt bool
	for _, p := range rep.Problems {
		sawFile = sawFile || strings.HasSuffix(p.Path, filepath.Base(victim)) && p.Kind == ProblemCorrupt
		sawReceipt = sawReceipt || strings.HasPrefix(p.Path, "receipts/") && p.Kind == ProblemReceipt
	}
	if !sawFile || !sawReceipt || len(rep.Problems) != 2 {
		t.Fatalf("problems = %+v", rep.Problems)
	}
	if _, err := VerifyReceiptFile(rf, nil); err == nil {
		t.Fatal("an altered receipt file verified")
	}
	// Online again: the damaged file is fetched again, the receipt rewritten.
	rep, err = e.lib.Sync(ctx)
	if err != nil || rep.Downloaded != 1 {
		t.Fatalf("repair sync: %+v, %v", rep, err)
	}
	if rep, _ := e.lib.Check(ctx); len(rep.Problems) != 0 {
		t.Fatalf("after repair: %+v", rep.Problems)
	}
}

func TestDownloadResumesPartialFile(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// A previous run got half of track 1.
	full := e.served(e.rel.Tracks[0].ID, api.FormatMP3)
	half := full[:len(full)/2]
	dir := filepath.Join(e.lib.Dir(), "Ann _ The Band", "Night_ Drive_")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, ".01 - Intro.mp3.part"), []byte(half), 0o644)
	if _, err := e.lib.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	want := int64(len(full)-len(half)+len(e.served(e.rel.Tracks[1].ID, api.FormatMP3))) + int64(len(e.served(e.rel.Tracks[2].ID, api.FormatMP3)))
	if got := e.lib.BytesDownloaded(); got != want {
		t.Fatalf("downloaded %d bytes, want %d (the first half was on disk)", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, ".01 - Intro.mp3.part")); !os.IsNotExist(err) {
		t.Fatal("partial file left behind")
	}
}

func TestSameTitleGetsItsOwnFolder(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	data := testmedia.MP3(t, filepath.Join(t.TempDir(), "x.mp3"), 1, 777, testmedia.Tags{})
	rel, err := e.creator.CreateRelease(ctx, api.Manifest{Title: "Night: Drive?", PriceCents: 100, Currency: "EUR",
		Tracks: []api.ManifestTrack{{Position: 1, Title: "Reprise", AudioSHA256: e.upload(data)}}})
	if err != nil {
		t.Fatal(err)
	}
	e.creator.PublishRelease(ctx, rel.ID)
	if _, err := e.fan.CreatePurchase(ctx, "second", api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 100, Currency: "EUR",
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.lib.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	artist := filepath.Join(e.lib.Dir(), "Ann _ The Band")
	a, _ := os.ReadDir(filepath.Join(artist, "Night_ Drive_"))
	b, _ := os.ReadDir(filepath.Join(artist, "Night_ Drive_ (2)"))
	if len(a) < 3 || len(b) != 1 || b[0].Name() != "01 - Reprise.mp3" {
		t.Fatalf("folders: %d and %d entries", len(a), len(b))
	}
	// A second sync keeps both where they are.
	if rep, _ := e.lib.Sync(ctx); rep.Downloaded != 0 {
		t.Fatalf("second sync moved files: %+v", rep)
	}
}
