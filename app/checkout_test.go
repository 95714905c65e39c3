package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/app/library"
	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/internal/wait"
)

// pageOpener records the pages the app hands to the system browser.
type pageOpener struct {
	mu    gosync.Mutex
	pages []string
}

func (o *pageOpener) open(u string) {
	o.mu.Lock()
	o.pages = append(o.pages, u)
	o.mu.Unlock()
}

func (o *pageOpener) opened() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.pages)
}

// A checkout opens the page the platform gave in the system browser, and
// only a page fit to take a card: https, or the platform's own address.
// What the window asked for reaches the platform under its key.
func TestCheckoutOpensOnlySafePaymentPages(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	var (
		mu   gosync.Mutex
		page string // what the fake platform answers as the payment page
		sent []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/checkouts" {
			http.NotFound(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		sent = append(sent, r.Header.Get("Idempotency-Key")+" "+string(body))
		u := page
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(api.Checkout{ID: "co_1", State: api.CheckoutOpen, URL: u, ReleaseID: 3, AmountCents: 750, Currency: "EUR"})
	}))
	defer srv.Close()
	a := New(Config{Home: t.TempDir(), PlatformURL: srv.URL, Output: quietOutput{}})
	if err := a.Open(); err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(t.Context())
	browser := &pageOpener{}
	a.browse = browser.open
	store := &StoreAPI{a}

	for _, c := range []struct {
		name, page, want string // want "" = refused
	}{
		{"the platform's own page", srv.URL + "/pay/cs_sb_1", srv.URL + "/pay/cs_sb_1"},
		{"relative to the platform", "/pay/cs_sb_2", srv.URL + "/pay/cs_sb_2"},
		{"a provider's https page", "https://checkout.stripe.com/c/pay/cs_test_3", "https://checkout.stripe.com/c/pay/cs_test_3"},
		{"plain http elsewhere", "http://pay.example.com/cs_4", ""},
		{"script", "javascript:alert(1)", ""},
		{"a local file", "file:///etc/passwd", ""},
		{"nothing", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			mu.Lock()
			page = c.page
			mu.Unlock()
			before := len(browser.opened())
			co, err := store.Checkout("key-"+c.name, 3, 750, "EUR", true, "")
			opened := browser.opened()[before:]
			if c.want == "" {
				if err == nil || len(opened) != 0 {
					t.Fatalf("page %q: err %v, opened %q; want refused and nothing opened", c.page, err, opened)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if co.ID != "co_1" || !slices.Equal(opened, []string{c.want}) {
				t.Fatalf("checkout %q opened %q, want [%s]", co.ID, opened, c.want)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if want := `key-the platform's own page {"release_id":3,"amount_cents":750,"currency":"EUR","share_email":true}`; sent[0] != want+"\n" && sent[0] != want {
		t.Errorf("platform got %q, want %q", sent[0], want)
	}
}

// A bad key never reaches the platform, and nothing opens.
func TestCheckoutRefusesABadKey(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the platform was asked %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	}))
	defer srv.Close()
	a := New(Config{Home: t.TempDir(), PlatformURL: srv.URL, Output: quietOutput{}})
	if err := a.Open(); err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(t.Context())
	browser := &pageOpener{}
	a.browse = browser.open
	_, err := (&StoreAPI{a}).Checkout("", 3, 750, "EUR", false, "")
	if got := decodeUIError(t, err); got["code"] != api.EINVALID || got["field"] != "Idempotency-Key" {
		t.Fatalf("got %v, want an Idempotency-Key error", got)
	}
	if len(browser.opened()) != 0 {
		t.Fatalf("opened %q", browser.opened())
	}
}

// The whole checkout on the local platform: the app opens the hosted page,
// a declined card there leaves the checkout open, the good card makes the
// sale, and the app learns of it from the platform alone and mirrors it
// into the library.
func TestCheckoutPaidOnTheHostedPageReachesTheLibrary(t *testing.T) {
	a := openLocalApp(t)
	browser := &pageOpener{}
	a.browse = browser.open
	store := &StoreAPI{a}
	rel := demoRelease(t, a, "Copper Hours") // pay what you want, from 3.00
	if _, err := (&AccountAPI{a}).SignUp("buyer@example.com", "a long enough password", "Buyer", false); err != nil {
		t.Fatal(err)
	}

	co, err := store.Checkout("k1", rel.ID, 750, rel.Currency, false, "")
	if err != nil {
		t.Fatal(err)
	}
	page := a.client.BaseURL() + "/pay/"
	if opened := browser.opened(); co.State != api.CheckoutOpen || len(opened) != 1 || opened[0] != co.URL || !strings.HasPrefix(co.URL, page) {
		t.Fatalf("checkout %s at %q opened %q; want one page under %s", co.State, co.URL, opened, page)
	}
	// A retry under the same key is the same checkout, its page opened again.
	if again, err := store.Checkout("k1", rel.ID, 750, rel.Currency, false, ""); err != nil || again.ID != co.ID || len(browser.opened()) != 2 {
		t.Fatalf("retry under the same key: %+v, %v, opened %q; want checkout %s opened again", again, err, browser.opened(), co.ID)
	}

	if status := payOnHostedPage(t, co.URL, payment.CardDeclined); status != http.StatusPaymentRequired {
		t.Fatalf("declined card: status %d, want 402", status)
	}
	if got, err := store.CheckoutState(co.ID); err != nil || got.State != api.CheckoutOpen || got.Purchase != nil {
		t.Fatalf("after a declined card: %+v, %v; want still open", got, err)
	}
	if status := payOnHostedPage(t, co.URL, payment.CardSuccess); status != http.StatusOK {
		t.Fatalf("good card: status %d, want 200", status)
	}

	var paid *api.Checkout
	wait.Until(t, 2*time.Minute, "the checkout to be paid", func() bool {
		paid, err = store.CheckoutState(co.ID)
		return err == nil && paid.State != api.CheckoutOpen
	})
	if p := paid.Purchase; paid.State != api.CheckoutPaid || p == nil || p.GrossCents != 750 || p.CreatorCents != 675 || p.PlatformCents != 75 || p.ReleaseID != rel.ID {
		t.Fatalf("paid checkout: %+v purchase %+v; want 750 = 675 + 75 for release %d", paid, paid.Purchase, rel.ID)
	}
	if o, err := store.Owned(rel.ID); err != nil || o != "bought" {
		t.Fatalf("Owned = %q, %v; want bought", o, err)
	}
	wait.Until(t, 2*time.Minute, "the library to have the release", func() bool {
		rels, err := (&LibraryAPI{a}).Releases()
		return err == nil && slices.ContainsFunc(rels, func(r library.Release) bool { return r.Title == "Copper Hours" && r.PurchaseID == paid.Purchase.ID })
	})

	// A paid checkout's page is not opened again, asked for by key or by id.
	if again, err := store.Checkout("k1", rel.ID, 750, rel.Currency, false, ""); err != nil || again.State != api.CheckoutPaid {
		t.Fatalf("retry after paying: %+v, %v; want the paid checkout", again, err)
	}
	if again, err := store.OpenCheckout(co.ID); err != nil || again.State != api.CheckoutPaid {
		t.Fatalf("open again after paying: %+v, %v; want the paid checkout", again, err)
	}
	// A bought release has no second checkout, and nothing opens.
	_, err = store.Checkout("k2", rel.ID, 750, rel.Currency, false, "")
	if got := decodeUIError(t, err); got["code"] != api.ECONFLICT || len(browser.opened()) != 2 {
		t.Fatalf("second checkout: %v, opened %q; want a conflict and no page", got, browser.opened())
	}
}

// payOnHostedPage submits the hosted page's form as a browser would.
func payOnHostedPage(t *testing.T, page, card string) int {
	t.Helper()
	resp, err := http.PostForm(page, url.Values{"card": {card}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
