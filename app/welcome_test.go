package app

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

// The first run's answer is kept across restarts; nothing else is taken.
func TestRoleIsKept(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	home := t.TempDir()
	open := func() *App {
		a := New(Config{Home: home, PlatformURL: srv.URL + "/", Output: quietOutput{}})
		if err := a.Open(); err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open()
	x := &AccountAPI{a}
	if r, err := x.Role(); err != nil || r != "" {
		t.Fatalf("first run: %q, %v", r, err)
	}
	if err := x.SetRole("admin"); decodeUIError(t, err)["code"] != api.EINVALID {
		t.Fatalf("bad role: %v", err)
	}
	if err := x.SetRole(RoleMake); err != nil {
		t.Fatal(err)
	}
	a.Shutdown(t.Context())
	a = open()
	defer a.Shutdown(t.Context())
	if r, _ := (&AccountAPI{a}).Role(); r != RoleMake {
		t.Fatalf("after a restart: %q", r)
	}
	if p := (&AccountAPI{a}).Platform(); p.Host != "127.0.0.1" || p.Local {
		t.Errorf("platform %+v", p)
	}
}
