package multinode

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

// tusChunk is what one PATCH carries.
const tusChunk = 8 << 20

// tusClient speaks tus 1.0 to one node by hand, counting every body byte
// the transport takes.
type tusClient struct {
	base, token string
	sent        *atomic.Int64
}

// errCut stands for a connection lost mid-request.
var errCut = errors.New("connection cut")

// cutter loses a request's connection after some body bytes: the body
// fails at once, or first hangs until stall is closed.
type cutter struct {
	after   int64
	stall   chan struct{}
	stalled atomic.Bool
}

// countingBody hands the transport body bytes, counting them, up to a
// cut if there is one.
type countingBody struct {
	r    *bytes.Reader
	cut  *cutter
	read int64
	sent *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	if b.cut != nil {
		left := b.cut.after - b.read
		if left == 0 {
			if b.cut.stall != nil {
				b.cut.stalled.Store(true)
				<-b.cut.stall
			}
			return 0, errCut
		}
		p = p[:min(int64(len(p)), left)]
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	b.sent.Add(int64(n))
	return n, err
}

func (c *tusClient) request(ctx context.Context, method, path string, body io.Reader) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, method, c.base+path, body) // our own URLs always parse
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Authorization", "Bearer "+c.token)
	return req
}

// create starts an upload and returns its path.
func (c *tusClient) create(ctx context.Context, size int64, sha, filename string) (string, error) {
	req := c.request(ctx, http.MethodPost, mhttp.UploadsPath, nil)
	req.Header.Set("Upload-Length", strconv.FormatInt(size, 10))
	req.Header.Set("Upload-Metadata", "sha256 "+base64.StdEncoding.EncodeToString([]byte(sha))+
		",filename "+base64.StdEncoding.EncodeToString([]byte(filename)))
	resp, err := httpClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		return "", fmt.Errorf("create upload: %s: %s", resp.Status, b)
	}
	loc, err := resp.Location()
	if err != nil {
		return "", err
	}
	return loc.Path, nil
}

// offset asks where an upload stands (HEAD).
func (c *tusClient) offset(ctx context.Context, path string) (int64, error) {
	resp, err := httpClient.Do(c.request(ctx, http.MethodHead, path, nil))
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("HEAD %s: %s", path, resp.Status)
	}
	return strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
}

// reply is a tus response, its body read.
type reply struct {
	status int
	header http.Header
	text   string
}

// patch sends data at offset, cut as cut says if not nil. It returns the
// response or the transport's error.
func (c *tusClient) patch(ctx context.Context, path string, offset int64, data []byte, cut *cutter) (reply, error) {
	body := &countingBody{r: bytes.NewReader(data), cut: cut, sent: c.sent}
	req := c.request(ctx, http.MethodPatch, path, body)
	req.ContentLength = int64(len(data))
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	// A PATCH refused at once (the offset moved) costs no body bytes.
	req.Header.Set("Expect", "100-continue")
	resp, err := httpClient.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(text)}, nil
}

// lostRace tells a PATCH that found the upload moved on or held by a late
// request (tus's 409, 423 and 400 "interrupted"): ask the offset again.
func lostRace(r reply) bool {
	switch r.status {
	case http.StatusConflict, http.StatusLocked:
		return true
	case http.StatusBadRequest:
		return strings.HasPrefix(r.text, "ERR_UPLOAD_INTERRUPTED")
	}
	return false
}

// TestUploadResumesOnAnotherNode: a 50 MB MP3 begun on node A and lost
// in the middle of a PATCH is finished through node B from the offset B
// reports. Node A is lost two ways: the connection closes (a client that
// knows it failed), or it goes silent with the request still open on A
// (a network that died), where B must get A to let the upload go. Each
// time the blob downloads byte-identical through either node, at most
// one chunk's bytes were sent twice, and neither node read the upload
// back to hash it.
func TestUploadResumesOnAnotherNode(t *testing.T) {
	c := newCluster(t)
	cr := c.signUpMany(t, "creator", 1, true)[0]
	for _, stall := range []bool{false, true} {
		name := map[bool]string{false: "closed", true: "silent"}[stall]
		t.Run(name, func(t *testing.T) {
			before := c.uploadMetrics(t)
			sha, sum := c.resumeAcross(t, cr, stall)
			c.checkReceived(t, before, 50_000_000)
			c.checkNoUploadsLeft(t)
			c.checkDownloads(t, cr, sha, sum)
		})
	}
}

