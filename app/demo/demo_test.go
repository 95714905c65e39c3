package demo

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
)

func TestSeedOnceWithHistory(t *testing.T) {
	p, err := platform.Open(context.Background(), t.TempDir(), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	srv := httptest.NewServer(p.Handler)
	defer srv.Close()
	ctx := context.Background()
	pw, err := Password(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second run finds the demo and does nothing
		if err := Seed(ctx, srv.URL, pw, p.Accounts, p.Services); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := mhttp.NewClient(srv.URL, nil)
	if _, err := c.CreateSession(ctx, api.Credentials{Email: CreatorEmail, Password: pw}); err != nil {
		t.Fatal(err)
	}
	e, err := c.Earnings(ctx, api.EarningsFilter{Group: api.GroupMonth})
	if err != nil {
		t.Fatal(err)
	}
	if e.Totals.Sales != 12 || len(e.Rows) < 3 || e.Totals.CreatorCents+e.Totals.PlatformCents != e.Totals.GrossCents {
		t.Fatalf("demo earnings: %+v", e)
	}
	if code := status(t, srv.URL+"/@"+DemoHandle); code != 200 {
		t.Fatalf("the demo artist's page: %d", code)
	}
	page, _ := c.SearchReleases(ctx, api.ReleaseFilter{})
	if len(page.Items) != 2 || len(page.Items[0].Tracks) != 3 || page.Items[0].CoverSHA256 == "" {
		t.Fatalf("demo catalog: %+v", page.Items)
	}
	for _, email := range []string{CreatorEmail, FanEmail} {
		_, err := c.CreateSession(ctx, api.Credentials{Email: email, Password: "megabox-demo"})
		if got, want := api.ErrorCode(err), api.EUNAUTHORIZED; got != want {
			t.Fatalf("%s with the old fixed password: got %q (%v), want %q", email, got, err, want)
		}
	}
	f, _ := mhttp.NewClient(srv.URL, nil)
	f.CreateSession(ctx, api.Credentials{Email: FanEmail, Password: pw})
	if lib, _ := f.Library(ctx); len(lib.Items) != 1 {
		t.Fatal("the demo fan owns nothing")
	}
}

func TestPasswordPerInstall(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	pa, err := Password(a)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := Password(b)
	if err != nil {
		t.Fatal(err)
	}
	if pa == pb || len(pa) < 16 || pa == "megabox-demo" {
		t.Fatalf("two installs drew %q and %q", pa, pb)
	}
	again, err := Password(a)
	if err != nil || again != pa {
		t.Fatalf("second read: got %q, %v; want %q", again, err, pa)
	}
	fi, err := os.Stat(filepath.Join(a, PasswordFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Fatalf("password file mode: got %o, want 600", got)
	}
}

// An install seeded with the old well-known password gets its own at the
// next start: the old one stops working and the shown one signs in.
func TestSeedReplacesAnOldDemoPassword(t *testing.T) {
	ctx := context.Background()
	p, err := platform.Open(ctx, t.TempDir(), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	srv := httptest.NewServer(p.Handler)
	defer srv.Close()
	if err := Seed(ctx, srv.URL, "megabox-demo", p.Accounts, nil); err != nil {
		t.Fatal(err)
	}
	old, _ := mhttp.NewClient(srv.URL, nil)
	if _, err := old.CreateSession(ctx, api.Credentials{Email: FanEmail, Password: "megabox-demo"}); err != nil {
		t.Fatal(err)
	}
	pw, err := Password(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := Seed(ctx, srv.URL, pw, p.Accounts, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Me(ctx); api.ErrorCode(err) != api.EUNAUTHORIZED {
		t.Fatalf("a session opened with the old password: got %v, want it ended", err)
	}
	for _, email := range []string{CreatorEmail, FanEmail} {
		c, _ := mhttp.NewClient(srv.URL, nil)
		if _, err := c.CreateSession(ctx, api.Credentials{Email: email, Password: "megabox-demo"}); api.ErrorCode(err) != api.EUNAUTHORIZED {
			t.Fatalf("%s with the old password: got %v, want unauthorized", email, err)
		}
		if _, err := c.CreateSession(ctx, api.Credentials{Email: email, Password: pw}); err != nil {
			t.Fatalf("%s with the new password: %v", email, err)
		}
	}
	anon, _ := mhttp.NewClient(srv.URL, nil)
	page, err := anon.SearchReleases(ctx, api.ReleaseFilter{})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("catalog after the new password: %v %+v (seeded twice?)", err, page)
	}
}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
