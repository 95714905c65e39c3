package http

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// Fetched is the answer to a download that may be resumed or still be in
// the making. The caller reads and closes Body (nil when Pending).
type Fetched struct {
	Body      io.ReadCloser
	Partial   bool   // the answer continues at the offset asked (206)
	SHA256    string // of the whole file: Megabox-Blob-Sha256, or the ETag of a platform that predates it
	MediaType string
	// Pending is set on a 202: the file is still being made and nothing
	// was written; ask again after RetryAfter.
	Pending    *api.TranscodeProgress
	RetryAfter time.Duration
}

// FetchTrackFormat downloads a track in format f (its master when f is
// ""), asking for the bytes from offset on when offset > 0 (the answer may
// start over: see Partial).
func (c *Client) FetchTrackFormat(ctx context.Context, trackID int64, f api.Format, offset int64) (*Fetched, error) {
	path := "/api/v1/tracks/" + strconv.FormatInt(trackID, 10) + "/audio"
	if f != "" {
		path += "?format=" + url.QueryEscape(string(f))
	}
	return c.fetch(ctx, path, offset)
}

// FetchExtra downloads a release's bonus file, from offset on when
// offset > 0 (the answer may start over: see Partial).
func (c *Client) FetchExtra(ctx context.Context, releaseID int64, name string, offset int64) (*Fetched, error) {
	return c.fetch(ctx, releasePath(releaseID, "/extras/"+url.PathEscape(name)), offset)
}

func (c *Client) fetch(ctx context.Context, path string, offset int64) (*Fetched, error) {
	req, err := c.newRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	out := &Fetched{SHA256: blobSHA(resp.Header), MediaType: resp.Header.Get("Content-Type"), Partial: resp.StatusCode == http.StatusPartialContent}
	if resp.StatusCode == http.StatusAccepted {
		defer resp.Body.Close()
		var p api.TranscodeProgress
		if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&p); err != nil {
			return nil, fmt.Errorf("decode GET %s progress: %w", path, err)
		}
		out.Pending, out.RetryAfter = &p, retryAfter(resp.Header, p.RetryAfterS)
		return out, nil
	}
	if resp.StatusCode != http.StatusOK && !out.Partial {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: unexpected status %d", path, resp.StatusCode)
	}
	out.Body = resp.Body
	return out, nil
}

// blobSHA is the sha256 of the whole file an answer carries: the
// Megabox-Blob-Sha256 header, or a strong ETag holding a sha256 (blobs are
// named by their content).
func blobSHA(h http.Header) string {
	if s := h.Get("Megabox-Blob-Sha256"); s != "" {
		return strings.ToLower(s)
	}
	if e := strings.Trim(h.Get("ETag"), `"`); api.ValidSHA256(e) {
		return e
	}
	return ""
}

// retryAfter reads Retry-After in seconds, else the body's figure, at
// least one second.
func retryAfter(h http.Header, bodyS int) time.Duration {
	s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
	if err != nil {
		s = bodyS
	}
	return time.Duration(max(s, 1)) * time.Second
}