// resumeAcross uploads a 50 MB MP3: three chunks through node A, the
// fourth cut after 3 MiB and a bit (the connection closed, or left open
// and silent when stall), then the rest through node B from the offset
// B reports.
func (c *cluster) resumeAcross(t *testing.T, cr *user, stall bool) (string, [32]byte) {
	ctx := context.Background()
	data := testmedia.SilentMP3(50_000_000)
	size := int64(len(data))
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])

	var sent atomic.Int64
	a := &tusClient{base: c.nodes[0].url, token: cr.on[0].Token(), sent: &sent}
	b := &tusClient{base: c.nodes[1].url, token: cr.on[1].Token(), sent: &sent}
	start := time.Now()
	path, err := a.create(ctx, size, sha, "long.mp3")
	if err != nil {
		t.Fatal(err)
	}
	for off := int64(0); off < 3*tusChunk; off += tusChunk {
		r, err := a.patch(ctx, path, off, data[off:off+tusChunk], nil)
		if err != nil || r.status != http.StatusNoContent {
			t.Fatalf("PATCH at %d through node A: %v %d %s", off, err, r.status, r.text)
		}
	}
	cutAt := int64(3*tusChunk + 3<<20 + 12_345)
	cut := &cutter{after: cutAt - 3*tusChunk}
	if stall {
		cut.stall = make(chan struct{})
	}
	lost := make(chan error, 1)
	go func() {
		_, err := a.patch(ctx, path, 3*tusChunk, data[3*tusChunk:4*tusChunk], cut)
		lost <- err
	}()
	if stall {
		// Node B starts once node A has every byte before the cut and
		// waits for the rest; the connection stays open until the end.
		wait.Until(t, 30*time.Second, "the PATCH to node A to stall", cut.stalled.Load)
		defer func() { close(cut.stall); <-lost }()
	} else if err := <-lost; !errors.Is(err, errCut) {
		t.Fatalf("the cut PATCH ended with %v; want %v", err, errCut)
	}
	sentToA := sent.Load()

	resumedAt, races, last := b.finish(t, path, data)
	took := time.Since(start)
	resent := sent.Load() - size
	t.Logf("50 MB upload: %d bytes sent to A (cut at %d), resumed on B at %d after %d lost races, %d bytes sent in all, %d sent twice, in %v",
		sentToA, cutAt, resumedAt, races, sent.Load(), resent, took.Round(time.Millisecond))
	if resumedAt < 3*tusChunk || resumedAt > cutAt {
		t.Errorf("node B resumed at %d; want between %d (the confirmed chunks) and %d (the cut)", resumedAt, 3*tusChunk, cutAt)
	}
	if resent < 0 || resent > tusChunk {
		t.Errorf("%d bytes sent for a %d-byte file: %d sent twice; want at most one chunk (%d)", sent.Load(), size, resent, tusChunk)
	}
	if last.header.Get("Megabox-Blob-Sha256") != sha || last.header.Get("Megabox-Media-Type") != string(api.MediaMP3) {
		t.Fatalf("the last PATCH did not announce the blob: %v", last.header)
	}
	return sha, sum
}

