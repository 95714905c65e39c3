package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/platform"
)

// TestAccountCommands: a fan saves their data as a zip (to standard
// output, or atomically to a file), is refused a zip on a terminal, and
// deletes their account after typing DELETE and their password; the
// stored session goes and the account no longer signs in.
func TestAccountCommands(t *testing.T) {
	p, err := platform.Open(context.Background(), t.TempDir(), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	defer func() { srv.Close(); p.Close() }()
	ctx := context.Background()
	now := time.Now()
	p.SetClock(func() time.Time { return now })
	if _, err := p.Accounts.CreateAccount(ctx, api.AccountCreate{Email: "fan@example.com", Password: "password1", DisplayName: "Fan"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MEGABOX_HOME", t.TempDir())
	run := func(stdin string, terminal bool, args ...string) (string, string, error) {
		var out, errs bytes.Buffer
		err := (&Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errs, IsTerminal: &terminal}).Run(ctx, args)
		return out.String(), errs.String(), err
	}
	if _, errs, err := run("password1\n", false, "login", "--server", srv.URL, "--email", "fan@example.com"); err != nil {
		t.Fatalf("login: %v\n%s", err, errs)
	}

	if _, _, err := run("", true, "account", "export"); err == nil || !strings.Contains(err.Error(), "redirect it to a file") {
		t.Fatalf("export to a terminal: %v", err)
	}
	out, errs, err := run("", false, "account", "export")
	if err != nil {
		t.Fatalf("export: %v\n%s", err, errs)
	}
	if got := exportedEmail(t, []byte(out)); got != "fan@example.com" {
		t.Fatalf("account.json email = %q", got)
	}
	if _, _, err := run("", false, "account", "export"); err == nil || !strings.Contains(err.Error(), "a moment ago") {
		t.Fatalf("second export within a minute: %v", err)
	}
	now = now.Add(time.Minute)
	file := filepath.Join(t.TempDir(), "me.zip")
	if _, errs, err := run("", false, "account", "export", "--out", file); err != nil || !strings.Contains(errs, "Saved your data to "+file) {
		t.Fatalf("export --out: %v\n%s", err, errs)
	}
	b, err := os.ReadFile(file)
	if err != nil || exportedEmail(t, b) != "fan@example.com" {
		t.Fatalf("saved zip: %v", err)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("saved zip mode: %v %v, want 0600", fi.Mode(), err)
	}

	if _, _, err := run("delete\npassword1\n", false, "account", "delete"); err == nil || !strings.Contains(err.Error(), "not confirmed") {
		t.Fatalf("lower-case confirmation: %v", err)
	}
	if _, _, err := run("DELETE\nnot my password\n", false, "account", "delete"); err == nil || !strings.Contains(err.Error(), "wrong password") {
		t.Fatalf("wrong password: %v", err)
	}
	out, errs, err = run("DELETE\npassword1\n", false, "account", "delete")
	if err != nil || out != "Your account is deleted. Signed out.\n" {
		t.Fatalf("delete: %v %q\n%s", err, out, errs)
	}
	if _, _, err := run("", false, "account", "export"); err == nil || !strings.Contains(err.Error(), "login") {
		t.Fatalf("export after deletion: %v (want: not signed in)", err)
	}
	if _, err := p.Accounts.CreateSession(ctx, api.Credentials{Email: "fan@example.com", Password: "password1"}); api.ErrorCode(err) != api.EUNAUTHORIZED {
		t.Fatalf("sign-in after deletion: %v", err)
	}
}

// TestAccountDeleteYes: --yes deletes without asking to type DELETE, the
// password read from standard input.
func TestAccountDeleteYes(t *testing.T) {
	p, err := platform.Open(context.Background(), t.TempDir(), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	defer func() { srv.Close(); p.Close() }()
	ctx := context.Background()
	if _, err := p.Accounts.CreateAccount(ctx, api.AccountCreate{Email: "fan@example.com", Password: "password1", DisplayName: "Fan"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MEGABOX_HOME", t.TempDir())
	no := false
	for _, args := range [][]string{{"login", "--server", srv.URL, "--email", "fan@example.com"}, {"account", "delete", "--yes"}} {
		var out, errs bytes.Buffer
		if err := (&Main{Stdin: strings.NewReader("password1\n"), Stdout: &out, Stderr: &errs, IsTerminal: &no}).Run(ctx, args); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errs.String())
		}
		if strings.Contains(errs.String(), "Type DELETE") {
			t.Errorf("--yes still asked to type DELETE")
		}
	}
	if _, err := p.Accounts.CreateSession(ctx, api.Credentials{Email: "fan@example.com", Password: "password1"}); api.ErrorCode(err) != api.EUNAUTHORIZED {
		t.Fatalf("sign-in after deletion: %v", err)
	}
}

func exportedEmail(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	for _, f := range zr.File {
		if f.Name != "account.json" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		data, _ := io.ReadAll(rc)
		var a struct {
			Email string `json:"email"`
		}
		if err := json.Unmarshal(data, &a); err != nil {
			t.Fatal(err)
		}
		return a.Email
	}
	t.Fatal("no account.json")
	return ""
}
