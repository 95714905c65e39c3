package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCacheServesAnonymousPagesOnce: a public page is rendered once for
// every anonymous visitor within the TTL, concurrent visitors included;
// sessions, cookies set, private answers, errors and other languages are
// never served from another visitor's render.
func TestCacheServesAnonymousPagesOnce(t *testing.T) {
	var renders atomic.Int64
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := renders.Add(1)
		switch r.URL.Path {
		case "/private":
			w.Header().Set("Cache-Control", "private, no-cache")
		case "/cookie":
			w.Header().Set("Cache-Control", "public, max-age=60")
			http.SetCookie(w, &http.Cookie{Name: "x", Value: "y"})
		case "/missing":
			w.Header().Set("Cache-Control", "public, max-age=60")
			w.WriteHeader(http.StatusNotFound)
		default:
			w.Header().Set("Cache-Control", "public, max-age=60")
		}
		fmt.Fprintf(w, "render %d of %s in %s", n, r.URL.Path, r.Header.Get("Accept-Language"))
	})
	c := Cache(page, 5*time.Second).(*pageCache)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	c.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	get := func(path string, hdr ...string) (int, string) {
		r := httptest.NewRequest("GET", path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		c.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}

	var wg sync.WaitGroup
	bodies := make([]string, 50)
	for i := range bodies {
		wg.Go(func() { _, bodies[i] = get("/@ann/tides") })
	}
	wg.Wait()
	for _, b := range bodies {
		if b != bodies[0] {
			t.Fatalf("concurrent visitors got %q and %q", b, bodies[0])
		}
	}
	if got := renders.Load(); got != 1 {
		t.Fatalf("%d renders for 50 concurrent visitors, want 1", got)
	}
	before := renders.Load()
	if _, b := get("/@ann/tides"); b != bodies[0] || renders.Load() != before {
		t.Fatalf("a later visitor: %q, %d renders", b, renders.Load())
	}
	if _, b := get("/@ann/tides", "Accept-Language", "fr"); b == bodies[0] {
		t.Fatal("a French visitor got the English render")
	}
	if _, b := get("/@ann/tides", "Cookie", "mb_session=tok"); b == bodies[0] {
		t.Fatal("a visitor with a session got an anonymous render")
	}
	for _, path := range []string{"/private", "/cookie", "/missing"} {
		_, first := get(path)
		if _, again := get(path); again == first {
			t.Errorf("%s was served from the cache", path)
		}
	}
	mu.Lock()
	now = now.Add(6 * time.Second)
	mu.Unlock()
	if _, b := get("/@ann/tides"); b == bodies[0] {
		t.Fatal("a page older than the TTL was served")
	}
}

// Visitors arriving together at a page that sets a cookie (a sign-in
// form's token) each get their own render: none is handed another's.
func TestCacheNeverSharesARenderThatSetsACookie(t *testing.T) {
	var renders atomic.Int64
	release := make(chan struct{})
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := renders.Add(1)
		if n == 1 {
			<-release // the others arrive while the first renders
		}
		http.SetCookie(w, &http.Cookie{Name: "mb_csrf", Value: fmt.Sprint("token-", n)})
		fmt.Fprintf(w, "token-%d", n)
	})
	c := Cache(page, 5*time.Second)
	const visitors = 20
	var started sync.WaitGroup
	started.Add(visitors)
	bodies := make([]string, visitors)
	cookies := make([]string, visitors)
	var wg sync.WaitGroup
	for i := range visitors {
		wg.Go(func() {
			started.Done()
			w := httptest.NewRecorder()
			c.ServeHTTP(w, httptest.NewRequest("GET", "/signin", nil))
			bodies[i], cookies[i] = w.Body.String(), w.Header().Get("Set-Cookie")
		})
	}
	started.Wait()
	close(release)
	wg.Wait()
	seen := map[string]bool{}
	for i, b := range bodies {
		if seen[b] || !strings.Contains(cookies[i], b) {
			t.Fatalf("visitor %d got %q with cookie %q: a render shared or mismatched (%v)", i, b, cookies[i], bodies)
		}
		seen[b] = true
	}
}