// finish sends the rest of an upload through c, asking the offset before
// each PATCH, and returns where it first stood, how many PATCHes found it
// moved on, and the last PATCH's response.
func (c *tusClient) finish(t *testing.T, path string, data []byte) (resumedAt int64, races int, last reply) {
	t.Helper()
	ctx := context.Background()
	size := int64(len(data))
	resumedAt = -1
	for {
		off, err := c.offset(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if resumedAt < 0 {
			resumedAt = off
		}
		if off == size {
			t.Fatalf("the upload stands complete at %d bytes before the last PATCH", off)
		}
		end := min(off+tusChunk, size)
		r, err := c.patch(ctx, path, off, data[off:end], nil)
		switch {
		case err != nil:
			t.Fatalf("PATCH at %d: %v", off, err)
		case lostRace(r):
			if races++; races > 10 {
				t.Fatalf("PATCH at %d: %d %s, %d times", off, r.status, r.text, races)
			}
		case r.status != http.StatusNoContent:
			t.Fatalf("PATCH at %d: %d %s", off, r.status, r.text)
		case end == size:
			return resumedAt, races, r
		}
	}
}

// uploadCounts are a node's upload metrics.
type uploadCounts struct {
	received, finished, stored, readBack float64
}

// uploadMetrics scrapes both nodes' upload metrics.
func (c *cluster) uploadMetrics(t *testing.T) (out [2]uploadCounts) {
	t.Helper()
	for i, n := range c.nodes {
		out[i] = uploadCounts{
			received: n.metric(t, "megabox_upload_received_bytes_total", ""),
			finished: n.metric(t, "megabox_uploads_finished_total", ""),
			stored:   n.metric(t, "megabox_uploads_finished_total", `outcome="stored"`),
			readBack: n.metric(t, "megabox_uploads_read_back_total", ""),
		}
	}
	return out
}

// checkReceived asserts from both nodes' metrics that the upload finished
// once, stored by node B and hashed as it arrived (nothing read back), and
// that its bytes reached the nodes at most one chunk more than once.
func (c *cluster) checkReceived(t *testing.T, before [2]uploadCounts, size int64) {
	t.Helper()
	after := c.uploadMetrics(t)
	for i, n := range c.nodes {
		if got := after[i].readBack - before[i].readBack; got != 0 {
			t.Errorf("node %s read %v uploads back; want 0", n.name, got)
		}
	}
	fa, fb := after[0].finished-before[0].finished, after[1].stored-before[1].stored
	if fa != 0 || fb != 1 || after[1].finished != after[1].stored {
		t.Errorf("uploads finished: %v on node A, %v stored on node B (of %v finished there); want 0 and 1 (of 1)",
			fa, fb, after[1].finished-before[1].finished)
	}
	ra, rb := int64(after[0].received-before[0].received), int64(after[1].received-before[1].received)
	t.Logf("bytes received: %d by node A, %d by node B", ra, rb)
	if ra+rb < size || ra+rb > size+tusChunk {
		t.Errorf("the nodes received %d bytes of a %d-byte upload; want at most one chunk more", ra+rb, size)
	}
}

// checkNoUploadsLeft asserts the finished upload left nothing in the
// bucket: no objects under uploads/, no multipart upload.
func (c *cluster) checkNoUploadsLeft(t *testing.T) {
	t.Helper()
	prefix := "uploads/"
	out, err := c.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: &c.bucket, Prefix: &prefix})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range out.Contents {
		t.Errorf("left in the bucket: %s (%d bytes)", *o.Key, *o.Size)
	}
	mp, err := c.s3.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: &c.bucket})
	if err != nil {
		t.Fatal(err)
	}
	if len(mp.Uploads) != 0 {
		t.Errorf("%d multipart uploads left in the bucket; want 0", len(mp.Uploads))
	}
}

// checkDownloads places the blob in a draft release and downloads it
// through each node: the same bytes as uploaded.
func (c *cluster) checkDownloads(t *testing.T, cr *user, sha string, sum [32]byte) {
	t.Helper()
	ctx := context.Background()
	rel, err := cr.on[0].CreateRelease(ctx, api.Manifest{Title: "Long", ArtistName: "Creator", PriceCents: 500, Currency: "EUR",
		Tracks: []api.ManifestTrack{{Position: 1, Title: "Long", AudioSHA256: sha}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rel.Tracks) != 1 {
		t.Fatalf("release has %d tracks; want 1", len(rel.Tracks))
	}
	for i, n := range c.nodes {
		h := sha256.New()
		got, err := cr.on[i].DownloadTrack(ctx, rel.Tracks[0].ID, 0, h)
		if err != nil {
			t.Fatalf("download through node %s: %v", n.name, err)
		}
		if d := h.Sum(nil); !bytes.Equal(d, sum[:]) || got != rel.Tracks[0].Size {
			t.Errorf("download through node %s: %d bytes, sha256 %x; want %d bytes, %s", n.name, got, d, rel.Tracks[0].Size, sha)
		}
	}
}
