package preview_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	gosync "sync"
	"testing"

	"github.com/megabox-fm/megabox/app/preview"
	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// counting passes requests to the platform and counts the answers it
// gives by status.
type counting struct {
	h      http.Handler
	mu     gosync.Mutex
	status map[int]int
}

type recorder struct {
	http.ResponseWriter
	c *counting
}

func (r recorder) WriteHeader(code int) {
	r.c.mu.Lock()
	r.c.status[code]++
	r.c.mu.Unlock()
	r.ResponseWriter.WriteHeader(code)
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.h.ServeHTTP(recorder{w, c}, r)
}

func (c *counting) count(code int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status[code]
}

// flacRelease publishes a release of one FLAC master with a 5 s preview
// and returns its track's preview address.
func flacRelease(t *testing.T, base string) string {
	t.Helper()
	ctx := context.Background()
	c, err := mhttp.NewClient(base, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAccount(ctx, api.AccountCreate{Email: "ann@example.com", Password: "long enough pw", DisplayName: "Ann", Creator: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSession(ctx, api.Credentials{Email: "ann@example.com", Password: "long enough pw"}); err != nil {
		t.Fatal(err)
	}
	master, err := os.ReadFile(testmedia.EncodeFLAC(t, testmedia.Synth(t, filepath.Join(t.TempDir(), "m.wav"), 48000, 24, 2, "synth", "6", "sine", "440", "gain", "-12")))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(master)
	sha := hex.EncodeToString(sum[:])
	if _, err := c.UploadFile(ctx, bytes.NewReader(master), &mhttp.Upload{SHA256: sha, Size: int64(len(master)), Filename: "m.flac"}); err != nil {
		t.Fatal(err)
	}
	rel, err := c.CreateRelease(ctx, api.Manifest{Title: "Hi-res", PriceCents: 500, Currency: "EUR", PreviewSeconds: 5,
		Tracks: []api.ManifestTrack{{Position: 1, Title: "One", AudioSHA256: sha}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublishRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s/api/v1/tracks/%d/preview", base, rel.Tracks[0].ID)
}

// TestFetchWaitsForAFLACPreview: over a real megaboxd, the preview of a
// FLAC master is first "being made" (202); Fetch waits as the platform
// asks, tells its progress, keeps nothing of the 202s, and returns the
// MP3 the platform then serves.
func TestFetchWaitsForAFLACPreview(t *testing.T) {
	p, err := platform.Open(context.Background(), t.TempDir(), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := &counting{h: p.Handler, status: map[int]int{}}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); p.Close() })
	url := flacRelease(t, hs.URL)

	var mu gosync.Mutex
	var seen []api.TranscodeProgress
	c := preview.New(t.TempDir(), 5, hs.Client())
	path, err := c.FetchWaiting(context.Background(), 1, url, func(tp api.TranscodeProgress) {
		mu.Lock()
		seen = append(seen, tp)
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hs.Client().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != api.MediaMP3 || !bytes.Equal(got, want) || len(got) < 10_000 {
		t.Fatalf("kept %d bytes; the platform serves %d bytes of %s (%d)", len(got), len(want), resp.Header.Get("Content-Type"), resp.StatusCode)
	}
	mu.Lock()
	defer mu.Unlock()
	if accepted := srv.count(http.StatusAccepted); accepted == 0 || len(seen) != accepted {
		t.Fatalf("the platform answered 202 %d time(s); progress was told %d time(s)", accepted, len(seen))
	}
	for _, tp := range seen {
		if (tp.State != api.TranscodeQueued && tp.State != api.TranscodeRunning) || tp.Progress < 0 || tp.Progress > 1 || tp.RetryAfterS != 2 {
			t.Fatalf("progress %+v", tp)
		}
	}
	if n := c.Len(); n != 1 {
		t.Fatalf("the cache keeps %d previews, want 1", n)
	}
}

// pending always answers that the preview is being made, asking to wait
// retry seconds; or, with fail, that it cannot be made.
func pending(t *testing.T, retry string, fail bool) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"status":422,"code":"invalid","detail":"the preview cannot be made from this master"}`)
			return
		}
		w.Header().Set("Retry-After", retry)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"state":"running","progress":0.25,"retry_after_s":`+retry+`}`)
	}))
	t.Cleanup(s.Close)
	return s
}

// TestFetchWaitEnds: the wait ends with the caller (its context), at the
// bound (a Retry-After past it gives up at once), and on a refusal with
// the platform's code; none of them keeps a file.
func TestFetchWaitEnds(t *testing.T) {
	dir := t.TempDir()
	c := preview.New(dir, 5, http.DefaultClient)

	ctx, cancel := context.WithCancel(context.Background())
	s := pending(t, "60", false)
	var told api.TranscodeProgress
	_, err := c.FetchWaiting(ctx, 1, s.URL, func(p api.TranscodeProgress) { told = p; cancel() })
	if !errors.Is(err, context.Canceled) || told.State != api.TranscodeRunning || told.Progress != 0.25 {
		t.Fatalf("cancelled: %v after %+v", err, told)
	}

	_, err = c.FetchWaiting(context.Background(), 1, pending(t, "600", false).URL, nil)
	if api.ErrorCode(err) != api.EUNAVAILABLE {
		t.Fatalf("past the bound: %v, want %s", err, api.EUNAVAILABLE)
	}

	_, err = c.Fetch(context.Background(), 1, pending(t, "2", true).URL)
	if api.ErrorCode(err) != api.EINVALID || api.ErrorMessage(err) != "the preview cannot be made from this master" {
		t.Fatalf("failed preview: %v, want %s with the platform's words", err, api.EINVALID)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 || c.Len() != 0 {
		t.Fatalf("the cache holds %d files", len(entries))
	}
}
