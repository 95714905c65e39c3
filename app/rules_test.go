package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/app/sync"
	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
)

// The split the window shows is the one the platform books: the same cents
// for each amount, checked against real purchases on the local platform.
func TestSplitIsWhatThePlatformBooks(t *testing.T) {
	for _, c := range []struct{ gross, creator, platform int64 }{
		{999, 900, 99}, {1, 1, 0}, {0, 0, 0}, {1001, 901, 100},
	} {
		got, err := RulesAPI{}.Split(c.gross)
		want := SplitView{Gross: c.gross, Creator: c.creator, Platform: c.platform}
		if err != nil || got != want {
			t.Errorf("Split(%d) = %+v, %v; want %+v", c.gross, got, err, want)
		}
	}
	if _, err := (RulesAPI{}).Split(-1); decodeUIError(t, err)["field"] != "amount_cents" {
		t.Errorf("Split(-1) = %v, want an amount_cents error", err)
	}

	a := openLocalApp(t)
	rel := demoRelease(t, a, "Copper Hours") // pay what you want, from 3.00
	for _, gross := range []int64{999, 1001} {
		fan := fmt.Sprintf("fan-%d@example.com", gross) // a release is bought once per account
		if _, err := (&AccountAPI{a}).SignUp(fan, "a long enough password", "Fan", false); err != nil {
			t.Fatal(err)
		}
		p, err := a.client.CreatePurchase(t.Context(), fan, api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: gross, Currency: rel.Currency,
			Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}})
		if err != nil {
			t.Fatalf("buy at %d: %v", gross, err)
		}
		shown, _ := RulesAPI{}.Split(gross)
		booked := SplitView{Gross: p.GrossCents, Creator: p.CreatorCents, Platform: p.PlatformCents}
		if booked != shown {
			t.Errorf("at %d cents the platform booked %+v, the window shows %+v", gross, booked, shown)
		}
	}
}

// The window's price check is the platform's: it accepts what a manifest
// with that price passes and refuses the rest with the same field and
// message.
func TestCheckPriceIsThePlatformsRule(t *testing.T) {
	for _, c := range []struct {
		name      string
		price     int64
		currency  string
		pwyw      bool
		min       int64
		wantField string
	}{
		{"plain", 999, "EUR", false, 0, ""},
		{"free", 0, "USD", false, 0, ""},
		{"lower-case currency", 500, "eur", false, 0, ""},
		{"a minimum without pay what you want is dropped", 500, "EUR", false, -5, ""},
		{"pay what you want", 500, "EUR", true, 500, ""},
		{"top price", api.MaxPriceCents, "GBP", false, 0, ""},
		{"over the top", api.MaxPriceCents + 1, "EUR", false, 0, "price_cents"},
		{"negative", -1, "EUR", false, 0, "price_cents"},
		{"unknown currency", 500, "XYZ", false, 0, "currency"},
		{"minimum over the price", 500, "EUR", true, 501, "min_cents"},
		{"negative minimum", 500, "EUR", true, -1, "min_cents"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := api.Manifest{Title: "T", PriceCents: c.price, Currency: c.currency, PayWhatYouWant: c.pwyw, MinCents: c.min,
				Tracks: []api.ManifestTrack{{Position: 1, Title: "A", AudioSHA256: strings.Repeat("a", 64)}}}
			m.Normalize("Artist")
			platform := m.Validate()
			err := RulesAPI{}.CheckPrice(c.price, c.currency, c.pwyw, c.min)
			if c.wantField == "" {
				if err != nil || platform != nil {
					t.Fatalf("window says %v, platform says %v; want both to accept", err, platform)
				}
				return
			}
			got := decodeUIError(t, err)
			want := map[string]string{"code": api.EINVALID, "field": c.wantField, "message": api.ErrorMessage(platform)}
			if api.ErrorField(platform) != c.wantField || got["code"] != want["code"] || got["field"] != want["field"] || got["message"] != want["message"] {
				t.Fatalf("window says %v, platform says %v; want %v", got, platform, want)
			}
		})
	}
}

// The window's choices and limits come from the platform's constants.
func TestRulesAreThePlatformsLimits(t *testing.T) {
	r := RulesAPI{}.Rules()
	if r.MaxPriceCents != 100_000_000 || r.MinPayoutCents != 1000 || r.MaxPayees != 8 || !strings.Contains(strings.Join(r.Currencies, ","), "EUR") || len(r.Currencies) != len(api.Currencies) {
		t.Fatalf("rules = %+v", r)
	}
	r.Currencies[0] = "changed"
	if api.Currencies[0] == "changed" {
		t.Fatal("the window's copy of the currencies is the platform's own list")
	}
}

func openLocalApp(t *testing.T) *App {
	t.Helper()
	t.Setenv("HOME", t.TempDir()) // the library folder defaults to ~/Music
	a := New(Config{Home: t.TempDir(), Output: quietOutput{}})
	if err := a.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Shutdown(t.Context()) })
	return a
}

func demoRelease(t *testing.T, a *App, title string) *api.Release {
	t.Helper()
	page, err := (&StoreAPI{a}).Search(title, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range page.Items {
		if r.Title == title {
			return &r
		}
	}
	t.Fatalf("no demo release %q in %d results", title, len(page.Items))
	return nil
}

// Saving a price answers with the platform's field and message, and what
// is saved is the price as the platform will read it.
func TestSetPriceSavesWhatThePlatformAccepts(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	srv := httptest.NewServer(http.NotFoundHandler()) // no platform is needed to price a folder
	defer srv.Close()
	a := New(Config{Home: t.TempDir(), PlatformURL: srv.URL, Output: quietOutput{}})
	if err := a.Open(); err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(t.Context())
	music := t.TempDir()
	if err := os.Mkdir(filepath.Join(music, "Album"), 0o755); err != nil {
		t.Fatal(err)
	}
	x := &SyncAPI{a}
	if err := x.AddFolder(music); err != nil {
		t.Fatal(err)
	}
	roots, err := a.cache.Roots(t.Context())
	if err != nil || len(roots) != 1 {
		t.Fatalf("roots = %v, %v", roots, err)
	}

	err = x.SetPrice(roots[0].ID, "Album", 500, "XYZ", false, 0)
	want := api.CheckPrice(500, "XYZ", false, 0)
	if got := decodeUIError(t, err); got["field"] != "currency" || got["message"] != api.ErrorMessage(want) {
		t.Fatalf("SetPrice in XYZ: %v, want the platform's %v", got, want)
	}
	if err := x.SetPrice(roots[0].ID, "Album", 750, "eur", false, -5); err != nil {
		t.Fatal(err)
	}
	side, err := sync.ReadSidecar(filepath.Join(music, "Album"))
	if err != nil {
		t.Fatal(err)
	}
	if side.PriceCents == nil || *side.PriceCents != 750 || side.Currency != "EUR" || side.PayWhatYouWant || side.MinCents != 0 {
		t.Fatalf("saved %+v (price %v), want 750 EUR with no minimum", side, side.PriceCents)
	}
}
