package http

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// DefaultChunkSize is the most one request carries: a file up to this
// size goes whole in the request that creates its upload, a larger one in
// PATCHes of this size. A cut request keeps on the server what reached it,
// so this bounds how coarse confirmed progress is, not what is sent again;
// a typical MP3 (under 16 MiB) is one request.
const DefaultChunkSize = 16 << 20

// Upload describes one tus upload. URL is empty for a new upload; set it to
// resume one a previous run began.
type Upload struct {
	SHA256    string
	Size      int64
	Filename  string
	URL       string
	ChunkSize int64
	// OnCreate is called with the upload's URL as soon as the server
	// assigns it, so a caller can persist it before any byte is sent.
	OnCreate func(url string) error
	// OnProgress is called with each offset the server has confirmed.
	OnProgress func(offset int64)
	// Owned is set when the server answered that the caller already owns
	// the blob, so nothing was sent.
	Owned bool
}

// UploadFile sends src through tus 1.0, resuming at the offset the server
// confirms when u.URL is set. It returns the number of bytes actually sent.
// A new upload of at most one chunk goes in the request that creates it
// (creation-with-upload); a larger one is created first, then sent a chunk
// per PATCH. Either way the server is asked not to take bytes of a blob
// the caller already owns (u.Owned). A PATCH that finds the offset moved
// by another request for the upload (a cut request of ours the server
// handles late), or whose connection broke, asks for the offset again and
// goes on, up to PatchRetries times in a row.
func (c *Client) UploadFile(ctx context.Context, src io.ReaderAt, u *Upload) (sent int64, err error) {
	if u.ChunkSize <= 0 {
		u.ChunkSize = DefaultChunkSize
	}
	offset := int64(0)
	if u.URL != "" {
		offset, err = c.tusOffset(ctx, u.URL)
		if api.ErrorCode(err) == api.ENOTFOUND {
			u.URL = "" // expired or discarded on the server: start again
		} else if err != nil {
			return 0, err
		}
	}
	if u.URL == "" {
		if offset, sent, err = c.tusCreate(ctx, src, u); err != nil || u.Owned {
			return sent, err
		}
	}
	retry := backoff{}
	for offset < u.Size {
		n := min(u.ChunkSize, u.Size-offset)
		body := newChunkBody(src, offset, n)
		next, err := c.tusPatch(ctx, u.URL, offset, body.body(), n)
		if err == nil && next == offset+n {
			sent += body.sent(n)
		} else {
			sent += body.sent(-1)
		}
		if errors.Is(err, errOffsetMoved) || (api.ErrorCode(err) == api.EUNAVAILABLE && !body.sourceFailed()) {
			// Another request for this upload (our own, cut a moment ago and
			// still being handled) moved the offset or took the upload, or
			// the connection broke (behind one address, the next request
			// may reach another server): ask where it stands and go on.
			if err := retry.wait(ctx); err != nil {
				return sent, err
			}
			o, err := c.tusOffset(ctx, u.URL)
			if api.ErrorCode(err) == api.EUNAVAILABLE {
				continue // still unreachable: the next try asks again
			} else if err != nil {
				return sent, err
			}
			if offset = o; offset >= u.Size {
				return sent, api.Errorf(api.ECONFLICT, "another request is finishing this upload; check whether the blob exists before sending it again")
			}
			continue
		}
		if err != nil {
			return sent, err
		}
		retry = backoff{}
		offset = next
		if u.OnProgress != nil {
			u.OnProgress(offset)
		}
	}
	return sent, nil
}

// errOffsetMoved is a PATCH refused because the upload's offset moved or
// another request holds it: tus's 409, 423, or 400 "interrupted".
var errOffsetMoved = errors.New("the upload's offset moved on the server")

// PatchRetries bounds how often in a row a PATCH refused by errOffsetMoved,
// or cut off, is retried before the upload fails.
const PatchRetries = 6

// backoff waits before each retry, doubling from 50 ms up to 2 s.
type backoff struct{ tries int }

