// Package preview keeps the store's track previews on disk, so the
// player plays them as it plays the library: a local file.
//
//	Fetch(track, url) ──► <dir>/<track>-<etag>.mp3 ─► player
//	     │  known: If-None-Match; 304 keeps it, offline plays it
//	     └─ new or changed: temp file, rename, drop the oldest beyond max
//
// A preview is fetched once per version (its ETag): the creator may
// change its length, and the next play asks only whether it changed.
package preview

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mbhttp "github.com/megabox-fm/megabox/backend/http"
)

// DefaultMax is how many previews the cache keeps.
const DefaultMax = 50

// MaxBytes bounds one preview (a track streamed in full may be long).
const MaxBytes = 512 << 20

// maxETag bounds an ETag kept in a file name (encoded, with the track, it
// stays under the 255 bytes file systems allow).
const maxETag = 160

// Cache is a directory of previews, at most max files, the least recently
// played dropped first.
type Cache struct {
	dir    string
	max    int
	client *http.Client
	mu     gosync.Mutex // the directory's listing: lookups, renames, eviction
}

// New keeps at most max previews in dir, fetched with client.
func New(dir string, max int, client *http.Client) *Cache {
	if max <= 0 {
		max = DefaultMax
	}
	return &Cache{dir: dir, max: max, client: client}
}

// MaxWait bounds how long Fetch waits for the platform to make a
// preview (an MP3 of a lossless master) before giving up.
const MaxWait = 2 * time.Minute

// Progress hears how far the platform is in making a preview while Fetch
// waits for it.
type Progress func(api.TranscodeProgress)

// Fetch returns the path of track's preview, served at url: the file kept
// for it when the platform says it has not changed, or when the platform
// cannot be reached (then only if one is kept; otherwise EUNAVAILABLE).
func (c *Cache) Fetch(ctx context.Context, track int64, url string) (string, error) {
	return c.FetchWaiting(ctx, track, url, nil)
}

// FetchWaiting is Fetch, waiting while the platform makes the preview
// (202 Accepted): it asks again after the Retry-After the platform names,
// telling progress each time, for at most MaxWait.
func (c *Cache) FetchWaiting(ctx context.Context, track int64, url string, progress Progress) (string, error) {
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return "", fmt.Errorf("preview cache: %w", err)
	}
	deadline := time.Now().Add(MaxWait)
	for {
		path, wait, err := c.fetchOnce(ctx, track, url, progress)
		if err != nil || wait == 0 {
			return path, err
		}
		if time.Now().Add(wait).After(deadline) {
			return "", &api.Error{Code: api.EUNAVAILABLE, Message: "the preview is still being made: try again in a moment"}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", ctx.Err()
		case <-t.C:
		}
	}
}

// fetchOnce asks for the preview once: its path, or how long to wait
// before asking again while the platform makes it.
func (c *Cache) fetchOnce(ctx context.Context, track int64, url string, progress Progress) (string, time.Duration, error) {
	kept, etag := c.lookup(track)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", 0, err
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		if kept != "" && ctx.Err() == nil {
			return kept, 0, c.touch(kept)
		}
		return "", 0, &api.Error{Code: api.EUNAVAILABLE, Message: "the preview cannot be fetched: " + err.Error()}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && kept != "":
		return kept, 0, c.touch(kept)
	case resp.StatusCode == http.StatusAccepted:
		return "", retryAfter(resp, progress), nil
	case resp.StatusCode == http.StatusNotFound:
		return "", 0, api.Errorf(api.ENOTFOUND, "this track has no preview")
	case resp.StatusCode != http.StatusOK:
		return "", 0, refusal(resp)
	}
	path, err := c.store(track, resp)
	return path, 0, err
}

// retryAfter reads a 202's progress (telling progress) and how long the
// platform asks to wait, at least a moment so a wrong header never makes
// a busy loop.
func retryAfter(resp *http.Response, progress Progress) time.Duration {
	var p api.TranscodeProgress
	_ = json.NewDecoder(io.LimitReader(resp.Body, 4<<10)).Decode(&p) // progress is only shown
	wait := 2 * time.Second
	if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s >= 0 {
		wait = time.Duration(s) * time.Second
	} else if p.RetryAfterS > 0 {
		wait = time.Duration(p.RetryAfterS) * time.Second
	}
	if progress != nil {
		progress(p)
	}
	return max(wait, 100*time.Millisecond)
}

