package demo

import (
	"context"
	"log/slog"
	"net/http/httptest"
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
	for range 2 { // the second run finds the demo and does nothing
		if err := Seed(ctx, srv.URL, p.DB); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := mhttp.NewClient(srv.URL, nil)
	if _, err := c.CreateSession(ctx, api.Credentials{Email: CreatorEmail, Password: Password}); err != nil {
		t.Fatal(err)
	}
	e, err := c.Earnings(ctx, api.EarningsFilter{Group: api.GroupMonth})
	if err != nil {
		t.Fatal(err)
	}
	if e.Totals.Sales != 12 || len(e.Rows) < 3 || e.Totals.CreatorCents+e.Totals.PlatformCents != e.Totals.GrossCents {
		t.Fatalf("demo earnings: %+v", e)
	}
	page, _ := c.SearchReleases(ctx, api.ReleaseFilter{})
	if len(page.Items) != 2 || len(page.Items[0].Tracks) != 3 || page.Items[0].CoverSHA256 == "" {
		t.Fatalf("demo catalog: %+v", page.Items)
	}
	f, _ := mhttp.NewClient(srv.URL, nil)
	f.CreateSession(ctx, api.Credentials{Email: FanEmail, Password: Password})
	if lib, _ := f.Library(ctx); len(lib.Items) != 1 {
		t.Fatal("the demo fan owns nothing")
	}
}