func (b *backoff) wait(ctx context.Context) error {
	if b.tries >= PatchRetries {
		return api.Errorf(api.ECONFLICT, "the upload kept changing on the server after %d retries", b.tries)
	}
	d := min(50*time.Millisecond<<b.tries, 2*time.Second)
	b.tries++
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func tusRequest(req *http.Request) *http.Request {
	req.Header.Set("Tus-Resumable", "1.0.0")
	return req
}

// tusCreate creates u's upload and, when the file fits in one chunk,
// sends it in the same request. It returns the offset the server holds
// and the bytes sent. The server names the upload in a 104 response before
// the body goes out (the request waits for "100 Continue"), so a cut
// request leaves u.URL set for a resume.
func (c *Client) tusCreate(ctx context.Context, src io.ReaderAt, u *Upload) (offset, sent int64, err error) {
	whole := u.Size <= u.ChunkSize
	loc := &announced{c: c, onCreate: u.OnCreate}
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{Got1xxResponse: loc.got1xx})
	req, err := c.newRequest(ctx, http.MethodPost, UploadsPath, nil)
	if err != nil {
		return 0, 0, err
	}
	tusRequest(req)
	req.Header.Set("Upload-Length", strconv.FormatInt(u.Size, 10))
	meta := "sha256 " + base64.StdEncoding.EncodeToString([]byte(u.SHA256))
	if u.Filename != "" {
		meta += ",filename " + base64.StdEncoding.EncodeToString([]byte(u.Filename))
	}
	req.Header.Set("Upload-Metadata", meta)
	req.Header.Set(UnlessOwnedHeader, "1")
	var body *chunkBody
	if whole {
		body = newChunkBody(src, 0, u.Size)
		req.Body = body.body()
		req.ContentLength = u.Size
		req.GetBody = nil
		req.Header.Set("Content-Type", "application/offset+octet-stream")
		req.Header.Set("Expect", "100-continue")
	}
	resp, err := c.do(req)
	url, createErr := loc.done()
	if body != nil {
		sent = body.sent(wholeConfirmed(resp, err, u.Size))
	}
	u.URL = url // set once the server has taken the upload, even if the request was then cut
	if err == nil {
		defer resp.Body.Close()
	}
	if createErr != nil {
		return 0, sent, createErr
	}
	if err != nil {
		return 0, sent, err
	}
	if resp.StatusCode == http.StatusOK && resp.Header.Get("Megabox-Blob-Sha256") == u.SHA256 {
		u.Owned = true
		return u.Size, sent, nil
	}
	l, err := resp.Location()
	if err != nil {
		return 0, sent, fmt.Errorf("tus create: no upload location: %w", err)
	}
	u.URL = l.String()
	if url == "" && u.OnCreate != nil { // a server that did not announce it
		if err := u.OnCreate(u.URL); err != nil {
			return 0, sent, err
		}
	}
	if !whole {
		return 0, sent, nil
	}
	offset, err = strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
	if err != nil {
		return 0, sent, fmt.Errorf("tus create: bad Upload-Offset: %w", err)
	}
	if offset == u.Size && u.OnProgress != nil {
		u.OnProgress(offset)
	}
	return offset, sent, nil
}

// wholeConfirmed returns size when the response to a creation that
// carried the whole file confirms every byte, else -1.
func wholeConfirmed(resp *http.Response, err error, size int64) int64 {
	if err == nil && resp.Header.Get("Upload-Offset") == strconv.FormatInt(size, 10) {
		return size
	}
	return -1
}

// announced takes the upload's URL from the server's 104 response. The
// transport reports 1xx responses on its own goroutine; once the request
// is over, late reports are ignored.
type announced struct {
	c        *Client
	onCreate func(url string) error

	mu   gosync.Mutex
	url  string
	err  error
	over bool
}

