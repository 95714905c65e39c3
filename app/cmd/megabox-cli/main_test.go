package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

func TestLoginSyncStatusPublish(t *testing.T) {
	p, err := platform.Open(context.Background(), t.TempDir(), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	defer srv.Close()
	defer p.Close()
	c, _ := mhttp.NewClient(srv.URL, nil)
	c.CreateAccount(context.Background(), api.AccountCreate{Email: "ann@example.com", Password: "password1", DisplayName: "Ann", Creator: true})
	t.Setenv("MEGABOX_HOME", t.TempDir())

	run := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		no := false
		m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &out, IsTerminal: &no}
		err := m.Run(context.Background(), args)
		return out.String(), err
	}
	if _, err := run("wrong\n", "login", "--server", srv.URL, "--email", "ann@example.com"); err == nil {
		t.Fatal("login with a wrong password succeeded")
	}
	out, err := run("password1\n", "login", "--server", srv.URL, "--email", "ann@example.com")
	if err != nil || !strings.Contains(out, "as Ann (creator)") {
		t.Fatalf("login: %q, %v", out, err)
	}
	music := t.TempDir()
	dir := filepath.Join(music, "Demo")
	os.MkdirAll(dir, 0o755)
	for i := range 2 {
		testmedia.MP3(t, filepath.Join(dir, fmt.Sprintf("0%d.mp3", i+1)), 1, 300+float64(i)*100, testmedia.Tags{Title: fmt.Sprint("Demo ", i+1), Album: "Demo"})
	}
	os.WriteFile(filepath.Join(dir, "03.mp3"), []byte("junk"), 0o644)
	out, err = run("", "sync", "--once", music)
	if err == nil || !strings.Contains(out, "03.mp3: not an MP3") || !strings.Contains(out, "release Demo: blocked") {
		t.Fatalf("sync with a bad file: %v\n%s", err, out)
	}
	out, _ = run("", "status")
	if !strings.Contains(out, "Demo") || !strings.Contains(out, "blocked") || !strings.Contains(out, "03.mp3") {
		t.Fatalf("status:\n%s", out)
	}
	if _, err := run("", "publish", dir); err == nil {
		t.Fatal("published with a bad file")
	}
	os.Remove(filepath.Join(dir, "03.mp3"))
	out, err = run("", "sync", "--once", music)
	if err != nil || !strings.Contains(out, "release Demo: synced") {
		t.Fatalf("sync after the fix: %v\n%s", err, out)
	}
	out, err = run("", "publish", dir)
	if err != nil || !strings.Contains(out, `Published "Demo"`) {
		t.Fatalf("publish: %v\n%s", err, out)
	}
	page, _ := c.SearchReleases(context.Background(), api.ReleaseFilter{Query: "demo"})
	if len(page.Items) != 1 || len(page.Items[0].Tracks) != 2 {
		t.Fatalf("catalog after publish: %+v", page)
	}
	if _, err := run("", "publish", t.TempDir()); err == nil {
		t.Fatal("published a folder outside any watched folder")
	}
	run("", "logout")
	if _, err := run("", "sync", "--once", music); err == nil {
		t.Fatal("sync without a session succeeded")
	}
}

func TestLibraryCommandsWorkOffline(t *testing.T) {
	p, err := platform.Open(context.Background(), t.TempDir(), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	defer p.Close()
	ctx := context.Background()
	ann, _ := mhttp.NewClient(srv.URL, nil)
	ann.CreateAccount(ctx, api.AccountCreate{Email: "ann@example.com", Password: "password1", DisplayName: "Ann", Creator: true})
	ann.CreateSession(ctx, api.Credentials{Email: "ann@example.com", Password: "password1"})
	data := testmedia.MP3(t, filepath.Join(t.TempDir(), "a.mp3"), 1, 440, testmedia.Tags{})
	sum := sha256hex(data)
	ann.UploadFile(ctx, bytes.NewReader(data), &mhttp.Upload{SHA256: sum, Size: int64(len(data))})
	rel, _ := ann.CreateRelease(ctx, api.Manifest{Title: "Owned", PriceCents: 0, Currency: "EUR", Tracks: []api.ManifestTrack{{Position: 1, Title: "Only", AudioSHA256: sum}}})
	ann.PublishRelease(ctx, rel.ID)
	fan, _ := mhttp.NewClient(srv.URL, nil)
	fan.CreateAccount(ctx, api.AccountCreate{Email: "fan@example.com", Password: "password1", DisplayName: "Fan"})
	fan.CreateSession(ctx, api.Credentials{Email: "fan@example.com", Password: "password1"})
	if _, err := fan.CreatePurchase(ctx, "free", api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 0, Currency: "EUR", Payment: api.PaymentDetails{Method: "sandbox"}}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MEGABOX_HOME", t.TempDir())
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		no := false
		err := (&Main{Stdin: strings.NewReader("password1\n"), Stdout: &out, Stderr: &out, IsTerminal: &no}).Run(ctx, args)
		return out.String(), err
	}
	run("login", "--server", srv.URL, "--email", "fan@example.com")
	music := filepath.Join(t.TempDir(), "Music")
	if out, err := run("library", "sync", "--dir", music); err != nil || !strings.Contains(out, "1 downloaded") {
		t.Fatalf("library sync: %v\n%s", err, out)
	}
	srv.Close() // the platform is gone
	out, err := run("library", "sync")
	if err == nil || !strings.Contains(out, "Offline since") {
		t.Fatalf("offline sync: %v\n%s", err, out)
	}
	out, err = run("library", "ls")
	if err != nil || !strings.Contains(out, "Ann / Owned") || !strings.Contains(out, "available offline") {
		t.Fatalf("offline ls: %v\n%s", err, out)
	}
	if out, err := run("library", "check"); err != nil || !strings.Contains(out, "Checked 1 track") {
		t.Fatalf("offline check: %v\n%s", err, out)
	}
	if _, err := run("play", "nobody/nothing"); err == nil {
		t.Fatal("play of something not owned succeeded")
	}
}

func sha256hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestPayoutsCommand: on the sandbox there is no payout account to set up,
// and asking for one says so.
func TestPayoutsCommand(t *testing.T) {
	p, err := platform.Open(context.Background(), t.TempDir(), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	defer func() { srv.Close(); p.Close() }()
	ctx := context.Background()
	ann, _ := mhttp.NewClient(srv.URL, nil)
	if _, err := ann.CreateAccount(ctx, api.AccountCreate{Email: "ann@example.com", Password: "password1", DisplayName: "Ann", Creator: true}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MEGABOX_HOME", t.TempDir())
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		no := false
		err := (&Main{Stdin: strings.NewReader("password1\n"), Stdout: &out, Stderr: &out, IsTerminal: &no}).Run(ctx, args)
		return out.String(), err
	}
	if out, err := run("login", "--server", srv.URL, "--email", "ann@example.com"); err != nil {
		t.Fatalf("login: %v\n%s", err, out)
	}
	if out, err := run("payouts"); err != nil || !strings.Contains(out, "no payout account to set up") {
		t.Fatalf("payouts: %v\n%s", err, out)
	}
	if _, err := run("payouts", "setup"); err == nil || !strings.Contains(err.Error(), "nothing to set up") {
		t.Fatalf("payouts setup on the sandbox: %v", err)
	}
	if _, err := run("payouts", "nope"); err == nil {
		t.Fatal("payouts nope succeeded")
	}
}
