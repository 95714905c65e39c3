package preview

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// server serves each track's preview bytes with an ETag, answers 304 to a
// matching If-None-Match, and counts what it sent.
type server struct {
	mu     gosync.Mutex
	body   map[int64][]byte
	etag   map[int64]string
	bodies int // full answers
	asked  int // every request
	cut    bool
	*httptest.Server
}

func newServer(t *testing.T) *server {
	s := &server{body: map[int64][]byte{}, etag: map[int64]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked++
	id, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/v1/tracks/"), "/preview"), 10, 64)
	b, ok := s.body[id]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("ETag", s.etag[id])
	if r.Header.Get("If-None-Match") == s.etag[id] {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.bodies++
	w.Header().Set("Content-Type", "audio/mpeg")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	if s.cut {
		w.Write(b[:len(b)/2]) // then the handler returns: the client sees the body end early
		return
	}
	w.Write(b)
}

func (s *server) set(id int64, body, etag string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body[id], s.etag[id] = []byte(body), etag
}

func (s *server) setCut(cut bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cut = cut
}

func (s *server) counts() (asked, bodies int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked, s.bodies
}

func (s *server) url(id int64) string {
	return s.URL + "/api/v1/tracks/" + strconv.FormatInt(id, 10) + "/preview"
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A preview is fetched once; playing it again asks only whether it
// changed, and a changed preview replaces the old file.
func TestFetchOnceThenRevalidate(t *testing.T) {
	s := newServer(t)
	s.set(7, "ID3 first version of seven", `"v1"`)
	c := New(t.TempDir(), 10, s.Client())
	path, err := c.Fetch(t.Context(), 7, s.url(7))
	if err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, path); got != "ID3 first version of seven" {
		t.Fatalf("kept %q", got)
	}
	again, err := c.Fetch(t.Context(), 7, s.url(7))
	if err != nil || again != path || mustRead(t, again) != "ID3 first version of seven" {
		t.Fatalf("second play = %q, %v; want %q", again, err, path)
	}
	if asked, bodies := s.counts(); asked != 2 || bodies != 1 {
		t.Fatalf("the platform was asked %d time(s) and sent the preview %d time(s); want 2 and 1", asked, bodies)
	}

	s.set(7, "ID3 longer second version", `"v2"`)
	changed, err := c.Fetch(t.Context(), 7, s.url(7))
	if err != nil || mustRead(t, changed) != "ID3 longer second version" {
		t.Fatalf("after a change = %q, %v", changed, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the old version is still kept: %v", err)
	}
	if n := c.Len(); n != 1 {
		t.Fatalf("%d files kept for one track", n)
	}
}

// Offline, a preview played before plays from the cache; one never played
// is a clear "unavailable" error.
func TestFetchOffline(t *testing.T) {
	s := newServer(t)
	s.set(1, "ID3 one", `"a"`)
	c := New(t.TempDir(), 10, s.Client())
	kept, err := c.Fetch(t.Context(), 1, s.url(1))
	if err != nil {
		t.Fatal(err)
	}
	url1, url2 := s.url(1), s.url(2)
	s.Close()
	if got, err := c.Fetch(t.Context(), 1, url1); err != nil || got != kept || mustRead(t, got) != "ID3 one" {
		t.Fatalf("offline replay = %q, %v", got, err)
	}
	if _, err := c.Fetch(t.Context(), 2, url2); api.ErrorCode(err) != api.EUNAVAILABLE {
		t.Fatalf("offline first play: %v, want %s", err, api.EUNAVAILABLE)
	}
}

// Beyond max, the previews played longest ago go first.
func TestEvictOldest(t *testing.T) {
	s := newServer(t)
	c := New(t.TempDir(), 3, s.Client())
	paths := map[int64]string{}
	for id := int64(1); id <= 3; id++ {
		s.set(id, "ID3 track "+strconv.FormatInt(id, 10), `"`+strconv.FormatInt(id, 10)+`"`)
		p, err := c.Fetch(t.Context(), id, s.url(id))
		if err != nil {
			t.Fatal(err)
		}
		paths[id] = p
		// Played at distinct, increasing times whatever the clock's grain.
		at := time.Now().Add(time.Duration(id-10) * time.Minute)
		os.Chtimes(p, at, at)
	}
	if _, err := c.Fetch(t.Context(), 1, s.url(1)); err != nil { // played again: now the newest
		t.Fatal(err)
	}
	s.set(4, "ID3 track 4", `"4"`)
	p4, err := c.Fetch(t.Context(), 4, s.url(4))
	if err != nil {
		t.Fatal(err)
	}
	for id, p := range map[int64]string{1: paths[1], 3: paths[3], 4: p4} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("track %d was dropped: %v", id, err)
		}
	}
	if _, err := os.Stat(paths[2]); !os.IsNotExist(err) {
		t.Errorf("track 2, played longest ago, is still kept: %v", err)
	}
	if n := c.Len(); n != 3 {
		t.Fatalf("%d previews kept, want 3", n)
	}
}

// A body cut off, a missing preview or a hostile ETag leaves nothing
// wrong in the cache.
func TestFetchFailuresKeepNothing(t *testing.T) {
	s := newServer(t)
	dir := t.TempDir()
	c := New(dir, 10, s.Client())
	if _, err := c.Fetch(t.Context(), 9, s.url(9)); api.ErrorCode(err) != api.ENOTFOUND {
		t.Fatalf("no such track: %v", err)
	}
	s.set(5, strings.Repeat("x", 64<<10), `"5"`)
	s.setCut(true)
	if _, err := c.Fetch(t.Context(), 5, s.url(5)); err == nil {
		t.Fatal("a cut-off preview was kept")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left %v in the cache", entries)
	}
	s.setCut(false)
	s.set(6, "ID3 six", `"../../etc/passwd"`)
	p, err := c.Fetch(t.Context(), 6, s.url(6))
	if err != nil || filepath.Dir(p) != dir || mustRead(t, p) != "ID3 six" {
		t.Fatalf("a preview with a path in its ETag = %q, %v", p, err)
	}
	if again, err := c.Fetch(t.Context(), 6, s.url(6)); err != nil || again != p {
		t.Fatalf("replay = %q, %v", again, err)
	}
	if _, bodies := s.counts(); bodies != 2 {
		t.Fatalf("sent %d bodies, want 2 (the cut one and six once)", bodies)
	}
	if !bytes.Contains([]byte(filepath.Base(p)), []byte("6-")) {
		t.Fatalf("named %q", p)
	}
}