// refusal is the platform's error for an answer other than the preview
// (its code and words from the problem document; a preview that cannot
// be made is EINVALID).
func refusal(resp *http.Response) error {
	var p mbhttp.Problem
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&p); err == nil && p.Code != "" {
		return &api.Error{Code: p.Code, Message: p.Detail, Field: p.Field}
	}
	code := mbhttp.ErrorCodeOf(resp.StatusCode)
	if resp.StatusCode >= 500 {
		code = api.EUNAVAILABLE // a proxy's or a failing server's page: worth trying again later
	}
	return &api.Error{Code: code, Message: "the preview cannot be fetched: " + resp.Status}
}

// store writes a preview's body next to its final name, then renames it
// into place and drops what it replaces and the oldest beyond max.
func (c *Cache) store(track int64, resp *http.Response) (string, error) {
	tmp, err := os.CreateTemp(c.dir, ".part-*")
	if err != nil {
		return "", fmt.Errorf("preview cache: %w", err)
	}
	defer os.Remove(tmp.Name()) // gone once renamed; left only by a failure
	n, err := io.Copy(tmp, io.LimitReader(resp.Body, MaxBytes+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		return "", &api.Error{Code: api.EUNAVAILABLE, Message: "the preview was cut off: " + err.Error()}
	case n > MaxBytes:
		return "", api.Errorf(api.EINVALID, "the preview is larger than %d MiB", MaxBytes>>20)
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return "", &api.Error{Code: api.EUNAVAILABLE, Message: "the preview was cut off"}
	case n == 0:
		return "", api.Errorf(api.ENOTFOUND, "this track has no preview")
	}
	path := filepath.Join(c.dir, name(track, resp.Header.Get("ETag")))
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("preview cache: %w", err)
	}
	for _, old := range c.filesOf(track) {
		if old != path {
			os.Remove(old)
		}
	}
	if err := c.touch(path); err != nil { // the file system's clock may be coarser than eviction's order
		return "", err
	}
	return path, c.evict()
}

// name is a preview's file name: its track and its ETag, encoded so any
// ETag makes a safe name (one too long to keep is never revalidated).
func name(track int64, etag string) string {
	if len(etag) > maxETag {
		etag = ""
	}
	return strconv.FormatInt(track, 10) + "-" + base64.RawURLEncoding.EncodeToString([]byte(etag)) + ".mp3"
}

// lookup finds the file kept for track and the ETag it was served with.
func (c *Cache) lookup(track int64) (path, etag string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	files := c.filesOf(track)
	if len(files) == 0 {
		return "", ""
	}
	path = files[0]
	tag := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), strconv.FormatInt(track, 10)+"-"), ".mp3")
	b, err := base64.RawURLEncoding.DecodeString(tag)
	if err != nil {
		return path, ""
	}
	return path, string(b)
}

// filesOf lists the files kept for track; the caller holds mu.
func (c *Cache) filesOf(track int64) []string {
	files, _ := filepath.Glob(filepath.Join(c.dir, strconv.FormatInt(track, 10)+"-*.mp3"))
	return files
}

// touch marks a preview as just played, so eviction keeps it longest.
func (c *Cache) touch(path string) error {
	now := time.Now()
	if err := os.Chtimes(path, now, now); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("preview cache: %w", err)
	}
	return nil
}

// evict drops the least recently played previews beyond max; the caller
// holds mu.
func (c *Cache) evict() error {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return fmt.Errorf("preview cache: %w", err)
	}
	type file struct {
		path string
		mod  time.Time
	}
	var files []file
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".mp3") {
			continue
		}
		if fi, err := e.Info(); err == nil {
			files = append(files, file{filepath.Join(c.dir, e.Name()), fi.ModTime()})
		}
	}
	if len(files) <= c.max {
		return nil
	}
	slices.SortFunc(files, func(a, b file) int { return a.mod.Compare(b.mod) })
	for _, f := range files[:len(files)-c.max] {
		if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("preview cache: %w", err)
		}
	}
	return nil
}

// Len is how many previews are kept.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	files, _ := filepath.Glob(filepath.Join(c.dir, "*.mp3"))
	return len(files)
}
