package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// Client talks to a Megabox server. It implements the api services, so
// the desktop app uses the platform exactly as it would use a local store.
type Client struct {
	base string
	http *http.Client

	mu    sync.RWMutex
	token string
}

var (
	_ api.AccountService = (*Client)(nil)
	_ api.ReleaseService = (*Client)(nil)
	_ api.BlobService    = (*Client)(nil)
)

// NewClient returns a client for the server at baseURL (scheme and host,
// e.g. http://127.0.0.1:8080).
func NewClient(baseURL string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, api.Errorf(api.EINVALID, "server URL must look like https://host[:port]")
	}
	if hc == nil {
		hc = &http.Client{Timeout: 0, Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment, ResponseHeaderTimeout: 60 * time.Second, MaxIdleConnsPerHost: 8,
			ExpectContinueTimeout: time.Second,
		}}
	}
	return &Client{base: strings.TrimRight(u.String(), "/"), http: hc}, nil
}

// BaseURL returns the server's URL.
func (c *Client) BaseURL() string { return c.base }

// SetToken sets the session token sent with every request.
func (c *Client) SetToken(token string) {
	c.mu.Lock()
	c.token = token
	c.mu.Unlock()
}

// Token returns the current session token.
func (c *Client) Token() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.token
}

// newRequest builds a request to path (which may carry a query).
func (c *Client) newRequest(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	if t := c.Token(); t != "" {
		req.Header.Set("Authorization", "Bearer "+t)
	}
	return req, nil
}

// do sends req and returns the response when its status is 2xx; any other
// status becomes the *api.Error its problem document describes.
func (c *Client) do(req *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(req, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, decodeProblem(resp)
}

// transportError describes a request that got no response.
func (c *Client) transportError(req *http.Request, err error) error {
	if req.Context().Err() != nil {
		return req.Context().Err()
	}
	return &api.Error{Code: api.EUNAVAILABLE, Message: fmt.Sprintf("cannot reach %s: %v", c.base, err)}
}

// call sends a JSON request and decodes a JSON response into out (if not nil).
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	return c.callWith(ctx, method, path, in, out)
}

// callWith is call with extra request headers, given as name, value pairs.
func (c *Client) callWith(ctx context.Context, method, path string, in, out any, headers ...string) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := c.newRequest(ctx, method, path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body) // drained so the connection is reused; the answer is already known
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode %s %s response: %w", method, path, err)
	}
	return nil
}

// CreateAccount implements api.AccountService.
func (c *Client) CreateAccount(ctx context.Context, in api.AccountCreate) (*api.Account, error) {
	var a api.Account
	return &a, c.call(ctx, http.MethodPost, "/api/v1/accounts", in, &a)
}

// CreateSession implements api.AccountService; on success the client uses
// the new session's token.
func (c *Client) CreateSession(ctx context.Context, in api.Credentials) (*api.Session, error) {
	var s api.Session
	if err := c.call(ctx, http.MethodPost, "/api/v1/sessions", in, &s); err != nil {
		return nil, err
	}
	c.SetToken(s.Token)
	return &s, nil
}

// DeleteSession implements api.AccountService.
func (c *Client) DeleteSession(ctx context.Context) error {
	if err := c.call(ctx, http.MethodDelete, "/api/v1/sessions/current", nil, nil); err != nil {
		return err
	}
	c.SetToken("")
	return nil
}

// Me implements api.AccountService.
func (c *Client) Me(ctx context.Context) (*api.Account, error) {
	var a api.Account
	return &a, c.call(ctx, http.MethodGet, "/api/v1/me", nil, &a)
}

func releasePath(id int64, suffix string) string {
	return "/api/v1/releases/" + strconv.FormatInt(id, 10) + suffix
}

func (c *Client) release(ctx context.Context, method, path string, in any) (*api.Release, error) {
	var r api.Release
	if err := c.call(ctx, method, path, in, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// CreateRelease implements api.ReleaseService.
func (c *Client) CreateRelease(ctx context.Context, m api.Manifest) (*api.Release, error) {
	return c.release(ctx, http.MethodPost, "/api/v1/releases", m)
}

// UpdateRelease implements api.ReleaseService.
func (c *Client) UpdateRelease(ctx context.Context, id int64, m api.Manifest) (*api.Release, error) {
	return c.release(ctx, http.MethodPut, releasePath(id, ""), m)
}

// DeleteRelease implements api.ReleaseService.
func (c *Client) DeleteRelease(ctx context.Context, id int64) error {
	return c.call(ctx, http.MethodDelete, releasePath(id, ""), nil, nil)
}

// PublishRelease implements api.ReleaseService.
func (c *Client) PublishRelease(ctx context.Context, id int64) (*api.Release, error) {
	return c.release(ctx, http.MethodPost, releasePath(id, "/publish"), nil)
}

// UnpublishRelease implements api.ReleaseService.
func (c *Client) UnpublishRelease(ctx context.Context, id int64) (*api.Release, error) {
	return c.release(ctx, http.MethodPost, releasePath(id, "/unpublish"), nil)
}

// FindRelease implements api.ReleaseService.
func (c *Client) FindRelease(ctx context.Context, id int64) (*api.Release, error) {
	return c.release(ctx, http.MethodGet, releasePath(id, ""), nil)
}

// MyReleases implements api.ReleaseService.
func (c *Client) MyReleases(ctx context.Context, limit int, cursor string) (*api.ReleasePage, error) {
	q := url.Values{}
	setNonZero(q, "limit", int64(limit))
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	var p api.ReleasePage
	return &p, c.call(ctx, http.MethodGet, "/api/v1/me/releases?"+q.Encode(), nil, &p)
}

// SearchReleases implements api.ReleaseService.
func (c *Client) SearchReleases(ctx context.Context, f api.ReleaseFilter) (*api.ReleasePage, error) {
	q := url.Values{}
	if f.Query != "" {
		q.Set("q", f.Query)
	}
	if f.Cursor != "" {
		q.Set("cursor", f.Cursor)
	}
	setNonZero(q, "limit", int64(f.Limit))
	setNonZero(q, "artist", f.ArtistID)
	var p api.ReleasePage
	return &p, c.call(ctx, http.MethodGet, "/api/v1/releases?"+q.Encode(), nil, &p)
}

// FindArtist implements api.ReleaseService.
func (c *Client) FindArtist(ctx context.Context, id int64) (*api.Artist, error) {
	var a api.Artist
	return &a, c.call(ctx, http.MethodGet, "/api/v1/artists/"+strconv.FormatInt(id, 10), nil, &a)
}

// HasBlob implements api.BlobService.
func (c *Client) HasBlob(ctx context.Context, sha256 string) (bool, error) {
	err := c.call(ctx, http.MethodHead, "/api/v1/blobs/"+url.PathEscape(sha256), nil, nil)
	if api.ErrorCode(err) == api.ENOTFOUND {
		return false, nil
	}
	return err == nil, err
}

func setNonZero(q url.Values, key string, v int64) {
	if v != 0 {
		q.Set(key, strconv.FormatInt(v, 10))
	}
}
