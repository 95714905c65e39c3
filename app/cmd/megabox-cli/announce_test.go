package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
)

// announce publishes the file's Markdown under the title, to the audience
// --to names; a bad --to or a missing file is refused before anything is
// sent.
func TestAnnounceCommand(t *testing.T) {
	p, err := platform.Open(context.Background(), t.TempDir(), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	defer func() { srv.Close(); p.Close() }()
	ctx := context.Background()
	ann, _ := mhttp.NewClient(srv.URL, nil)
	a, err := ann.CreateAccount(ctx, api.AccountCreate{Email: "ann@example.com", Password: "password1", DisplayName: "Ann", Creator: true})
	if err != nil {
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
	body := filepath.Join(t.TempDir(), "news.md")
	if err := os.WriteFile(body, []byte("We play **Lyon**."), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"announce", "--body-file", body},
		{"announce", "--title", "T", "--body-file", body + ".missing"},
		{"announce", "--title", "T", "--body-file", body, "--to", "release:x"},
		{"announce", "--title", "T", "--body-file", body, "--to", "everyone"},
	} {
		if _, err := run(args...); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
	out, err := run("announce", "--title", "Tour", "--body-file", body, "--to", "me")
	if err != nil || !strings.Contains(out, "published; emails queued: 0.") {
		t.Fatalf("announce: %v\n%s", err, out)
	}
	out, err = run("announce", "--title", "Studio", "--body-file", body)
	if err != nil {
		t.Fatalf("announce: %v\n%s", err, out)
	}
	page, err := p.Announcements.ArtistAnnouncements(ctx, a.ID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Title != "Studio" || page.Items[0].BodyHTML != "<p>We play <strong>Lyon</strong>.</p>\n" {
		t.Fatalf("public announcements %+v (the test send shows nowhere)", page.Items)
	}
}
