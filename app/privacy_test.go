package app

import (
	"archive/zip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/megabox-fm/megabox/app/demo"
	"github.com/megabox-fm/megabox/backend/api"
)

// The demo fan saves their data (a zip whose account.json is theirs,
// readable by them only), has a wrong password and a missing DELETE
// refused by field, then deletes the account: the app is signed out, the
// stored session is gone and the account no longer signs in.
func TestPrivacyExportAndDelete(t *testing.T) {
	a := openLocalApp(t)
	pw := a.local.demoPassword
	if _, err := a.signIn(demo.FanEmail, pw); err != nil {
		t.Fatal(err)
	}
	x := &PrivacyAPI{a}
	path := filepath.Join(t.TempDir(), "me.zip")
	if err := x.exportTo(path); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	var acct struct {
		Email string `json:"email"`
	}
	for _, f := range zr.File {
		if f.Name == "account.json" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			json.Unmarshal(b, &acct)
		}
	}
	zr.Close()
	if acct.Email != demo.FanEmail {
		t.Fatalf("account.json email = %q, want %q", acct.Email, demo.FanEmail)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("zip mode %v, want 0600", fi.Mode().Perm())
	}
	// A refused export leaves no file.
	again := filepath.Join(t.TempDir(), "again.zip")
	if err := x.exportTo(again); api.ErrorCode(err) != api.ERATELIMIT {
		t.Fatalf("second export within the minute: %v", err)
	}
	if _, err := os.Stat(again); !os.IsNotExist(err) {
		t.Errorf("a refused export left %s", again)
	}

	if got := decodeUIError(t, x.DeleteAccount("not the password", api.DeleteWord))["field"]; got != "password" {
		t.Fatalf("wrong password: field %q", got)
	}
	if got := decodeUIError(t, x.DeleteAccount(pw, "delete"))["field"]; got != "confirm" {
		t.Fatalf("lower-case DELETE: field %q", got)
	}
	if a.currentAccount() == nil {
		t.Fatal("a refused deletion signed the app out")
	}
	if err := x.DeleteAccount(pw, api.DeleteWord); err != nil {
		t.Fatal(err)
	}
	if a.currentAccount() != nil || a.client.Token() != "" {
		t.Error("the app is still signed in")
	}
	if _, err := a.creds.Load(); err == nil {
		t.Error("the stored session is still there")
	}
	if _, err := a.signIn(demo.FanEmail, pw); decodeUIError(t, err)["code"] != api.EUNAUTHORIZED {
		t.Errorf("sign-in after deletion: %v", err)
	}
	if _, err := x.ExportData("Save your data"); decodeUIError(t, err)["code"] != api.EUNAUTHORIZED {
		t.Errorf("export after deletion: %v", err)
	}
}
