package main

import (
	"bytes"
	"context"
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
