package app

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/megabox-fm/megabox/app/credentials"
	"github.com/megabox-fm/megabox/backend/api"
)

// A sign-in that fails in the app after the platform accepted it leaves
// no session behind: the next launch is signed out, as the error said.
func TestFailedSignInIsNotRemembered(t *testing.T) {
	t.Setenv("HOME", t.TempDir()) // the library folder defaults to ~/Music
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/sessions" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(api.Session{Token: "tok", Account: api.Account{ID: 7, Email: "fan@example.com"}})
	}))
	defer srv.Close()
	home := t.TempDir()
	a := New(Config{Home: home, PlatformURL: srv.URL, Output: quietOutput{}})
	if err := a.Open(); err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(t.Context())
	a.cache.Close() // forgetting the last account's uploads fails

	if _, err := a.signIn("fan@example.com", "pw"); err == nil {
		t.Fatal("sign-in succeeded though the app could not forget the last account's uploads")
	}
	if tok := a.client.Token(); tok != "" {
		t.Errorf("the client still sends the session %q after a failed sign-in", tok)
	}
	if acc := a.currentAccount(); acc != nil {
		t.Errorf("signed in as %q after a failed sign-in", acc.Email)
	}
	if sess, err := credentials.New(home, false).Load(); err == nil {
		t.Errorf("a failed sign-in saved a session for %q; the next launch would be signed in", sess.Email)
	}
}