func (a *announced) got1xx(code int, h textproto.MIMEHeader) error {
	if code != StatusUploadResumable {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	loc := h.Get("Location")
	if a.over || a.url != "" || !strings.HasPrefix(loc, UploadsPath) {
		return nil
	}
	a.url = a.c.base + loc
	if a.onCreate != nil {
		// Refusing the 1xx stops the request before its body is sent.
		a.err = a.onCreate(a.url)
		return a.err
	}
	return nil
}

func (a *announced) done() (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.over = true
	return a.url, a.err
}

// checkUploadURL keeps a stored upload URL from sending our token to
// another host.
func (c *Client) checkUploadURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || !strings.HasPrefix(u.Path, UploadsPath) {
		return "", api.Errorf(api.EINVALID, "not an upload URL: %q", raw)
	}
	return u.Path, nil
}

func (c *Client) tusOffset(ctx context.Context, uploadURL string) (int64, error) {
	path, err := c.checkUploadURL(uploadURL)
	if err != nil {
		return 0, err
	}
	req, err := c.newRequest(ctx, http.MethodHead, path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.do(tusRequest(req))
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
}

func (c *Client) tusPatch(ctx context.Context, uploadURL string, offset int64, body io.ReadCloser, n int64) (int64, error) {
	path, err := c.checkUploadURL(uploadURL)
	if err != nil {
		body.Close()
		return 0, err
	}
	req, err := c.newRequest(ctx, http.MethodPatch, path, body)
	if err != nil {
		body.Close()
		return 0, err
	}
	tusRequest(req)
	req.ContentLength = n
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	// The body goes out only once the server is ready to read it, so a
	// PATCH refused at once (offset moved, upload gone) costs no bytes.
	req.Header.Set("Expect", "100-continue")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, c.transportError(req, err)
	}
	defer resp.Body.Close()
	if offsetMoved(resp) {
		return 0, errOffsetMoved
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return 0, decodeProblem(resp)
	}
	return strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
}

// countingReader counts the bytes the transport took from a body; it may
// still be reading when the response arrives.
type countingReader struct {
	r      io.Reader
	n      atomic.Int64
	failed atomic.Bool // the source, not the connection, failed
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	if err != nil && err != io.EOF {
		c.failed.Store(true)
	}
	return n, err
}

// offsetMoved recognises tus's own answers to a PATCH that lost the race
// for its upload; they come as text naming the tus error.
func offsetMoved(resp *http.Response) bool {
	var code string
	switch resp.StatusCode {
	case http.StatusConflict:
		code = "ERR_MISMATCHED_OFFSET"
	case http.StatusLocked:
		code = "ERR_UPLOAD_LOCKED"
	case http.StatusBadRequest:
		code = "ERR_UPLOAD_INTERRUPTED"
	default:
		return false
	}
	head := make([]byte, 64)
	n, _ := io.ReadFull(resp.Body, head)
	return strings.HasPrefix(string(head[:n]), code)
}

// CancelUpload terminates an unfinished upload on the server.
func (c *Client) CancelUpload(ctx context.Context, uploadURL string) error {
	path, err := c.checkUploadURL(uploadURL)
	if err != nil {
		return err
	}
	req, err := c.newRequest(ctx, http.MethodDelete, path, nil)
	if err != nil {
		return err
	}
	resp, err := c.do(tusRequest(req))
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// DownloadTrack writes a track's audio from byte offset on to w, returning
// the bytes written; pass the length of a partial file to resume it.
func (c *Client) DownloadTrack(ctx context.Context, trackID, offset int64, w io.Writer) (int64, error) {
	req, err := c.newRequest(ctx, http.MethodGet, "/api/v1/tracks/"+strconv.FormatInt(trackID, 10)+"/audio", nil)
	if err != nil {
		return 0, err
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	resp, err := c.do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if offset > 0 && resp.StatusCode != http.StatusPartialContent {
		return 0, fmt.Errorf("server ignored the range request (status %d)", resp.StatusCode)
	}
	return io.Copy(w, resp.Body)
}
