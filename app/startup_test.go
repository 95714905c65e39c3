package app

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/app/credentials"
	"github.com/megabox-fm/megabox/app/library"
	"github.com/megabox-fm/megabox/app/player"
	"github.com/megabox-fm/megabox/backend/api"
)

// Bound methods called while the app is still opening behind the window
// wait for it and then answer as a fully open app would: the restored
// account, the player's state, the library.
func TestBoundMethodsWaitForStartup(t *testing.T) {
	t.Setenv("HOME", t.TempDir()) // the library folder defaults to ~/Music
	// A platform that holds start-up in restoring the saved session until
	// the test lets it answer.
	asked, release := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/me" {
			http.NotFound(w, r)
			return
		}
		select {
		case asked <- struct{}{}:
		default:
		}
		<-release
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(api.Account{ID: 7, Email: "fan@example.com"})
	}))
	defer srv.Close()
	home := t.TempDir()
	if err := credentials.New(home, false).Save(credentials.Session{Server: srv.URL, Email: "fan@example.com", Token: "t"}); err != nil {
		t.Fatal(err)
	}
	a := New(Config{Home: home, PlatformURL: srv.URL, Output: quietOutput{}})
	defer a.Shutdown(t.Context())
	a.Start(func(err error) { t.Errorf("start: %v", err) })
	select {
	case <-asked:
	case <-time.After(10 * time.Second):
		t.Fatal("start-up never asked the platform for the account")
	}

	type answer struct {
		me       *api.Account
		meErr    error
		status   player.Status
		releases []library.Release
		relErr   error
	}
	answers := make(chan answer, 1)
	go func() {
		var x answer
		x.me, x.meErr = (&AccountAPI{a}).Me()
		x.status = (&PlayerAPI{a}).Status()
		x.releases, x.relErr = (&LibraryAPI{a}).Releases()
		answers <- x
	}()
	go func() { (&PlayerAPI{a}).SetVolume(0.5) }() // no error to return: it must still wait, not crash
	select {
	case x := <-answers:
		t.Fatalf("answered before start-up finished: %+v", x)
	default:
	}
	close(release)
	var x answer
	select {
	case x = <-answers:
	case <-time.After(10 * time.Second):
		t.Fatal("bound methods still wait after start-up finished")
	}
	if x.meErr != nil || x.me == nil || x.me.Email != "fan@example.com" {
		t.Errorf("Me() = %+v, %v; want fan@example.com", x.me, x.meErr)
	}
	if x.status.State != player.StateStopped {
		t.Errorf("player state = %q, want %q", x.status.State, player.StateStopped)
	}
	if x.relErr != nil || len(x.releases) != 0 {
		t.Errorf("Releases() = %v, %v; want none", x.releases, x.relErr)
	}
}

// The window's requests for its page, script and styles are marked, in
// the order they came, and still served.
func TestTraceRequestsMarksThePageAndBundle(t *testing.T) {
	var out strings.Builder
	served := 0
	h := traceRequests(&out, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served++ }))
	for _, p := range []string{"/", "/assets/index-a1.css", "/assets/index-b2.js", "/covers/library/3"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
	}
	var phases []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "startup" {
			t.Fatalf("trace line %q, want \"startup PHASE UNIXNANO\"", line)
		}
		phases = append(phases, f[1])
	}
	if want := []string{"page-requested", "css-requested", "js-requested"}; !slices.Equal(phases, want) {
		t.Errorf("phases %v, want %v", phases, want)
	}
	if served != 4 {
		t.Errorf("served %d requests, want 4", served)
	}
}
