package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/platform"
)

// TestCodesCommands: a creator makes codes as CSV on standard output,
// lists and revokes them; a fan redeems a free code and prices a discount
// one; a revoked code is refused in words.
func TestCodesCommands(t *testing.T) {
	p, err := platform.Open(context.Background(), t.TempDir(), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	defer func() { srv.Close(); p.Close() }()
	ctx := context.Background()
	rel := publishedRelease(t, p, "ann@example.com", "Tides", 999)
	if _, err := p.Accounts.CreateAccount(ctx, api.AccountCreate{Email: "fan@example.com", Password: "password1", DisplayName: "Fan"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MEGABOX_HOME", t.TempDir())
	run := func(args ...string) (string, string, error) {
		var out, errs bytes.Buffer
		no := false
		err := (&Main{Stdin: strings.NewReader("password1\n"), Stdout: &out, Stderr: &errs, IsTerminal: &no}).Run(ctx, args)
		return out.String(), errs.String(), err
	}
	login := func(email string) {
		if _, errs, err := run("login", "--server", srv.URL, "--email", email); err != nil {
			t.Fatalf("login %s: %v\n%s", email, err, errs)
		}
	}
	login("ann@example.com")
	id := fmt.Sprint(rel.ID)
	out, errs, err := run("codes", "create", "--release", id, "--count", "3", "--percent", "33", "--expires", "2099-12-31", "--label", "tour")
	if err != nil {
		t.Fatalf("create: %v\n%s", err, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 4 || rows[1][3] != "percent" || rows[1][4] != "33%" || rows[1][5] != "2100-01-01T00:00:00Z" || rows[1][6] != "tour" {
		t.Fatalf("CSV = %v, %v", rows, err)
	}
	discount := rows[1][0]
	out, _, err = run("codes", "create", "--release", id, "--count", "2", "--free")
	if err != nil {
		t.Fatal(err)
	}
	freeRows, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	out, _, err = run("codes", "create", "--release", id, "--count", "1", "--free")
	if err != nil {
		t.Fatal(err)
	}
	revokedRows, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	batch := revokedRows[1][2]
	if _, _, err := run("codes", "create", "--release", id, "--count", "1", "--free", "--percent", "5"); err == nil || !strings.Contains(err.Error(), "one of --free, --percent or --off") {
		t.Fatalf("two kinds: %v", err)
	}
	if out, _, err := run("codes", "revoke", "--release", id, "--batch", batch); err != nil || !strings.Contains(out, "Batch "+batch+" revoked: its 1 unused codes no longer work.") {
		t.Fatalf("revoke: %v\n%s", err, out)
	}
	out, _, err = run("codes", "list", "--release", id)
	if err != nil || !strings.Contains(out, "33% off") || !strings.Contains(out, "0/3") || !strings.Contains(out, "revoked") || !strings.Contains(out, "2100-01-01 00:00") {
		t.Fatalf("list: %v\n%s", err, out)
	}

	login("fan@example.com")
	if out, _, err := run("redeem", discount); err != nil || !strings.Contains(out, "costs 6.69 EUR instead of 9.99 EUR") {
		t.Fatalf("discount code: %v\n%s", err, out)
	}
	if out, _, err := run("redeem", freeRows[1][0]); err != nil || !strings.Contains(out, "Tides by ann is yours") {
		t.Fatalf("free code: %v\n%s", err, out)
	}
	if _, _, err := run("redeem", revokedRows[1][0]); err == nil || !strings.Contains(err.Error(), "this code was withdrawn by the artist") {
		t.Fatalf("revoked code: %v", err)
	}
	if _, _, err := run("redeem", "ZZZZ-ZZZZ-ZZ"); err == nil || !strings.Contains(err.Error(), "this code does not exist") {
		t.Fatalf("unknown code: %v", err)
	}
}

// publishedRelease makes a creator with a published release of one
// (stored, not uploaded) track, through the services.
func publishedRelease(t *testing.T, p *platform.Platform, email, title string, price int64) *api.Release {
	t.Helper()
	ctx := context.Background()
	if _, err := p.Accounts.CreateAccount(ctx, api.AccountCreate{Email: email, Password: "password1", DisplayName: "ann", Creator: true}); err != nil {
		t.Fatal(err)
	}
	sess, err := p.Accounts.CreateSession(ctx, api.Credentials{Email: email, Password: "password1"})
	if err != nil {
		t.Fatal(err)
	}
	caller, err := p.Accounts.Authenticate(ctx, sess.Token)
	if err != nil {
		t.Fatal(err)
	}
	ctx = api.NewContextWithCaller(ctx, caller)
	sha := strings.Repeat("ab", 32)
	if err := p.Blobs.StoreBlob(ctx, caller.Account.ID, api.Blob{SHA256: sha, Size: 100, MediaType: api.MediaMP3, DurationMS: 60_000}); err != nil {
		t.Fatal(err)
	}
	rel, err := p.Releases.CreateRelease(ctx, api.Manifest{Title: title, PriceCents: price, Currency: "EUR",
		Tracks: []api.ManifestTrack{{Position: 1, Title: "One", AudioSHA256: sha}}})
	if err != nil {
		t.Fatal(err)
	}
	if rel, err = p.Releases.PublishRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	return rel
}
